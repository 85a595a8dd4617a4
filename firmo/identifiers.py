"""The one SIREN/SIRET check, for Python and for SQL.

SIREN: 9 ASCII digits passing Luhn. SIRET: 14 ASCII digits passing Luhn, except La Poste's
establishments (SIREN 356000000), whose digits must sum to a multiple of 5 (its head office
35600000000048 is plain Luhn); and a SIRET is valid only if its first 9 digits are a valid SIREN.
This is python-stdnum's rule (`stdnum.fr.siren` / `stdnum.fr.siret`), on the value as given: no
spaces or dots are stripped here, the callers normalise first.

The SQL side is the macros of `firmo/sql/identifiers.sql` (arithmetic on the number, to keep the
SIRENE load near DuckDB's bare read speed), created by `create_macros`; every loader and check uses
them, every Python reader uses `is_valid_siren` / `is_valid_siret`. tests/test_identifiers.py runs
both over one list of values and asserts they agree exactly.
"""

from __future__ import annotations

import re

import duckdb

from firmo.sqlfiles import load_sql, quote_ident

LA_POSTE_SIREN = "356000000"
LA_POSTE_HEAD_OFFICE = "35600000000048"
MACROS = (
    "firmo_luhn_pair",
    "firmo_luhn_int9",
    "firmo_luhn_int14",
    "firmo_digit_sum_int14",
    "firmo_siren_int_ok",
    "firmo_siret_int_ok",
    "firmo_siren_ok",
    "firmo_siret_ok",
)
_SIREN = re.compile(r"[0-9]{9}")
_SIRET = re.compile(r"[0-9]{14}")


def _luhn(digits: str) -> bool:
    total = 0
    for i, char in enumerate(reversed(digits)):
        d = ord(char) - 48
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def is_valid_siren(value: object) -> bool:
    """9 ASCII digits passing Luhn (the SQL macro `firmo_siren_ok`)."""
    return isinstance(value, str) and _SIREN.fullmatch(value) is not None and _luhn(value)


def is_valid_siret(value: object) -> bool:
    """14 ASCII digits passing Luhn, or La Poste's digit sum, with a valid SIREN (`firmo_siret_ok`)."""
    if not isinstance(value, str) or _SIRET.fullmatch(value) is None:
        return False
    if value.startswith(LA_POSTE_SIREN) and value != LA_POSTE_HEAD_OFFICE:
        checksum = sum(ord(c) - 48 for c in value) % 5 == 0
    else:
        checksum = _luhn(value)
    return checksum and _luhn(value[:9])


def create_macros(con: duckdb.DuckDBPyConnection) -> None:
    """Create (or replace) the SQL macros in the connection's database: every load that uses them
    runs this first."""
    con.execute(load_sql("identifiers"))


def ensure_macros(con: duckdb.DuckDBPyConnection) -> None:
    """The macros, created only when missing: the SIRENE load stores them in the warehouse, a bare
    warehouse (tests, a file loaded elsewhere) gets them here."""
    present = con.execute(
        "SELECT count(DISTINCT function_name) FROM duckdb_functions() "
        "WHERE function_name IN (SELECT unnest(?::VARCHAR[]))",
        [list(MACROS)],
    ).fetchall()
    if present[0][0] < len(MACROS):
        create_macros(con)


def _checksum_sql(column: str, digits: int, macro: str) -> str:
    """SQL: `column` is `digits` digits passing `macro` (the number macros, unchanged since the
    first warehouses); NULL when the column is NULL, which a check counts apart. TRY_CAST: DuckDB
    may evaluate both sides of an AND."""
    col = quote_ident(column)
    return (
        f"CASE WHEN {col} IS NULL THEN NULL ELSE coalesce(regexp_full_match({col}, '[0-9]{{{digits}}}') "
        f"AND {macro}(TRY_CAST({col} AS UBIGINT)), false) END"
    )


def siren_sql(column: str) -> str:
    """SQL: `column` is a valid SIREN (NULL when it is NULL)."""
    return _checksum_sql(column, 9, "firmo_siren_int_ok")


def siret_sql(column: str) -> str:
    """SQL: `column` is a valid SIRET, La Poste's exception included (NULL when it is NULL)."""
    return _checksum_sql(column, 14, "firmo_siret_int_ok")
