"""Generator -> ingestion round trip: every generated row loads, every injected defect is
quarantined at the line the generator says, and CSV and parquet give the same tables."""

from __future__ import annotations

import json

import pytest

from firmo import db
from sources.demo.sirene import write_sirene_stock
from sources.demo.universe import build_universe
from sources.sirene.ingest import load_sirene

EXPECTED_REASON = {
    "wrong_column_count": "wrong column count",
    "invalid_siren_checksum": "checksum",
    "impossible_date": "impossible date",
    "siret_wrong_length": "digits, expected 14",
    "nic_wrong_length": "expected 5 digits",
}


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    out = tmp_path_factory.mktemp("gen")
    universe = build_universe(600, seed=5)
    files = write_sirene_stock(universe, out)
    return universe, files, json.loads(files["manifest"].read_text())


def test_csv_round_trip_quarantines_exactly_the_injected_defects(data_env, generated):
    universe, files, manifest = generated
    with db.connection() as con:
        report = load_sirene(con, unites_legales=files["unites_legales_csv_zip"],
                             etablissements=files["etablissements_csv_zip"])
        assert report.tables["unites_legales"].rows_loaded == universe.units.height
        assert report.tables["etablissements"].rows_loaded == universe.establishments.height
        for member, table in (("StockUniteLegale_utf8.csv", "sirene.unites_legales"),
                              ("StockEtablissement_utf8.csv", "sirene.etablissements")):
            defects = manifest["files"][member]["defects"]
            got = con.execute(
                "SELECT line_number, reason FROM sirene.rejects WHERE target_table = ? ORDER BY line_number", [table]
            ).fetchall()
            assert [line for line, _ in got] == sorted(d["line"] for d in defects)
            for (line, reason), defect in zip(got, sorted(defects, key=lambda d: d["line"])):
                assert EXPECTED_REASON[defect["kind"]] in reason, (line, reason, defect)
        # generated identifiers are the real thing: the same SIRENs, all valid
        sirens = {r[0] for r in con.execute("SELECT siren FROM sirene.unites_legales").fetchall()}
        assert sirens == set(universe.units["siren"].to_list())


def test_parquet_gives_the_same_tables_as_csv(data_env, generated):
    _, files, _ = generated
    cols = "* EXCLUDE (dateDernierTraitementEtablissement)"
    with db.connection() as con:
        load_sirene(con, unites_legales=files["unites_legales_csv_zip"], etablissements=files["etablissements_csv_zip"])
        from_csv = (con.execute("SELECT * FROM sirene.unites_legales ORDER BY siren").fetchall(),
                    con.execute(f"SELECT {cols} FROM sirene.etablissements ORDER BY siret").fetchall(),
                    con.execute("SELECT * FROM core.companies ORDER BY siren").fetchall())
        load_sirene(con, unites_legales=files["unites_legales_parquet"], etablissements=files["etablissements_parquet"])
        from_parquet = (con.execute("SELECT * FROM sirene.unites_legales ORDER BY siren").fetchall(),
                        con.execute(f"SELECT {cols} FROM sirene.etablissements ORDER BY siret").fetchall(),
                        con.execute("SELECT * FROM core.companies ORDER BY siren").fetchall())
        assert from_parquet == from_csv
        assert con.execute("SELECT count(*) FROM sirene.rejects").fetchone()[0] == 0   # defects are CSV-only
