"""The answer journal: every answer a vendor gave (and billed) is on disk before the engine goes on,
so a run killed at any moment costs at most the questions that were in flight.

Why a file and not the DuckDB cache: a one-row DuckDB commit costs 2-9 ms of CPU (the cache has a
primary key), 20-60 times the few microseconds of one `write(2)` to an append-only file, and the
engine answers a few hundred questions a second. So each answer is one JSON line written with
`os.write` on an `O_APPEND` descriptor the moment it arrives (from then on a kill -9 of the process
cannot lose it: it is in the kernel), `fsync`ed at most every `sync_every_s` while answers keep
coming and at the end (a power cut costs at most that window). The cache itself is still written in
batches (`AnswerCache.flush`).

Lifecycle: `enrich_leads` opens one journal per run (`<warehouse>.answers/<run_id>.jsonl`, mode 0600:
it holds emails), and removes it once the run's tables are published. A journal left behind is a
run that died; `recover` merges it into `waterfall.cache` at the next start, and records what that
run paid (its provenance rows and an `interrupted` row in `waterfall.runs`, under the run id
`<run_id>:interrupted`, so a later run reusing the id cannot replace it), all in one transaction,
then deletes the file. A run killed after it published is already in the ledger: only its answers
are merged again (a no-op). Lines about a person a provider reported as erased (a `discard` line), or
whose SIREN or email has been put on the suppression list since, are not merged. A journal still
locked (`flock`) belongs to a live run and is left alone; a torn last line is skipped and counted.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from firmo.compliance.suppression import SuppressionIndex
from firmo.db import registered, transaction
from firmo.files import fsync_dir
from firmo.sqlfiles import load_sql

SUFFIX = ".answers"
_SAFE = re.compile(r"[^A-Za-z0-9._-]+")
_TIMES = ("fetched_at", "expires_at")


def journal_dir(con: duckdb.DuckDBPyConnection) -> Path | None:
    """`<warehouse file>.answers/`, or None for an in-memory database (nothing to survive)."""
    row = con.execute("SELECT path FROM duckdb_databases() WHERE database_name = current_database()").fetchone()
    if not row or not row[0] or row[0] == ":memory:":
        return None
    return Path(str(row[0]) + SUFFIX)


class AnswerJournal:
    """One run's append-only journal. `append` takes a cache row (see `CacheEntry.row`)."""

    def __init__(
        self, directory: Path, run_id: str, icp: str | None, started_at: datetime, *, sync_every_s: float = 0.2
    ) -> None:
        self.path = directory / f"{_SAFE.sub('_', run_id)}.jsonl"
        self.run_id, self.icp, self.started_at = run_id, icp, started_at
        self.sync_every_s = sync_every_s
        self.lines = 0
        self._fd: int | None = None
        self._synced = 0.0
        self._dirty = False

    def open(self) -> AnswerJournal:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            raise RuntimeError(f"{self.path}: another live run holds this answer journal") from None
        self._fd = fd
        self._write({"run": {"run_id": self.run_id, "icp": self.icp, "started_at": self.started_at.isoformat()}})
        os.fsync(fd)
        fsync_dir(self.path.parent)
        self._synced = time.monotonic()
        return self

    def _write(self, record: dict[str, Any]) -> None:
        if self._fd is None:
            return
        os.write(self._fd, (json.dumps(record, default=str, separators=(",", ":")) + "\n").encode())
        self._dirty = True
        now = time.monotonic()
        if now - self._synced >= self.sync_every_s:
            os.fsync(self._fd)
            self._synced, self._dirty = now, False

    def append(self, row: dict[str, Any]) -> None:
        """One answer, on disk before this returns (kill-safe); fsynced within `sync_every_s`."""
        self._write({"a": {k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in row.items()}})
        self.lines += 1

    def discard(self, siren: str) -> None:
        """A provider said this person asked for erasure: recovery must not merge their answers."""
        self._write({"discard": siren})

    def close(self, *, remove: bool) -> None:
        """Sync and release; `remove` once the run's tables are published (its answers are in the cache)."""
        if self._fd is None:
            return
        fd, self._fd = self._fd, None
        try:
            if self._dirty:
                os.fsync(fd)
            if remove:
                self.path.unlink(missing_ok=True)
                fsync_dir(self.path.parent)
        finally:
            os.close(fd)  # closing releases the flock


@dataclass(frozen=True)
class Recovered:
    """What `recover` merged: journals (= killed runs), answers, and lines not merged (why)."""

    journals: int = 0
    answers: int = 0
    credits: float = 0.0
    erased: int = 0  # answers about someone erased or suppressed since
    torn: int = 0  # unreadable lines (the last one of a killed write)

    def __add__(self, other: Recovered) -> Recovered:
        return Recovered(
            self.journals + other.journals,
            self.answers + other.answers,
            round(self.credits + other.credits, 6),
            self.erased + other.erased,
            self.torn + other.torn,
        )


_TEXT = ("provider", "field", "input_key", "status")
_KEYS = (*_TEXT, "siren", "email", "value", "confidence", "raw_status", "extra", "credits", *_TIMES)


def _answer(record: Any) -> dict[str, Any] | None:
    """The answer of a journal line, or None when the line is not one we wrote (skipped, counted)."""
    a = record.get("a") if isinstance(record, dict) else None
    if not isinstance(a, dict) or any(k not in a for k in _KEYS):
        return None
    if not all(isinstance(a[k], str) for k in _TEXT) or not isinstance(a["credits"], int | float):
        return None
    try:
        for k in _TIMES:
            datetime.fromisoformat(a[k])
    except (TypeError, ValueError):
        return None
    return a


