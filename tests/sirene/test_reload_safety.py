"""Re-runs are idempotent and a crash mid-load leaves the previous tables untouched."""

from __future__ import annotations

import pytest

from firmo import db
from sources.sirene import ingest
from sources.sirene.ingest import load_sirene
from sources.sirene.schema import ETABLISSEMENTS_COLUMNS, UNITES_LEGALES_COLUMNS
from tests.sirene.builders import etab_row, siren, siret, ul_row, write_csv

A, B = siren("12345678"), siren("87654321")


def snapshot(con):
    return {
        t: con.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall()
        for t in ("sirene.unites_legales", "sirene.etablissements", "core.companies")
    } | {"rejects": con.execute("SELECT target_table, line_number, reason FROM sirene.rejects ORDER BY ALL").fetchall()}


@pytest.fixture()
def first_files(tmp_path):
    ul = write_csv(tmp_path / "ul1.csv", UNITES_LEGALES_COLUMNS, [ul_row(A), "broken"])
    et = write_csv(tmp_path / "et1.csv", ETABLISSEMENTS_COLUMNS, [etab_row(siret(A, "0001"))])
    return ul, et


def test_loading_twice_gives_identical_tables(data_env, first_files):
    ul, et = first_files
    with db.connection() as con:
        load_sirene(con, unites_legales=ul, etablissements=et, max_reject_ratio=1.0)
        first = snapshot(con)
        load_sirene(con, unites_legales=ul, etablissements=et, max_reject_ratio=1.0)
        assert snapshot(con) == first
        assert len(first["rejects"]) == 1      # not duplicated by the second run


def test_crash_mid_load_keeps_the_previous_tables(data_env, first_files, tmp_path, monkeypatch):
    ul, et = first_files
    ul2 = write_csv(tmp_path / "ul2.csv", UNITES_LEGALES_COLUMNS, [ul_row(A), ul_row(B)])
    et2 = write_csv(tmp_path / "et2.csv", ETABLISSEMENTS_COLUMNS, [etab_row(siret(A, "0001")), etab_row(siret(B, "0001"))])
    with db.connection() as con:
        load_sirene(con, unites_legales=ul, etablissements=et, max_reject_ratio=1.0)
        before = snapshot(con)

        def boom(*args, **kwargs):
            raise RuntimeError("disk full")

        monkeypatch.setattr(ingest, "build_companies", boom)
        with pytest.raises(RuntimeError, match="disk full"):
            load_sirene(con, unites_legales=ul2, etablissements=et2)
        assert snapshot(con) == before
        leftovers = con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_name LIKE '%staging%'"
        ).fetchall()
        assert leftovers == []


def test_loading_one_file_alone_keeps_the_other_table(data_env, first_files, tmp_path):
    ul, et = first_files
    ul2 = write_csv(tmp_path / "ul2.csv", UNITES_LEGALES_COLUMNS, [ul_row(A, denominationUniteLegale="RENAMED")])
    with db.connection() as con:
        load_sirene(con, unites_legales=ul, etablissements=et, max_reject_ratio=1.0)
        load_sirene(con, unites_legales=ul2)
        assert con.execute("SELECT name, siret_siege FROM core.companies").fetchall() == [("RENAMED", siret(A, "0001"))]
        assert con.execute("SELECT count(*) FROM sirene.etablissements").fetchone()[0] == 1
        # the rejects of the replaced file are gone with it; the établissement file had none
        assert con.execute("SELECT count(*) FROM sirene.rejects").fetchone()[0] == 0


def test_reload_records_headcount_and_head_office_changes(data_env, first_files, tmp_path):
    ul, et = first_files
    new_nic = siret(A, "0002")[9:]
    ul2 = write_csv(tmp_path / "ul2.csv", UNITES_LEGALES_COLUMNS, [
        ul_row(A, trancheEffectifsUniteLegale="21", nicSiegeUniteLegale=new_nic,
               dateDernierTraitementUniteLegale="2026-01-05T10:00:00")])
    with db.connection() as con:
        load_sirene(con, unites_legales=ul, etablissements=et, max_reject_ratio=1.0)
        assert con.execute("SELECT count(*) FROM core.sirene_changes").fetchone()[0] == 0   # first load: nothing to compare
        load_sirene(con, unites_legales=ul2)
        load_sirene(con, unites_legales=ul2)    # same file again: no new change
        rows = con.execute(
            "SELECT siren, change_type, value_before, value_after, processed_after::VARCHAR FROM core.sirene_changes ORDER BY change_type"
        ).fetchall()
        assert rows == [
            (A, "head_office", siret(A, "0001")[9:], new_nic, "2026-01-05 10:00:00"),
            (A, "headcount_band", "12", "21", "2026-01-05 10:00:00"),
        ]
