"""One SIREN/SIRET check: the SQL macros and the Python functions of firmo.identifiers give the same
answer on every value (real identifiers of the fixtures, La Poste's SIRETs, bad checksums, wrong
lengths, spellings with spaces, non-ASCII digits, NULL), and python-stdnum's on the digit strings."""

from __future__ import annotations

import csv
import io
import zipfile

import duckdb
import pytest
from stdnum.fr import siren as std_siren
from stdnum.fr import siret as std_siret

from firmo.identifiers import create_macros, is_valid_siren, is_valid_siret, siren_sql, siret_sql


def _real(samples_dir) -> tuple[list[str], list[str]]:
    """SIRENs of the unités légales samples and SIRENs/SIRETs of the établissements sample."""
    sirens: list[str] = []
    for name in ("StockUniteLegale_sample_2026_35cols.csv", "StockUniteLegale_sample_2019_33cols.csv"):
        with (samples_dir / "sirene" / name).open(encoding="utf-8") as fh:
            sirens += [row["siren"] for row in csv.DictReader(fh)]
    with (
        zipfile.ZipFile(samples_dir / "sirene" / "StockEtablissement_utf8_sample_2024-04.zip") as z,
        z.open(z.namelist()[0]) as raw,
    ):
        rows = list(csv.DictReader(io.TextIOWrapper(raw, encoding="utf-8")))
    sirens += [row["siren"] for row in rows]
    return sorted(set(sirens)), sorted({row["siret"] for row in rows})


def _bad_checksum(number: str) -> str:
    return number[:-1] + str((int(number[-1]) + 1) % 10)


LA_POSTE = [
    "35600000000048",  # head office: plain Luhn
    "35600000049837",  # digit sum 45: valid although Luhn fails
    "35600000049838",  # digit sum 46
    "35600000000049",  # not the head office: digit sum 27
    "35600000010005",
    "35600000010004",
    "35600000000105",
    "35600000099999",
]
MALFORMED = [
    "",
    "55210055",
    "5521005540",
    "7328293200007",
    "732829320000740",
    "552 100 554",
    " 552100554",
    "552.100.554",
    "55210055A",
    "552100554\n",
    "５５２１００５５４",
    "٥٥٢١٠٠٥٥٤",
    "7328293 2000074",
    "73282932000074 ",
    "+52100554",
    "-52100554",
    "0x2100554",
]


@pytest.fixture(scope="module")
def con():
    c = duckdb.connect()
    create_macros(c)
    yield c
    c.close()


def _sql(con, macro: str, values: list[str | None]) -> dict[str | None, bool]:
    rows = con.execute(f"SELECT s, {macro}(s) FROM unnest(?::VARCHAR[]) t(s)", [values]).fetchall()
    return dict(rows)


def test_sql_and_python_agree_on_sirens(con, samples_dir):
    real, _ = _real(samples_dir)
    values: list[str | None] = [
        *real,
        *[_bad_checksum(s) for s in real],
        "356000000",
        "356000001",
        *[s[:9] for s in LA_POSTE],
        *MALFORMED,
        None,
    ]
    sql = _sql(con, "firmo_siren_ok", values)
    python = {v: is_valid_siren(v) for v in values}
    assert sql == python
    assert all(python[s] for s in real) and len(real) == 271  # 12 unités légales, 262 établissements (3 in both)
    assert not any(python[_bad_checksum(s)] for s in real)
    assert not any(python[v] for v in MALFORMED) and python[None] is False
    assert {v: std_siren.is_valid(v) for v in values if v and v.isascii() and v.isdigit()} == {
        v: python[v] for v in values if v and v.isascii() and v.isdigit()
    }
    checked = dict(con.execute(f"SELECT s, {siren_sql('s')} FROM unnest(?::VARCHAR[]) t(s)", [values]).fetchall())
    assert checked == {**python, None: None}  # the checks' expression: the same, NULL left to count apart


def test_sql_and_python_agree_on_sirets_la_poste_included(con, samples_dir):
    _, real = _real(samples_dir)
    values: list[str | None] = [
        *real,
        *[_bad_checksum(s) for s in real],
        *LA_POSTE,
        *MALFORMED,
        None,
        "00032517500016",
        "00032517600014",
    ]  # Luhn passes on 14 digits, but its SIREN fails
    sql = _sql(con, "firmo_siret_ok", values)
    python = {v: is_valid_siret(v) for v in values}
    assert sql == python
    assert all(python[s] for s in real) and len(real) == 299
    assert not any(python[_bad_checksum(s)] for s in real)
    assert python["00032517500016"] and not python["00032517600014"]
    assert [python[s] for s in LA_POSTE] == [True, True, False, False, True, False, True, False]
    assert not any(python[v] for v in MALFORMED) and python[None] is False
    assert {v: std_siret.is_valid(v) for v in values if v and v.isascii() and v.isdigit()} == {
        v: python[v] for v in values if v and v.isascii() and v.isdigit()
    }
    checked = dict(con.execute(f"SELECT s, {siret_sql('s')} FROM unnest(?::VARCHAR[]) t(s)", [values]).fetchall())
    assert checked == {**python, None: None}
