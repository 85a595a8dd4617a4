"""The outbox: every alert is written to `alerts.outbox` (one row per channel) before anything is
sent, then delivered from there. Never twice, never lost:

- `record` writes, in ONE transaction, the events the evaluation saw (`alerts.events`, keyed by
  (ICP, rule, SIREN, event)), the outbox rows of the new ones and the leads' new state. A re-run,
  or a crash anywhere before the commit, finds the same keys and adds nothing twice.
- `deliver` sets a row to `sending` (committed) before the send, and to `sent` after it. A
  process killed between the two leaves `sending`; what happens to such a row depends on the
  channel (its `dedupes` flag):
  * the generic webhook carries the alert's key as `Idempotency-Key`: the receiver drops a
    repeat, so the row is sent again (at-least-once on the wire, once for the receiver);
  * Slack incoming webhooks and SMTP cannot drop a repeat (the email's Message-ID, derived from
    the key, lets a mail client fold two copies, but a relay does not refuse one): the row is
    NOT sent again but kept as `undelivered` with the reason (at-most-once), so a seller never
    gets the same alert twice and an operator sees the one that may be missing.
- a failed send is `failed` and retried at the next delivery; after `max_attempts` attempts it is
  `undelivered`, kept with its last error (`firmo alerts list`, the `alerts` asset's metadata),
  never deleted.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

import duckdb

from firmo import db
from firmo.alerts.rules import Evaluation
from firmo.alerts.tables import ensure_tables
from firmo.db import transaction, utc_now
from firmo.icp.leads import leads_table
from firmo.sqlfiles import load_sql, render_identifiers

DEFAULT_MAX_ATTEMPTS = 5
INTERRUPTED = "interrupted while sending; not sent again since {channel} cannot drop a duplicate: check it arrived"
STATES = ("pending", "sending", "sent", "failed", "undelivered")


class DeliveryError(Exception):
    """A send that did not go through; the message is stored as last_error (never a secret)."""


class Channel(Protocol):
    name: str
    dedupes: bool  # the receiver drops a repeat of the same key (safe to send again after a crash)

    def send(self, key: str, payload: Mapping[str, Any]) -> None: ...


@dataclass
class Recorded:
    icp: str
    alerted: int = 0
    baseline: int = 0
    refused: int = 0
    already_seen: int = 0
    per_rule: dict[str, int] = field(default_factory=dict)


def _script(con: duckdb.DuckDBPyConnection, sql: str, params: Mapping[str, Any]) -> None:
    for statement in (s.strip() for s in sql.split(";")):
        body = "\n".join(line for line in statement.splitlines() if not line.lstrip().startswith("--")).strip()
        if body:
            used = set(re.findall(r"\$([a-z_]+)", body))
            con.execute(body, {k: v for k, v in params.items() if k in used})


def record(con: duckdb.DuckDBPyConnection, evaluation: Evaluation, *, now: datetime | None = None) -> Recorded:
    """Write the evaluation's new events, their outbox rows and the leads' state, in one transaction."""
    ensure_tables(con)
    now = utc_now(now)
    out = Recorded(icp=evaluation.icp)
    rows = [(a, "alerted") for a in evaluation.alerts] + [(a, f"refused: {why}") for a, why in evaluation.refused]
    with transaction(con):
        keys = [a.key for a, _ in rows]
        seen = {
            k for (k,) in con.execute("SELECT key FROM alerts.events WHERE list_contains(?, key)", [keys]).fetchall()
        }
        for alert, outcome in rows:
            if alert.key in seen:
                out.already_seen += 1
                continue
            seen.add(alert.key)
            if outcome == "alerted" and evaluation.baseline and alert.trigger != "digest":
                outcome = "baseline"
            con.execute(
                "INSERT INTO alerts.events VALUES (?, ?, ?, ?, ?, ?, ?)",
                [alert.key, alert.icp, alert.rule, alert.siren, alert.event_key, outcome, now],
            )
            if outcome == "alerted":
                out.alerted += 1
                out.per_rule[alert.rule] = out.per_rule.get(alert.rule, 0) + 1
                payload = json.dumps(alert.payload, ensure_ascii=False, sort_keys=True, default=str)
                for channel in alert.channels:
                    con.execute(
                        "INSERT INTO alerts.outbox VALUES (?, ?, ?, ?, ?, ?, 'pending', 0, NULL, ?, NULL)",
                        [alert.key, channel, alert.icp, alert.rule, alert.siren, payload, now],
                    )
            elif outcome == "baseline":
                out.baseline += 1
            else:
                out.refused += 1
        table = leads_table(evaluation.icp)
        if db.table_exists(con, table):
            sql = render_identifiers(load_sql("alerts/save_state"), leads=table)
            scope = evaluation.scope
            params = {"icp": evaluation.icp, "as_of": evaluation.as_of or now.date(), "now": now}
            _script(con, sql, {**params, "scoped": scope is not None, "sirens": scope or []})
    return out


@dataclass
class Delivered:
    sent: dict[str, int] = field(default_factory=dict)  # by channel
    failed: dict[str, int] = field(default_factory=dict)
    undelivered: dict[str, int] = field(default_factory=dict)
    failures: list[tuple[str, str, str, int, str]] = field(default_factory=list)  # key, channel, state, attempts, error


def _bump(counts: dict[str, int], channel: str) -> None:
    counts[channel] = counts.get(channel, 0) + 1


def deliver(
    con: duckdb.DuckDBPyConnection,
    channels: Mapping[str, Channel | None],
    *,
    max_attempts: int = DEFAULT_MAX_ATTEMPTS,
    clock: Callable[[], datetime] = lambda: utc_now(None),
) -> Delivered:
    """Send every pending or failed outbox row through its channel (None: not configured, which
    counts as a failed attempt naming the setting); see the module docstring for `sending` rows."""
    ensure_tables(con)
    out = Delivered()
    for key, channel in con.execute(
        "SELECT key, channel FROM alerts.outbox WHERE state = 'sending' ORDER BY created_at, key, channel"
    ).fetchall():
        sender = channels.get(channel)
        if sender is not None and sender.dedupes:
            con.execute("UPDATE alerts.outbox SET state = 'failed' WHERE key = ? AND channel = ?", [key, channel])
        else:
            con.execute(
                "UPDATE alerts.outbox SET state = 'undelivered', last_error = ? WHERE key = ? AND channel = ?",
                [INTERRUPTED.format(channel=channel), key, channel],
            )
    todo = con.execute(
        "SELECT key, channel, payload, attempts FROM alerts.outbox WHERE state IN ('pending', 'failed') "
        "ORDER BY created_at, key, channel"
    ).fetchall()
    for key, channel, payload, attempts in todo:
        attempts += 1
        con.execute(
            "UPDATE alerts.outbox SET state = 'sending', attempts = ? WHERE key = ? AND channel = ?",
            [attempts, key, channel],
        )  # committed (autocommit) before the send: a crash after this line is a `sending` row
        sender = channels.get(channel)
        try:
            if sender is None:
                raise DeliveryError(f"channel {channel} is not configured")
            sender.send(key, json.loads(payload))
        except DeliveryError as exc:
            state = "undelivered" if attempts >= max_attempts else "failed"
            con.execute(
                "UPDATE alerts.outbox SET state = ?, last_error = ? WHERE key = ? AND channel = ?",
                [state, str(exc), key, channel],
            )
            _bump(out.undelivered if state == "undelivered" else out.failed, channel)
            out.failures.append((key, channel, state, attempts, str(exc)))
            continue
        con.execute(
            "UPDATE alerts.outbox SET state = 'sent', sent_at = ?, last_error = NULL WHERE key = ? AND channel = ?",
            [clock(), key, channel],
        )
        _bump(out.sent, channel)
    return out


def outbox_counts(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str, int]]:
    """(channel, state, rows) of the whole outbox."""
    ensure_tables(con)
    return con.execute(
        "SELECT channel, state, count(*) FROM alerts.outbox GROUP BY ALL ORDER BY channel, state"
    ).fetchall()
