"""Queries live as .sql files under `firmo/sql/` (shipped as package data, so an installed wheel
finds them); this module reads them once and caches them.

Parameters are always bound (`$name` / `?`), never formatted into the text. The only
substitution allowed is of *identifiers* that DuckDB cannot bind (table names), through
`render_identifiers`, which accepts nothing but validated dotted identifiers.
"""

from __future__ import annotations

import re
from functools import cache

from firmo.settings import SQL_DIR

_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?$")


@cache
def load_sql(name: str) -> str:
    """Text of `firmo/sql/<name>.sql` (name may contain a sub-folder: `sirene/companies`)."""
    path = SQL_DIR / f"{name}.sql"
    if not path.is_file():
        raise FileNotFoundError(f"no SQL file {path}")
    return path.read_text(encoding="utf-8")


def quote_ident(identifier: str) -> str:
    """Validate a (possibly schema-qualified) identifier and double-quote each part."""
    if not _IDENT.match(identifier):
        raise ValueError(f"not a plain SQL identifier: {identifier!r}")
    return ".".join(f'"{part}"' for part in identifier.split("."))


def render_identifiers(sql: str, **identifiers: str) -> str:
    """Replace `{{name}}` placeholders by validated, quoted identifiers (never values)."""
    for key, ident in identifiers.items():
        sql = sql.replace("{{" + key + "}}", quote_ident(ident))
    if "{{" in sql:
        raise ValueError(f"unresolved identifier placeholder in SQL: {sql[sql.index('{{') :][:40]}")
    return sql