def _read(path: Path) -> tuple[dict[str, Any], list[dict[str, Any]], set[str], int]:
    header: dict[str, Any] = {}
    answers: list[dict[str, Any]] = []
    discarded: set[str] = set()
    torn = 0
    for raw in path.read_bytes().splitlines():
        try:
            record = json.loads(raw)
        except ValueError:
            torn += 1
            continue
        answer = _answer(record)
        if answer is not None:
            answers.append(answer)
        elif not isinstance(record, dict) or "a" in record:
            torn += 1
        elif "discard" in record:
            discarded.add(str(record["discard"]))
        elif "run" in record and isinstance(record["run"], dict):
            header = record["run"]
        else:
            torn += 1
    return header, answers, discarded, torn


def _frames(
    header: dict[str, Any], answers: list[dict[str, Any]], run_id: str, record_run: bool
) -> tuple[pl.DataFrame, pl.DataFrame | None, pl.DataFrame | None]:
    from waterfall.cache import CACHE_SCHEMA
    from waterfall.provenance import PROVENANCE_SCHEMA, RUN_SCHEMA

    rows = [{**a, **{k: datetime.fromisoformat(a[k]) for k in _TIMES}} for a in answers]
    cache = pl.DataFrame(rows, schema=CACHE_SCHEMA)
    if not record_run:
        return cache, None, None
    icp = header.get("icp")
    provenance = pl.DataFrame(
        [
            {
                "run_id": run_id,
                "icp": icp,
                "siren": r["siren"],
                "field": r["field"],
                "provider": r["provider"],
                "value": r["value"],
                "email": r["email"],
                "status": r["status"],
                "raw_status": r["raw_status"],
                "confidence": r["confidence"],
                "credits": r["credits"],
                "from_cache": False,
                "reason": "recovered: the run was killed before it finished",
                "asked_at": r["fetched_at"],
            }
            for r in rows
        ],
        schema=PROVENANCE_SCHEMA,
    )
    credits: dict[str, float] = {}
    hits: dict[str, int] = {}
    for r in rows:
        credits[r["provider"]] = round(credits.get(r["provider"], 0.0) + float(r["credits"] or 0), 6)
        if r["value"] is not None and r["status"] != "invalid":
            hits[r["provider"]] = hits.get(r["provider"], 0) + 1
    started = datetime.fromisoformat(header["started_at"]) if header.get("started_at") else None
    times = [r["fetched_at"] for r in rows]
    started = started or (min(times) if times else datetime.now())
    run = pl.DataFrame(
        [
            {
                "run_id": run_id,
                "icp": icp,
                "started_at": started,
                "finished_at": max(times, default=started),
                "leads": len({r["siren"] for r in rows}),
                "blocked": 0,
                "credits_by_provider": json.dumps(dict(sorted((k, v) for k, v in credits.items() if v))),
                "calls_by_provider": "{}",
                "hits_by_provider": json.dumps(dict(sorted(hits.items()))),
                "status": "interrupted",
                "breakers": "{}",
                "kept_by_field": "{}",
                "failed_questions": 0,
            }
        ],
        schema=RUN_SCHEMA,
    )
    return cache, provenance, run


def _recover_one(con: duckdb.DuckDBPyConnection, path: Path, index: SuppressionIndex) -> Recovered:
    header, answers, discarded, torn = _read(path)
    run_id = str(header.get("run_id") or path.stem)
    kept, erased = [], 0
    for a in answers:
        person = {"siren": a.get("siren"), "email": a.get("email")}
        if a.get("siren") in discarded or (index.reason(person) or "").startswith("suppressed"):
            erased += 1
        else:
            kept.append(a)
    known = con.execute("SELECT count(*) FROM waterfall.runs WHERE run_id = ?", [run_id]).fetchall()[0][0]
    cache, provenance, run = _frames(header, kept, f"{run_id}:interrupted", record_run=not known)
    with transaction(con):
        with registered(con, "__wf_cache_rows", cache):
            con.execute(load_sql("waterfall/cache_recover"))
        if provenance is not None and run is not None:
            with registered(con, "__wf_provenance", provenance), registered(con, "__wf_run", run):
                con.execute(load_sql("waterfall/record_run"))
    path.unlink(missing_ok=True)
    return Recovered(1, len(kept), round(sum(float(a["credits"] or 0) for a in kept), 6), erased, torn)


def recover(con: duckdb.DuckDBPyConnection, directory: Path | None = None) -> Recovered:
    """Merge every journal a dead run left (see the module docstring); returns what was merged."""
    from waterfall.cache import ensure_tables

    directory = directory if directory is not None else journal_dir(con)
    if directory is None or not directory.is_dir():
        return Recovered()
    ensure_tables(con)
    total = Recovered()
    index: SuppressionIndex | None = None
    for path in sorted(directory.glob("*.jsonl")):
        fd = os.open(path, os.O_RDONLY)
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                continue  # a live run's journal
            index = index or SuppressionIndex.load(con)
            total = total + _recover_one(con, path, index)
        finally:
            os.close(fd)
    with contextlib.suppress(OSError):
        fsync_dir(directory)
    return total
