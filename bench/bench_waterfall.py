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

import duckdb
import httpx
import psutil

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from firmo import db  # noqa: E402
from waterfall.config import WaterfallConfig, from_mapping  # noqa: E402
from waterfall.enrich import EnrichReport, build_providers, enrich_leads  # noqa: E402
from waterfall.fake import FakeConfig, FakeServer, ProviderBehaviour  # noqa: E402
from waterfall.fake.vendor import base_path  # noqa: E402
from waterfall.providers.base import Field  # noqa: E402

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


# -- --order-study: the order from evidence (waterfall/stats.py) and the job-change re-check ---------
# Fifteen stand-in vendors (every adapter of the registry, in process through ASGI: no rate limit,
# no latency, the study counts credits, not seconds) with distinct hit rates; their prices are each
# vendor's own as the fakes bill them.
STUDY_HIT = {"findymail": 0.25, "icypeas": 0.35, "enrow": 0.3, "leadmagic": 0.3, "datagma": 0.25, "prospeo": 0.4,
             "hunter": 0.45, "lusha": 0.35, "pdl": 0.3, "rocketreach": 0.35, "kaspr": 0.3, "apollo": 0.45,
             "dropcontact": 0.5, "fullenrich": 0.6}  # fmt: skip


def study_config(email: list[str], naive: bool = False, stop_on_risky: bool = False, rule=None,
                 probe: bool = False, verify=None) -> WaterfallConfig:
    """The chain `email` (plus the default verify chain), no rate limit or budget; `naive`: never stop
    (`probe`: and verify the risky addresses, the verify chain's evidence for the replay); `rule`: the
    email chain's own stop rule (a waterfall.replay.Rule, as field_stop.email); `verify`: the verify
    chain instead of the default one (a waterfall.replay.VerifyChain, as order.verify and
    verify_skip_on_accept_all)."""
    from waterfall.config import load_config

    providers = {name: {"rps": None, "rpm": None, "concurrency": 64, "timeout_s": 30.0, "poll_interval_s": 0.001,
                        "retries": {"attempts": 2, "backoff_s": 0.0, "max_backoff_s": 0.0}} for name in STUDY_HIT}
    data = {"order": {"domain": [], "email": email, "verify": list(load_config().chain(Field.VERIFY)), "phone": [],
                      "people": []},
            "lead_concurrency": 256, "budget": {"per_lead": None, "per_run": None}, "providers": providers}  # fmt: skip
    if naive:  # every vendor asked, the first address found kept
        data["stop"] = {"stop_on": ["unknown"], "fallback": ["valid", "risky"], "verify": ["risky"] if probe else []}
    elif stop_on_risky:  # an accept-all domain answers risky to every vendor: the first risky ends the chain
        data["stop"] = {"stop_on": ["valid", "risky"], "fallback": [], "verify": ["risky"]}
    if verify is not None:
        data["order"]["verify"] = list(verify.order)
        data["verify_skip_on_accept_all"] = sorted(verify.skip_on_accept_all)
    if rule is not None:
        data["field_stop"] = {"email": {"stop_on": sorted(rule.stop_on), "fallback": sorted(rule.fallback),
                                        "verify": sorted(rule.verify)}}  # fmt: skip
    return from_mapping(data)


def study_naive(email: list[str]) -> WaterfallConfig:
    return study_config(email, naive=True)


async def study_run(con, cfg: WaterfallConfig, fake: FakeConfig, run_id: str):
    from waterfall.fake import build_app

    app = build_app(fake)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://fake", timeout=60) as c:
        providers = build_providers(cfg, c, fake.env(), {n: "http://fake" + base_path(n) for n in STUDY_HIT},
                                    poll_interval=0.0, poll_timeout=10.0)  # fmt: skip
        report = await enrich_leads(con, "bench", cfg, providers, run_id=run_id)
        checked = await fair_checks(con, cfg, providers)
    return report, app.state.fake.stats(), checked


async def fair_checks(con, cfg: WaterfallConfig, providers) -> tuple[int, int]:
    """FullEnrich's price includes verifying every address it returns: a risky address this chain kept
    unverified is checked now through the verify chain (its credits land in the fake's bill), and
    one verified invalid is no longer counted found. (checked, invalid)."""
    from waterfall.providers.base import Status
    from waterfall.verdicts import chain_reading, says_accept_all

    if cfg.stop_rule(Field.EMAIL).verify & {Status.RISKY} or cfg.stop_rule(Field.EMAIL).stop_on == {Status.UNKNOWN}:
        return 0, 0  # verified by the chain already (or the every-vendor baseline, never verified)
    risky = con.execute("SELECT siren, email FROM leads.bench_enriched WHERE email_status = 'risky'").fetchall()
    bad = 0
    for siren, email in risky:
        heard: list = []
        for name in cfg.chain(Field.VERIFY):  # read as engine._verify reads the chain
            if name in cfg.verify_skip_on_accept_all and any(says_accept_all(a) for a in heard):
                continue
            answer = await providers[name].verify_email(email)
            status = chain_reading(answer, getattr(providers[name], "boolean_verdict", False), heard)
            heard.append(answer)
            if status in (Status.VALID, Status.INVALID):
                if status is Status.INVALID:
                    bad += 1
                    con.execute("UPDATE leads.bench_enriched SET email = NULL WHERE siren = ?", [siren])
                break
    return len(risky), bad


