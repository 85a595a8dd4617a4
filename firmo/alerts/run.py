"""One alerting pass, the same from the `alerts` asset and `firmo alerts run`: every ICP's rules
evaluated and recorded (firmo/alerts/rules.py, outbox.py), then the outbox delivered through the
channels that are configured. Recording comes first and is complete before any send, so a pass
killed while sending leaves only outbox rows the next pass picks up."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

import duckdb

from firmo.alerts.outbox import DEFAULT_MAX_ATTEMPTS, Channel, Delivered, Recorded, deliver, record
from firmo.alerts.rules import DEFAULT_SIGNAL_DAYS, evaluate
from firmo.db import utc_now
from firmo.icp.config import IcpConfig


@dataclass
class AlertsRun:
    recorded: list[Recorded] = field(default_factory=list)
    delivered: Delivered = field(default_factory=Delivered)
    baseline: list[str] = field(default_factory=list)  # ICPs whose first evaluation this was


def run_alerts(
    con: duckdb.DuckDBPyConnection,
    configs: Sequence[IcpConfig],
    channels: Mapping[str, Channel | None],
    *,
    as_of: date | None = None,
    now: datetime | None = None,
    signal_days: int = DEFAULT_SIGNAL_DAYS,
    max_attempts: int = DEFAULT_MAX_ATTEMPTS,
    disqualified_days: int = 90,
    sirens: Sequence[str] | None = None,
) -> AlertsRun:
    """`sirens`: evaluate only these (a poll's touched SIRENs, see firmo.alerts.rules.evaluate);
    the delivery is of the whole outbox either way, so a poll also retries what failed before."""
    now = utc_now(now)
    as_of = as_of or now.date()
    out = AlertsRun()
    for config in configs:
        if not config.alerts:
            continue
        evaluation = evaluate(
            con,
            config,
            as_of=as_of,
            now=now,
            signal_days=signal_days,
            disqualified_days=disqualified_days,
            sirens=sirens,
        )
        if evaluation.baseline:
            out.baseline.append(config.name)
        out.recorded.append(record(con, evaluation, now=now))
    out.delivered = deliver(con, channels, max_attempts=max_attempts)
    return out
