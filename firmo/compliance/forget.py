"""Erasure (GDPR art. 17) and objection (art. 21) requests: `forget(con, email_or_siren)`.

The person's (or company's) contact data is deleted from every table that holds it, and the
identifier goes onto the suppression list in the same transaction. The nightly reload
re-derives leads from the registries and the waterfall, so without that suppression entry the
person would come straight back; with it, the waterfall predicate and the export both skip them.
Only the sha256 of an email is kept (doc §5: minimal data on the suppression list).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import duckdb

from firmo.compliance.normalise import guess_kind, normalise
from firmo.compliance.suppression import entry, insert_suppressions
from firmo.compliance.tables import CRM_READBACK, LEDGER, ensure_tables
from firmo.db import columns_of, table_exists, tables_in_schema, transaction, utc_now
from firmo.sqlfiles import quote_ident

# Tables searched by default (when they exist), plus every table of the `leads` schema.
DEFAULT_TABLES: tuple[str, ...] = (
    LEDGER,
    "waterfall.cache",
    "waterfall.provenance",
    "waterfall.rechecks",  # the job-change re-checks (waterfall/recheck.py): the address held, per question
    "waterfall.job_changes",  # ... and their outcomes (names, address)
    *CRM_READBACK,
    # the alerts (firmo/alerts): a payload names the decision maker; the watchlist row is the
    # SIREN kept by name (a sole trader's is personal data), so it goes too
    "alerts.outbox",
    "alerts.events",
    "alerts.lead_state",
    "alerts.watchlist",
)
# the CRM ids an API push remembers (firmo.crm.push_pipedrive): a person's row holds the email
CRM_ID_TABLES = ("exports.crm_ids",)
KEY_COLUMN = {"email": "email", "siren": "siren"}


@dataclass(frozen=True)
class ForgetResult:
    kind: str  # 'email' | 'siren'
    erased: dict[str, int]  # '<table>.<column>' -> rows deleted
    export_files: list[str]  # export files (relative to the export root) that held the data:
    # already handed to a CRM, so the operator must erase it there too
    newly_suppressed: bool


def default_targets(con: duckdb.DuckDBPyConnection, kind: str) -> list[tuple[str, str]]:
    """(table, column) pairs holding `kind` among the default tables that exist right now, and the
    export ledger always (0 before the first export: whether the person was handed to a CRM is
    part of every erasure report; the ledger is created by the first export, `firmo.crm`)."""
    column = KEY_COLUMN[kind]
    tables = list(DEFAULT_TABLES) + list(CRM_ID_TABLES) + tables_in_schema(con, "leads")
    return [(t, column) for t in tables if t == LEDGER or column in columns_of(con, t)]


def _match_sql(kind: str, column: str) -> str:
    col = quote_ident(column)
    if kind == "email":
        return f"lower(trim(CAST({col} AS VARCHAR))) = ?"
    return f"left(trim(CAST({col} AS VARCHAR)), 9) = ?"  # a SIRET column matches by its SIREN prefix


def forget(
    con: duckdb.DuckDBPyConnection,
    value: str,
    *,
    now: datetime | None = None,
    targets: Sequence[tuple[str, str]] | None = None,
    reason: str = "erasure request",
    source: str | None = None,
) -> ForgetResult:
    """Delete every row holding `value` (an email or a SIREN) and suppress it for the future.

    `targets` replaces the default (table, column) list; build on `default_targets(con, kind)` to
    extend it. Targets whose table does not exist are skipped (reported as 0).
    """
    ensure_tables(con)
    kind = guess_kind(value)
    norm = normalise(kind, value)
    pairs = list(targets) if targets is not None else default_targets(con, kind)
    erased: dict[str, int] = {}
    with transaction(con):
        files = (
            [
                r[0]
                for r in con.execute(
                    f"SELECT DISTINCT file FROM {LEDGER} WHERE {_match_sql(kind, KEY_COLUMN[kind])} ORDER BY file",
                    [norm],
                ).fetchall()
            ]
            if table_exists(con, LEDGER)
            else []
        )  # no ledger: nothing was ever exported
        for table, column in pairs:
            if column not in columns_of(con, table):
                erased[f"{table}.{column}"] = 0
                continue
            deleted = con.execute(f"DELETE FROM {quote_ident(table)} WHERE {_match_sql(kind, column)}", [norm])
            erased[f"{table}.{column}"] = int(deleted.fetchall()[0][0])
        added = insert_suppressions(con, [entry(kind, norm, reason, source)], utc_now(now))
    return ForgetResult(kind, erased, files, added == 1)