def study_leads(con, n: int, offset: int) -> None:
    make_leads(con, n + offset)
    con.execute("DELETE FROM leads.bench WHERE rank <= $o OR website_domain IS NULL", {"o": offset})


def found_emails(con, valid_only: bool = False) -> set[str]:
    where = "email IS NOT NULL" + (" AND email_status = 'valid'" if valid_only else "")
    return {r[0] for r in con.execute(f"SELECT siren FROM leads.bench_enriched WHERE {where}").fetchall()}


def order_study(probe: int, test: int, contacts: int, budget: float) -> None:
    from waterfall import stats
    from waterfall.config import DEFAULT_PATH, load_config

    fake = FakeConfig(providers={n: ProviderBehaviour(hit_rate=r, phone_rate=0.4) for n, r in STUDY_HIT.items()})
    default = [n for n in load_config().chain(Field.EMAIL)]
    print(f"default email order: {', '.join(default)}")
    with tempfile.TemporaryDirectory() as tmp:
        # 1. evidence: ask every vendor about `probe` leads (never stop)
        con = db.connect(Path(tmp) / "probe.duckdb")
        study_leads(con, probe, 0)
        t0 = time.perf_counter()
        asyncio.run(study_run(con, study_config(default, naive=True, probe=True), fake, "probe"))  # verifies risky
        print(f"probe: every vendor asked about {probe:,} leads in {time.perf_counter() - t0:.1f} s")
        print(stats.render([r for r in stats.collect(con) if r.field == "email"]))
        sirens = [s for (s,) in con.execute("SELECT siren FROM leads.bench").fetchall()]
        t0 = time.perf_counter()
        cfg0 = load_config()
        sug = stats.suggest(con, sirens, default, DEFAULT_PATH.read_text(encoding="utf-8"), by=None,
                            verify=cfg0.chain(Field.VERIFY), verify_skip=cfg0.verify_skip_on_accept_all)  # fmt: skip
        print(sug.render())
        print(f"suggestion (replay and search) in {time.perf_counter() - t0:.1f} s")
        indep = stats.best_order(default, stats.estimates(stats.collect(con), "email", {"all": 1.0}))
        con.close()
        # 2. the default order, the suggested one and every vendor on `test` other leads
        figures = {}
        for label, cfg in (("default", study_config(default)),
                           ("independent formula", study_config(indep)),
                           ("default, stop on risky", study_config(default, stop_on_risky=True)),
                           ("suggested, default verify", study_config(sug.suggested, rule=sug.rule)),
                           ("suggested (replayed)", study_config(sug.suggested, rule=sug.rule, verify=sug.verify)),
                           ("every vendor", study_naive(default))):  # fmt: skip
            con = db.connect(Path(tmp) / f"{label.replace(' ', '_')}.duckdb")
            study_leads(con, test, probe)
            t0 = time.perf_counter()
            _, billed, checked = asyncio.run(study_run(con, cfg, fake, label))
            if checked[0]:
                print(f"{label}: {checked[0]:,} risky addresses kept unverified checked afterwards, as FullEnrich's "
                      f"price would, {checked[1]:,} invalid")
            spent = sum(v["credits_used"] for v in billed.values())
            per_vendor = sorted(((v["credits_used"], n) for n, v in billed.items() if v["credits_used"]), reverse=True)
            checks = {n: billed.get(n, {}).get("calls", {}).get(r, 0)
                      for n, r in (("hunter", "GET /email-verifier"), ("findymail", "POST /verify"))}  # fmt: skip
            print(f"{label}: credits billed per vendor: " + ", ".join(f"{n} {c:,.1f}" for c, n in per_vendor)
                  + f"; verifications: hunter {checks['hunter']:,} (0.5 each), findymail {checks['findymail']:,} (1 each)")
            figures[label] = (spent, found_emails(con), found_emails(con, True), time.perf_counter() - t0)
            con.close()
        base, base_valid = figures["every vendor"][1], figures["every vendor"][2]
        for label, (spent, found, valid, secs) in figures.items():
            print(f"{label:>24}: {spent:,.1f} credits, {len(found):,} emails found ({len(valid):,} valid), "
                  f"{spent / max(len(found), 1):.3f} credits per found email ({spent / max(len(valid), 1):.3f} per valid); "
                  f"coverage {len(found & base) / max(len(base), 1):.1%} of every vendor's {len(base):,} emails, "
                  f"{len(valid & base_valid) / max(len(base_valid), 1):.1%} of its {len(base_valid):,} valid ({secs:.1f} s)")  # fmt: skip
    recheck_study(contacts, budget)


