"""Benchmark: push N new leads to the loopback Pipedrive (tests/crm/fake_pipedrive.py) while the
fake enforces Pipedrive's burst limits (a rolling 2-s window: 40 requests for an API token on
Growth, 10 searches, crm_sync.md §3.6), then re-run at once.

    .venv/bin/python bench/bench_pipedrive_push.py [--leads 200] [--requests 40] [--searches 10]

Pipedrive has no batch endpoint: a new lead is 7 calls, 2 of them searches, so the search window
binds. Prints wall time, calls and searches per second against the limits (the binding ratio,
target >= 0.9), 429s received, API calls and tokens per lead, the re-run's calls (expected 0), and
the cost of a run where every lead changed (updates through the id map: no search).
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import datetime
from pathlib import Path

import duckdb

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


def main() -> None:
    from firmo.crm.pipedrive_api import PipedriveClient
    from firmo.crm.push_pipedrive import push_pipedrive
    from firmo.db import ensure_schemas
    from tests.crm.conftest import frame, lead, registry
    from tests.crm.fake_pipedrive import TOKEN, FakePipedrive

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--leads", type=int, default=200)
    parser.add_argument("--requests", type=int, default=40, help="requests per 2 s (fake and client)")
    parser.add_argument("--searches", type=int, default=10, help="searches per 2 s (fake and client)")
    args = parser.parse_args()
    n = args.leads
    sirens = [f"{100000000 + i * 7:09d}" for i in range(n)]
    leads = frame(
        *[lead(siren=s, siret=f"{s}00011", email=f"p{i}@c{i}.fr", last_name=f"N{i}") for i, s in enumerate(sirens)]
    )
    con = duckdb.connect(":memory:")
    ensure_schemas(con)
    registry(con, {s: (True, True) for s in sirens})
    with (
        FakePipedrive(burst=(args.requests, args.searches), page_size=500) as fake,
        PipedriveClient(
            TOKEN, base_url=fake.url, requests_per_2s=args.requests, searches_per_2s=args.searches
        ) as client,
    ):
        started = time.perf_counter()
        report = push_pipedrive(leads, con=con, client=client, now=datetime(2026, 12, 1))
        seconds = time.perf_counter() - started
        calls = len(fake.requests)
        searches = sum(1 for _, p, _, _ in fake.requests if "search" in p.lower())
        fake.requests.clear()
        again = push_pipedrive(leads, con=con, client=client, now=datetime(2026, 12, 2))
        rerun_calls = len(fake.requests)
        changed = leads.with_columns(score=leads["score"] + 1)  # every lead changed: updates only
        started = time.perf_counter()
        updated = push_pipedrive(changed, con=con, client=client, now=datetime(2026, 12, 3))
        update_seconds = time.perf_counter() - started
        update_calls = len(fake.requests) - rerun_calls
    assert report.pushed == n and again.skipped_unchanged == n, (report, again)
    call_ratio = calls / seconds / (args.requests / 2)
    search_ratio = searches / seconds / (args.searches / 2)
    print(
        f"{n:,} new leads in {seconds:.1f} s ({n / seconds:.2f} leads/s); {calls:,} calls "
        f"({calls / n:.2f} per lead), {searches:,} searches; {fake.throttled} answered 429"
    )
    print(
        f"calls {calls / seconds:.1f}/s of {args.requests / 2:.0f}/s ({call_ratio:.2f}); searches "
        f"{searches / seconds:.2f}/s of {args.searches / 2:.0f}/s ({search_ratio:.2f}); "
        f"binding ratio {max(call_ratio, search_ratio):.2f}"
    )
    print(
        f"{report.tokens_spent:,} API tokens ({report.tokens_spent / n:.1f} per lead); "
        f"re-run: {rerun_calls} calls, {again.skipped_unchanged:,} unchanged"
    )
    print(
        f"all {n:,} changed: {updated.pushed:,} updated in {update_seconds:.1f} s, {update_calls / n:.2f} calls "
        f"and {updated.tokens_spent / n:.1f} tokens per lead, {updated.organizations_created} organisations created"
    )


if __name__ == "__main__":
    main()
