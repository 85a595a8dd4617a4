"""Waterfall throughput, cache and credit efficiency against the loopback fake providers.

    .venv/bin/python bench/bench_waterfall.py [--leads 10000] [--rps 30] [--latency-ms 50] [--naive 2000]

  run 1     `enrich_leads` on N generated leads (20 % without a website domain) through the real HTTP
            adapters and `waterfall.fake.FakeServer` (latency, per-provider rate limits over a
            sliding 1 s window, slightly above ours so client-side jitter does not trip it).
            Throughput is compared with the most the configured rate limits allow for the calls
            this run needed: min over providers of rps_p / (calls_p / N). Target ratio >= 0.9.
            --rps is every provider's limit: 30/s by default, above every real vendor's (5-15/s in
            waterfall/default.yaml). Past about 300 HTTP requests/s in all, one process is CPU-bound
            in httpx/httpcore (2.5-3.3 ms of CPU per request here): --rps 100 measures that ceiling.
  re-run    the same leads at once: every answer must come from the cache (0 calls, 0 credits).
  naive     the first --naive leads on a fresh warehouse with a chain that never stops (every
            email provider asked): credits per found email, against the waterfall's.
Peak RSS: resource.ru_maxrss (the process peak) and psutil's RSS at the end.
Async bulk vendors (Dropcontact, FullEnrich) and `pattern` are left out of the chains: their
polls and candidate checks are extra requests per question (paced by the same per-account gate),
so they would blur the calls-per-lead bound.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import multiprocessing as mp
import resource
import sys
import tempfile
import time
from pathlib import Path

import httpx
import psutil

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from firmo import db  # noqa: E402
from waterfall.config import WaterfallConfig, from_mapping  # noqa: E402
from waterfall.enrich import EnrichReport, build_providers, enrich_leads  # noqa: E402
from waterfall.fake import FakeConfig, FakeServer, ProviderBehaviour  # noqa: E402
from waterfall.fake.vendor import base_path  # noqa: E402

EMAIL = ["findymail", "icypeas", "enrow", "prospeo", "hunter", "lusha", "apollo"]
POLLING = {"icypeas", "enrow", "dropcontact", "fullenrich"}
HIT = {"findymail": 0.3, "icypeas": 0.4, "enrow": 0.4, "prospeo": 0.45, "hunter": 0.45, "lusha": 0.35,
       "apollo": 0.4, "dropcontact": 0.5, "fullenrich": 0.6}
FIRST = ["Marie", "Jean", "Sophie", "Pierre", "Camille", "Nicolas", "Julie", "Thomas", "Anne", "Luc", "Claire",
         "Jean-Marc", "Élodie", "François", "Inès", "Hugo"]
LAST = ["Dupont", "Martin", "Bernard", "Durand", "Petit", "Leroy", "Moreau", "Fournier", "Girard", "Lefèvre",
        "Mercier", "Le Gall", "de la Tour", "Benali", "Nguyen", "Roux"]


def make_leads(con, n: int) -> None:
    con.execute("""CREATE OR REPLACE TABLE leads.bench AS
        SELECT 'bench' AS icp, i::INTEGER AS rank, lpad(CAST(100000000 + i AS VARCHAR), 9, '0') AS siren,
               NULL::VARCHAR AS siret, 'Entreprise ' || i AS company_name, 'Lyon' AS city,
               CASE WHEN i % 5 = 0 THEN NULL ELSE 'entreprise-' || i || '.fr' END AS website_domain,
               'person' AS officer_kind, $first[1 + i % 16] AS first_name, $last[1 + (i // 16) % 16] AS last_name,
               'Gérant' AS job_title, 50 AS score, 'warm' AS tier, 'O' AS statut_diffusion
        FROM range(1, $n + 1) t(i)""", {"n": n, "first": FIRST, "last": LAST})


def waterfall_config(rps: float, naive: bool = False) -> WaterfallConfig:
    providers = {name: {"rps": rps, "rpm": None, "concurrency": 24, "timeout_s": 10.0,
                        "retries": {"attempts": 4, "backoff_s": 0.05, "max_backoff_s": 1.0}} for name in HIT}
    data = {"order": {"domain": ["hunter"], "email": EMAIL, "verify": ["hunter"], "phone": ["lusha", "prospeo"]},
            "lead_concurrency": 512, "budget": {"per_lead": None, "per_run": None}, "providers": providers}
    if naive:  # never stop: every provider is asked, the first address found is kept
        data["stop"] = {"stop_on": ["unknown"], "fallback": ["valid", "risky"], "verify": []}
        data["order"] = {"email": EMAIL}
    return from_mapping(data)


def _serve(fake: FakeConfig, ports: mp.Queue, stop: mp.Event) -> None:
    with FakeServer(fake) as server:
        ports.put(server.port)
        stop.wait()


class RemoteFake:
    """The fake providers in a child process: their CPU is not this process's (real vendors are
    remote too), so the figures measure the engine, not the stand-in."""

    def __init__(self, fake: FakeConfig) -> None:
        self.fake, self._ports, self._stop = fake, mp.Queue(), mp.Event()
        self._proc = mp.Process(target=_serve, args=(fake, self._ports, self._stop), daemon=True)

    def __enter__(self) -> RemoteFake:
        self._proc.start()
        self.url = f"http://127.0.0.1:{self._ports.get(timeout=30)}"
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._proc.join(timeout=10)

    def base_url(self, provider: str) -> str:
        return self.url + base_path(provider)

    def stats(self) -> dict:
        return httpx.get(self.url + "/__fake/stats", timeout=30).json()


async def run(con, cfg: WaterfallConfig, server: RemoteFake, run_id: str) -> EnrichReport:
    async with contextlib.AsyncExitStack() as stack:
        def client_for(name: str) -> httpx.AsyncClient:  # one pool per provider, as run_enrichment does
            size = cfg.provider(name).concurrency
            client = httpx.AsyncClient(timeout=30.0, limits=httpx.Limits(max_connections=size,
                                                                         max_keepalive_connections=size))
            stack.push_async_callback(client.aclose)
            return client

        providers = build_providers(cfg, client_for, server.fake.env(), {n: server.base_url(n) for n in HIT},
                                    poll_interval=0.05, poll_timeout=10.0)
        return await enrich_leads(con, "bench", cfg, providers, run_id=run_id)


def email_credits(con, run_id: str) -> tuple[float, int]:
    credits = con.execute("SELECT coalesce(sum(credits), 0) FROM waterfall.provenance WHERE run_id = ? "
                          "AND field IN ('email', 'verify')", [run_id]).fetchall()[0][0]
    found = con.execute("SELECT count(email) FROM leads.bench_enriched").fetchall()[0][0]
    return float(credits), int(found)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--leads", type=int, default=10_000)
    ap.add_argument("--rps", type=float, default=30.0, help="every provider's rate limit (requests/s)")
    ap.add_argument("--latency-ms", type=float, default=50.0)
    ap.add_argument("--naive", type=int, default=2_000)
    args = ap.parse_args()
    try:
        import sniffio  # noqa: F401
    except ImportError:
        print("note: sniffio is not installed; httpcore then retries `import sniffio` on every request "
              "(~25 % of the client CPU in this bench), so throughput is CPU-bound")
    # the fake counts every request against its limit; async vendors (submit + polls) get room for
    # their polls, which the engine's per-question limiter does not see
    fake = FakeConfig(providers={n: ProviderBehaviour(hit_rate=r, phone_rate=0.4, latency_ms=args.latency_ms,
                                                      rate_limit_rps=args.rps * (4 if n in POLLING else 1.1))
                                 for n, r in HIT.items()})
    cfg = waterfall_config(args.rps)
    with tempfile.TemporaryDirectory() as tmp, RemoteFake(fake) as server:
        con = db.connect(Path(tmp) / "bench.duckdb")
        make_leads(con, args.leads)
        t0, cpu0 = time.perf_counter(), time.process_time()
        first = asyncio.run(run(con, cfg, server, "first"))
        elapsed = time.perf_counter() - t0
        calls = dict(first.stats.calls)
        paced = dict(first.paced_calls)  # the requests the limits bound (Icypeas/Enrow polls are outside them)
        bound = min(args.rps / (c / args.leads) for c in paced.values())
        throughput = args.leads / elapsed
        stats1 = server.stats()
        print(f"run 1: {args.leads:,} leads in {elapsed:.1f} s = {throughput:.1f} leads/s; rate-limit bound "
              f"{bound:.1f} leads/s; ratio {throughput / bound:.2f} (target >= 0.9)")
        print(f"  engine process CPU {time.process_time() - cpu0:.1f} s over {elapsed:.1f} s wall")
        print(f"  calls per provider (retries and polls included): {calls}; rate-limited ones: {paced}")
        print(f"  credits {first.credits:,.1f}; funnel {first.funnel}")
        seen = {n: (v["requests"], v["credits_used"], v["errors"]) for n, v in stats1.items() if v["requests"]}
        print(f"  fake server (requests, credits, errors): {seen}")
        wf_credits, wf_found = email_credits(con, "first")

        before = server.stats()
        t1 = time.perf_counter()
        again = asyncio.run(run(con, cfg, server, "again"))
        after = server.stats()
        print(f"re-run: {time.perf_counter() - t1:.1f} s, engine calls {sum(again.stats.calls.values())}, "
              f"credits {again.credits}, server stats unchanged: {before == after}")
        con.close()

    with tempfile.TemporaryDirectory() as tmp, RemoteFake(fake) as server:
        con = db.connect(Path(tmp) / "naive.duckdb")
        make_leads(con, args.naive)
        asyncio.run(run(con, waterfall_config(args.rps, naive=True), server, "naive"))
        nv_credits, nv_found = email_credits(con, "naive")
        con.close()
    print(f"credits per found email: waterfall {wf_credits / max(wf_found, 1):.2f} ({wf_found:,} found), "
          f"ask-every-provider {nv_credits / max(nv_found, 1):.2f} ({nv_found:,} found on {args.naive:,} leads)")
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS {peak_mb:.0f} MB (ru_maxrss); RSS at end {psutil.Process().memory_info().rss / 2**20:.0f} MB")


if __name__ == "__main__":
    main()
