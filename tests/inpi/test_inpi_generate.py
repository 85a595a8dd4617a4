"""sources.demo.inpi: generated files go through the real loaders with the expected results."""

from __future__ import annotations

import datetime as dt
import gzip
import json
import zipfile

import pytest

from sources.demo.inpi import BAD_RATIO_ROWS, write_inpi
from sources.inpi.ratios import load_ratios
from sources.inpi.rne_load import apply_rne_updates, load_rne


def _officers(con, siren):
    return con.execute(
        "SELECT family_name, given_names, company_officer_siren, role_code, role_label, start_date "
        "FROM inpi.officers WHERE siren = ? ORDER BY role_code, family_name", [siren]).fetchall()  # fmt: skip


def test_rne_stock_then_diff(con, tmp_path, tiny_universe):
    files = write_inpi(tiny_universe, tmp_path / "inpi")
    a, b, c, d, e = tiny_universe.units["siren"].to_list()[:5]
    with zipfile.ZipFile(files["rne_stock"]) as archive:
        stock = json.loads(archive.read("stock_0001.json"))
    text = json.dumps(stock)
    assert "1970-01" not in text and "birth" not in text  # birth months never leave the universe
    assert {"roleEntreprise" in json.dumps(p) for p in stock} == {True, False}  # both vintages

    report = load_rne(con, [files["rne_stock"]])
    assert report.loaded["inpi.companies"] == 16
    assert report.rejects_by_reason == {"invalid SIREN (length or checksum)": 1}
    assert [o[0] for o in _officers(con, a)] == ["MARTIN", "ROBERT"]  # snapshot before the change
    assert _officers(con, d)[0][:5] == (None, None, b, "65", "Administrateur")
    assert _officers(con, d)[1][:5] == ("LEROY", "Anne", None, "99", "Membre du Conseil d'Administration")
    assert _officers(con, c)[0][:4] == ("DURAND", "Julie", None, "101")
    assert con.execute("SELECT denomination FROM inpi.companies WHERE siren = ?", [c]).fetchall() == [("Julie DURAND",)]

    diff = json.loads(files["rne_diff"].read_text())
    assert [i["company"]["siren"] for i in diff] == [a]
    update = apply_rne_updates(con, diff)
    assert update.loaded == {"inpi.officers": 2, "inpi.companies": 1}
    assert _officers(con, a) == [
        ("PETIT", "Sophie", None, "53", "Directeur Général", dt.date(2026, 10, 20)),  # the officer_change event
        ("ROBERT", "Emma Louise", None, "73", "Président de SAS", dt.date(2019, 5, 2)),
    ]


def test_ratios_export_through_loader(con, tmp_path, tiny_universe):
    files = write_inpi(tiny_universe, tmp_path / "inpi")
    raw = gzip.decompress(files["ratios"].read_bytes())
    assert raw.startswith(b"\xef\xbb\xbfsiren;date_cloture_exercice;chiffre_d_affaires;")
    data_lines = raw.decode("utf-8").count("\n") - 1
    report = load_ratios(con, files["ratios"], as_of=tiny_universe.as_of)
    assert report.rejects_by_reason == {
        "invalid SIREN (length or checksum)": BAD_RATIO_ROWS["invalid_siren"],
        "unparsable date_cloture_exercice": BAD_RATIO_ROWS["bad_date"],
        "duplicate (siren, date_cloture_exercice, type_bilan), the last line of the file is kept": BAD_RATIO_ROWS["duplicate"],
        "malformed line (wrong number of fields)": BAD_RATIO_ROWS["malformed"],
    }
    assert report.loaded["inpi.financials"] == data_lines - sum(BAD_RATIO_ROWS.values())
    a, b, c, d, e = tiny_universe.units["siren"].to_list()[:5]
    filers = {r[0] for r in con.execute("SELECT DISTINCT siren FROM inpi.financials").fetchall()}
    assert c not in filers and {a, b, d, e} <= filers  # persons file no accounts
    years = con.execute("SELECT max(year(fiscal_year_end)) FROM inpi.financials WHERE siren = ?", [e]).fetchall()
    assert years == [(2022,)]  # closed mid-2023: last full year 2022
    assert con.execute("SELECT count(*) FROM inpi.financials WHERE siren = ? AND type_bilan = 'K'", [d]).fetchall()[0][0] >= 4
    confidential_zero = con.execute(
        "SELECT count(*), count(revenue) FROM inpi.financials WHERE list_contains(quality_flags, 'confidential_zero')"
    ).fetchall()[0]
    assert confidential_zero[1] == 0  # a confidential 0 never becomes a revenue
    latest = con.execute("SELECT siren, type_bilan FROM core.latest_financials WHERE siren = ?", [d]).fetchall()
    assert latest == [(d, "C")]  # same date: own accounts over consolidated


def test_real_universe_when_available(con, tmp_path):
    universe_module = pytest.importorskip("sources.demo.universe", reason="sources.demo.universe not built yet")
    universe = universe_module.build_universe(300, seed=3)
    files = write_inpi(universe, tmp_path / "inpi")
    rne = load_rne(con, [files["rne_stock"]])
    assert rne.loaded["inpi.companies"] == 300
    assert rne.rejected == {"inpi.officers": 1}
    update = apply_rne_updates(con, json.loads(files["rne_diff"].read_text()))
    assert update.rejected == {"inpi.officers": 0}
    ratios = load_ratios(con, files["ratios"], as_of=universe.as_of)
    assert ratios.rejected == {"inpi.financials": sum(BAD_RATIO_ROWS.values())}
