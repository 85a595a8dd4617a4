"""The real raw DECP samples (tests/fixtures/decp/): their quirks, flattened to the consolidated
format and run through the real loader, with exact values."""

from __future__ import annotations

import json
from collections import Counter
from datetime import date

import duckdb
import polars as pl
import pytest

from sources.decp.columns import NAMES
from sources.decp.load import load_decp
from sources.decp.raw_json import read_json

PES = "decp_2019_format_pes_2019-02-03.json"
V2 = "decp_2_0_official_example_marches_avec_modifications.json"
TODAY = date(2026, 11, 1)


@pytest.fixture()
def pes_rows(samples_dir):
    return read_json(samples_dir / "decp" / PES, source_dataset="pes_marche")


def _load(tmp_path, rows, name="decp.csv"):
    frame = pl.DataFrame([{k: None if v is None else str(v) for k, v in r.items()} for r in rows],
                         schema=dict.fromkeys(NAMES, pl.String))  # fmt: skip
    path = tmp_path / name
    frame.write_parquet(path) if name.endswith(".parquet") else frame.write_csv(path)
    con = duckdb.connect()
    return con, load_decp(con, path, today=TODAY)


def test_pes_raw_quirks_as_published(samples_dir, pes_rows):
    document = json.loads((samples_dir / "decp" / PES).read_text(encoding="utf-8"))
    assert len(document["marches"]) == 110
    assert len(pes_rows) == 125
    assert Counter(r["titulaire_typeIdentifiant"] for r in pes_rows) == {"SIRET": 122, "TVA": 3}
    assert sorted(r["titulaire_id"] for r in pes_rows if r["titulaire_typeIdentifiant"] == "TVA") == [
        "ESB85535615", "IT00802230151", "IT00802230151"]  # fmt: skip
    assert Counter(r["dateNotification"][-6:] for r in pes_rows) == {"+01:00": 80, "+02:00": 28, "+03:00": 17}
    assert pes_rows[0]["dateNotification"] == "2018-08-30+02:00"
    assert pes_rows[0]["codeCPV"] == "45211350-7"
    assert Counter(len(m["titulaires"]) for m in document["marches"]) == {1: 105, 2: 2, 3: 1, 5: 1, 8: 1}


@pytest.mark.parametrize("name", ["decp.csv", "decp.parquet"])
def test_pes_through_the_loader(tmp_path, pes_rows, name):
    con, report = _load(tmp_path, pes_rows, name)
    assert report.loaded == {"decp.marches": 125, "core.public_contracts": 122}
    assert report.rejected == {"decp.marches": 0}
    assert report.non_siret == {"TVA": 3}
    assert (report.historical, report.duplicates) == (0, 0)
    first = con.execute(
        "SELECT dateNotification, datePublicationDonnees, codeCPV, montant, titulaire_id, acheteur_id "
        "FROM decp.marches WHERE uid = '200030708000162018MAPA062/0200'"
    ).fetchall()
    assert first == [(date(2018, 8, 30), date(2019, 1, 22), "45211350", 410500.0, "49037669600012", "20003070800016")]
    assert con.execute(
        "SELECT count(*) FROM decp.marches WHERE NOT regexp_full_match(codeCPV, '[0-9]{8}')"
    ).fetchall() == [(0,)]
    assert con.execute(
        "SELECT count(*), count(DISTINCT uid), count(DISTINCT siren) FROM core.public_contracts"
    ).fetchall() == [(122, 107, 119)]
    assert con.execute("SELECT max(co_contractors) FROM core.public_contracts").fetchall() == [(8,)]
    # the 3 VAT titulaires stay in the raw table, never in the derived one
    assert con.execute("SELECT count(*) FROM decp.marches WHERE titulaire_typeIdentifiant = 'TVA'").fetchall() == [(3,)]
    assert con.execute(
        "SELECT count(*) FROM core.public_contracts WHERE siret LIKE 'IT%' OR siret LIKE 'ES%'"
    ).fetchall() == [(0,)]
    assert report.cursor == date(2019, 1, 22)  # the latest notification: where the next delta starts


def test_official_2_0_example_current_state_and_a_15_digit_siret(tmp_path, samples_dir):
    rows = read_json(samples_dir / "decp" / V2, source_dataset="example")
    assert [(r["titulaire_id"], r["modification_id"], r["donneesActuelles"]) for r in rows] == [
        ("55204599900869", 0, False), ("868768687576575", 1, True),
        ("55204599900869", 0, False), ("868768687576575", 1, True)]  # fmt: skip
    con, report = _load(tmp_path, rows)
    assert report.historical == 2
    assert report.non_siret == {"SIRET (not 14 digits)": 2}
    assert report.loaded == {"decp.marches": 2, "core.public_contracts": 0}
    assert con.execute("SELECT uid, montant, dureeMois, codeCPV FROM decp.marches ORDER BY uid").fetchall() == [
        ("21750001630040TEST2022Bis", 123457.87, 12, "45000000"),
        ("21750001630066TEST2022", 123457.87, 12, "45000000"),
    ]
