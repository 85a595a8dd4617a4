"""Retention purge (doc §5): prospect contact data is kept 3 years from collection or from the
prospect's last inbound contact, then deleted. The suppression list is never purged.

A rule says which table, which date columns count as "collected or renewed" (the latest
non-NULL one wins: a waterfall re-find refreshes `email_found_at`, a reply sets
`last_inbound_at`), and what to erase: the listed columns (company data in the same row is
public registry data and stays) or, without columns, the whole row.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import duckdb

from firmo.compliance.tables import CRM_READBACK, LEDGER, ensure_tables
from firmo.db import columns_of, table_exists, tables_in_schema, transaction, utc_now
from firmo.sqlfiles import quote_ident

RETENTION_YEARS = 3
RENEWAL_COLUMN = "last_inbound_at"
CACHE_DATE_COLUMNS = ("found_at", "fetched_at", "retrieved_at", "created_at", "asked_at")  # first present wins
CONTACT_FIELDS = {
    "email": ("email", "email_status", "email_source", "email_found_at"),
    "phone": ("phone", "phone_type", "phone_source", "phone_found_at"),
    "linkedin": ("linkedin_url", "linkedin_source", "linkedin_found_at"),  # a found profile (waterfall)
}


@dataclass(frozen=True)
class RetentionRule:
    table: str
    date_columns: tuple[str, ...]
    clear_columns: tuple[str, ...] | None = None  # None: delete the row

    @property
    def name(self) -> str:
        what = ",".join(self.clear_columns) if self.clear_columns else "row"
        return f"{self.table}[{what}]"


def cutoff(now: datetime, years: int = RETENTION_YEARS) -> datetime:
    """Same instant `years` earlier (29 February falls back to the 28th)."""
    try:
        return now.replace(year=now.year - years)
    except ValueError:
        return now.replace(year=now.year - years, day=28)


def default_rules(con: duckdb.DuckDBPyConnection) -> list[RetentionRule]:
    """Rules for the tables that exist: leads.* contact fields, the export ledger, waterfall tables,
    the CRM contacts read back."""
    rules: list[RetentionRule] = []
    for table in tables_in_schema(con, "leads"):
        cols = columns_of(con, table)
        renewal = (RENEWAL_COLUMN,) if RENEWAL_COLUMN in cols else ()
        for fields in CONTACT_FIELDS.values():
            value, found_at = fields[0], fields[-1]
            if value in cols and found_at in cols:
                rules.append(RetentionRule(table, (found_at, *renewal), tuple(f for f in fields if f in cols)))
    rules.append(RetentionRule(LEDGER, ("exported_at",)))  # always reported (0 before the first export)
    for table in ("waterfall.cache", "waterfall.provenance"):
        dates = [c for c in CACHE_DATE_COLUMNS if c in columns_of(con, table)]
        if dates:
            rules.append(RetentionRule(table, (dates[0],)))
    for table in CRM_READBACK[:1]:  # the CRM's contacts read back (firmo.crm.readback): not changed in 3 years
        if table_exists(con, table):
            rules.append(RetentionRule(table, ("modified_at",)))
    if table_exists(con, "alerts.outbox"):  # an alert's payload names the decision maker (firmo/alerts)
        rules.append(RetentionRule("alerts.outbox", ("created_at",)))
    rules.extend(alert_rules(con))
    return rules


def alert_rules(con: duckdb.DuckDBPyConnection) -> list[RetentionRule]:
    """The alert history besides the outbox (firmo/alerts), on the outbox's horizon.

    `alerts.events` by `seen_at`: `firmo.alerts.outbox.record` writes an event and its outbox rows
    in one transaction with the same timestamp, so `seen_at` is the `created_at` of the rows the
    event belongs to and both go in the same purge. Events with no outbox row (baseline, refused)
    get the same horizon: they only serve to dedupe, and a 3-year-old event cannot come back
    (signals are matched over the last FIRMO_ALERT_SIGNAL_DAYS days, tier entries carry their day;
    a score rise's key has no day, but the same rise 3 years later is a new event).

    `alerts.lead_state` by `updated_at` (not by "no longer in any leads table"): every evaluation
    rewrites the rows of the SIRENs it covers and drops those that left `leads.<icp>` (the daily
    run covers the whole list), so a row not updated in 3 years is one of an ICP no longer
    evaluated, whose leads table may be gone too: `updated_at` gives the same answer without
    reading every `leads.*` table. An ICP whose rows all went has a silent baseline again at its
    next evaluation, not a flood of alerts.
    """
    rules: list[RetentionRule] = []
    for table, date_column in (("alerts.events", "seen_at"), ("alerts.lead_state", "updated_at")):
        if table_exists(con, table):
            rules.append(RetentionRule(table, (date_column,)))
    return rules


def purge_expired(
    con: duckdb.DuckDBPyConnection,
    *,
    now: datetime | None = None,
    years: int = RETENTION_YEARS,
    rules: Sequence[RetentionRule] | None = None,
) -> dict[str, int]:
    """Apply the rules in one transaction; returns rows erased per rule name."""
    ensure_tables(con)
    limit = cutoff(utc_now(now), years)
    done: dict[str, int] = {}
    with transaction(con):
        for rule in rules if rules is not None else default_rules(con):
            if rule.table == LEDGER and not table_exists(con, LEDGER):  # created by the first export (firmo.crm)
                done[rule.name] = 0
                continue
            dates = ", ".join(quote_ident(c) for c in rule.date_columns)
            latest = dates if len(rule.date_columns) == 1 else f"greatest({dates})"  # ignores NULLs
            where = f"{latest} < ?"
            if rule.clear_columns:
                sets = ", ".join(f"{quote_ident(c)} = NULL" for c in rule.clear_columns)
                first = quote_ident(rule.clear_columns[0])
                sql = f"UPDATE {quote_ident(rule.table)} SET {sets} WHERE {first} IS NOT NULL AND {where}"
            else:
                sql = f"DELETE FROM {quote_ident(rule.table)} WHERE {where}"
            done[rule.name] = int(con.execute(sql, [limit]).fetchall()[0][0])
    return done
