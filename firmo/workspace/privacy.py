"""Personal data in the workspace: masked in every answer, revealed one field of one company at a
time, and each reveal written to `compliance.reveal_log` for the GDPR register.

The log lives in its own small DuckDB file (`<data dir>/workspace.duckdb`), not in the warehouse:
the workspace reads the warehouse through snapshots (firmo.workspace.snapshot) and must never take
its write lock while a run holds it, and a reveal is refused when its log line cannot be written.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import duckdb

from firmo import db
from firmo.sqlfiles import load_sql

FIELDS = ("email", "phone")
LOCAL = "local"  # who revealed, when no token is set (a loopback-only server: the person at the machine)


def mask_email(value: str | None) -> str | None:
    """'jeanne.martin@acme.fr' -> 'j***@acme.fr': the domain stays (it says which company)."""
    if not value:
        return value
    local, at, domain = value.partition("@")
    if not at:
        return "***"
    return f"{local[:1]}***@{domain}"


def mask_phone(value: str | None) -> str | None:
    """'+33 1 23 45 67 89' -> '+33 ••• 89' style: the country prefix and the last two digits."""
    if not value:
        return value
    digits = [c for c in value if c.isdigit()]
    head = "+" + "".join(digits[:2]) if value.startswith("+") else "".join(digits[:2])
    return f"{head}***{''.join(digits[-2:])}"


MASKS = {"email": mask_email, "phone": mask_phone}


def log_reveal(
    path: Path, *, who: str, siren: str, field: str, client: str | None = None, now: datetime | None = None
) -> None:
    """Append one reveal to compliance.reveal_log (raises if it cannot: no reveal goes unlogged)."""
    if field not in FIELDS:
        raise ValueError(f"reveal: unknown field {field!r}; one of {', '.join(FIELDS)}")
    path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(path))
    try:
        con.execute(load_sql("workspace/create_reveal_log"))
        con.execute(
            load_sql("workspace/reveal_log_insert"),
            {"revealed_at": db.utc_now(now), "who": who, "siren": siren, "field": field, "client": client},
        )
    finally:
        con.close()


def reveals(path: Path) -> list[tuple]:
    """Every logged reveal, oldest first (what the register shows)."""
    if not path.exists():
        return []
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(load_sql("workspace/reveals")).fetchall()
    finally:
        con.close()
