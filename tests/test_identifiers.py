"""One SIREN/SIRET check: the SQL macros and the Python functions of firmo.identifiers give the same
answer on every value (real identifiers of the fixtures, La Poste's SIRETs, bad checksums, wrong
lengths, spellings with spaces, non-ASCII digits, NULL), and python-stdnum's on the digit strings.
One cleaning of a published identifier (open_data.md "Common conventions"): clean_identifier's
answers, and the SQL macros the geolocation, IDCC, DECP and Egapro loads clean with give the same."""

from __future__ import annotations

import csv
import io
import zipfile

import duckdb
import pytest
from stdnum.fr import siren as std_siren
from stdnum.fr import siret as std_siret

from firmo.identifiers import (
    clean_identifier,
    create_macros,
    identifier_digits,
    is_valid_siren,
    is_valid_siret,
    removal_exceeded,
    siren_sql,
    siret_sql,
)


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


@pytest.mark.parametrize(
    ("value", "pad", "accept", "expected"),
    [
        ("84370107900017", False, "siret", ("84370107900017", None)),
        ("843 701 079 00017", False, "siret", ("84370107900017", None)),
        ("356.000.000", False, "siren", ("356000000", None)),
        ("58801481", True, "siren", ("058801481", None)),  # achats responsables: a zero lost
        ("58801481", False, "siren", (None, "identifier not 9 digits")),
        ("33280", True, "siren", (None, "identifier not 9 digits")),  # more than 3 zeros missing: not padded
        ("1.23E+13", True, "either", (None, "identifier in scientific notation (digits lost)")),
        ("", False, "either", (None, "identifier missing")),
        (None, False, "either", (None, "identifier missing")),
        ("843701078", False, "siren", (None, "SIREN fails its checksum")),
        ("84370107900018", False, "siret", (None, "SIRET fails its checksum")),
        ("35600000000048", False, "either", ("35600000000048", None)),
        ("302474648", False, "either", ("302474648", None)),  # Agence Bio: a SIREN in `siret`
        ("30247464801571", False, "siren", (None, "identifier not 9 digits")),
    ],
)
def test_clean_identifier(value, pad, accept, expected):
    assert clean_identifier(value, pad=pad, accept=accept) == expected


def test_identifier_digits_is_the_shape_without_the_checksum():
    assert identifier_digits("111 111 111 00011", pad=True, accept="siret") == ("11111111100011", None)
    assert clean_identifier("111 111 111 00011", pad=True, accept="siret") == (None, "SIRET fails its checksum")
    assert identifier_digits("11111111100", pad=True, accept="siret") == ("00011111111100", None)
    assert identifier_digits("1111111110", pad=True, accept="siret") == (None, "identifier not 14 digits")


SPELLINGS = [
    "1.23E+13",
    "1,2345678901E13",
    " 7.328293200007E+13 ",
    "12.34E5",
    "7328293200007e1",
    "732 829 320 00074",
    "732.829.320.00074",
    "7328293200007.0",
    "3282932000074",  # 13 digits: one zero lost
    "28293200007",  # 11 digits
    "8293200007",  # 10 digits: more than 3 zeros lost
    "052100554",
    "52100554",
    "2100554",
    "100554",
    "   ",
]
# the Python reasons as the SQL loads word them (geoloc/stage.sql, idcc/check_siret_idcc.sql)
SQL_REASON = {
    "identifier missing": "missing",
    "identifier in scientific notation (digits lost)": "SIRET in scientific notation",
    "identifier not 14 digits": "SIRET not 14 digits once cleaned",
    "SIRET fails its checksum": "SIRET checksum fails",
}


def test_sql_cleaning_of_a_siret_is_clean_identifier(con, samples_dir):
    _, real = _real(samples_dir)
    values = [*real, *[_bad_checksum(s) for s in real], *LA_POSTE, *MALFORMED, *SPELLINGS, None]
    rows = con.execute(
        "SELECT s, siret, CASE WHEN s IS NULL OR trim(s) = '' THEN 'missing' "
        "ELSE firmo_siret_reason(s, firmo_siret_number(siret)) END "
        "FROM (SELECT s, firmo_id_pad(d, 14) AS siret FROM (SELECT s, firmo_id_digits(s) AS d "
        "FROM unnest(?::VARCHAR[]) t(s)))",
        [values],
    ).fetchall()
    sql = {s: (siret if reason is None else None, reason) for s, siret, reason in rows}
    python = {}
    for v in values:
        kept, reason = clean_identifier(v, pad=True, accept="siret")
        python[v] = (kept, SQL_REASON[reason] if reason else None)
    assert sql == python
    assert python["1.23E+13"] == (None, "SIRET in scientific notation")
    assert python["3282932000074"][1] != "SIRET not 14 digits once cleaned"  # padded, then checked
    assert python["8293200007"] == (None, "SIRET not 14 digits once cleaned")


def test_sql_padding_of_a_siren_is_clean_identifier(con, samples_dir):
    real, _ = _real(samples_dir)
    values = [*real, *[s.lstrip("0") for s in real], *[_bad_checksum(s) for s in real], *MALFORMED, *SPELLINGS[5:]]
    values = [v for v in values if v.strip()]
    rows = con.execute(
        "SELECT s, CASE WHEN firmo_siren_ok(p) THEN p END FROM (SELECT s, firmo_id_pad(firmo_id_digits(s), 9) AS p "
        "FROM unnest(?::VARCHAR[]) t(s))",
        [values],
    ).fetchall()
    assert dict(rows) == {v: clean_identifier(v, pad=True, accept="siren")[0] for v in values}
    zero = next(s for s in real if s.startswith("0"))
    assert dict(rows)[zero.lstrip("0")] == zero  # a lost leading zero restored, as Egapro's UES members need


def test_removal_share():
    assert removal_exceeded(1, 4, 1.0) == 25.0
    assert removal_exceeded(1, 100, 1.0) is None  # the allowed share itself is not above it
    assert removal_exceeded(0, 0, 0.0) is None
    assert removal_exceeded(1, 20, 0.05 * 100) is None  # La Bonne Boîte's 5 %, given as a fraction
