"""Places in ICPs: communes by INSEE code, name or postal code, EPCI by SIREN or name, all resolved
against the complete COG to the codes SIRENE gives head offices (arrondissements, former codes),
then matched in SQL. Exact sirens on a hand-built warehouse, exact messages."""

from __future__ import annotations

import polars as pl
import pytest
from typer.testing import CliRunner

from firmo import db
from firmo.icp import IcpError, parse_icp, preview, read_icp, resolve
from firmo.icp.places import _name_key_expr, name_key, resolve_communes, resolve_epci
from firmo.reference import read_reference
from tests.icp.warehouse import AS_OF, build_warehouse, company

# siren -> (INSEE code SIRENE gives the head office, commune name, postal code)
HEAD_OFFICES = {
    1: ("75108", "Paris 8e Arrondissement", "75008"),
    2: ("75116", "Paris 16e Arrondissement", "75016"),
    3: ("69383", "Lyon 3e Arrondissement", "69003"),
    4: ("69123", "Lyon", "69001"),           # a unit registered under the commune's own code
    5: ("69266", "Villeurbanne", "69100"),    # Métropole de Lyon, not Lyon
    6: ("35238", "Rennes", "35000"),
    7: ("01034", "Belley", "01300"),
    8: ("01340", "Arboys en Bugey", "01300"),  # still under the code of a commune merged into 01015
    9: ("93066", "Saint-Denis", "93200"),     # Plaine Commune, Métropole du Grand Paris
    10: ("97411", "Saint-Denis", "97400"),    # La Réunion
    11: ("13001", "Aix-en-Provence", "13100"),
    12: ("13201", "Marseille 1er Arrondissement", "13001"),
}


def ids(*numbers: int) -> set[str]:
    return {f"{n:09d}" for n in numbers}


def placed(n: int) -> dict:
    code, name, postal = HEAD_OFFICES[n]
    row = company(f"{n:09d}")
    dep = code[:3] if code.startswith("97") else code[:2]
    deps = read_reference("departements")
    region = deps.filter(pl.col("code") == dep)["region_code"].item()
    return row | {"commune_code": code, "commune_name": name, "postal_code": postal, "departement_code": dep,
                  "region_code": region}


@pytest.fixture()
def places(con):
    build_warehouse(con, [placed(n) for n in HEAD_OFFICES])
    return con


def selected(con, criteria: dict) -> set[str]:
    icp = resolve(parse_icp({"criteria": criteria}, default_name="t"))
    return set(preview(con, icp, as_of=AS_OF, top=100).top["siren"].to_list())


def errors_of(criteria: dict) -> list[str]:
    with pytest.raises(IcpError) as exc:
        resolve(parse_icp({"criteria": criteria}, default_name="t"))
    return exc.value.errors


@pytest.mark.parametrize("criteria, expected", [
    ({"communes": ["Paris"]}, ids(1, 2)),                 # Paris is its 20 arrondissements
    ({"communes": [75056]}, ids(1, 2)),
    ({"communes": ["75108"]}, ids(1)),                     # one arrondissement is itself only
    ({"communes": ["Paris 16e"]}, ids(2)),
    ({"communes": ["paris 8e arrondissement"]}, ids(1)),
    ({"communes": ["CP 75016"]}, ids(2)),                  # 75016 and 75116 are both the 16e's
    ({"communes": ["LYON"]}, ids(3, 4)),
    ({"communes": ["69383"]}, ids(3)),
    ({"communes": ["Rennes"]}, ids(6)),
    ({"communes": ["01300"]}, ids(7, 8)),                  # a postal code of 22 communes, Arboys en Bugey's too
    ({"communes": ["Arboys en Bugey"]}, ids(8)),           # its former code 01340 with it
    ({"communes": ["Saint-Denis (974)"]}, ids(10)),
    ({"communes": ["saint denis (Seine-Saint-Denis)"]}, ids(9)),
    ({"communes": ["13001"]}, ids(11)),                    # INSEE code of Aix first...
    ({"communes": ["CP 13001"]}, ids(12)),                 # ... the postal code on request
    ({"epci": ["Métropole de Lyon"]}, ids(3, 4, 5)),
    ({"epci": ["200046977"]}, ids(3, 4, 5)),
    ({"epci": ["metropole du grand paris"]}, ids(1, 2, 9)),
    ({"epci": ["Plaine Commune"]}, ids(9)),                # an EPT of the Grand Paris
    ({"epci": ["Communauté de communes Bugey Sud"]}, ids(7, 8)),
    ({"communes": ["Rennes"], "epci": ["Métropole de Lyon"]}, ids(3, 4, 5, 6)),
    ({"communes": ["Rennes"], "departements": ["974"]}, ids(6, 10)),  # places add up
])
def test_places_select_exact_companies(places, criteria, expected):
    assert selected(places, criteria) == expected


