"""ICPs in either nomenclature: a NAF criterion written in NAF rév. 2 or NAF 2025 selects
companies coded in either, through INSEE's correspondence; `icp check` says how each value was
read; `firmo icp translate` rewrites a file. Hand-built warehouses: every expected lead is here."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from firmo.icp import IcpError, parse_icp, resolve
from firmo.icp.score import lead_rows, prepare
from pipelines.cli_icp import icp_app
from tests.icp.warehouse import AS_OF, build_warehouse, company, company_naf2025

COMPANIES = [
    company("000000101", naf="62.01Z"),                       # rév. 2, NAF 2025 62.10Y by the correspondence
    company("000000102", naf="77.39Z"),                       # rév. 2, a split: no NAF 2025 code
    company("000000103", naf="58.29A"),                       # rév. 2, NAF 2025 58.29Y (shared with 58.29B/C)
    company("000000104", naf="64.19Z", naf2025="64.19Y"),     # finance: rév. 2 section K
    company_naf2025("000000201", "62.10Y"),                   # NAF 2025 only; back: 62.01Z
    company_naf2025("000000202", "58.29Y"),                   # NAF 2025 only, a merge: no rév. 2 code
    company_naf2025("000000203", "77.11Y"),                   # NAF 2025 only, a merge of 77.11A/B, 77.12Z, 77.39Z
    company_naf2025("000000204", "77.39Y"),                   # NAF 2025 only; back: 77.39Z (the split's own)
]


@pytest.fixture()
def warehouse(con):
    build_warehouse(con, COMPANIES)
    return con


def leads(con, naf: dict) -> dict[str, str]:
    icp = resolve(parse_icp({"criteria": {"naf": naf, "decision_makers": []}}, default_name="t"))
    prepare(con)
    rows = lead_rows(con, icp, AS_OF)
    return dict(zip(rows["siren"].to_list(), [reasons[0] for reasons in rows["score_reasons"].to_list()], strict=True))


def test_companies_keep_both_codes_in_prospects(warehouse):
    rows = warehouse.execute("SELECT siren, naf_code, naf2025_code, naf_section, naf2025_section, naf2025_key "
                             "FROM core.prospects ORDER BY siren").fetchall()
    assert rows == [
        ("000000101", "62.01Z", "62.10Y", "J", "K", "62.10Y"),
        ("000000102", "77.39Z", None, "N", None, ""),
        ("000000103", "58.29A", "58.29Y", "J", "J", "58.29Y"),
        ("000000104", "64.19Z", "64.19Y", "K", "L", "64.19Y"),
        ("000000201", "62.01Z", "62.10Y", "J", "K", "62.10Y"),
        ("000000202", None, "58.29Y", None, "J", "58.29Y"),
        ("000000203", None, "77.11Y", None, "O", "77.11Y"),    # NAF 2025 puts renting in section O
        ("000000204", "77.39Z", "77.39Y", "N", "O", "77.39Y"),
    ]


def test_rev2_criterion_selects_companies_coded_only_in_naf2025(warehouse):
    assert leads(warehouse, {"include": ["62.01Z"]}) == {
        "000000101": "NAF 62.01Z in target",
        "000000201": "NAF 62.01Z in target",        # its rév. 2 code came back through the correspondence
    }
    assert leads(warehouse, {"include": ["58.29C"]}) == {
        # 58.29Y is a merge: without a rév. 2 code, the company matches through the correspondence
        "000000202": "NAF 2025 58.29Y in target (NAF rév. 2 58.29C, by correspondence)",
    }
    assert leads(warehouse, {"include": ["J"]}) == {
        "000000101": "NAF 62.01Z in section J",
        "000000103": "NAF 58.29A in section J",
        "000000201": "NAF 62.01Z in section J",
        "000000202": "NAF 2025 58.29Y in NAF rév. 2 section J (by correspondence)",
    }


def test_naf2025_criterion_selects_companies_coded_only_in_rev2(warehouse):
    # NAF 2025 section K is télécommunications / informatique, rév. 2 section K is finance
    assert leads(warehouse, {"include": ["naf2025:K"]}) == {
        "000000101": "NAF 2025 62.10Y in section K",
        "000000201": "NAF 2025 62.10Y in section K",
    }
    assert leads(warehouse, {"include": ["K"]}) == {"000000104": "NAF 64.19Z in section K"}
    assert leads(warehouse, {"include": ["K"], "nomenclature": "naf2025"}) == leads(warehouse, {"include": ["naf2025:K"]})
    assert leads(warehouse, {"include": ["62.20G", "58.29Y"]}) == {
        "000000103": "NAF 2025 58.29Y in target",
        "000000202": "NAF 2025 58.29Y in target",
    }
    # 77.39Z splits: the rév. 2 company has no NAF 2025 code and matches any target
    assert leads(warehouse, {"include": ["77.12Y"]}) == {
        "000000102": "NAF 77.39Z in target (NAF 2025 77.12Y, by correspondence)",
    }


def test_a_split_selects_every_target_code(warehouse):
    assert leads(warehouse, {"include": ["77.39Z"]}) == {
        "000000102": "NAF 77.39Z in target",
        "000000203": "NAF 2025 77.11Y in target (NAF rév. 2 77.39Z, by correspondence)",
        "000000204": "NAF 77.39Z in target",
    }
    icp = resolve(parse_icp({"criteria": {"naf": {"include": ["77.39Z"]}}}, default_name="t"))
    assert icp.notices == [
        "criteria.naf.include: 77.39Z = NAF 2025 77.11Y, 77.12Y, 77.39Y (a split: a company coded only in NAF 2025 "
        "is selected on any of them); these codes also receive 77.11A, 77.11B, 77.12Z: a company coded only in "
        "NAF 2025, with one of them, is selected too",
    ]


def test_exclusions_work_across_nomenclatures(warehouse):
    assert set(leads(warehouse, {"include": ["J"], "exclude": ["naf2025:62"]})) == {"000000103", "000000202"}
    # a NAF-2025-only merge is excluded by any of its antecedents
    assert set(leads(warehouse, {"include": ["77", "58"], "exclude": ["77.11A"]})) == {
        "000000102", "000000103", "000000202", "000000204"}


def test_unknown_codes_are_errors_in_both_nomenclatures():
    with pytest.raises(IcpError) as exc:
        resolve(parse_icp({"criteria": {"naf": {
            "include": ["62.10Z", "62.11Y", "naf2025:62.5", "V", "naf2025:W", "naf2025:62.01Z", "nace:J", "naf2025:04"],
            "exclude": ["46.89Z"]}}}, default_name="t"))
    assert exc.value.errors == [
        "criteria.naf.include: unknown NAF rév. 2 code '62.10Z' (did you mean '62.09Z'?)",
        "criteria.naf.include: unknown NAF 2025 code '62.11Y' (did you mean '62.10Y'?)",
        "criteria.naf.include: unknown NAF 2025 group '62.5' (did you mean '62.9'?)",
        "criteria.naf.include: unknown NAF rév. 2 section 'V' (NAF 2025 has one: write 'naf2025:V')",
        "criteria.naf.include: 'naf2025:W' is not a NAF code, prefix or section (expected e.g. 62.01Z, 62.0, 62 or J)",
        "criteria.naf.include: '62.01Z' is a NAF rév. 2 code, not NAF 2025",
        "criteria.naf.include: 'nace:J': unknown nomenclature 'nace' (write e.g. naf2025:J or naf_rev2:J)",
        "criteria.naf.include: unknown NAF 2025 code '04': there is no division 04",
        "criteria.naf.exclude: unknown NAF rév. 2 code '46.89Z' (did you mean '46.90Z'?)",
    ]


def test_a_code_of_the_other_nomenclature_is_echoed_with_its_translation():
    icp = resolve(parse_icp({"criteria": {"naf": {"include": ["6210y", "58.29Y", "46.89Y", "naf2025:62"]}}},
                            default_name="t"))
    assert icp.naf_include == ["62.10Y", "58.29Y", "46.89Y", "naf2025:62"]
    assert icp.warnings == []
    assert icp.notices == [
        "criteria.naf.include: 62.10Y (Activités de programmation informatique) is NAF 2025 = NAF rév. 2 62.01Z",
        "criteria.naf.include: 58.29Y (Édition d’autres logiciels) is NAF 2025 = NAF rév. 2 58.29A, 58.29B, 58.29C "
        "(a split: a company coded only in NAF rév. 2 is selected on any of them)",
        "criteria.naf.include: 46.89Y (NAF 2025) has no NAF rév. 2 counterpart: only a company with this NAF 2025 "
        "code is selected",
    ]
    # the same file written in NAF 2025 reads NAF 2025 prefixes bare, and echoes rév. 2 codes instead
    icp = resolve(parse_icp({"criteria": {"naf": {"nomenclature": "naf2025", "include": ["62", "62.01Z"]}}},
                            default_name="t"))
    assert icp.naf_include == ["naf2025:62", "62.01Z"]
    assert icp.notices == [
        "criteria.naf.include: 62 read as NAF 2025 (criteria.naf.nomenclature: naf2025); write 'naf_rev2:62' for "
        "NAF rév. 2",
        "criteria.naf.include: 62.01Z (Programmation informatique) is NAF rév. 2 = NAF 2025 62.10Y",
    ]


def test_check_prints_how_naf_was_read(tmp_path):
    path = tmp_path / "mixed.yaml"
    path.write_text("criteria:\n  naf:\n    include: [J, 62.10Y]\n", encoding="utf-8")
    out = CliRunner().invoke(icp_app, ["check", str(path)])
    assert out.exit_code == 0, out.output
    assert out.output.splitlines() == [
        "note: criteria.naf.include: J read as NAF rév. 2 (criteria.naf.nomenclature: naf_rev2); write 'naf2025:J' "
        "for NAF 2025",
        "note: criteria.naf.include: 62.10Y (Activités de programmation informatique) is NAF 2025 = NAF rév. 2 62.01Z",
        "note: criteria.naf.include: NAF rév. 2 section J reaches 29 NAF 2025 codes through the correspondence; 2 of "
        "them also receive codes outside it (61.20Y, 63.10Y): a company coded only in NAF 2025, with one of these, is selected",
        f"{path}: OK (ICP mixed, table leads.mixed)",
    ]
