"""The COG place tables shipped under firmo/reference: exact counts and facts a reader can check
against the published sources (firmo/reference/SOURCES.md)."""

from __future__ import annotations

import polars as pl

from firmo.reference import read_reference


def _row(code: str, type_: str = "commune-actuelle") -> dict:
    communes = read_reference("communes")
    return communes.filter((pl.col("code_insee") == code) & (pl.col("type") == type_)).row(0, named=True)


def test_communes_counts_per_type_and_key():
    communes = read_reference("communes")
    assert communes.height == 37590
    assert dict(communes["type"].value_counts().iter_rows()) == {
        "commune-actuelle": 34969, "arrondissement-municipal": 45, "commune-deleguee": 2105, "commune-associee": 471}
    # unique per (code, type), not per code: communes déléguées keep their commune nouvelle's code
    assert communes.select("code_insee", "type").n_unique() == 37590
    assert communes["code_insee"].n_unique() == 37590 - 584
    current = communes.filter(pl.col("type").is_in(["commune-actuelle", "arrondissement-municipal"]))
    assert current["code_insee"].n_unique() == current.height == 35014
    assert communes.filter(pl.col("population").is_null() & (pl.col("type") == "commune-actuelle")).height == 6


def test_communes_facts():
    paris = _row("75056")
    assert (paris["nom"], paris["departement_code"], paris["region_code"], paris["epci_siren"]) == (
        "Paris", "75", "11", "200054781")
    assert paris["codes_postaux"].split("|")[:3] == ["75001", "75002", "75003"]
    assert len(paris["codes_postaux"].split("|")) == 21  # 75116 besides 75016
    paris8 = _row("75108", "arrondissement-municipal")
    assert (paris8["nom"], paris8["commune_parente"], paris8["codes_postaux"], paris8["epci_siren"]) == (
        "Paris 8e Arrondissement", "75056", "75008", "200054781")
    arrondissements = read_reference("communes").filter(pl.col("type") == "arrondissement-municipal")
    assert dict(arrondissements["commune_parente"].value_counts().iter_rows()) == {"75056": 20, "69123": 9, "13055": 16}
    assert _row("01033")["anciens_codes"] == "01126|01018|01458|01278|01205|01091"  # Valserhône
    ajaccio = _row("2A004")
    assert (ajaccio["departement_code"], ajaccio["region_code"]) == ("2A", "94")
    papeete = _row("98735")
    assert (papeete["departement_code"], papeete["region_code"], papeete["zone"]) == ("987", None, "com")
    assert _row("98411")["codes_postaux"] is None  # a TAAF district
    assert _row("93066")["ept_siren"] == "200057867"  # Saint-Denis, in Plaine Commune


def test_communes_agree_with_departements_and_regions(places_db):
    communes = read_reference("communes")
    deps = read_reference("departements")
    # every current commune: its département as the SIRENE load derives it, and that département's
    # région as core.companies joins it, are the ones the COG gives the commune
    disagree = places_db.execute(
        "SELECT c.code_insee, firmo_departement(c.code_insee), c.departement_code, d.region_code, c.region_code "
        "FROM ref.communes c LEFT JOIN ref.departements d ON d.code = firmo_departement(c.code_insee) "
        "WHERE c.type NOT IN ('commune-deleguee', 'commune-associee') "
        "AND (firmo_departement(c.code_insee) IS DISTINCT FROM c.departement_code "
        "     OR d.region_code IS DISTINCT FROM c.region_code)").fetchall()
    assert disagree == []
    assert places_db.execute("SELECT count(*) FROM ref.communes WHERE type NOT IN "
                             "('commune-deleguee', 'commune-associee')").fetchone()[0] > 35_000
    assert set(communes["departement_code"]) == set(deps["code"])


def test_epci_membership_matches_the_communes():
    communes = read_reference("communes")
    epci = read_reference("epci")
    members = (communes.filter((pl.col("type") == "commune-actuelle") & pl.col("epci_siren").is_not_null())
               .group_by("epci_siren").len())
    joined = epci.join(members, left_on="siren", right_on="epci_siren", how="full")
    assert joined.filter(pl.col("len").is_null() | pl.col("siren").is_null()).height == 0
    assert joined.filter(pl.col("len") != pl.col("nb_communes_membres")).height == 0
    assert epci["nb_communes_membres"].sum() == 34871
    assert dict(epci["type"].value_counts().iter_rows()) == {"CC": 989, "CA": 230, "METRO": 21, "CU": 14, "MET69": 1}
    lyon = epci.filter(pl.col("siren") == "200046977").row(0, named=True)
    assert (lyon["nom"], lyon["type"], lyon["nb_communes_membres"]) == ("Métropole de Lyon", "MET69", 58)
    no_epci = communes.filter((pl.col("type") == "commune-actuelle") & pl.col("epci_siren").is_null())
    assert no_epci.height == 98
    assert sorted(no_epci.filter(pl.col("zone") != "com")["code_insee"]) == ["22016", "29083", "29155", "85113"]


def test_ept_members_are_the_communes_that_name_them():
    communes = read_reference("communes").filter(pl.col("ept_siren").is_not_null())
    ept = read_reference("ept")
    listed = {(siren, code) for siren, codes in ept.select("siren", "communes_membres").iter_rows()
              for code in codes.split("|")}
    assert listed == set(communes.select("ept_siren", "code_insee").iter_rows())
    assert len(listed) == ept["nb_communes_membres"].sum() == 129


def test_communes_sample_codes_are_current_cog_places():
    """The generator draws from communes_sample: every code must be a commune or arrondissement of
    the COG with the same name, département and a postal code of its own."""
    communes = read_reference("communes").filter(
        pl.col("type").is_in(["commune-actuelle", "arrondissement-municipal"]))
    cog = {r["code_insee"]: r for r in communes.iter_rows(named=True)}
    sample = read_reference("communes_sample")
    assert sample.height == 216
    for row in sample.iter_rows(named=True):
        place = cog[row["code"]]
        assert (place["nom"], place["departement_code"]) == (row["name"], row["departement"]), row
        assert row["postal_code"] in place["codes_postaux"].split("|"), row
