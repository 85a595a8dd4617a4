"""RNE opposition to commercial use (`diffusionCommerciale: false`, R.123-320) is honoured like a
SIRENE `P`: out of core.prospects, the lead lists and the analytics views, kept in the registry
tables; a later payload that lifts it brings the unit back. The RNE side goes through the real
load path (load_rne, apply_rne_updates) with hand-made payloads in the real shape."""

from __future__ import annotations

import json

import duckdb
import pytest

from firmo import analytics
from firmo.compliance import prospecting
from firmo.icp import build_leads, build_prospects, parse_icp, resolve
from pipelines import summary
from sources.inpi.rne_load import apply_rne_updates, load_rne
from tests.icp.warehouse import AS_OF, build_warehouse, company

ACME, GANYMEDE, TITAN, SECRET, POSTE = "443061841", "880878145", "732829320", "552100554", "356000000"
# SIRENE status x RNE flag: the two really differ
UNITS = [
    company(ACME),                          # O, RNE true: prospectable
    company(GANYMEDE),                      # O, RNE false: opposition only
    company(TITAN, diffusible=False),       # P, RNE true: P only
    company(SECRET, diffusible=False),      # P, RNE false: both
    company(POSTE),                         # O, no RNE payload at all: prospectable
]
TECH = resolve(parse_icp({"criteria": {"naf": {"include": ["J"]}}}, default_name="tech"))


def payload(siren: str, *, commercial: bool | None, updated_at: str, family: str = "MARTIN") -> dict:
    """An RNE company payload (2024 shape) with one président; `commercial=None`: no flag."""
    formality: dict = {
        "siren": siren, "typePersonne": "M", "formeJuridique": "5710", "diffusionINSEE": "O",
        "content": {"natureCreation": {"dateCreation": "2015-03-01"}, "personneMorale": {
            "identite": {"entreprise": {"siren": siren, "denomination": f"ACME {siren}", "formeJuridique": "5710"}},
            "composition": {"pouvoirs": [{
                "typeDePersonne": "INDIVIDU", "representantId": f"r-{siren}", "roleEntreprise": "73", "actif": True,
                "individu": {"descriptionPersonne": {"nom": family, "prenoms": ["Jeanne"]}}}]}}},
    }
    if commercial is not None:
        formality["diffusionCommerciale"] = commercial
    return {"updatedAt": updated_at, "id": f"t{siren}", "siren": siren, "formality": formality}


STOCK = [payload(ACME, commercial=True, updated_at="2026-01-05T10:00:00+01:00"),
         payload(GANYMEDE, commercial=False, updated_at="2026-01-05T10:00:00+01:00"),
         payload(TITAN, commercial=True, updated_at="2026-01-05T10:00:00+01:00"),
         payload(SECRET, commercial=False, updated_at="2026-01-05T10:00:00+01:00")]


@pytest.fixture()
def con(tmp_path):
    connection = duckdb.connect()
    build_warehouse(connection, UNITS)
    stock = tmp_path / "stock.json"
    stock.write_text(json.dumps(STOCK), encoding="utf-8")
    load_rne(connection, [stock])
    yield connection
    connection.close()


def prospects(con) -> list[str]:
    build_prospects(con)
    return [s for (s,) in con.execute("SELECT siren FROM core.prospects ORDER BY siren").fetchall()]


def leads(con, tmp_path) -> list[str]:
    build_leads(con, TECH, as_of=AS_OF, csv_dir=tmp_path)
    return [s for (s,) in con.execute("SELECT siren FROM leads.tech ORDER BY siren").fetchall()]


def views(con) -> list[str]:
    """The analytics views, on a core.companies that has the SIRENE status column they drop."""
    con.execute("ALTER TABLE core.companies ADD COLUMN IF NOT EXISTS diffusion_status VARCHAR")
    con.execute("UPDATE core.companies SET diffusion_status = CASE WHEN diffusible THEN 'O' ELSE 'P' END")
    return analytics.create_views(con)


def column(con, sql: str) -> list:
    return [r[0] for r in con.execute(sql).fetchall()]


def test_opposed_units_are_out_of_prospects_and_leads_but_stay_in_the_registry(con, tmp_path):
    assert prospects(con) == [POSTE, ACME]
    assert leads(con, tmp_path) == [POSTE, ACME]
    # public data: the registry tables keep every unit and the flag as the RNE gave it
    assert column(con, "SELECT siren FROM core.companies ORDER BY siren") == [POSTE, ACME, SECRET, TITAN, GANYMEDE]
    assert con.execute("SELECT siren, diffusion_commerciale FROM inpi.companies ORDER BY siren").fetchall() == [
        (ACME, True), (SECRET, False), (TITAN, True), (GANYMEDE, False)]
    assert column(con, "SELECT siren FROM inpi.officers ORDER BY siren") == [ACME, SECRET, TITAN, GANYMEDE]


