"""ICP file errors are reported before any query, all at once, with exact readable messages."""

from __future__ import annotations

import pytest

from firmo.icp import IcpError, load_icp, parse_icp, read_icp, resolve
from firmo.icp.config import DEFAULT_SIGNAL_WEIGHTS


def errors_of(data: dict) -> list[str]:
    with pytest.raises(IcpError) as exc:
        resolve(parse_icp(data, default_name="t"))
    return exc.value.errors


def test_values_unknown_to_the_reference_lists():
    assert errors_of({"criteria": {
        "naf": {"include": ["62", "04.1", "62.10Z", "62-01"], "exclude": ["Z"]},
        "regions": ["Ile-de-Frence", "bretagne"],
        "departements": ["Rhône", "Rhone", "Finistre", 1],
        "communes": ["99999", "7505"],
        "legal_forms": ["13", "571", "5710"],
        "decision_makers": ["Presidnt", "Gérant"],
    }}) == [
        "criteria.naf.include: unknown NAF rév. 2 code '04.1': there is no division 04",
        "criteria.naf.include: unknown NAF rév. 2 code '62.10Z' (did you mean '62.09Z'?)",
        "criteria.naf.include: '62-01' is not a NAF code, prefix or section (expected e.g. 62.01Z, 62.0, 62 or J)",
        "criteria.naf.exclude: 'Z' is not a NAF code, prefix or section (expected e.g. 62.01Z, 62.0, 62 or J)",
        "criteria.regions: unknown région 'Ile-de-Frence' (did you mean 'Île-de-France'?)",
        "criteria.departements: unknown département 'Finistre' (did you mean 'Finistère'?)",
        "criteria.communes: unknown INSEE commune code or postal code '99999'",
        "criteria.communes: unknown INSEE commune code or postal code '7505' (read as 07505)",
        "criteria.legal_forms: unknown catégorie juridique '13'",
        "criteria.legal_forms: '571' is not a catégorie juridique code (1, 2 or 4 digits, e.g. 5, 57 or 5710)",
        "criteria.decision_makers: unknown decision-maker role 'Presidnt' (did you mean 'Président'?)",
    ]


def test_shape_errors_unknown_keys_and_inverted_ranges():
    assert errors_of({
        "criteria": {"headcount": {"min": 50, "max": 10}, "revenu": {"min": 1}, "age_years": {"min": -1},
                     "company_categories": ["TPE"]},
        "scoring": {"tiers": {"hot": 40, "warm": 50}, "signal_weights": {"new_decision_makr": 3}},
        "max_leads": 0,
    }) == [
        "criteria.headcount: min (50) is greater than max (10)",
        "criteria.age_years.min: Input should be greater than or equal to 0 (got -1)",
        "criteria.company_categories.0: Input should be 'PME', 'ETI' or 'GE' (got 'TPE')",
        "criteria.revenu: unknown key (did you mean 'revenue'?); allowed: naf, headcount, revenue, regions, "
        "departements, communes, epci, near, labels, idcc, public_contracts, hiring, legal_forms, age_years, "
        "employer_only, company_categories, "
        "exclude_collective_proceedings, exclude_closed, decision_makers, require_decision_maker",
        "scoring.signal_weights: unknown signal type 'new_decision_makr' (did you mean 'new_decision_maker'?)",
        "scoring.tiers: warm threshold (50) is above hot threshold (40)",
        "max_leads: Input should be greater than or equal to 1 (got 0)",
    ]


def test_name_must_make_a_table_name(tmp_path):
    bad = tmp_path / "My ICP.yaml"
    bad.write_text("criteria: {}\nmax_leads: 10\n")
    with pytest.raises(IcpError) as exc:
        read_icp(bad)
    assert exc.value.errors == ["name: ICP name 'My ICP' must be lower-case letters, digits and '_', starting with "
                                "a letter (it becomes the table leads.<name>)"]
    with pytest.raises(IcpError, match=r"name: ICP name 'x; drop table' must"):
        parse_icp({"name": "x; drop table"}, default_name="ok")


