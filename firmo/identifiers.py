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

The cleaning of a published identifier is here too, once for every open-data source (open_data.md
"Common conventions", search-infra's `clean_sirent_column`): the publishers mangle SIREN/SIRET in
the same few ways (spaces, dots, a spreadsheet that dropped the leading zeros or wrote `1.23E+13`).
Strip every non-digit, refuse scientific notation, left-pad only where the source loses zeros and
by at most 3 ("No Siren has more than 3 leading zeros"), keep only 9 or 14 digits, then the
checksum; and refuse the whole load when more than the source's allowed share of rows was removed
(`removal_exceeded`, `TooManyRemoved`). Python: `identifier_digits` (the shape) and
`clean_identifier` (shape and checksum); SQL: `firmo_id_*` / `firmo_siret_*` of identifiers.sql,
which tests/test_identifiers.py holds to the Python answers.
"""

from __future__ import annotations

import re

import duckdb

from firmo.errors import InputError
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
    "firmo_value",
    "firmo_id_scientific",
    "firmo_id_digits",
    "firmo_id_pad",
    "firmo_siret_number",
    "firmo_siret_reason",
)
_SIREN = re.compile(r"[0-9]{9}")
_SIRET = re.compile(r"[0-9]{14}")
# a number a spreadsheet wrote in scientific notation (1.23E+13): its last digits are lost. The same
# pattern as firmo_id_scientific in identifiers.sql.
SCIENTIFIC = re.compile(r"\s*[0-9]+([.,][0-9]*)?\s*[eE]\s*[+-]?\s*[0-9]+\s*")
_NON_DIGIT = re.compile(r"[^0-9]")
MAX_LEADING_ZEROS = 3  # "No Siren has more than 3 leading zeros" (firmo_id_pad)
WIDTHS = {"siren": (9,), "siret": (14,), "either": (9, 14)}


class TooManyRemoved(InputError):
    """More rows removed by the cleaning than the source allows: a format change, not data to drop."""


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


def identifier_digits(value: object, *, pad: bool = False, accept: str = "either") -> tuple[str | None, str | None]:
    """The shape half of the cleaning, no checksum: (digits, None) or (None, reason). `accept`:
    "siren", "siret" or "either" (a column the publisher fills with one or the other); `pad`:
    restore up to 3 lost leading zeros (only for a source known to lose them)."""
    if value is None:
        return None, "identifier missing"
    text = str(value).strip()
    if not text:
        return None, "identifier missing"
    if SCIENTIFIC.fullmatch(text):
        return None, "identifier in scientific notation (digits lost)"
    digits = _NON_DIGIT.sub("", text)
    wanted = WIDTHS[accept]
    if pad:
        for width in (9, 14):
            if width - MAX_LEADING_ZEROS <= len(digits) < width:
                digits = digits.zfill(width)
                break
    if len(digits) not in wanted:
        return None, f"identifier not {' or '.join(str(w) for w in wanted)} digits"
    return digits, None


def clean_identifier(value: object, *, pad: bool = False, accept: str = "either") -> tuple[str | None, str | None]:
    """A published SIREN/SIRET cleaned and checked: (identifier, None) or (None, reason), the reason
    its row is quarantined under. The checksum is firmo's (Luhn, La Poste's exception)."""
    digits, reason = identifier_digits(value, pad=pad, accept=accept)
    if digits is None:
        return None, reason
    if len(digits) == 9 and not is_valid_siren(digits):
        return None, "SIREN fails its checksum"
    if len(digits) == 14 and not is_valid_siret(digits):
        return None, "SIRET fails its checksum"
    return digits, None


def removal_exceeded(removed: int, read: int, max_pct: float) -> float | None:
    """The share of rows removed (percent) when it is above `max_pct`, else None (nothing read
    removes nothing): search-infra's max_removal_percentage, which every open-data load applies."""
    if not read:
        return None
    share = 100.0 * removed / read
    return share if share > max_pct else None
