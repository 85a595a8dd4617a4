"""Benchmark: generate a `ratios_inpi_bce` export of ~5M rows, then load it with `load_ratios`.

    .venv/bin/python bench/bench_ratios.py [--rows 5000000] [--keep DIR]

Prints generation time, file size, load time, rows/s and the peak RSS of the load. The load
runs in a child process so its peak memory is not mixed up with the generator's.
"""

from __future__ import annotations

import argparse
import datetime as dt
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
import polars as pl

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

AS_OF = dt.date(2026, 11, 1)
YEARS = 5


def filers(n: int, rng: np.random.Generator) -> pl.DataFrame:
    """`n` filing companies shaped like `Universe.units` (only the columns ratios_frame reads)."""
    from sources.demo.ids import draw_sirens

    bands = np.array(["NN", "00", "01", "02", "03", "11", "12", "21", "22", "31", "32", "41", "42", "51"])
    weights = np.array([30, 10, 20, 12, 8, 7, 5, 3, 2, 1, 0.8, 0.5, 0.4, 0.3])
    return pl.DataFrame({
        "siren": [f"{s:09d}" for s in draw_sirens(rng, n)],
        "is_person": np.zeros(n, dtype=bool),
        "categorie_juridique": rng.choice(["5710", "5499", "5599", "5720"], n),
        "tranche_effectifs": rng.choice(bands, n, p=weights / weights.sum()),
        "categorie_entreprise": rng.choice(["PME", "ETI", "GE"], n, p=[0.985, 0.013, 0.002]),
        "date_creation": pl.Series([dt.date(2000, 1, 1)] * n, dtype=pl.Date),
        "active": np.ones(n, dtype=bool),
        "date_closed": pl.Series([None] * n, dtype=pl.Date),
    })  # fmt: skip


def generate(rows: int, out: Path) -> Path:
    from sources.demo.inpi import ratios_frame, write_ratios

    rng = np.random.default_rng(5)
    frame = ratios_frame(filers(max(1, rows // YEARS), rng), AS_OF, rng, years=YEARS)
    return write_ratios(frame, rng, out / "ratios_inpi_bce.csv.gz")


class _RssSampler:
    """Peak resident memory during a block, sampled every 20 ms, this process plus its worker
    processes (ru_maxrss would also count what the process held before, and survives exec in a
    child)."""

    def __init__(self) -> None:
        import psutil

        self._process, self.max_bytes = psutil.Process(), 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.max_bytes = max(self.max_bytes, self._rss())
            self._stop.wait(0.02)

    def _rss(self) -> int:
        import psutil

        total = self._process.memory_info().rss
        for child in self._process.children(recursive=True):
            try:
                total += child.memory_info().rss
            except psutil.Error:  # exited between listing and reading
                pass
        return total

    def __enter__(self) -> _RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.max_bytes = max(self.max_bytes, self._rss())


def load(path: Path, db_path: Path) -> None:
    """Child process: load and print the report line, then the peak RSS."""
    from firmo import db
    from sources.inpi.ratios import load_ratios

    con = db.connect(db_path)
    peak = _RssSampler()
    started = time.perf_counter()
    with peak:
        report = load_ratios(con, path, as_of=AS_OF)
    seconds = time.perf_counter() - started
    loaded = report.loaded["inpi.financials"]
    peak_mb = peak.max_bytes / 1e6
    print(f"load: {loaded:,} rows in {seconds:.1f}s = {loaded / seconds:,.0f} rows/s; "
          f"rejected {report.rejected['inpi.financials']:,}; latest {report.loaded['core.latest_financials']:,}; "
          f"peak RSS {peak_mb:,.0f} MB")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=5_000_000)
    parser.add_argument("--keep", type=Path, help="write files here and keep them")
    parser.add_argument("--load-only", nargs=2, type=Path, metavar=("FILE", "DB"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.load_only:
        load(*args.load_only)
        return
    with tempfile.TemporaryDirectory(prefix="bench_ratios_") as tmp:
        out = args.keep or Path(tmp)
        out.mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        path = generate(args.rows, out)
        print(f"generate: {path.stat().st_size / 1e6:,.0f} MB gzip in {time.perf_counter() - started:.1f}s "
              f"(peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MB)")  # fmt: skip
        db_path = out / "bench.duckdb"
        db_path.unlink(missing_ok=True)
        subprocess.run([sys.executable, __file__, "--load-only", str(path), str(db_path)], check=True)


if __name__ == "__main__":
    main()