def test_unreadable_files(tmp_path):
    with pytest.raises(IcpError) as exc:
        load_icp(tmp_path / "missing.yaml")
    assert exc.value.errors == ["file not found"]
    (tmp_path / "list.yaml").write_text("- 1\n- 2\n")
    with pytest.raises(IcpError) as exc:
        load_icp(tmp_path / "list.yaml")
    assert exc.value.errors == ["the file must be a mapping of keys (name, criteria, scoring, max_leads)"]
    (tmp_path / "broken.yaml").write_text("criteria: [\n")
    with pytest.raises(IcpError, match="not valid YAML"):
        load_icp(tmp_path / "broken.yaml")


def test_resolution_to_codes_and_notices():
    icp = resolve(parse_icp({"criteria": {
        "naf": {"include": ["6201z", " j ", "63.99Z", "62.0"]},
        "regions": ["ile de france", 84], "departements": [1, "2a", "Rhone"], "communes": [75056],
        "legal_forms": [57, "5785"], "decision_makers": ["Président", "Directeur général", "Gérant", "73"],
    }}, default_name="t"))
    assert icp.naf_include == ["62.01Z", "J", "63.99Z", "62.0"]
    assert (icp.regions, icp.departements) == (["11", "84"], ["01", "2A", "69"])
    assert icp.communes == ["75056", *(f"751{i:02d}" for i in range(1, 21))]  # Paris is its arrondissements too
    assert icp.legal_forms == ["57", "5785"]
    assert icp.role_groups == [["51", "52", "60", "73", "140", "205"], ["53", "69", "70"], ["28", "29", "30"], ["73"]]
    assert icp.warnings == []   # every list is complete: a value is known or an error
    assert [n for n in icp.notices if n.startswith("criteria.naf")] == [
        "criteria.naf.include: J, 62.0 read as NAF rév. 2 (criteria.naf.nomenclature: naf_rev2); write 'naf2025:J' "
        "for NAF 2025",
        "criteria.naf.include: NAF rév. 2 section J reaches 29 NAF 2025 codes through the correspondence; 2 of them "
        "also receive codes outside it (61.20Y, 63.10Y): a company coded only in NAF 2025, with one of these, is selected",
    ]


def test_defaults():
    icp = parse_icp({}, default_name="t")
    assert (icp.max_leads, icp.scoring.half_life_days, icp.scoring.fit_share) == (5000, 90, 0.6)
    assert (icp.scoring.tiers.hot, icp.scoring.tiers.warm) == (70, 45)
    assert icp.criteria.decision_makers == ["Président", "Directeur général", "Gérant"]
    assert icp.criteria.exclude_collective_proceedings and icp.criteria.exclude_closed
    assert parse_icp({"scoring": {"signal_weights": {"radiation": 5}}}, default_name="t").scoring.weights() == {
        **DEFAULT_SIGNAL_WEIGHTS, "radiation": 5}


def test_example_icps_are_valid():
    from pathlib import Path

    files = sorted((Path(__file__).resolve().parents[2] / "icps").glob("*.yaml"))
    assert [f.stem for f in files] == ["btp_grand_ouest", "formation_qualiopi", "fournisseurs_publics",
                                       "pme_croissance", "recruteurs_tech", "renovation_rge_nantes", "saas_tech_pme"]
    for path in files:
        assert load_icp(path).name == path.stem


def test_an_unknown_level_three_legal_form_is_an_error():
    """Level III is complete (INSEE, September 2022): no more 'only its level II was checked'."""
    assert errors_of({"criteria": {"legal_forms": ["5799", "5720", "5498", "5710", "1000"]}}) == [
        "criteria.legal_forms: unknown catégorie juridique '5799'; level II 57 has 5710, 5770, 5785",
        "criteria.legal_forms: unknown catégorie juridique '5720'; level II 57 has 5710, 5770, 5785",
        "criteria.legal_forms: unknown catégorie juridique '5498'; level II 54 has 5410, 5415, 5422, 5426, 5430, "
        "5431, 5432, 5442 and 11 more",
    ]
