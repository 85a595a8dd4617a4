"""Benchmark: SIRENE stock ingestion against DuckDB's bare read of the same files.

    .venv/bin/python bench/bench_sirene_ingest.py --establishments 1000000 5000000

For each size it generates the stock files (seeded, real formats, not timed), then times in a
fresh subprocess each:
  floor    DuckDB's own `CREATE TABLE AS SELECT * FROM read_csv(..., ignore_errors)` (auto-detect;
           the generated files hold a few broken lines) / `read_parquet(...)` of both files (for
           the zipped CSV, the unzip is part of the floor: DuckDB cannot read zip);
  firmo    `load_sirene`: typed scan by header, checks, quarantine, publish (tables only), and
           the same plus `core.companies`.
It prints wall time, rows/s, the ratio to the floor and each subprocess's peak RSS, then an
extrapolation to the full real stock (about 30M legal units + 40M establishments).
Targets (issue #2): firmo within 1.5x the floor; peak RSS under 6 GB at 5M; full stock < 10 min.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
UNITS_PER_ESTABLISHMENT = 1 / 1.3
FULL_UL, FULL_ET = 30_000_000, 40_000_000


def phase(args: argparse.Namespace) -> None:
    """Runs inside the measured subprocess; prints one JSON line."""
    import duckdb

    if args.phase == "generate":
        print(json.dumps(generate(Path(args.work), int(args.fmt))))
        return

    from firmo import db

    work = Path(args.work)
    files = json.loads((work / "files.json").read_text())
    ul, et = files[f"ul_{args.fmt}"], files[f"et_{args.fmt}"]
    dbfile = work / f"{args.phase}_{args.fmt}.duckdb"
    dbfile.unlink(missing_ok=True)
    t0 = time.perf_counter()
    out: dict[str, float] = {}
    if args.phase == "floor":
        con = duckdb.connect(str(dbfile), config={"preserve_insertion_order": False, "memory_limit": "4GB"})
        for name, path in (("ul", ul), ("et", et)):
            t = time.perf_counter()
            if path.endswith(".zip"):
                import shutil
                import zipfile

                with zipfile.ZipFile(path) as zf, zf.open(zf.namelist()[0]) as src, open(work / "x.csv", "wb") as dst:
                    shutil.copyfileobj(src, dst, 8 << 20)
                con.execute(f"CREATE TABLE {name} AS SELECT * FROM read_csv('{work / 'x.csv'}', ignore_errors = true)")
                (work / "x.csv").unlink()
            else:
                reader = "read_parquet('{}')" if path.endswith(".parquet") else "read_csv('{}', ignore_errors = true)"
                con.execute(f"CREATE TABLE {name} AS SELECT * FROM {reader.format(path)}")
            out[name] = time.perf_counter() - t
        con.close()
    else:
        from sources.sirene import ingest

        if args.phase == "firmo_tables":   # tables only: skip core.companies to compare like with like
            ingest.build_companies = lambda con, ul_t, et_t, target: con.execute(f"CREATE TABLE {target} AS SELECT 1 AS x")
        with db.connection(dbfile) as con:
            report = ingest.load_sirene(con, unites_legales=Path(ul), etablissements=Path(et), workdir=work)
        out["ul"] = report.tables["unites_legales"].seconds
        out["et"] = report.tables["etablissements"].seconds
        out["rejected"] = sum(t.rows_rejected for t in report.tables.values())
    out["wall"] = time.perf_counter() - t0
    print(json.dumps(out))


def measure(work: Path, name: str, fmt: str) -> dict:
    proc = subprocess.Popen([sys.executable, __file__, "--phase", name, "--fmt", fmt, "--work", str(work)],
                            stdout=subprocess.PIPE, text=True)
    stdout = proc.stdout.read() if proc.stdout else ""
    _, status, usage = os.wait4(proc.pid, 0)
    if status != 0:
        raise SystemExit(f"phase {name}/{fmt} failed")
    result = json.loads(stdout.strip().splitlines()[-1])
    result["peak_rss_gb"] = usage.ru_maxrss / 1024 / 1024  # ru_maxrss is in KiB on Linux
    return result


def generate(work: Path, establishments: int) -> dict:
    from sources.demo.sirene import write_sirene_stock
    from sources.demo.universe import build_universe

    marker = work / "files.json"
    if marker.exists():
        return json.loads(marker.read_text())
    work.mkdir(parents=True, exist_ok=True)
    t = time.perf_counter()
    universe = build_universe(int(establishments * UNITS_PER_ESTABLISHMENT), seed=7)
    paths = write_sirene_stock(universe, work / "sirene", broken_lines=True)
    files = {"n_ul": universe.units.height, "n_et": universe.establishments.height}
    for key, path in paths.items():
        p = str(path)
        kind = "ul" if "UniteLegale" in p else "et" if "Etablissement" in p else None
        if kind and p.endswith(".zip"):
            files[f"{kind}_csv_zip"] = p
        elif kind and p.endswith(".parquet"):
            files[f"{kind}_parquet"] = p
    print(f"  generated {files['n_ul']:,} units / {files['n_et']:,} establishments in {time.perf_counter() - t:.0f}s",
          file=sys.stderr)
    marker.write_text(json.dumps(files))
    return files


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--establishments", type=int, nargs="*", default=[1_000_000, 5_000_000])
    parser.add_argument("--formats", nargs="*", default=["csv_zip", "parquet"])
    parser.add_argument("--out", default=str(ROOT / "bench" / "out"))
    parser.add_argument("--phase"), parser.add_argument("--fmt"), parser.add_argument("--work")
    args = parser.parse_args()
    if args.phase:
        return phase(args)

    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, "
          f"{os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} GiB RAM, Python {platform.python_version()}")
    header = f"{'establishments':>14} {'format':8} {'floor s':>8} {'firmo s':>8} {'ratio':>6} {'+companies s':>12} {'rows/s':>10} {'peak RSS GB':>11}"
    print(header)
    last = None
    for n in args.establishments:
        work = Path(args.out) / f"sirene_{n}"
        # Generation runs in its own process too: a forked child starts with its parent's
        # resident pages, which would otherwise inflate every measured peak RSS.
        files = measure(work, "generate", str(n))
        rows = files["n_ul"] + files["n_et"]
        for fmt in args.formats:
            floor = measure(work, "floor", fmt)
            tables = measure(work, "firmo_tables", fmt)
            full = measure(work, "firmo", fmt)
            ratio = tables["wall"] / floor["wall"]
            rss = max(floor["peak_rss_gb"], tables["peak_rss_gb"], full["peak_rss_gb"])
            print(f"{files['n_et']:>14,} {fmt:8} {floor['wall']:>8.1f} {tables['wall']:>8.1f} {ratio:>6.2f} "
                  f"{full['wall']:>12.1f} {rows / full['wall']:>10,.0f} {full['peak_rss_gb']:>11.2f}"
                  f"   (target ratio <= 1.5: {'ok' if ratio <= 1.5 else 'MISSED'}; floor RSS {floor['peak_rss_gb']:.2f} GB)")
            last = (files, fmt, full, rss)
    if last:
        files, fmt, full, _ = last
        per_row = full["wall"] / (files["n_ul"] + files["n_et"])
        projected = per_row * (FULL_UL + FULL_ET)
        print(f"\nprojection to the full stock ({FULL_UL / 1e6:.0f}M units + {FULL_ET / 1e6:.0f}M establishments, {fmt}), "
              f"linear in rows from the largest run: {projected / 60:.1f} min (target < 10 min)")


if __name__ == "__main__":
    main()