def test_resolution_codes_and_notices():
    lyon = resolve_communes(["Lyon"])
    assert lyon.codes == ["69123", *(f"6938{i}" for i in range(1, 10)), "69232"]
    assert lyon.notices == ["criteria.communes: 'Lyon' → 69123 + 9 arrondissements + 1 former code"]
    assert (lyon.warnings, lyon.errors) == ([], [])
    paris = resolve_communes(["75056"])
    assert paris.codes == ["75056", *(f"751{i:02d}" for i in range(1, 21))]
    assert paris.notices == ["criteria.communes: '75056' (Paris) → 75056 + 20 arrondissements"]
    assert resolve_communes(["Paris 8"]).codes == resolve_communes(["75108"]).codes == ["75108"]
    assert resolve_communes(["St-Étienne"]).codes == ["42218", "42190", "42292", "42309"]
    postal = resolve_communes(["01300"])
    assert len(postal.codes) == 27  # 22 communes and the 5 former codes of 4 of them
    assert postal.notices == [
        "criteria.communes: postal code '01300' covers 22 communes, all selected: Ambléon (01006), "
        "Andert-et-Condon (01009), Arboys en Bugey (01015), Belley (01034), Brégnier-Cordon (01058), Brens (01061), "
        "Chazey-Bons (01098), Colomieu (01110) and 14 more (01300 is also a former INSEE code, now part of "
        "Le Poizat-Lalleyriat (01): 'INSEE 01300' selects that)"]
    assert resolve_communes(["CP 13001"]).notices == [
        "criteria.communes: postal code 'CP 13001' → Marseille 1er Arrondissement (13201)"]


def test_a_code_that_reads_two_ways_says_which_reading_was_taken():
    aix = resolve_communes(["13001"])
    assert aix.codes == ["13001"]
    assert aix.warnings == ["criteria.communes: '13001' is read as the INSEE code of Aix-en-Provence (13); it is also "
                            "the postal code of Marseille 1er Arrondissement: write 'CP 13001' to select by postal code"]
    old = resolve_communes(["69232"])
    assert old.codes == ["69232"]
    assert old.warnings == ["criteria.communes: '69232' is a former commune code, now part of Lyon (69): only the "
                            "units still registered under 69232 are selected; write 69123 for the whole commune"]
    assert resolve_communes(["INSEE 13001"]).warnings == []


def test_commune_deleguee_name_selects_its_commune_nouvelle():
    cherbourg = resolve_communes(["Cherbourg-Octeville"])
    assert cherbourg.codes == ["50129", "50173", "50203", "50226", "50383", "50416", "50602"]
    assert cherbourg.warnings == [
        "criteria.communes: 'Cherbourg-Octeville' is a commune déléguée of Cherbourg-en-Cotentin (50): the whole "
        "commune 50129 is selected (SIRENE codes its units with the commune's code)"]


def test_ambiguous_and_unknown_places_are_errors_with_candidates():
    assert errors_of({"communes": ["Saint-Denis", "Saint-Denis (35)", "Lyonn", "99999", "7505", "750",
                                   "Valence (Paris)"],
                      "epci": ["CC des Quatre Rivières", "Grand Lyonn", "123456789"]}) == [
        "criteria.communes: 'Saint-Denis' is ambiguous, 4 communes have this name: Saint-Denis (974, 97411), "
        "Saint-Denis (93, 93066), Saint-Denis (11, 11339), Saint-Denis (30, 30247); write e.g. 'Saint-Denis (974)' "
        "or the INSEE code",
        "criteria.communes: no commune 'Saint-Denis' in département 35 (Ille-et-Vilaine); there is Saint-Denis (11), "
        "Saint-Denis (30), Saint-Denis (93), Saint-Denis (974)",
        "criteria.communes: unknown commune 'Lyonn' (did you mean 'Lyon' or 'Lonny'?)",
        "criteria.communes: unknown INSEE commune code or postal code '99999'",
        "criteria.communes: unknown INSEE commune code or postal code '7505' (read as 07505)",
        "criteria.communes: '750' is not a 5-character INSEE or postal code (e.g. 69123, 2A004, 69001 or 'CP 69001')",
        "criteria.communes: no commune 'Valence' in département 75 (Paris); there is Valence (16), Valence (26), "
        "Valence (82)",
        "criteria.epci: 'CC des Quatre Rivières' is ambiguous: CC des Quatre Rivières (SIREN 247000623, départements "
        "70); CC des Quatre Rivières (SIREN 247400666, départements 74); write the SIREN",
        "criteria.epci: unknown EPCI 'Grand Lyonn' (did you mean 'CA Le Grand Chalon', 'CA Grand Montauban' or "
        "'CA Grand Lac'?)",
        "criteria.epci: unknown EPCI SIREN '123456789'",
    ]


