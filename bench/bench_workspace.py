"""Workspace preview latency (issue #19): the live count of the ICP builder through the real HTTP
API (`POST /api/icp/preview` on `firmo serve`), next to the same ICPs through `firmo icp
preview`. Target: p95 under 1 s at 16M companies, and within 1.2x of the CLI figure.

    .venv/bin/python bench/bench_workspace.py --db <warehouse.duckdb> [--repeats 5] [--as-of 2025-06-30]
    .venv/bin/python bench/bench_workspace.py --companies 200000      # synthesise one first (bench_icp)

The ICPs are bench/bench_icp.py's: its 8 BENCH_ICPS and the 3 shipped files a registry-only
warehouse can answer (btp_grand_ouest, pme_croissance, saas_tech_pme): 11 ICPs (`--all-shipped`
adds the open-data ones, which need their tables).

Paths measured, each ICP `--repeats` times in a row:
  api      `firmo serve --db <warehouse>` in a subprocess (uvicorn, loopback, free port), one
           keep-alive HTTP client; wall time of the POST, JSON decoded. The first request of
           each ICP is reported apart (cold) from the others (warm). The server opens the file
           read-only per request (firmo.workspace.snapshot.Reader), so the warehouse is never
           written; its data dir (reveal log) is a temporary folder. Peak RSS: the server's VmHWM.
  inproc   firmo.icp.preview in one Python process, a fresh read-only connection per call as the
           server and the CLI do: the query time with no HTTP and no process start.
  cli      `firmo icp preview <file> --db <warehouse> --as-of <day>`: a fresh process per call,
           wall time including the interpreter start and the imports (the CLI prints no
           query time of its own: `inproc` is that figure).
Each path's totals are checked equal per ICP. Output: a table and bench/out/workspace/report.json.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
OUT = REPO / "bench" / "out" / "workspace"
REGISTRY_ONLY_SHIPPED = ("btp_grand_ouest", "pme_croissance", "saas_tech_pme")
CLI = "import sys; from pipelines.cli_icp import icp_app; sys.argv[0] = 'firmo icp'; icp_app()"
SERVE = "import sys; from pipelines.cli import app; sys.argv[0] = 'firmo'; app()"


def icp_texts(all_shipped: bool) -> dict[str, str]:
    """name -> ICP YAML text: bench_icp's BENCH_ICPS dumped, then the shipped files."""
    import yaml

    sys.path.insert(0, str(REPO / "bench"))
    from bench_icp import BENCH_ICPS

    out = {name: yaml.safe_dump(data, sort_keys=False, allow_unicode=True) for name, data in BENCH_ICPS.items()}
    for path in sorted((REPO / "icps").glob("*.yaml")):
        if all_shipped or path.stem in REGISTRY_ONLY_SHIPPED:
            out[path.stem] = path.read_text(encoding="utf-8")
    return out


def pct(values: list[float], q: float) -> float:
    """The q-quantile, nearest rank (bench_icp's rule): p95 of 55 runs is the 53rd."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def summary(values: list[float]) -> dict[str, float | int]:
    if not values:
        return {"runs": 0}
    return {
        "runs": len(values),
        "p50_s": round(statistics.median(values), 3),
        "p95_s": round(pct(values, 0.95), 3),
        "max_s": round(max(values), 3),
    }


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _vm(pid: int, key: str) -> float | None:
    """VmHWM / VmRSS of a live process, in MB (Linux /proc)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        return None
    return None


def _env(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("FIRMO_UI_TOKEN", "FIRMO_DB")}
    return {**env, "FIRMO_DATA_DIR": str(data_dir), "FIRMO_ICP_DIR": str(data_dir / "icps"), "PYTHONPATH": str(REPO)}


