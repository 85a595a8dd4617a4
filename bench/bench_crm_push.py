"""Benchmark: N new leads (one company each) pushed to each loopback CRM (tests/crm/fake_*.py)
through the real clients while the fake enforces that CRM's documented limit, then an immediate
re-run, which must make no write call.

    .venv/bin/python bench/bench_crm_push.py [--crm hubspot|salesforce|pipedrive ...] [--leads 10000]
        [--pipedrive-leads N] [--hubspot-per-10s 190] [--pipedrive-requests 40] [--pipedrive-searches 10]

The limits (crm_sync.md):
* HubSpot §1.8: a rolling burst window per app, 190 requests / 10 s (Professional and Enterprise;
  100 on Free / Starter); the fake answers 429 TEN_SECONDLY_ROLLING beyond it. A lead costs its
  share of three batch calls (companies, contacts, associations: 100 a call) and one note.
* Salesforce §2.5: no per-second rate; the limit is the org's API requests per rolling 24 h
  (100,000 + 1,000 a licence on Enterprise), enforced by the fake (403 REQUEST_LIMIT_EXCEEDED past
  `--salesforce-allocation`). What matters is API calls per lead: throughput against a rate does
  not apply, the share of the daily allocation a run spends does.
* Pipedrive §3.6: a rolling 2-s window per token (40 requests on Growth) and 10 searches / 2 s;
  no batch endpoint. The read-back of the empty CRM runs first (its calls printed apart), so the
  push knows no record exists and searches none: a new lead is 4 calls (organisation, person,
  lead, note) and the request window binds. `--pipedrive-no-pull` leaves the read-back out: a new
  lead is then 6 calls, 2 of them searches, and the search window binds (at 5 searches/s, 10,000
  new leads take about an hour: `--pipedrive-leads` runs fewer).

Per CRM it prints the wall time, leads/s, API calls per lead, throughput against the binding
limit (calls/s over the allowed rate; target >= 0.9), the 429s received, the re-run's calls and
write calls (expected 0 and 0), and the peak RSS of the process so far.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from datetime import datetime
from pathlib import Path

import duckdb

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

FIRST, AGAIN = datetime(2026, 12, 1), datetime(2026, 12, 2)


def _leads(n: int):
    from tests.crm.conftest import frame, lead

    sirens = [f"{100000000 + i * 7:09d}" for i in range(n)]
    rows = [
        lead(siren=s, siret=f"{s}00011", email=f"p{i}@c{i}.fr", last_name=f"N{i}", website_domain=f"c{i}.fr")
        for i, s in enumerate(sirens)
    ]
    return sirens, frame(*rows)


def _warehouse(sirens: list[str]) -> duckdb.DuckDBPyConnection:
    from firmo.db import ensure_schemas
    from tests.crm.conftest import registry

    con = duckdb.connect(":memory:")
    ensure_schemas(con)
    registry(con, {s: (True, True) for s in sirens})
    return con


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def _line(crm: str, n: int, seconds: float, calls: int, ratio: float | None, limit: str, **extra: object) -> None:
    against = f"{ratio:.2f} of {limit}" if ratio is not None else f"n/a ({limit})"
    more = "  ".join(f"{k.replace('_', ' ')} {v}" for k, v in extra.items())
    print(
        f"{crm:10s} {n:6,} leads  {seconds:7.1f} s  {n / seconds:7.1f} leads/s  {calls:6,} calls "
        f"({calls / n:.3f}/lead)  throughput {against}  {more}  peak RSS {_rss_mb():.0f} MB",
        flush=True,
    )


def bench_hubspot(n: int, per_10s: int) -> None:
    from firmo.crm import HubSpotClient, push_hubspot
    from tests.crm.fake_hubspot import TOKEN, FakeHubSpot

    sirens, leads = _leads(n)
    con = _warehouse(sirens)
    with (
        FakeHubSpot(burst=(per_10s, 10.0)) as fake,
        HubSpotClient(TOKEN, base_url=fake.url, requests_per_10s=per_10s) as client,
    ):
        started = time.perf_counter()
        report = push_hubspot(leads, con=con, client=client, now=FIRST)
        seconds = time.perf_counter() - started
        calls = len(fake.requests)
        fake.requests.clear()
        again = push_hubspot(leads, con=con, client=client, now=AGAIN)
        rerun = list(fake.requests)
    assert report.companies == report.contacts == report.notes == n and not report.errors, report
    assert again.skipped_unchanged == n, again
    writes = [r for r in rerun if r[0] in ("POST", "PUT", "PATCH") and not r[1].endswith(("/search", "/batch/read"))]
    _line(
        "hubspot",
        n,
        seconds,
        calls,
        calls / seconds / (per_10s / 10),
        f"{per_10s}/10 s",
        answered_429=fake.throttled,
        rerun_calls=len(rerun),
        rerun_writes=len(writes),
    )


def bench_salesforce(n: int, allocation: int) -> None:
    from firmo.crm.push_salesforce import push_salesforce
    from firmo.crm.salesforce_api import SalesforceClient
    from tests.crm.fake_salesforce import CLIENT_ID, USERNAME, FakeSalesforce
    from tests.crm.test_salesforce_push import KEY, PEM

    sirens, leads = _leads(n)
    con = _warehouse(sirens)
    with (
        FakeSalesforce(KEY.public_key(), write_allowance=allocation) as fake,
        SalesforceClient(
            client_id=CLIENT_ID, username=USERNAME, private_key=PEM, login_url=fake.url, poll_interval=0.05
        ) as sf,
    ):
        started = time.perf_counter()
        report = push_salesforce(leads, con=con, client=sf, now=FIRST)
        seconds = time.perf_counter() - started
        calls = len(fake.requests)
        fake.requests.clear()
        again = push_salesforce(leads, con=con, client=sf, now=AGAIN)
        rerun_calls, rerun_writes = len(fake.requests), len(fake.writes())
    assert report.recorded == n and not report.stopped, report
    assert again.skipped_unchanged == n, again
    _line(
        "salesforce",
        n,
        seconds,
        calls,
        None,
        f"no per-second rate; {calls / allocation:.2%} of a {allocation:,}-call daily allocation",
        bulk_jobs=report.bulk_jobs,
        rerun_calls=rerun_calls,
        rerun_writes=rerun_writes,
    )


def bench_pipedrive(n: int, requests: int, searches: int, *, pull_first: bool = True) -> None:
    from firmo.crm.pipedrive_api import PipedriveClient
    from firmo.crm.push_pipedrive import push_pipedrive
    from firmo.crm.readback_pipedrive import pull_pipedrive
    from tests.crm.fake_pipedrive import TOKEN, FakePipedrive

    sirens, leads = _leads(n)
    con = _warehouse(sirens)
    with (
        FakePipedrive(burst=(requests, searches), page_size=500) as fake,
        PipedriveClient(TOKEN, base_url=fake.url, requests_per_2s=requests, searches_per_2s=searches) as client,
    ):
        pull_calls = 0
        if pull_first:  # the read-back of the (empty) CRM, as the crm_accounts asset runs before an export
            pull_pipedrive(con, client, now=FIRST)
            pull_calls = len(fake.requests)
            fake.requests.clear()
        started = time.perf_counter()
        report = push_pipedrive(leads, con=con, client=client, now=FIRST)
        seconds = time.perf_counter() - started
        calls = len(fake.requests)
        found = sum(1 for _, p, _, _ in fake.requests if "search" in p.lower())
        fake.requests.clear()
        again = push_pipedrive(leads, con=con, client=client, now=AGAIN)
        rerun_calls, rerun_writes = len(fake.requests), len(fake.writes())
    assert report.pushed == n and again.skipped_unchanged == n, (report, again)
    call_ratio = calls / seconds / (requests / 2)
    search_ratio = found / seconds / (searches / 2)
    binding = "searches" if search_ratio >= call_ratio else "requests"
    _line(
        "pipedrive",
        n,
        seconds,
        calls,
        max(call_ratio, search_ratio),
        f"{searches if binding == 'searches' else requests} {binding}/2 s",
        read_back_first=f"{pull_calls} calls" if pull_first else "no",
        searches_per_lead=f"{found / n:.2f}",
        tokens_per_lead=f"{report.tokens_spent / n:.1f}",
        answered_429=fake.throttled,
        rerun_calls=rerun_calls,
        rerun_writes=rerun_writes,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--crm", action="append", choices=("hubspot", "salesforce", "pipedrive"))
    parser.add_argument("--leads", type=int, default=10_000)
    parser.add_argument("--pipedrive-leads", type=int, default=None, help="default: --leads")
    parser.add_argument("--hubspot-per-10s", type=int, default=190)
    parser.add_argument("--salesforce-allocation", type=int, default=100_000)
    parser.add_argument("--pipedrive-requests", type=int, default=40)
    parser.add_argument("--pipedrive-searches", type=int, default=10)
    parser.add_argument(
        "--pipedrive-no-pull", action="store_true", help="no read-back before the push: every new record is searched"
    )
    args = parser.parse_args()
    for crm in args.crm or ("hubspot", "salesforce", "pipedrive"):
        if crm == "hubspot":
            bench_hubspot(args.leads, args.hubspot_per_10s)
        elif crm == "salesforce":
            bench_salesforce(args.leads, args.salesforce_allocation)
        else:
            bench_pipedrive(
                args.pipedrive_leads or args.leads,
                args.pipedrive_requests,
                args.pipedrive_searches,
                pull_first=not args.pipedrive_no_pull,
            )


if __name__ == "__main__":
    main()
