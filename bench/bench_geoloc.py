"""Benchmark: the geolocation file at real volume (~38M establishments) through `load_geoloc`, then
radius searches through the 0.1-degree grid (`firmo.geo.establishments_near`).

    .venv/bin/python bench/bench_geoloc.py [--rows 38000000] [--zip] [--keep DIR]

1. generate: N rows in the real format (19 columns, `;`, valid SIRETs, two establishments per SIREN),
   written by DuckDB (COPY, no Python per row): 60 % of points around 24 large towns (normal spread
   ~15 km), 38 % uniform over metropolitan France, 2 % in La Réunion; 3 % masked `[ND]`, 5 % qualite_xy 33;
   plg_code_commune a real commune code of the sample; with --zip, the CSV zipped as INSEE ships it.
   A sirene.etablissements of the same SIRETs (95 % active) is written too, so the load joins it.
2. load: `load_geoloc` in a fresh process with the project's DuckDB settings (FIRMO_DUCKDB_MEMORY, default
   4GB): rows/s and the peak RSS of that process (ru_maxrss).
3. query: 20 centres drawn from the loaded precise points (seeded), `establishments_near` at 10 / 30 / 50 km
   with active_only: p50 / p95 seconds and the median number of establishments found.
Each step runs in its own process, so each peak RSS is its own.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

HEADER = (
    "siret;x;y;qualite_xy;epsg;plg_qp24;plg_iris;plg_zus;plg_qp15;plg_qva;plg_code_commune;distance_precision;"
    "qualite_qp24;qualite_iris;qualite_zus;qualite_qp15;qualite_qva;y_latitude;x_longitude"
)
TOWNS = [  # (lat, lon) of large towns, where the generated points cluster
    (48.857, 2.352), (45.764, 4.836), (43.296, 5.370), (43.605, 1.444), (47.218, -1.554), (43.710, 7.262),
    (48.573, 7.752), (43.611, 3.877), (44.838, -0.579), (50.629, 3.057), (48.117, -1.678), (49.258, 4.032),
    (45.440, 4.387), (43.124, 5.928), (45.188, 5.724), (47.322, 5.041), (47.478, -0.563), (43.837, 4.360),
    (45.778, 3.087), (48.006, 0.199), (49.443, 1.099), (47.394, 0.685), (45.834, 1.261), (49.894, 2.296),
]  # fmt: skip
# u(i, k): a uniform number in [0, 1) from the row number, deterministic (hash, not random())
U = "((hash(i, {k}) % 1000000007) / 1000000007.0)"


def _u(k: int) -> str:
    return U.format(k=k)


def _luhn_check_sql(n: str, digits: int) -> str:
    """SQL: the Luhn check digit of the `digits`-digit number `n` (the digit to append)."""
    terms = " + ".join(
        f"(CASE WHEN 2 * ({n} // {10**k} % 10) > 9 THEN 2 * ({n} // {10**k} % 10) - 9 ELSE 2 * ({n} // {10**k} % 10) END)"
        if k % 2 == 0
        else f"({n} // {10**k} % 10)"
        for k in range(digits)
    )
    return f"((10 - ({terms}) % 10) % 10)"


def _siret_sql() -> str:
    """SIREN = 8-digit base (two rows per SIREN) + Luhn; SIRET = SIREN + 4-digit NIC + Luhn over the 13."""
    base = "(10000000 + i // 2)"
    siren = f"({base} * 10 + {_luhn_check_sql(base, 8)})"
    body = f"({siren} * 10000 + (i % 2) + 1)"
    return f"lpad(CAST({body} * 10 + {_luhn_check_sql(body, 13)} AS VARCHAR), 14, '0')"


def generate(out: Path, rows: int, db_path: Path) -> dict:
    import duckdb

    from firmo.reference import read_reference

    started = time.perf_counter()
    codes = read_reference("communes_sample")["code"].to_list()
    con = duckdb.connect(str(db_path), config={"memory_limit": "4GB", "preserve_insertion_order": False})
    con.execute(
        "CREATE OR REPLACE TEMP TABLE codes AS SELECT unnest(?::VARCHAR[]) AS code, generate_subscripts(?::VARCHAR[], 1) - 1 AS k",
        [codes, codes],
    )
    towns = ", ".join(f"({a}, {b})" for a, b in TOWNS)
    normal = f"sqrt(-2 * ln(greatest({_u(3)}, 1e-12))) * cos(2 * pi() * {_u(4)})"
    normal2 = f"sqrt(-2 * ln(greatest({_u(3)}, 1e-12))) * sin(2 * pi() * {_u(4)})"
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE towns AS SELECT row_number() OVER () - 1 AS t, * FROM (VALUES {towns}) v(tlat, tlon)"
    )
    con.execute(f"""
        CREATE OR REPLACE TEMP VIEW gen AS
        SELECT i, {_siret_sql()} AS siret,
            CASE WHEN {_u(1)} < 0.60 THEN 'town' WHEN {_u(1)} < 0.98 THEN 'uniform' ELSE 'reunion' END AS kind,
            {_u(2)} AS u2, {normal} AS n1, {normal2} AS n2, {_u(5)} AS u5, {_u(6)} AS u6, {_u(7)} AS u7,
            CAST(floor({_u(8)} * {len(TOWNS)}) AS INTEGER) AS t, CAST(floor({_u(9)} * {len(codes)}) AS INTEGER) AS k
        FROM range({rows}) r(i)
    """)
    csv = out / "GeolocalisationEtablissement_Sirene_pour_etudes_statistiques_utf8.csv"
    point = """
        SELECT g.siret, g.u7, c.code,
            CASE g.kind WHEN 'town' THEN tw.tlat + g.n1 * 0.13 WHEN 'uniform' THEN 42.5 + g.u5 * 8.4
                 ELSE -21.35 + g.u5 * 0.45 END AS lat,
            CASE g.kind WHEN 'town' THEN tw.tlon + g.n2 * 0.19 WHEN 'uniform' THEN -4.3 + g.u6 * 11.8
                 ELSE 55.25 + g.u6 * 0.55 END AS lon,
            g.kind
        FROM gen g JOIN towns tw ON tw.t = g.t JOIN codes c ON c.k = g.k
    """
    con.execute(f"""
        COPY (
            SELECT siret,
                CASE WHEN u7 < 0.03 THEN '[ND]' ELSE printf('%.1f', 700000 + (lon - 3) * 75000) END AS x,
                CASE WHEN u7 < 0.03 THEN '[ND]' ELSE printf('%.1f', 6600000 + (lat - 46.5) * 111000) END AS y,
                CASE WHEN u7 < 0.03 THEN '[ND]' WHEN u7 < 0.08 THEN '33' WHEN u7 < 0.7 THEN '11' ELSE '12' END
                    AS qualite_xy,
                CASE kind WHEN 'reunion' THEN '2975' ELSE '2154' END AS epsg,
                NULL AS plg_qp24, code || '0000' AS plg_iris, NULL AS plg_zus, NULL AS plg_qp15, NULL AS plg_qva,
                code AS plg_code_commune,
                CASE WHEN u7 < 0.03 THEN '[ND]' WHEN u7 < 0.08 THEN '1500.0' ELSE '12.5' END AS distance_precision,
                NULL AS qualite_qp24, '11' AS qualite_iris, NULL AS qualite_zus, NULL AS qualite_qp15, NULL AS qualite_qva,
                CASE WHEN u7 < 0.03 THEN '[ND]' ELSE printf('%.6f', lat) END AS y_latitude,
                CASE WHEN u7 < 0.03 THEN '[ND]' ELSE printf('%.6f', lon) END AS x_longitude
            FROM ({point})
        ) TO '{csv}' (FORMAT csv, DELIMITER ';', HEADER true, QUOTE '')
    """)
    con.execute("CREATE SCHEMA IF NOT EXISTS sirene")
    con.execute(
        f"CREATE OR REPLACE TABLE sirene.etablissements AS SELECT {_siret_sql()} AS siret, '75101' AS codeCommuneEtablissement, "
        f"CASE WHEN {_u(11)} < 0.95 THEN 'A' ELSE 'F' END AS etatAdministratifEtablissement FROM range({rows}) r(i)"
    )
    con.close()
    header = csv.open(encoding="utf-8").readline().strip()
    assert header == HEADER, header
    return {"csv": str(csv), "bytes": csv.stat().st_size, "seconds": time.perf_counter() - started}


def zip_csv(csv: Path) -> Path:
    target = csv.with_suffix(".zip")
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        zf.write(csv, csv.name)
    return target


def load(source: Path, db_path: Path, workdir: Path) -> dict:
    from firmo import db
    from firmo.settings import Settings
    from sources.geoloc.load import load_geoloc

    settings = Settings.from_env()
    started = time.perf_counter()
    with db.connection(db_path, settings=settings) as con:
        report = load_geoloc(con, source, workdir=workdir)
    seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "loaded": report.loaded,
        "rejected": report.rejected,
        "memory_limit": settings.duckdb_memory,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def query(db_path: Path, points: int = 20, seed: int = 15) -> dict:
    from firmo import db, geo
    from firmo.settings import Settings

    with db.connection(db_path, settings=Settings.from_env(), read_only=True) as con:
        centres = con.execute(
            f"SELECT latitude, longitude FROM (SELECT latitude, longitude FROM {geo.LOCATIONS} WHERE precise) "
            f"USING SAMPLE reservoir({points} ROWS) REPEATABLE ({seed})"
        ).fetchall()
        geo.establishments_near(con, centres[0][0], centres[0][1], 10)  # warm the macros and the file cache
        out = {}
        for radius in (10, 30, 50):
            times, found = [], []
            for lat, lon in centres:
                t0 = time.perf_counter()
                found.append(len(geo.establishments_near(con, lat, lon, radius)))
                times.append(time.perf_counter() - t0)
            times.sort()
            out[f"{radius}km"] = {
                "p50_s": round(statistics.median(times), 4),
                "p95_s": round(times[min(len(times) - 1, int(0.95 * len(times)))], 4),
                "max_s": round(times[-1], 4),
                "median_found": int(statistics.median(found)),
            }
    out["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return out


def _child(step: str, *args: str) -> dict:
    proc = subprocess.run(
        [sys.executable, __file__, "--step", step, *args], capture_output=True, text=True, check=False
    )
    if proc.returncode:
        sys.stderr.write(proc.stderr)
        raise SystemExit(f"step {step} failed")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=38_000_000)
    parser.add_argument("--zip", action="store_true", help="load the zip (as INSEE ships it) instead of the CSV")
    parser.add_argument("--keep", type=Path, help="work folder to keep (default: a temporary one, removed)")
    parser.add_argument("--step", choices=["generate", "load", "query"], help=argparse.SUPPRESS)
    parser.add_argument("--args", nargs="*", help=argparse.SUPPRESS)
    ns = parser.parse_args()
    if ns.step:
        a = ns.args or []
        if ns.step == "generate":
            result = generate(Path(a[0]), int(a[1]), Path(a[2]))
        elif ns.step == "load":
            result = load(Path(a[0]), Path(a[1]), Path(a[2]))
        else:
            result = query(Path(a[0]))
        print(json.dumps(result))
        return
    work = ns.keep or Path(tempfile.mkdtemp(prefix="bench_geoloc_"))
    work.mkdir(parents=True, exist_ok=True)
    db_path = work / "bench.duckdb"
    db_path.unlink(missing_ok=True)
    try:
        gen = _child("generate", "--args", str(work), str(ns.rows), str(db_path))
        print(f"generated {ns.rows:,} rows, {gen['bytes'] / 1e9:.2f} GB of CSV in {gen['seconds']:.0f} s")
        source = Path(gen["csv"])
        if ns.zip:
            t0 = time.perf_counter()
            source = zip_csv(source)
            Path(gen["csv"]).unlink()
            print(f"zipped to {source.stat().st_size / 1e9:.2f} GB in {time.perf_counter() - t0:.0f} s")
        loaded = _child("load", "--args", str(source), str(db_path), str(work))
        rate = ns.rows / loaded["seconds"]
        print(
            f"load: {loaded['seconds']:.1f} s, {rate:,.0f} rows/s, peak RSS {loaded['peak_rss_mb']:,.0f} MB "
            f"(DuckDB memory_limit {loaded['memory_limit']}); loaded {loaded['loaded']}, rejected {loaded['rejected']}"
        )
        queried = _child("query", "--args", str(db_path))
        for radius in ("10km", "30km", "50km"):
            q = queried[radius]
            print(
                f"establishments_near {radius:>5s}: p50 {q['p50_s']:.3f} s, p95 {q['p95_s']:.3f} s, "
                f"max {q['max_s']:.3f} s, median {q['median_found']:,} found"
            )
        print(f"query process peak RSS {queried['peak_rss_mb']:,.0f} MB")
        print(json.dumps({"rows": ns.rows, "generate": gen, "load": loaded, "query": queried}))
    finally:
        if not ns.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    random.seed(0)
    main()
