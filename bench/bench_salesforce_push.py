"""Benchmark: push N leads to the loopback Salesforce (tests/crm/fake_salesforce.py), through
sObject Collections (threshold above N) and through Bulk API 2.0 jobs (threshold 2,000), then
re-run at once.

    .venv/bin/python bench/bench_salesforce_push.py [--leads 10000]

Salesforce sets no per-second rate (crm_sync.md §2.5): the limit is the org's 24 h allocation of
API requests (e.g. 150,000 on the fixtures' /limits), so what matters is API calls per lead; the
script prints them, the wall time, leads/s against the fake, and the write calls of the re-run
(expected 0).
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

DAILY_ALLOCATION = 150_000  # the §4 fixture's DailyApiRequests.Max


def main() -> None:
    from firmo.crm.push_salesforce import push_salesforce
    from firmo.crm.salesforce_api import SalesforceClient
    from firmo.db import ensure_schemas
    from tests.crm.conftest import frame, lead, registry
    from tests.crm.fake_salesforce import CLIENT_ID, USERNAME, FakeSalesforce
    from tests.crm.test_salesforce_push import KEY, PEM

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--leads", type=int, default=10_000)
    n = parser.parse_args().leads
    sirens = [f"{100000000 + i * 7:09d}" for i in range(n)]
    leads = frame(
        *[lead(siren=s, siret=f"{s}00011", email=f"p{i}@c{i}.fr", last_name=f"N{i}") for i, s in enumerate(sirens)]
    )
    print(f"{n:,} leads, one company each")
    for label, threshold in (("collections", n + 1), ("bulk 2.0", 2000)):
        con = duckdb.connect(":memory:")
        ensure_schemas(con)
        registry(con, {s: (True, True) for s in sirens})
        with (
            FakeSalesforce(KEY.public_key()) as fake,
            SalesforceClient(
                client_id=CLIENT_ID,
                username=USERNAME,
                private_key=PEM,
                login_url=fake.url,
                bulk_threshold=threshold,
                poll_interval=0.05,
            ) as sf,
        ):
            started = time.perf_counter()
            report = push_salesforce(leads, con=con, client=sf, now=datetime(2026, 12, 1))
            seconds = time.perf_counter() - started
            calls = len(fake.requests)
            fake.requests.clear()
            again = push_salesforce(leads, con=con, client=sf, now=datetime(2026, 12, 2))
            rerun_writes = len(fake.writes())
        assert report.recorded == n and again.skipped_unchanged == n, (report, again)
        print(
            f"{label:12s} {seconds:7.1f} s  {n / seconds:8,.0f} leads/s  {calls:5,} API calls "
            f"({calls / n:.3f} per lead; {DAILY_ALLOCATION * n // max(calls, 1):,} leads per daily allocation of "
            f"{DAILY_ALLOCATION:,})  bulk jobs {report.bulk_jobs}  re-run write calls {rerun_writes}"
        )
        con.close()


if __name__ == "__main__":
    main()
