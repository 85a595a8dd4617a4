"""`waterfall.cache`: every answer a provider gave, so a question is never paid for twice.

Keyed by (provider, field, input_key) where input_key is `Person.key(field)` (or the lower-cased
address for a verification). Hits live `hit_ttl` (data decays, and retention is capped, doc §5),
misses a shorter `miss_ttl` (the vendor's database grows). Failures are never cached: a timeout
today must be asked again tomorrow.

Reads and writes are batched: `preload(sirens)` fetches every unexpired answer about a run's
companies in one query, then lookups are in memory; `put` buffers and `flush` writes a batch in
one statement. What makes a paid answer survive a crash before that flush is the run's answer
journal (`waterfall.journal`): `put` appends the answer to it first, before the engine asks
anything else. The `siren` and `email` columns exist so `firmo.compliance.forget` can erase a person.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import duckdb
import polars as pl
from polars.datatypes import DataTypeClass

from firmo.db import registered
from firmo.sqlfiles import load_sql
from waterfall.journal import AnswerJournal
from waterfall.providers.base import Answer, Field, Status

CacheKey = tuple[str, str, str]  # provider, field, input_key

CACHE_SCHEMA: dict[str, pl.DataType | DataTypeClass] = {
    "provider": pl.String,
    "field": pl.String,
    "input_key": pl.String,
    "siren": pl.String,
    "email": pl.String,
    "value": pl.String,
    "status": pl.String,
    "confidence": pl.Float64,
    "raw_status": pl.String,
    "extra": pl.String,
    "credits": pl.Float64,
    "fetched_at": pl.Datetime("us"),
    "expires_at": pl.Datetime("us"),
}


def ensure_tables(con: duckdb.DuckDBPyConnection) -> None:
    """waterfall.cache, waterfall.provenance and waterfall.runs (idempotent)."""
    con.execute("CREATE SCHEMA IF NOT EXISTS waterfall")
    con.execute(load_sql("waterfall/create_tables"))


def verify_key(email: str) -> str:
    return email.strip().lower()


@dataclass(frozen=True)
class CacheEntry:
    provider: str
    field: Field
    input_key: str
    siren: str | None
    email: str | None
    value: str | None
    status: Status
    confidence: float | None
    raw_status: str | None
    extra: dict[str, Any]
    credits: float
    fetched_at: datetime
    expires_at: datetime

    @property
    def key(self) -> CacheKey:
        return (self.provider, self.field.value, self.input_key)

    def answer(self) -> Answer:
        """The original answer, free this time (credits=0: we paid when it was fetched)."""
        return Answer(
            self.provider,
            self.field,
            self.value,
            self.status,
            confidence=self.confidence,
            credits=0.0,
            raw_status=self.raw_status,
            extra=dict(self.extra),
        )

    def row(self) -> dict[str, Any]:
        return {
            "provider": self.provider,
            "field": self.field.value,
            "input_key": self.input_key,
            "siren": self.siren,
            "email": self.email,
            "value": self.value,
            "status": self.status.value,
            "confidence": self.confidence,
            "raw_status": self.raw_status,
            "extra": json.dumps(self.extra, sort_keys=True, default=str),
            "credits": self.credits,
            "fetched_at": self.fetched_at,
            "expires_at": self.expires_at,
        }


@dataclass
class AnswerCache:
    """Read-through cache. `con=None` keeps it in memory only (engine tests, dry runs); `journal`
    (an open `AnswerJournal`) makes every `put` durable at once."""

    con: duckdb.DuckDBPyConnection | None
    now: datetime
    ttl: Callable[[str, bool], timedelta]  # (provider, is_hit) -> time to live
    flush_every: int = 1000
    journal: AnswerJournal | None = None
    _memory: dict[CacheKey, CacheEntry] = field(default_factory=dict)
    _pending: dict[CacheKey, CacheEntry] = field(default_factory=dict)
    writes: int = 0

    def __post_init__(self) -> None:
        if self.con is not None:
            ensure_tables(self.con)

    def preload(self, sirens: Iterable[str]) -> int:
        """Load every unexpired answer about these companies in one query; returns rows loaded."""
        if self.con is None:
            return 0
        frame = pl.DataFrame({"siren": sorted({s for s in sirens if s})}, schema={"siren": pl.String})
        with registered(self.con, "__wf_sirens", frame):
            rows = self.con.execute(load_sql("waterfall/cache_preload"), {"now": self.now}).fetchall()
        for r in rows:
            entry = CacheEntry(
                r[0],
                Field(r[1]),
                r[2],
                r[3],
                r[4],
                r[5],
                Status(r[6]),
                r[7],
                r[8],
                json.loads(r[9]) if r[9] else {},
                float(r[10]),
                r[11],
                r[12],
            )
            self._memory[entry.key] = entry
        return len(rows)

    def get(self, provider: str, what: Field, input_key: str) -> CacheEntry | None:
        entry = self._memory.get((provider, what.value, input_key))
        if entry is None or entry.expires_at <= self.now:
            return None
        return entry

    def put(self, answer: Answer, input_key: str, siren: str | None) -> CacheEntry:
        """Remember a provider's answer (hit or miss): in the journal now, in DuckDB at the next flush."""
        hit = answer.value is not None
        email = answer.value if answer.field in (Field.EMAIL, Field.VERIFY) and hit else None
        entry = CacheEntry(
            answer.provider,
            answer.field,
            input_key,
            siren,
            email.lower() if email else None,
            answer.value,
            answer.status,
            answer.confidence,
            answer.raw_status,
            dict(answer.extra),
            float(answer.credits),
            self.now,
            self.now + self.ttl(answer.provider, hit),
        )
        if self.journal is not None:
            self.journal.append(entry.row())
        self._memory[entry.key] = entry
        self._pending[entry.key] = entry
        if len(self._pending) >= self.flush_every:
            self.flush()
        return entry

    def discard_siren(self, siren: str) -> None:
        """Forget a company's answers not written yet (the person asked for erasure)."""
        if self.journal is not None:
            self.journal.discard(siren)
        for store in (self._memory, self._pending):
            for key in [k for k, e in store.items() if e.siren == siren]:
                del store[key]

    def flush(self) -> int:
        """Write the buffered answers in one statement; returns rows written."""
        if not self._pending:
            return 0
        entries, self._pending = list(self._pending.values()), {}
        if self.con is not None:
            frame = pl.DataFrame([e.row() for e in entries], schema=CACHE_SCHEMA)
            with registered(self.con, "__wf_cache_rows", frame):
                self.con.execute(load_sql("waterfall/cache_upsert"))
        self.writes += len(entries)
        return len(entries)