def api_path(db_file: Path, texts: dict[str, str], repeats: int, as_of: str, work: Path) -> dict:
    """POST each ICP `repeats` times to a `firmo serve` subprocess on a loopback port."""
    import httpx

    port = _free_port()
    (work / "icps").mkdir(parents=True, exist_ok=True)
    log = (work / "serve.log").open("w")
    started = time.perf_counter()
    server = subprocess.Popen(
        [sys.executable, "-c", SERVE, "serve", "--db", str(db_file), "--port", str(port)],
        cwd=REPO,
        env=_env(work),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        with httpx.Client(base_url=base, timeout=600) as client:
            while True:
                if server.poll() is not None:
                    raise RuntimeError(f"firmo serve exited {server.returncode}: see {work / 'serve.log'}")
                try:
                    if client.get("/openapi.json").status_code == 200:
                        break
                except httpx.TransportError:
                    time.sleep(0.1)
            ready_s = time.perf_counter() - started
            rss_idle = _vm(server.pid, "VmRSS")
            runs: dict[str, list[float]] = {}
            totals: dict[str, int] = {}
            for name, text in texts.items():
                runs[name] = []
                for _ in range(repeats):
                    t0 = time.perf_counter()
                    answer = client.post(
                        "/api/icp/preview",
                        params={"name": name, "as_of": as_of},
                        content=text.encode("utf-8"),
                        headers={"Content-Type": "application/yaml"},
                    )
                    body = answer.json()
                    runs[name].append(time.perf_counter() - t0)
                    if answer.status_code != 200:
                        raise RuntimeError(f"{name}: HTTP {answer.status_code} {json.dumps(body)[:500]}")
                    totals[name] = body["total"]
                print(f"  api {name}: {[round(t, 3) for t in runs[name]]} ({totals[name]:,} leads)", flush=True)
        peak = _vm(server.pid, "VmHWM")
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()
    return {
        "runs": runs,
        "totals": totals,
        "server_ready_s": round(ready_s, 2),
        "server_rss_idle_mb": rss_idle,
        "server_peak_rss_mb": peak,
    }


def inproc_phase(db_file: Path, repeats: int, as_of: str) -> dict:
    """firmo.icp.preview in this process, a fresh read-only connection per call (as the server)."""
    from datetime import date

    from firmo import db
    from firmo.icp import preview
    from firmo.settings import Settings
    from firmo.workspace.queries import icp_from_text

    settings = Settings.from_env()
    day = date.fromisoformat(as_of)
    runs: dict[str, list[float]] = {}
    totals: dict[str, int] = {}
    for name, text in icp_texts(bool(os.environ.get("BENCH_ALL_SHIPPED"))).items():
        icp = icp_from_text(text, name)
        runs[name] = []
        for _ in range(repeats):
            t0 = time.perf_counter()
            with db.connection(db_file, read_only=True, settings=settings) as con:
                totals[name] = preview(con, icp, as_of=day).total
            runs[name].append(time.perf_counter() - t0)
    import resource

    return {
        "runs": runs,
        "totals": totals,
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def inproc_path(db_file: Path, repeats: int, as_of: str, work: Path, all_shipped: bool) -> dict:
    env = {**_env(work), **({"BENCH_ALL_SHIPPED": "1"} if all_shipped else {})}
    done = subprocess.run(
        [
            sys.executable,
            __file__,
            "--phase",
            "inproc",
            "--db",
            str(db_file),
            "--repeats",
            str(repeats),
            "--as-of",
            as_of,
        ],
        capture_output=True,
        text=True,
        cwd=REPO,
        env=env,
    )
    if done.returncode:
        raise RuntimeError(f"inproc phase failed:\n{done.stderr[-3000:]}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    for name, runs in result["runs"].items():
        print(f"  inproc {name}: {[round(t, 3) for t in runs]}", flush=True)
    return result


def cli_path(db_file: Path, texts: dict[str, str], repeats: int, as_of: str, work: Path) -> dict:
    """`firmo icp preview` a fresh process per call; the total read from its first line."""
    runs: dict[str, list[float]] = {}
    totals: dict[str, int] = {}
    folder = work / "cli_icps"
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in texts.items():
        path = folder / f"{name}.yaml"
        path.write_text(text, encoding="utf-8")
        runs[name] = []
        for _ in range(repeats):
            t0 = time.perf_counter()
            done = subprocess.run(
                [sys.executable, "-c", CLI, "preview", str(path), "--db", str(db_file), "--as-of", as_of],
                capture_output=True,
                text=True,
                cwd=REPO,
                env=_env(work),
            )
            runs[name].append(time.perf_counter() - t0)
            if done.returncode:
                raise RuntimeError(f"{name}: firmo icp preview exited {done.returncode}: {done.stderr[-1000:]}")
            first = done.stdout.splitlines()[0]  # "ICP <name>: 1,234 leads"
            totals[name] = int(first.rsplit(":", 1)[1].split()[0].replace(",", ""))
        print(f"  cli {name}: {[round(t, 3) for t in runs[name]]} ({totals[name]:,} leads)", flush=True)
    return {"runs": runs, "totals": totals}


def _split(runs: dict[str, list[float]]) -> dict[str, dict]:
    """Every run, the first of each ICP (cold), the others (warm)."""
    return {
        "all": summary([t for r in runs.values() for t in r]),
        "cold": summary([r[0] for r in runs.values() if r]),
        "warm": summary([t for r in runs.values() for t in r[1:]]),
    }


def _commit() -> str:
    """The code measured: HEAD, and the files of the preview path changed but not committed."""
    head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=REPO).stdout
    dirty = subprocess.run(
        ["git", "status", "--porcelain", "--", "firmo/icp", "firmo/sql/icp", "firmo/workspace", "pipelines"],
        capture_output=True,
        text=True,
        cwd=REPO,
    ).stdout.split("\n")
    changed = sorted(line[3:] for line in dirty if line.strip())
    return head.strip() + (f" + uncommitted {', '.join(changed)}" if changed else "")


def synthesise(companies: int) -> Path:
    """A bench_icp warehouse (its synth and prospects phases) under bench/out/workspace/."""
    OUT.mkdir(parents=True, exist_ok=True)
    db_file = OUT / f"workspace_{companies}.duckdb"
    if db_file.exists():
        return db_file
    for phase in ("synth", "prospects"):
        done = subprocess.run(
            [
                sys.executable,
                str(REPO / "bench" / "bench_icp.py"),
                "--phase",
                phase,
                "--db",
                str(db_file),
                "--companies",
                str(companies),
            ],
            capture_output=True,
            text=True,
            cwd=REPO,
        )
        if done.returncode:
            db_file.unlink(missing_ok=True)
            raise RuntimeError(f"bench_icp {phase} failed:\n{done.stderr[-3000:]}")
        print(phase, done.stdout.strip().splitlines()[-1], flush=True)
    return db_file


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="warehouse to read (read-only); else --companies synthesises one")
    parser.add_argument("--companies", type=int, default=200_000, help="size of the synthesised warehouse")
    parser.add_argument("--repeats", type=int, default=5, help="calls per ICP and path")
    parser.add_argument("--cli-repeats", type=int, help="calls per ICP of the CLI (default: --repeats)")
    parser.add_argument("--as-of", default="2025-06-30", help="scoring day (bench_icp's AS_OF)")
    parser.add_argument("--all-shipped", action="store_true", help="every shipped ICP file, open-data ones too")
    parser.add_argument("--skip", action="append", default=[], choices=["api", "inproc", "cli"])
    parser.add_argument("--phase", choices=["inproc"])
    args = parser.parse_args()
    if args.phase:
        result = inproc_phase(Path(args.db), args.repeats, args.as_of)
        print(json.dumps(result))
        return
    db_file = Path(args.db).resolve() if args.db else synthesise(args.companies)
    texts = icp_texts(args.all_shipped)
    report: dict[str, object] = {
        "warehouse": str(db_file),
        "warehouse_mb": round(db_file.stat().st_size / 1e6),
        "icps": list(texts),
        "repeats": args.repeats,
        "as_of": args.as_of,
        "cores": os.cpu_count(),
        "commit": _commit(),
        "load_avg_start": [round(x, 2) for x in os.getloadavg()],
    }
    stamp = (db_file.stat().st_mtime_ns, db_file.stat().st_size)  # read-only: checked unchanged at the end
    paths: dict[str, dict] = {}
    with tempfile.TemporaryDirectory(prefix="bench_workspace_") as tmp:
        work = Path(tmp)
        if "api" not in args.skip:
            print("api: POST /api/icp/preview on firmo serve", flush=True)
            paths["api"] = api_path(db_file, texts, args.repeats, args.as_of, work)
        if "inproc" not in args.skip:
            print("inproc: firmo.icp.preview, a fresh read-only connection per call", flush=True)
            paths["inproc"] = inproc_path(db_file, args.repeats, args.as_of, work, args.all_shipped)
        if "cli" not in args.skip:
            print("cli: firmo icp preview, a fresh process per call", flush=True)
            paths["cli"] = cli_path(db_file, texts, args.cli_repeats or args.repeats, args.as_of, work)
    report["load_avg_end"] = [round(x, 2) for x in os.getloadavg()]
    report["warehouse_unchanged"] = (db_file.stat().st_mtime_ns, db_file.stat().st_size) == stamp
    totals = {name: {p: paths[p]["totals"].get(name) for p in paths} for name in texts}
    mismatched = {n: t for n, t in totals.items() if len(set(t.values())) > 1}
    report["leads_selected"] = {n: next(iter(t.values())) for n, t in totals.items() if t}
    report["totals_mismatched"] = mismatched
    for name, result in paths.items():
        report[name] = {
            **_split(result["runs"]),
            **{k: v for k, v in result.items() if k not in ("runs", "totals")},
            "per_icp_p50_s": {n: round(statistics.median(r), 3) for n, r in result["runs"].items()},
        }
    if "api" in paths and "cli" in paths:
        api, cli = report["api"]["all"], report["cli"]["all"]  # type: ignore[index]
        report["ratio_api_over_cli"] = {q: round(api[q] / cli[q], 2) for q in ("p50_s", "p95_s")}
        report["targets"] = {
            "api_p95_under_1s": api["p95_s"] < 1.0,
            "api_within_1.2x_of_cli": api["p95_s"] <= 1.2 * cli["p95_s"],
        }
    if "api" in paths and "inproc" in paths:
        api, inproc = report["api"]["all"], report["inproc"]["all"]  # type: ignore[index]
        report["ratio_api_over_inproc"] = {q: round(api[q] / inproc[q], 2) for q in ("p50_s", "p95_s")}
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "report.json").write_text(json.dumps(report, indent=2, ensure_ascii=False))
    print(f"\n{'path':8s} {'':5s} {'runs':>5s} {'p50 s':>7s} {'p95 s':>7s} {'max s':>7s}")
    for name in paths:
        for part in ("all", "cold", "warm"):
            s = report[name][part]  # type: ignore[index]
            if s["runs"]:
                print(f"{name:8s} {part:5s} {s['runs']:>5} {s['p50_s']:>7.3f} {s['p95_s']:>7.3f} {s['max_s']:>7.3f}")
    for key in ("ratio_api_over_cli", "ratio_api_over_inproc", "targets"):
        if key in report:
            print(f"{key}: {report[key]}")
    if "api" in paths:
        api_report = report["api"]
        print(
            f"server: ready in {api_report['server_ready_s']} s, RSS idle {api_report['server_rss_idle_mb']} MB, "  # type: ignore[index]
            f"peak {api_report['server_peak_rss_mb']} MB"
        )  # type: ignore[index]
    if mismatched:
        print(f"TOTALS DIFFER between paths: {mismatched}")
    print(f"code: {report['commit']}")
    print(f"warehouse unchanged (mtime, size): {report['warehouse_unchanged']}")
    print(f"load average {report['load_avg_start']} -> {report['load_avg_end']}; report: {OUT / 'report.json'}")


if __name__ == "__main__":
    main()