def test_names_with_parentheses_are_names_first():
    assert resolve_communes(["Bors (Canton de Charente-Sud)"]).codes == ["16053"]
    assert resolve_communes(["Château-Chinon (Ville)"]).codes == ["58062"]
    assert resolve_communes(["Château-Chinon (58)"]).errors == [
        "criteria.communes: unknown commune 'Château-Chinon (58)' (did you mean 'Château-Chalon', "
        "'Château-Chinon (Ville)' or 'Château-Landon'?)"]


def test_a_commune_deleguee_sharing_a_name_is_a_candidate():
    assert errors_of({"communes": ["Dommartin"]}) == [
        "criteria.communes: 'Dommartin' is ambiguous, 5 communes have this name: Dommartin (01, commune déléguée of "
        "Bâgé-Dommartin 01025), Dommartin (69, 69076), Dommartin (25, 25201), Dommartin (80, 80246), "
        "Dommartin (58, 58099); write e.g. 'Dommartin (01)' or the INSEE code"]


def test_epci_resolution():
    lyon = resolve_epci(["200046977"])
    assert len(lyon.codes) == 86 and {"69123", "69381", "69266", "69232"} <= set(lyon.codes)
    assert lyon.notices == ["criteria.epci: '200046977' → Métropole de Lyon (MET69, SIREN 200046977): 58 communes "
                            "+ 9 arrondissements + 19 former codes"]
    avignon = [resolve_epci([name]).codes for name in ("CA du Grand Avignon (COGA)", "Grand Avignon",
                                                       "communauté d'agglomération du Grand Avignon")]
    assert avignon[0] == avignon[1] == avignon[2] and len(avignon[0]) == 16


def test_resolved_icp_binds_one_sorted_list_and_carries_notices():
    icp = resolve(parse_icp({"criteria": {"communes": ["Rennes", "75108"], "epci": ["Plaine Commune"]}},
                            default_name="t"))
    # Plaine Commune's 8 communes and the codes they had in the Seine before 1968 (Saint-Denis: 3)
    assert icp.communes == ["35238", "75005", "75027", "75031", "75039", "75059", "75066", "75070", "75072", "75079",
                            "75108", "93001", "93027", "93031", "93039", "93059", "93066", "93070", "93072", "93079"]
    assert icp.notices == [
        "criteria.communes: 'Rennes' → 35238",
        "criteria.epci: 'Plaine Commune' → Plaine Commune (EPT, SIREN 200057867): 8 communes + 10 former codes",
    ]


def test_unquoted_codes_keep_their_leading_zeros(tmp_path):
    path = tmp_path / "ain.yaml"
    path.write_text("criteria:\n  communes: [01053, 01000]\n", encoding="utf-8")  # YAML 1.1 octal: 555 and 512
    icp = resolve(read_icp(path))
    assert icp.communes == ["01053", "01344"]
    assert icp.notices == ["criteria.communes: postal code '01000' covers 2 communes, all selected: "
                           "Bourg-en-Bresse (01053), Saint-Denis-lès-Bourg (01344)"]


def test_vectorised_name_keys_equal_name_key():
    names = read_reference("communes")["nom"]
    assert pl.select(_name_key_expr(pl.lit(names)))["nom"].to_list() == [name_key(n) for n in names]


def test_check_and_preview_print_the_resolution(tmp_path, data_env):
    from pipelines.cli_icp import icp_app

    path = tmp_path / "lyon.yaml"
    path.write_text("criteria:\n  communes: [Lyon, 'CP 13001']\n  epci: [Plaine Commune]\n", encoding="utf-8")
    with db.connection() as con:
        build_warehouse(con, [placed(n) for n in HEAD_OFFICES])
    runner = CliRunner()
    out = runner.invoke(icp_app, ["check", str(path)])
    assert out.exit_code == 0, out.output
    assert out.output.splitlines() == [
        "note: criteria.communes: 'Lyon' → 69123 + 9 arrondissements + 1 former code",
        "note: criteria.communes: postal code 'CP 13001' → Marseille 1er Arrondissement (13201)",
        "note: criteria.epci: 'Plaine Commune' → Plaine Commune (EPT, SIREN 200057867): 8 communes + 10 former codes",
        f"{path}: OK (ICP lyon, table leads.lyon)",
    ]
    out = runner.invoke(icp_app, ["preview", str(path), "--as-of", AS_OF.isoformat()])
    assert out.exit_code == 0, out.output
    assert "note: criteria.communes: 'Lyon' → 69123 + 9 arrondissements + 1 former code" in out.output
    assert "ICP lyon: 4 leads" in out.output
    path.write_text("criteria:\n  communes: [Saint-Denis]\n", encoding="utf-8")
    out = runner.invoke(icp_app, ["check", str(path)])
    assert out.exit_code == 2
    assert "criteria.communes: 'Saint-Denis' is ambiguous, 4 communes have this name" in out.output
