"""Near-real-time intake speed (issue 18): a poll bringing 500 RNE records and 2,000 BODACC notices,
from the first byte fetched to the scores updated and to the last alert delivered to a fake Slack,
on the ICP benchmark's synthesised warehouse.

    .venv/bin/python bench/bench_poll.py [--companies 2000000] [--rne 500] [--bodacc 2000] [--keep]

Steps, in one process (peak RSS is the poll's, the synth runs in its own process first):
  synth      bench/bench_icp.py's warehouse (core.companies, core.signals, inpi.officers,
             core.latest_financials), then core.prospects (timed: the full rebuild the incremental
             step is compared with) and a 50,000-lead list (leads.bench_50k);
  poll       the stand-in RNE API and BODACC export (sources/*/fake.py, real HTTP on loopback)
             publish the records; `assets.poll.run_poll` fetches, applies (same loaders as the
             nightly path, cursors in the same transaction), re-derives the SIRENs touched, then
             evaluates the ICP's alert rules on them and posts each alert to the stand-in Slack
             incoming webhook (tests/alerts/fakes.py, real HTTP on loopback). The RNE records name
             a new officer dated the poll's day, half the BODACC `modification` notices are
             capital increases, so the rules have something to say. The ICP's silent baseline
             (its first evaluation, over the whole list) runs before the timed poll.
Output: bench/out/poll/report.json (git-ignored).
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))
OUT = REPO / "bench" / "out" / "poll"


def _peak_rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def synth_phase(db_file: Path, companies: int) -> dict:
    from bench_icp import AS_OF, synth

    from firmo import db
    from firmo.icp import build_leads, build_prospects, parse_icp, resolve

    started = time.perf_counter()
    counts = synth(db_file, companies)
    synth_s = time.perf_counter() - started
    icp = resolve(
        parse_icp(
            {"criteria": {"naf": {"include": ["J", "M"]}, "headcount": {"min": 1, "max": 249}}, "max_leads": 50_000},
            default_name="bench_50k",
        )
    )
    with db.connection(db_file) as con:
        started = time.perf_counter()
        prospects = build_prospects(con)
        prospects_s = time.perf_counter() - started
        started = time.perf_counter()
        leads = build_leads(con, icp, as_of=AS_OF, csv_dir=OUT / "leads")
        leads_s = time.perf_counter() - started
    return {
        "counts": counts,
        "synth_s": round(synth_s, 1),
        "prospects": prospects,
        "full_prospects_rebuild_s": round(prospects_s, 2),
        "leads": leads.rows,
        "leads_build_s": round(leads_s, 2),
    }


def poll_phase(db_file: Path, n_rne: int, n_bodacc: int) -> dict:
    import httpx
    from bench_icp import AS_OF
    from stdnum import luhn

    from assets.poll import PollAlerts, run_poll
    from firmo import db
    from firmo.alerts.channels import SlackChannel
    from firmo.alerts.run import run_alerts
    from firmo.icp import parse_icp, resolve
    from firmo.loopback import LoopbackServer
    from sources.bodacc.fake import FakeBodacc
    from sources.inpi.fake import FakeRne
    from sources.inpi.rne_client import RneClient
    from tests.alerts.fakes import SLACK_PATH, slack_app
    from tests.bodacc.conftest import ods_record

    icp = resolve(
        parse_icp(
            {
                "criteria": {"naf": {"include": ["J", "M"]}, "headcount": {"min": 1, "max": 249}},
                "max_leads": 50_000,
                "alerts": [
                    {"signal_types": ["new_decision_maker", "capital_increase", "business_bought"]},
                    {"enters_tier": "hot"},
                ],
            },
            default_name="bench_50k",
        )
    )
    sample = json.loads((REPO / "tests" / "fixtures" / "inpi" / "rne_companies_diff.json").read_text())[1]
    with db.connection(db_file) as con:
        # BODACC keeps only SIRENs with a valid check digit (most synthesised ones have none)
        candidates = [
            r[0]
            for r in con.execute(
                "SELECT siren FROM core.prospects ORDER BY hash(siren, 'poll') LIMIT ?", [20 * (n_rne + n_bodacc)]
            ).fetchall()
        ]
    valid = [s for s in candidates if luhn.is_valid(s)]
    sirens = valid[:n_rne] + valid[n_rne : n_rne + n_bodacc]
    day = AS_OF.isoformat()
    items = []
    for siren in sirens[:n_rne]:
        text = json.dumps(sample).replace(sample["company"]["siren"], siren).replace("2020-10-12", day)
        item = json.loads(text)
        item["company"]["updatedAt"] = day + "T10:00:00+02:00"
        items.append(item)
    families = ("radiation", "creation", "vente", "modification")

    def capital(siren: str) -> dict:
        person = {"typePersonne": "pm", "denomination": "ACME", "capital": {"montantCapital": "50000"}}
        person["numeroImmatriculation"] = {"numeroIdentification": siren}
        return {
            "listepersonnes": json.dumps({"personne": person}),
            "modificationsgenerales": json.dumps({"descriptif": "Augmentation du capital social"}),
        }

    notices = [
        ods_record(
            f"A{day.replace('-', '')}{i:05d}",
            day,
            families[i % 4],
            siren=s,
            **(capital(s) if i % 8 == 3 else {}),
        )
        for i, s in enumerate(sirens[n_rne:])
    ]
    rne, bodacc = FakeRne(items=[]), FakeBodacc()
    slack: dict = {}
    with (
        LoopbackServer(slack_app(slack)) as hook,
        rne.server() as r,
        bodacc.server() as b,
        RneClient(r.url, username="me", password="pw") as client,
        httpx.Client(timeout=120) as http,
        db.connection(db_file) as con,
    ):

        def poll(poll_id: str, alerts: PollAlerts | None = None):
            return run_poll(
                con,
                poll_id=poll_id,
                today=AS_OF,
                raw_dir=OUT / "raw",
                icps=[icp],
                rne=client,
                bodacc=http,
                bodacc_base=FakeBodacc.base(b),
                as_of=AS_OF,
                alerts=alerts,
            )

        # Two polls on purpose: the first, empty one (no alerts) sets the cursors, as the sensor's
        # first tick would, so the timed one reads only what is published after it.
        poll("warm")
        channels = {"slack": SlackChannel(hook.url + SLACK_PATH)}
        started = time.perf_counter()
        baseline = run_alerts(con, [icp.config], channels, as_of=AS_OF)  # the first evaluation sends nothing
        baseline_s = time.perf_counter() - started
        rne.publish(copy.deepcopy(items))
        bodacc.publish(notices)
        started = time.perf_counter()
        result = poll("bench", PollAlerts(channels))
        total = time.perf_counter() - started  # the Slack posts are synchronous: the last one is done
    assert result.report is not None and result.alerts is not None
    assert baseline.baseline == ["bench_50k"]
    per_rule: dict[str, int] = {}
    for recorded in result.alerts.recorded:
        for rule, n in recorded.per_rule.items():
            per_rule[rule] = per_rule.get(rule, 0) + n
    return {
        "fetched": result.fetched,
        "touched": result.touched,
        "derived": result.report.derived,
        "leads_rows_of_touched": result.report.leads,
        "seconds": {k: round(v, 2) for k, v in result.seconds.items()},
        "re_derive_steps_s": {k: round(v, 2) for k, v in result.report.steps.items()},
        "first_byte_to_scores_s": round(total - result.seconds.get("alerts", 0.0), 2),
        "first_byte_to_last_slack_alert_s": round(total, 2),
        "alerts_per_rule": per_rule,
        "alerts_refused": sum(r.refused for r in result.alerts.recorded),
        "slack_messages": len(slack.get("messages", [])),
        "slack_sent": result.alerts.delivered.sent.get("slack", 0),
        "baseline_whole_list_s": round(baseline_s, 2),
        "rne_calls": len(rne.requests),
    }


def _run_phase(args: list[str]) -> dict:
    done = subprocess.run([sys.executable, __file__, *args], capture_output=True, text=True, cwd=REPO)
    if done.returncode:
        raise RuntimeError(f"phase {args} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--companies", type=int, default=2_000_000)
    parser.add_argument("--rne", type=int, default=500)
    parser.add_argument("--bodacc", type=int, default=2_000)
    parser.add_argument("--keep", action="store_true", help="keep the warehouse file")
    parser.add_argument("--phase", choices=["synth", "poll"])
    parser.add_argument("--db")
    args = parser.parse_args()
    if args.phase:
        db_file = Path(args.db)
        result = (
            synth_phase(db_file, args.companies)
            if args.phase == "synth"
            else poll_phase(db_file, args.rne, args.bodacc)
        )
        print(json.dumps({**result, "peak_rss_mb": _peak_rss_mb()}))
        return
    OUT.mkdir(parents=True, exist_ok=True)
    db_file = OUT / f"poll_{args.companies}.duckdb"
    report: dict[str, object] = {"companies": args.companies, "cores": os.cpu_count()}
    try:
        if not (args.keep and db_file.exists()):
            db_file.unlink(missing_ok=True)
            report["synth"] = _run_phase(["--phase", "synth", "--db", str(db_file), "--companies", str(args.companies)])
            print("synth", json.dumps(report["synth"]), flush=True)
        report["poll"] = poll = _run_phase(
            ["--phase", "poll", "--db", str(db_file), "--rne", str(args.rne), "--bodacc", str(args.bodacc)]
        )
        print("poll", json.dumps(poll), flush=True)
        synth_report = report.get("synth")
        if isinstance(synth_report, dict):
            report["re_derive_share_of_full_prospects_rebuild"] = round(
                poll["seconds"]["re-derive"] / synth_report["full_prospects_rebuild_s"], 3
            )
    finally:
        if not args.keep:
            db_file.unlink(missing_ok=True)
            Path(str(db_file) + ".wal").unlink(missing_ok=True)
    (OUT / "report.json").write_text(json.dumps(report, indent=2, ensure_ascii=False))
    print(json.dumps(report, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
