"""DECP load at real volume: a consolidated file of N rows (default 1.5M, the real decp.parquet's
size) generated column-wise, then `load_decp` into a fresh warehouse file; prints rows/s.

    /usr/bin/time -v .venv/bin/python bench/bench_decp.py --rows 1500000 [--csv]

Rows: ~2 % of uids with a second titulaire, 1 % VAT titulaires, 0.5 % sentinel amounts, 5 %
older modification states, 3 % duplicates across platforms (sources/demo/decp.py's shares).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import date
from pathlib import Path

import numpy as np
import polars as pl

from firmo import db
from firmo.settings import Settings
from sources.decp.columns import COLUMNS, SENTINEL_AMOUNT
from sources.decp.load import load_decp
from sources.demo.decp import POLARS


def generate(n: int, seed: int = 7) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    uid_n = int(n * 0.9)
    uid_idx = np.sort(rng.integers(0, uid_n, n))
    siret = (rng.integers(10**8, 10**9 - 1, n) * 100000 + rng.integers(1, 99999, n)).astype(str)
    vat = rng.random(n) < 0.01
    amount = np.round(np.exp(rng.normal(11.5, 1.2, n)), 2)
    amount[rng.random(n) < 0.005] = SENTINEL_AMOUNT
    days = rng.integers(0, 6 * 365, n)
    historical = rng.random(n) < 0.05
    frame = pl.DataFrame(
        {
            "uid": "21" + pl.Series(uid_idx).cast(pl.String).str.zfill(12),
            "id": pl.Series(uid_idx).cast(pl.String),
            "nature": "Marché",
            "acheteur_id": pl.Series(rng.integers(10**13, 10**14 - 1, n).astype(str)),
            "acheteur_nom": "COMMUNE",
            "acheteur_categorie": "Commune",
            "titulaire_id": pl.Series(np.where(vat, "ESB85535615", siret)),
            "titulaire_typeIdentifiant": pl.Series(np.where(vat, "TVA", "SIRET")),
            "titulaire_nom": "ENTREPRISE",
            "objet": "Travaux de voirie et réseaux divers",
            "montant": amount,
            "type": "Travaux",
            "codeCPV": "45233140",
            "procedure": "Procédure adaptée",
            "dureeMois": 12,
            "dateNotification": pl.Series((np.datetime64("2020-01-01") + days).astype("datetime64[D]")),
            "modification_id": np.where(historical, 0, 1),
            "donneesActuelles": ~historical,
            "sourceDataset": pl.Series(np.where(rng.random(n) < 0.03, "pes_marche", "decp_aife")),
            "sourceFile": "https://www.data.gouv.fr/datasets/r/x.json",
        }
    )
    schema = {name: POLARS[kind] for name, kind in COLUMNS}
    return frame.select(
        [pl.col(c).cast(t) if c in frame.columns else pl.lit(None, dtype=t).alias(c) for c, t in schema.items()]
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_500_000)
    parser.add_argument("--csv", action="store_true", help="load decp.csv instead of decp.parquet")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        frame = generate(args.rows)
        path = Path(tmp) / ("decp.csv" if args.csv else "decp.parquet")
        frame.write_csv(path) if args.csv else frame.write_parquet(path)
        print(
            f"generated {frame.height:,} rows ({path.stat().st_size / 1e6:.0f} MB) in {time.perf_counter() - started:.1f}s"
        )
        del frame
        settings = Settings.from_env()
        with db.connection(Path(tmp) / "bench.duckdb", settings=settings) as con:
            t0 = time.perf_counter()
            report = load_decp(con, path, today=date(2026, 11, 1))
            seconds = time.perf_counter() - t0
        print(report.loaded, "historical", report.historical, "duplicates", report.duplicates, report.non_siret)
        print(f"load: {seconds:.1f}s, {args.rows / seconds:,.0f} rows/s")


if __name__ == "__main__":
    main()
