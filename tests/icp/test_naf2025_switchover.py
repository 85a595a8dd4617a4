"""The shipped ICPs (written in NAF rév. 2) keep working after the NAF 2025 switchover.

The same generated universe is written twice as SIRENE stock files in the real format: as today
(NAF rév. 2, with SIRENE's NAF25 column on most active units) and as after 1 January 2027, where
every active unit is coded only in NAF 2025 (`write_sirene_stock(naf2025_only=True)`). Both are
loaded by the real loader, given the same officers and revenues, and every shipped ICP is run on
both, uncapped.

What must hold: a company whose NAF 2025 code has a single NAF rév. 2 antecedent gets that code
back, so it is the same lead with the same score and reasons. A company whose NAF 2025 code
merges several rév. 2 codes has no rév. 2 code any more; it is selected through the
correspondence when one of those antecedents matches the ICP's include patterns and none matches
its exclude patterns. That is the whole expected difference, worked out here from the
correspondence table with no SQL.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml

from firmo import db
from firmo.icp import load_icp, parse_icp, resolve
from firmo.icp.prospects import build_prospects
from firmo.icp.score import lead_rows, prepare
from firmo.reference import read_reference
from sources.demo.sirene import write_sirene_stock
from sources.demo.universe import build_universe
from sources.sirene.ingest import load_sirene
from tests.icp.warehouse import FINANCIAL_COLUMNS, OFFICER_COLUMNS, _insert, officer

AS_OF = dt.date(2026, 11, 1)
# the ICPs on SIRENE alone: the open-data criteria need their own loads (tests/icp/test_open_data_criteria.py)
OPEN_DATA_CRITERIA = {"near", "labels", "idcc", "public_contracts", "hiring"}
ICPS = [path for path in sorted((Path(__file__).resolve().parents[2] / "icps").glob("*.yaml"))
        if not OPEN_DATA_CRITERIA & set(yaml.safe_load(path.read_text(encoding="utf-8"))["criteria"])]


def _load(db_file: Path, stock: dict[str, Path]) -> None:
    with db.connection(db_file) as con:
        load_sirene(con, unites_legales=stock["unites_legales_csv_zip"], etablissements=stock["etablissements_csv_zip"])
        # every company gets a manager and a revenue from its SIREN (the same in both warehouses)
        _insert(con, "inpi.officers", OFFICER_COLUMNS, [])
        _insert(con, "core.latest_financials", FINANCIAL_COLUMNS, [])
        manager = officer("x", "30", "Gérant")
        con.execute("INSERT INTO inpi.officers BY NAME SELECT siren, $kind AS officer_kind, $family AS family_name, "
                    "$given AS given_names, '30' AS role_code, ['30'] AS role_codes, 'Gérant' AS role_label, "
                    "$start AS start_date, true AS active, 'test' AS source_file FROM core.companies",
                    {"kind": manager["officer_kind"], "family": manager["family_name"], "given": manager["given_names"],
                     "start": manager["start_date"]})
        con.execute("INSERT INTO core.latest_financials BY NAME SELECT siren, DATE '2025-12-31' AS fiscal_year_end, "
                    "CAST(siren AS BIGINT) % 48 * 1000000 AS revenue FROM core.companies")
        build_prospects(con)


def _leads(db_file: Path, icp) -> dict[str, dict]:
    with db.connection(db_file, read_only=True) as con:
        prepare(con)
        rows = lead_rows(con, icp, AS_OF, limit=1_000_000)
    return {r["siren"]: r for r in rows.iter_rows(named=True)}


def _matches(code: str, pattern: str, sections: dict[str, str]) -> bool:
    """A NAF rév. 2 sous-classe against a rév. 2 pattern of the shipped ICPs (section or prefix)."""
    return sections[code[:2]] == pattern if len(pattern) == 1 else code.startswith(pattern)


@pytest.fixture(scope="module")
def warehouses(tmp_path_factory):
    root = tmp_path_factory.mktemp("switchover")
    universe = build_universe(50000, seed=7, as_of=AS_OF)
    today = write_sirene_stock(universe, root / "today", formats=("csv_zip",), broken_lines=False)
    after = write_sirene_stock(universe, root / "after", formats=("csv_zip",), broken_lines=False, naf2025_only=True)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("FIRMO_DATA_DIR", str(root / "data"))
        _load(root / "today.duckdb", today)
        _load(root / "after.duckdb", after)
    return root / "today.duckdb", root / "after.duckdb"


def test_the_switchover_stock_is_coded_only_in_naf2025(warehouses):
    today, after = warehouses
    with db.connection(after, read_only=True) as con:
        active = con.execute(
            "SELECT nomenclatureActivitePrincipaleUniteLegale, activitePrincipaleNAF25UniteLegale IS NULL, count(*) "
            "FROM sirene.unites_legales WHERE etatAdministratifUniteLegale = 'A' GROUP BY ALL").fetchall()
        assert [(nom, empty) for nom, empty, _ in active] == [("NAF2025", True)]
        sources = dict(con.execute("SELECT naf_source, count(*) FROM core.companies WHERE active GROUP BY 1").fetchall())
    assert set(sources) == {"correspondence", "merge: no 1-to-1 correspondence"}
    with db.connection(today, read_only=True) as con:
        assert con.execute("SELECT DISTINCT nomenclatureActivitePrincipaleUniteLegale FROM sirene.unites_legales "
                           "WHERE etatAdministratifUniteLegale = 'A'").fetchall() == [("NAFRev2",)]


@pytest.fixture(scope="module")
def facts(warehouses):
    """Per company of the switchover warehouse: its NAF 2025 code, today's rév. 2 code, and the
    rév. 2 antecedents of its NAF 2025 code (from the reference table, not from SQL)."""
    today, after = warehouses
    with db.connection(after, read_only=True) as con:
        coded = dict(con.execute("SELECT siren, naf2025_code FROM core.companies WHERE active").fetchall())
    with db.connection(today, read_only=True) as con:
        rev2 = dict(con.execute("SELECT siren, naf_code FROM core.companies WHERE active").fetchall())
    pairs = read_reference("naf_rev2_to_naf2025")
    antecedents = {k: set(v) for k, v in pairs.group_by("naf2025").agg("naf_rev2").iter_rows()}
    return coded, rev2, {s: antecedents[code] for s, code in coded.items()}


@pytest.fixture(scope="module")
def outcomes(warehouses, facts):
    """Per shipped ICP: the uncapped leads today and after, and the leads of the same ICP without
    its NAF criterion (the companies its other criteria keep; the same in both warehouses)."""
    today, after = warehouses
    out = {}
    for path in ICPS:
        icp = load_icp(path)
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        data["criteria"]["naf"] = {}
        gates = set(_leads(today, resolve(parse_icp(data, default_name=path.stem))))
        out[path.stem] = (icp, _leads(today, icp), _leads(after, icp), gates)
    return out


@pytest.mark.parametrize("name", [p.stem for p in ICPS])
def test_shipped_icps_get_the_same_leads_where_the_correspondence_is_one_to_one(outcomes, facts, name):
    icp, before, now, gates = outcomes[name]
    coded, rev2, antecedents = facts
    merged = {s for s, codes in antecedents.items() if len(codes) > 1}
    assert all(antecedents[s] == {rev2[s]} for s in coded if s not in merged)  # one antecedent: its own code
    sections = dict(read_reference("naf_divisions").select("code", "section").iter_rows())
    include, exclude = icp.config.criteria.naf.include, icp.config.criteria.naf.exclude

    # 1-to-1 back: the very same lead, same score, same reasons
    for siren in (set(before) | set(now)) - merged:
        assert siren in before and siren in now, siren
        keys = ("score", "fit_score", "intent_score", "tier", "naf_code", "score_reasons", "naf_division_label")
        assert {k: now[siren][k] for k in keys} == {k: before[siren][k] for k in keys}

    # a merge: selected when an antecedent is targeted and none is excluded, among the companies
    # the ICP's other criteria keep
    def selected(siren: str) -> bool:
        codes = antecedents[siren]
        return (any(_matches(c, p, sections) for c in codes for p in include)
                and not any(_matches(c, p, sections) for c in codes for p in exclude))

    assert {s for s in now if s in merged} == {s for s in merged & gates if selected(s)}
    for siren in merged & set(now):
        assert now[siren]["naf_code"] is None
        assert now[siren]["score_reasons"][0].startswith(f"NAF 2025 {coded[siren]} in ")
        assert "by correspondence)" in now[siren]["score_reasons"][0]


def test_the_difference_is_the_expected_one(outcomes, facts):
    """On this seeded universe: (leads today, leads after, leads matched through the
    correspondence after, gained, lost) per shipped ICP. The broad list gains one company: it was
    64.99Z (finance, section K: not targeted), and its NAF 2025 code 64.99Y also receives 77.40Z
    (section N, targeted); nothing is lost (no merge straddles an exclusion here)."""
    coded, rev2, antecedents = facts
    merged = {s for s, codes in antecedents.items() if len(codes) > 1}
    got = {name: (len(before), len(now), len(merged & set(now)), sorted(set(now) - set(before)),
                  sorted(set(before) - set(now)))
           for name, (_, before, now, _) in outcomes.items()}
    assert got == {
        "btp_grand_ouest": (12, 12, 4, [], []),
        "pme_croissance": (616, 617, 284, ["932987282"], []),
        "saas_tech_pme": (13, 13, 1, [], []),
    }
    assert (rev2["932987282"], coded["932987282"], antecedents["932987282"]) == ("64.99Z", "64.99Y", {"64.99Z", "77.40Z"})
