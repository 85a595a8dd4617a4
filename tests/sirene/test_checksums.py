"""The SQL checksum macros must agree with python-stdnum, La Poste's exception included."""

import random

import duckdb
import pytest
from stdnum.fr import siren as std_siren
from stdnum.fr import siret as std_siret

from firmo.identifiers import create_macros
from firmo.sqlfiles import load_sql


@pytest.fixture(scope="module")
def con():
    c = duckdb.connect()
    create_macros(c)
    c.execute(load_sql("sirene/macros"))
    return c


def test_siren_macro_matches_stdnum_on_random_numbers(con):
    rng = random.Random(7)
    numbers = [f"{rng.randrange(10**9):09d}" for _ in range(3000)]
    got = dict(con.execute("SELECT s, firmo_siren_ok(s) FROM unnest(?::VARCHAR[]) t(s)", [numbers]).fetchall())
    expected = {n: std_siren.is_valid(n) for n in numbers}
    assert got == expected
    assert sum(expected.values()) > 200  # the sample really contains valid numbers


def test_siret_macro_matches_stdnum_including_la_poste(con):
    rng = random.Random(11)
    numbers = [f"{rng.randrange(10**14):014d}" for _ in range(3000)]
    numbers += [f"356000000{rng.randrange(10**5):05d}" for _ in range(500)]
    numbers += ["35600000000048", "35600000049837", "73282932000074", "7328293200007"]
    got = dict(con.execute("SELECT s, firmo_siret_ok(s) FROM unnest(?::VARCHAR[]) t(s)", [numbers]).fetchall())
    assert got == {n: std_siret.is_valid(n) for n in numbers}
    assert got["35600000049837"] is True  # La Poste: digit sum multiple of 5, Luhn fails
    assert got["73282932000074"] is True
    assert got["7328293200007"] is False  # 13 digits


@pytest.mark.parametrize(
    "code, dep",
    [
        ("69382", "69"),
        ("2A004", "2A"),
        ("2B033", "2B"),
        ("97411", "974"),
        ("98727", "987"),
        ("[ND]", None),
        (None, None),
    ],
)
def test_departement_from_commune_code(con, code, dep):
    assert con.execute("SELECT firmo_departement(?)", [code]).fetchone()[0] == dep