def test_analytics_views_leave_opposed_units_out(con, tmp_path):
    leads(con, tmp_path)
    con.execute("CREATE TABLE leads.stale AS SELECT 'stale' AS icp, 1 AS rank, ? AS siren", [GANYMEDE])
    made = views(con)
    assert {"companies", "officers", "signals", "financials", "leads"} <= set(made)
    assert column(con, "SELECT siren FROM analytics.companies ORDER BY siren") == [POSTE, ACME]
    assert column(con, "SELECT siren FROM analytics.officers ORDER BY siren") == [ACME]
    # a list built before the opposition landed is hidden by the view too
    assert column(con, "SELECT siren FROM analytics.leads ORDER BY siren") == [POSTE, ACME]


def test_without_the_rne_loaded_only_p_units_are_kept_out(tmp_path):
    bare = duckdb.connect()
    build_warehouse(bare, UNITS)
    assert prospects(bare) == [POSTE, ACME, GANYMEDE]
    assert prospecting.kept_out(bare)[:4] == [("SIRENE statut P only", 2), (
        "RNE opposition only (diffusionCommerciale false)", 0), ("both", 0), ("kept out in total", 2)]


def test_the_run_summary_counts_units_kept_out_per_flag(con):
    assert prospecting.kept_out(con) == [
        ("SIRENE statut P only", 1), ("RNE opposition only (diffusionCommerciale false)", 1), ("both", 1),
        ("kept out in total", 3), ("prospectable (active, diffusible, not opposed)", 2)]
    assert summary.kept_out_lines(con) == [
        "",
        "kept out of prospecting (active units)                 units",
        "SIRENE statut P only                                       1",
        "RNE opposition only (diffusionCommerciale false)           1",
        "both                                                       1",
        "kept out in total                                          3",
        "prospectable (active, diffusible, not opposed)             2",
    ]


def test_a_later_payload_lifts_the_opposition_and_an_older_one_does_not(con, tmp_path):
    assert prospects(con) == [POSTE, ACME]
    views(con)
    older = apply_rne_updates(con, [{"company": payload(GANYMEDE, commercial=True,
                                                        updated_at="2025-12-01T10:00:00+01:00")}])
    assert (older.superseded, prospects(con)) == (1, [POSTE, ACME])  # an older state never wins
    newer = apply_rne_updates(con, [{"company": payload(GANYMEDE, commercial=True, family="PETIT",
                                                        updated_at="2026-02-01T10:00:00+01:00")}])
    assert newer.loaded == {"inpi.officers": 1, "inpi.companies": 1}
    # the views read inpi.companies when queried: the unit is back before any rebuild
    assert column(con, "SELECT siren FROM analytics.companies ORDER BY siren") == [POSTE, ACME, GANYMEDE]
    assert prospects(con) == [POSTE, ACME, GANYMEDE]
    assert leads(con, tmp_path) == [POSTE, ACME, GANYMEDE]
    # and a still later payload that opposes again takes it out again
    apply_rne_updates(con, [{"company": payload(GANYMEDE, commercial=False, updated_at="2026-03-01T10:00:00+01:00")}])
    assert prospects(con) == [POSTE, ACME]


def test_the_stock_keeps_the_latest_payload_of_a_siren(tmp_path):
    fresh = duckdb.connect()
    build_warehouse(fresh, UNITS)
    stock = tmp_path / "stock.json"
    stock.write_text(json.dumps([  # the lifting payload first, the stale opposition read last
        payload(GANYMEDE, commercial=True, updated_at="2026-02-01T10:00:00+01:00"),
        payload(GANYMEDE, commercial=False, updated_at="2026-01-05T10:00:00+01:00")]), encoding="utf-8")
    assert load_rne(fresh, [stock]).superseded == 1
    assert prospects(fresh) == [POSTE, ACME, GANYMEDE]


def test_a_sirene_reload_after_the_rne_keeps_the_opposition(con):
    """The two registries load independently: rebuilding core.companies (SIRENE) after the RNE
    loaded does not lose the RNE flag, which is read where prospects are built."""
    build_warehouse(con, UNITS)  # core.companies and the other inputs written again, prospects rebuilt
    assert column(con, "SELECT siren FROM core.prospects ORDER BY siren") == [POSTE, ACME]


def test_a_payload_without_the_flag_is_not_an_opposition(con):
    apply_rne_updates(con, [{"company": payload(GANYMEDE, commercial=None, updated_at="2026-02-01T10:00:00+01:00")}])
    assert con.execute("SELECT diffusion_commerciale FROM inpi.companies WHERE siren = ?", [GANYMEDE]).fetchall() == [
        (None,)]
    assert prospects(con) == [POSTE, ACME, GANYMEDE]
