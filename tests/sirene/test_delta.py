"""The nightly SIRENE delta: API records overlaid on the stock, checked and published atomically."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from firmo import db
from sources.sirene import delta as delta_mod
from sources.sirene.delta import apply_sirene_delta, refresh_from_api, watermark
from sources.sirene.ingest import load_sirene
from sources.sirene.schema import ETABLISSEMENTS_COLUMNS, UNITES_LEGALES_COLUMNS
from tests.sirene.builders import etab_row, siren, siret, ul_row, write_csv

A, B, C = siren("12345678"), siren("87654321"), siren("55555555")
LATER = "2026-11-26T04:10:00"


def api_record(row: dict[str, str]) -> dict[str, str | None]:
    """What `sources.sirene.api.flatten_*` yields: stock column names, None for empty values."""
    return {k: (v or None) for k, v in row.items()}


@pytest.fixture()
def loaded(data_env, tmp_path):
    ul = write_csv(tmp_path / "ul.csv", UNITES_LEGALES_COLUMNS, [ul_row(A), ul_row(B), "broken,line"])
    et = write_csv(tmp_path / "et.csv", ETABLISSEMENTS_COLUMNS,
                   [etab_row(siret(A, "0001")), etab_row(siret(B, "0001"))])
    with db.connection() as con:
        load_sirene(con, unites_legales=ul, etablissements=et, max_reject_ratio=1.0)
    return tmp_path


def tables(con):
    return {t: con.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall()
            for t in ("sirene.unites_legales", "sirene.etablissements", "core.companies", "sirene.rejects")}


def test_delta_replaces_changed_units_adds_new_ones_and_quarantines_bad_records(loaded):
    bad = dict(ul_row(siren("11111111")), siren="111111112")  # checksum off by one
    with db.connection() as con:
        report = apply_sirene_delta(
            con,
            unites_legales=[api_record(ul_row(A, trancheEffectifsUniteLegale="21", dateDernierTraitementUniteLegale=LATER)),
                            api_record(ul_row(C, dateDernierTraitementUniteLegale=LATER)), api_record(bad)],
            etablissements=[api_record(etab_row(siret(C, "0001"), dateDernierTraitementEtablissement=LATER))],
            workdir=loaded / "delta",
        )
        bands = con.execute("SELECT siren, trancheEffectifsUniteLegale FROM sirene.unites_legales ORDER BY 1").fetchall()
        companies = con.execute("SELECT siren, headcount_band FROM core.companies ORDER BY 1").fetchall()
        changes = con.execute("SELECT siren, change_type, value_before, value_after FROM core.sirene_changes").fetchall()
        rejects = con.execute("SELECT target_table, source_file, line_number, reason FROM sirene.rejects "
                              "ORDER BY source_file").fetchall()
        assert watermark(con, "unites_legales") == datetime(2026, 11, 26, 4, 10)

    assert report.changed and report.summary_rows() == [("sirene.unites_legales", 2, 1), ("sirene.etablissements", 1, 0)]
    assert report.companies == 3
    assert bands == [(A, "21"), (C, "12"), (B, "12")]
    assert companies == [(A, "21"), (C, "12"), (B, "12")]
    assert changes == [(A, "headcount_band", "12", "21")]
    # the stock's broken line is still quarantined; the delta's bad record joins it, with its file and line
    assert len(rejects) == 2
    stock_reject, delta_reject = sorted(rejects, key=lambda r: r[1].startswith("API"))
    assert stock_reject[1].endswith("ul.csv") and stock_reject[2] == 4
    assert delta_reject[0] == "sirene.unites_legales" and delta_reject[2] == 4
    assert delta_reject[1].startswith("API Sirene unites_legales (delta_unites_legales_") and "SIREN" in delta_reject[3]
    assert Path(report.files["unites_legales"]).is_file()


def test_empty_delta_publishes_nothing(loaded):
    with db.connection() as con:
        before = tables(con)
        report = apply_sirene_delta(con, workdir=loaded / "delta")
        assert tables(con) == before
    assert (report.changed, report.files, report.companies) == (False, {}, None)
    assert list((loaded / "delta").glob("*")) == []


def test_crash_mid_delta_keeps_the_published_tables(loaded, monkeypatch):
    def boom(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(delta_mod, "build_companies", boom)
    with db.connection() as con:
        before = tables(con)
        with pytest.raises(RuntimeError, match="disk full"):
            apply_sirene_delta(con, unites_legales=[api_record(ul_row(C))], workdir=loaded / "delta")
        assert tables(con) == before
        left = con.execute("SELECT table_name FROM information_schema.tables "
                           "WHERE table_name LIKE '%staging%' OR table_name LIKE '%delta%'").fetchall()
        assert left == []


class FakeApi:
    """Stands for SireneApiClient: records the watermarks it is asked from."""

    def __init__(self, ul, et):
        self.asked, self._ul, self._et = {}, ul, et

    def iter_unites_legales_since(self, ts):
        self.asked["unites_legales"] = ts
        return iter(self._ul)

    def iter_etablissements_since(self, ts):
        self.asked["etablissements"] = ts
        return iter(self._et)


def test_refresh_asks_the_api_from_the_latest_processed_timestamp(loaded):
    api = FakeApi([api_record(ul_row(B, etatAdministratifUniteLegale="C", dateDernierTraitementUniteLegale=LATER))], [])
    with db.connection() as con:
        report = refresh_from_api(con, api, workdir=loaded / "delta")
        active = con.execute("SELECT siren, active FROM core.companies ORDER BY 1").fetchall()
    stock_ts = datetime(2025, 12, 6, 5, 25, 38)
    assert api.asked == {"unites_legales": stock_ts, "etablissements": stock_ts}
    assert report.since == api.asked
    assert active == [(A, True), (B, False)]


def test_a_delta_needs_a_loaded_stock(data_env, tmp_path):
    with db.connection() as con, pytest.raises(RuntimeError, match="load the monthly stock"):
        apply_sirene_delta(con, unites_legales=[api_record(ul_row(A))], workdir=tmp_path)
