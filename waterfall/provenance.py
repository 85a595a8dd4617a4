"""Provenance of every contact field (doc §5 checklist item 4) and the ledger of runs.

`waterfall.provenance` holds one row per question asked, or answered from the cache: which
provider, what it said (its own raw status too), what it cost, when. It is how we answer "where did
you get my data?" and how an operator audits spend. `waterfall.runs` holds one row per run with
credits, calls and hits per provider.

Both are written in the same transaction as the enriched lead table (see `enrich.py`), through
`RECORD_SQL`, which reads two registered frames: `__wf_provenance` and `__wf_run`.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

import duckdb
import polars as pl
from polars.datatypes import DataTypeClass

from firmo.db import registered, transaction
from firmo.sqlfiles import load_sql
from waterfall.cache import ensure_tables
from waterfall.engine import LeadResult
from waterfall.providers.base import Field

PROVENANCE_SCHEMA: dict[str, pl.DataType | DataTypeClass] = {
    "run_id": pl.String,
    "icp": pl.String,
    "siren": pl.String,
    "field": pl.String,
    "provider": pl.String,
    "value": pl.String,
    "email": pl.String,
    "status": pl.String,
    "raw_status": pl.String,
    "confidence": pl.Float64,
    "credits": pl.Float64,
    "from_cache": pl.Boolean,
    "reason": pl.String,
    "asked_at": pl.Datetime("us"),
    "latency_ms": pl.Float64,  # a live answer's time to answer (NULL from the cache, a journal, the company step)
}
RUN_SCHEMA: dict[str, pl.DataType | DataTypeClass] = {
    "run_id": pl.String,
    "icp": pl.String,
    "started_at": pl.Datetime("us"),
    "finished_at": pl.Datetime("us"),
    "leads": pl.Int64,
    "blocked": pl.Int64,
    "credits_by_provider": pl.String,
    "calls_by_provider": pl.String,
    "hits_by_provider": pl.String,
    "status": pl.String,
    "breakers": pl.String,
    "kept_by_field": pl.String,
    "failed_questions": pl.Int64,
}


def provenance_frame(run_id: str, icp: str | None, results: Iterable[LeadResult]) -> pl.DataFrame:
    rows = [
        {
            "run_id": run_id,
            "icp": icp,
            "siren": r.person.siren,
            "field": a.field.value,
            "provider": a.provider,
            "value": a.value,
            "email": a.email,
            "status": a.status.value if a.status else None,
            "raw_status": a.raw_status,
            "confidence": a.confidence,
            "credits": a.credits,
            "from_cache": a.from_cache,
            "reason": a.reason,
            "asked_at": a.asked_at,
            "latency_ms": a.latency_ms,
        }
        for r in results
        for a in r.attempts
    ]
    return pl.DataFrame(rows, schema=PROVENANCE_SCHEMA)


@dataclass(frozen=True)
class ProviderStats:
    """Per provider: live questions, HTTP calls (retries included), live hits, cache answers, credits."""

    questions: Mapping[str, int]
    calls: Mapping[str, int]
    hits: Mapping[str, int]
    cached: Mapping[str, int]
    credits: Mapping[str, float]

    @classmethod
    def of(cls, results: Iterable[LeadResult], calls: Mapping[str, int]) -> ProviderStats:
        questions: Counter[str] = Counter()
        hits: Counter[str] = Counter()
        cached: Counter[str] = Counter()
        credits: defaultdict[str, float] = defaultdict(float)
        for result in results:
            for a in result.attempts:
                if a.field is Field.LINKEDIN:  # rides on the question that brought it, not one of its own
                    continue
                if a.from_cache:
                    cached[a.provider] += 1
                    continue
                questions[a.provider] += 1
                credits[a.provider] += a.credits
                if a.value is not None and a.status is not None and a.status.value != "invalid":
                    hits[a.provider] += 1
        return cls(
            dict(questions), dict(calls), dict(hits), dict(cached), {k: round(v, 6) for k, v in credits.items() if v}
        )

    def hit_rate(self, provider: str) -> float | None:
        asked = self.questions.get(provider, 0)
        return self.hits.get(provider, 0) / asked if asked else None


def run_frame(
    run_id: str,
    icp: str | None,
    started_at: datetime,
    finished_at: datetime,
    leads: int,
    blocked: int,
    stats: ProviderStats,
    *,
    breakers: Mapping[str, Mapping[str, object]] | None = None,
    kept: Mapping[str, int] | None = None,
    failed_questions: int = 0,
    status: str = "complete",
) -> pl.DataFrame:
    """The ledger row. `breakers`: provider -> {reason, calls_after_open}; `kept`: field -> leads
    whose earlier value was kept because this run could not re-check it."""

    def dump(mapping: Mapping[str, object]) -> str:
        return json.dumps(dict(sorted(mapping.items())))

    return pl.DataFrame(
        [
            {
                "run_id": run_id,
                "icp": icp,
                "started_at": started_at,
                "finished_at": finished_at,
                "leads": leads,
                "blocked": blocked,
                "credits_by_provider": dump(stats.credits),
                "calls_by_provider": dump(stats.calls),
                "hits_by_provider": dump(stats.hits),
                "status": status,
                "breakers": dump(breakers or {}),
                "kept_by_field": dump(kept or {}),
                "failed_questions": failed_questions,
            }
        ],
        schema=RUN_SCHEMA,
    )


RECORD_SQL = "waterfall/record_run"


def record_run(con: duckdb.DuckDBPyConnection, provenance: pl.DataFrame, run: pl.DataFrame) -> None:
    """Append a run's provenance and ledger row on their own (enrich.py does it with the swap)."""
    ensure_tables(con)
    with registered(con, "__wf_provenance", provenance), registered(con, "__wf_run", run), transaction(con):
        con.execute(load_sql(RECORD_SQL))


def last_runs(con: duckdb.DuckDBPyConnection) -> dict[str, tuple[float, dict[str, int]]]:
    """Per ICP, the latest complete run's credits (that run's spend, not a running total) and the
    earlier values it kept because it could not re-check them (field -> leads)."""
    cols = {
        r[0]
        for r in con.execute(
            "SELECT column_name FROM information_schema.columns "
            "WHERE table_schema = 'waterfall' AND table_name = 'runs'"
        ).fetchall()
    }
    if not cols:
        return {}
    newer = {"status", "kept_by_field"} <= cols  # a warehouse no run has written since they were added
    rows = con.execute(f"""
        SELECT icp, CAST(credits_by_provider AS VARCHAR), {"CAST(kept_by_field AS VARCHAR)" if newer else "NULL"}
        FROM waterfall.runs {"WHERE coalesce(status, 'complete') = 'complete'" if newer else ""}
        QUALIFY row_number() OVER (PARTITION BY icp ORDER BY finished_at DESC, started_at DESC) = 1""").fetchall()
    return {
        icp: (round(sum(json.loads(credits or "{}").values()), 6), json.loads(kept or "{}"))
        for icp, credits, kept in rows
    }
