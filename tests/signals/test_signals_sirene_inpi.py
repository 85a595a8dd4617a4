"""core.signals from SIRENE and the RNE, on hand-built tables with known answers."""

from __future__ import annotations

from datetime import date

from firmo import db
from firmo.signals import build_signals
from sources.sirene.ingest import load_sirene
from sources.sirene.schema import ETABLISSEMENTS_COLUMNS, UNITES_LEGALES_COLUMNS
from tests.sirene.builders import etab_row, siren, siret, ul_row, write_csv

AS_OF = date(2026, 11, 1)
OLD, NEW, CLOSED = siren("10000000"), siren("20000000"), siren("30000000")


def warehouse(tmp_path, con, band="12", processed="2025-12-06T05:25:38"):
    ul = write_csv(tmp_path / "ul.csv", UNITES_LEGALES_COLUMNS, [
        ul_row(OLD, dateCreationUniteLegale="2010-01-01", trancheEffectifsUniteLegale=band,
               dateDernierTraitementUniteLegale=processed),
        ul_row(NEW, dateCreationUniteLegale="2026-09-15"),
        ul_row(CLOSED, dateCreationUniteLegale="2001-01-01", etatAdministratifUniteLegale="C", dateDebut="2026-06-30"),
    ])
    et = write_csv(tmp_path / "et.csv", ETABLISSEMENTS_COLUMNS, [
        etab_row(siret(OLD, "0001"), dateCreationEtablissement="2010-01-01"),
        etab_row(siret(OLD, "0002"), etablissementSiege="false", dateCreationEtablissement="2026-10-20",
                 libelleCommuneEtablissement="NANTES"),
        etab_row(siret(OLD, "0003"), etablissementSiege="false", dateCreationEtablissement="2019-05-01"),  # too old
        etab_row(siret(NEW, "0001"), dateCreationEtablissement="2026-09-15"),        # founding establishment
        etab_row(siret(CLOSED, "0001"), etatAdministratifEtablissement="F"),
    ])
    load_sirene(con, unites_legales=ul, etablissements=et)


def officers(con):
    con.execute("""
        CREATE OR REPLACE TABLE inpi.officers AS SELECT * FROM (VALUES
          (?, 'person', 'MARTIN', 'Claire', NULL, NULL, '53', 'Directeur général', DATE '2026-10-10', true, 'r1'),
          (?, 'person', 'DURAND', 'Paul', NULL, NULL, '30', 'Gérant', DATE '2010-01-01', true, 'r2'),
          (?, 'person', 'PETIT', 'Léa', NULL, NULL, '73', 'Président de SAS', DATE '2026-09-15', true, 'r3'),
          (?, 'person', 'ANCIEN', 'Jo', NULL, NULL, '73', 'Président de SAS', DATE '2026-08-01', false, 'r4')
        ) t(siren, officer_kind, family_name, given_names, company_officer_siren, company_officer_name,
            role_code, role_label, start_date, active, representant_id)
    """, [OLD, OLD, NEW, OLD])


def rows(con):
    return con.execute(
        "SELECT siren, signal_type, signal_date::VARCHAR, polarity, label, evidence FROM core.signals ORDER BY siren, signal_type"
    ).fetchall()


def test_signals_from_sirene_and_rne(data_env, tmp_path):
    with db.connection() as con:
        warehouse(tmp_path, con)
        officers(con)
        counts = build_signals(con, as_of=AS_OF, lookback_days=365)
        assert rows(con) == [
            (OLD, "new_decision_maker", "2026-10-10", "positive", "new Directeur général",
             "RNE: Claire MARTIN, Directeur général since 2026-10-10"),
            (OLD, "new_establishment", "2026-10-20", "positive", "new establishment",
             f"SIRENE: establishment {siret(OLD, '0002')} opened on 2026-10-20 in NANTES"),
            (NEW, "recent_creation", "2026-09-15", "positive", "company created", "SIRENE: unit created on 2026-09-15"),
            (CLOSED, "company_closed", "2026-06-30", "negative", "company closed",
             "SIRENE: unit ceased (état C) on 2026-06-30"),
        ]
        # the founder of NEW (start = creation date) and the inactive officer are not signals
        assert counts == {"new_decision_maker": 1, "new_establishment": 1, "recent_creation": 1, "company_closed": 1}


def test_headcount_band_change_between_two_loads_is_a_hiring_signal(data_env, tmp_path):
    with db.connection() as con:
        warehouse(tmp_path, con, band="12")
        (tmp_path / "second").mkdir()
        warehouse(tmp_path / "second", con, band="21", processed="2026-10-28T08:00:00")
        build_signals(con, as_of=AS_OF, lookback_days=30)
        got = con.execute(
            "SELECT siren, signal_type, signal_date::VARCHAR, strength, label FROM core.signals WHERE signal_type LIKE 'headcount%'"
        ).fetchall()
        # 12 (20-49) -> 21 (50-99): one band up
        assert got == [(OLD, "headcount_up", "2026-10-28", 1 / 3, "hiring")]