def recheck_study(contacts: int, budget: float) -> None:
    from datetime import date, datetime

    from waterfall.fake import build_app
    from waterfall.fake.world import Careers, World
    from waterfall.providers.registry import PROVIDERS, build_provider
    from waterfall.recheck import Subject, recheck

    # everyone is held as "Gérant" (the registry's role) and the stand-ins say so for whoever did not
    # change, some in their own words, as real vendors reword a title: a promotion is a new role
    careers = Careers(move_rate=0.12, promotion_rate=0.05, side_role_rate=0.03, today=date(2026, 12, 1),
                      held_title="Gérant", spellings=(("rocketreach", "Managing Director"), ("apollo", "GERANT"),
                                                      ("leadmagic", "CEO")))  # fmt: skip
    fake = FakeConfig(providers={n: ProviderBehaviour(hit_rate=r) for n, r in STUDY_HIT.items()}, careers=careers)
    world = World(fake.seed, fake.catch_all_rate, fake.invalid_rate, fake.forgotten_rate, careers)
    people = []
    for i in range(contacts):
        domain = f"entreprise-{i // 4}.fr"
        first, last = FIRST[i % 16], LAST[(i // 16) % 16] + ("" if i < 256 else f"-{i}")
        people.append(Subject(f"{200000000 + i // 4}", f"Entreprise {i // 4}", first, last, domain,
                              world.email_of(first, last, domain), "valid", careers.held_title, datetime(2025, 1, 1)))  # fmt: skip
    truth = {p.key: world.career(p.email or "") for p in people}  # what happened to each, by the world
    employer = sorted(n for n, spec in PROVIDERS.items() if spec.returns_employer)
    for month_budget in (budget, 2000.0):
        con = duckdb.connect()  # in memory (db.connect() without a path is the configured warehouse)
        db.ensure_schemas(con)

        async def go(con=con, month_budget=month_budget):
            app = build_app(fake)
            async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://fake") as c:
                # RocketReach polls its lookups: no 2 s waits between polls on loopback
                built = {n: build_provider(n, c, fake.env(), base_url="http://fake" + base_path(n), poll_interval=0.0)
                         for n in employer}  # fmt: skip
                verifier = build_provider("hunter", c, fake.env(), base_url="http://fake" + base_path("hunter"))
                report = await recheck(con, people, built, recheck_days=180, monthly_budget=month_budget,
                                       now=datetime(2026, 12, 1, 9), verifier=verifier)  # fmt: skip
            return report, app.state.fake.stats()

        t0 = time.perf_counter()
        report, billed = asyncio.run(go())
        spent = sum(billed[n]["credits_used"] for n in (*employer, "hunter"))
        print(f"re-check of {contacts:,} contacts, budget {month_budget:,.0f}: {report.checked:,} checked, "
              f"{report.not_reached:,} left for next month, {report.credits:,.1f} credits (the fakes billed {spent:,.1f}), "
              f"order {', '.join(report.providers)}, outcomes {report.outcomes}, {time.perf_counter() - t0:.1f} s")  # fmt: skip
        claimed = con.execute("SELECT kind, person_key FROM waterfall.job_changes").fetchall()
        known = {k for (k,) in con.execute("SELECT person_key FROM waterfall.rechecks WHERE outcome NOT IN "
                                           "('unknown', 'may_have_left') AND outcome NOT LIKE 'failed%'").fetchall()}  # fmt: skip
        for kind, happened in (("job_change_left", "moved"), ("job_change_joined", "moved"), ("promotion", "promoted")):
            got = {k for c, k in claimed if c == kind}
            real = {k for k, c in truth.items() if c is not None and c.kind == happened}
            hit = len(got & real)
            print(f"  {kind}: {len(got):,} claimed, {hit:,} true: precision {hit / max(len(got), 1):.1%}, recall "
                  f"{hit / max(len(real), 1):.1%} of the world's {len(real):,} ({hit / max(len(real & known), 1):.1%} "
                  f"of the {len(real & known):,} a vendor knew)")  # fmt: skip
        con.close()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--leads", type=int, default=10_000)
    ap.add_argument("--rps", type=float, default=30.0, help="every provider's rate limit (requests/s)")
    ap.add_argument("--latency-ms", type=float, default=50.0)
    ap.add_argument("--naive", type=int, default=2_000)
    ap.add_argument("--order-study", action="store_true",
                    help="only the order-from-evidence study and the job-change re-check (in process, no rate limits)")
    ap.add_argument("--probe", type=int, default=500, help="--order-study: leads every vendor is asked about")
    ap.add_argument("--test", type=int, default=2_000, help="--order-study: leads each order is measured on")
    ap.add_argument("--contacts", type=int, default=10_000, help="--order-study: contacts re-checked")
    ap.add_argument("--recheck-budget", type=float, default=12_000.0, help="--order-study: monthly re-check credits")
    args = ap.parse_args()
    if args.order_study:
        order_study(args.probe, args.test, args.contacts, args.recheck_budget)
        return
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
