"""firmo.icp.incremental.apply_poll: after a poll brings RNE, BODACC and API Sirene records, the
touched SIRENs re-derived alone give the same core.signals, core.prospects rows, scores and tiers
as the nightly full rebuild (the reference)."""

from __future__ import annotations

import json
from datetime import date

from firmo import db
from firmo.icp import build_leads, build_prospects, parse_icp, resolve
from firmo.icp.incremental import apply_poll
from firmo.reference import load_reference
from firmo.signals import build_signals
from sources.bodacc.load import load_bodacc
from sources.inpi.rne_load import apply_rne_updates, create_table
from sources.sirene.delta import apply_sirene_delta
from sources.sirene.ingest import load_sirene
from sources.sirene.schema import ETABLISSEMENTS_COLUMNS, UNITES_LEGALES_COLUMNS
from tests.bodacc.conftest import ods_record, write_export
from tests.sirene.builders import etab_row, siren, siret, ul_row, write_csv

AS_OF = date(2026, 11, 1)
A, B, C, D, NEW = (siren(p) for p in ("10000000", "20000000", "30000000", "40000000", "50000000"))
RNE_1, RNE_2 = "894419969", "889924320"  # the two companies of tests/fixtures/inpi/rne_companies_diff.json
ICP = resolve(parse_icp({"criteria": {"decision_makers": [], "naf": {"include": ["J", "M"]}}, "max_leads": 100},
                        default_name="poll"))


def stock(tmp_path, con):
    units = [ul_row(s) for s in (A, B, C, D)] + [
        ul_row(RNE_1, activitePrincipaleUniteLegale="70.10Z", activitePrincipaleNAF25UniteLegale=""),
        ul_row(RNE_2, trancheEffectifsUniteLegale="21")]
    etabs = [etab_row(siret(s)) for s in (A, B, C, D, RNE_1, RNE_2)]
    load_sirene(con, unites_legales=write_csv(tmp_path / "ul.csv", UNITES_LEGALES_COLUMNS, units),
                etablissements=write_csv(tmp_path / "et.csv", ETABLISSEMENTS_COLUMNS, etabs))
    load_bodacc(con, [write_export(tmp_path / "b0.json", [ods_record("A202601001", "2026-09-01", siren=C)])],
                workers=1)
    # C is presided by the company RNE_1, not in the RNE yet: the poll brings RNE_1's officers, and
    # C (not touched itself) is looked through RNE_1 to its Président
    create_table(con, "officers", "inpi.officers")
    con.execute("INSERT INTO inpi.officers (siren, officer_kind, company_officer_siren, company_officer_name, "
                "role_code, role_codes, role_label, start_date, active, representant_id, source_file) VALUES "
                "(?, 'company', ?, 'HOLDING RNE', '73', ['73'], 'Président de SAS', DATE '2020-01-01', true, 'h1', "
                "'stock.json')",
                [C, RNE_1])


def nightly(con, tmp_path):
    build_signals(con, as_of=AS_OF)
    build_prospects(con)
    build_leads(con, ICP, as_of=AS_OF, csv_dir=tmp_path / "leads")


def poll(con, tmp_path, samples_dir) -> set[str]:
    """What one poll applies, through the nightly loaders: 2 RNE companies, 2 BODACC notices,
    a new unit and a changed one from API Sirene. Returns the SIRENs touched."""
    diff = json.loads((samples_dir / "inpi" / "rne_companies_diff.json").read_text())
    apply_rne_updates(con, diff, today=AS_OF)
    notices = [ods_record("A202610201", "2026-10-20", "radiation", siren=B),
               ods_record("B202610202", "2026-10-21", siren=A)]
    load_bodacc(con, [write_export(tmp_path / "b1.json", notices)], workers=1)
    apply_sirene_delta(
        con,
        unites_legales=[ul_row(NEW, dateCreationUniteLegale="2026-10-15", dateDebut="2026-10-15",
                               dateDernierTraitementUniteLegale="2026-10-16T08:00:00"),
                        ul_row(D, trancheEffectifsUniteLegale="22", dateDernierTraitementUniteLegale="2026-10-16T08:00:00")],
        etablissements=[etab_row(siret(NEW), dateCreationEtablissement="2026-10-15",
                                 dateDernierTraitementEtablissement="2026-10-16T08:00:00")],
        workdir=tmp_path / "delta")
    return {RNE_1, RNE_2, A, B, NEW, D}


def snapshot(con):
    prospects = con.execute("SELECT * EXCLUDE (role_set) FROM core.prospects ORDER BY siren").fetchall()
    signals = con.execute("SELECT * FROM core.signals ORDER BY ALL").fetchall()
    leads = con.execute("SELECT rank, siren, fit_score, intent_score, score, tier FROM leads.poll ORDER BY rank").fetchall()
    naf = con.execute("SELECT * FROM core.prospects_naf ORDER BY ALL").fetchall()
    roles = con.execute("SELECT role_codes, holders, companies FROM core.prospects_role_sets ORDER BY ALL").fetchall()
    return prospects, signals, leads, naf, roles


def test_incremental_equals_the_full_rebuild(data_env, tmp_path, samples_dir):
    with db.connection() as con:
        load_reference(con)
        stock(tmp_path, con)
        nightly(con, tmp_path)
        before = con.execute("SELECT siren, tier FROM leads.poll ORDER BY siren").fetchall()
        assert before == [(s, "cold") for s in sorted((A, B, C, D, RNE_1, RNE_2))]
        touched = poll(con, tmp_path, samples_dir)
        report = apply_poll(con, touched, icps=[ICP], as_of=AS_OF)
        incremental = snapshot(con)
        nightly(con, tmp_path)
        assert snapshot(con) == incremental
    assert (report.touched, report.derived) == (6, 7)  # C, whose Président is the holding RNE_1
    # B: struck off (BODACC radiation), left out as closed; D up one band, NEW just created
    assert incremental[2] == [(1, D, 70, 18, 49, "warm"), (2, NEW, 70, 13, 47, "warm"), (3, A, 70, 0, 42, "cold"),
                              (4, C, 70, 0, 42, "cold"), (5, RNE_2, 70, 0, 42, "cold"), (6, RNE_1, 70, 0, 42, "cold")]
    assert [row[:2] for row in incremental[1]] == [(B, "radiation"), (D, "headcount_up"), (NEW, "recent_creation")]
    contacts = {row[0]: [(c["family_name"], c["role_code"]) for c in row[-4] or []] for row in incremental[0]}
    c_contacts = next(row[-4] for row in incremental[0] if row[0] == C)
    assert [(c["kind"], c["family_name"], c["resolution"]) for c in c_contacts] == [("holding", "MICHEL", "resolved")]
    assert (contacts[RNE_1], contacts[RNE_2]) == ([("MICHEL", "73")], [("MARTIN", "53"), ("ROBERT", "73"), (None, "70")])
