"""ICP speed on a full-scale synthetic warehouse (issue #4): preview < 1 s median / < 2 s p95 over
10 varied ICPs, a 50,000-lead build < 10 s, on this machine.

    .venv/bin/python bench/bench_icp.py [--companies 16000000] [--repeats 5] [--keep]

Phases run in their own processes so each reports its own peak RSS:
  synth      core.companies (16M legal units), core.signals, inpi.officers, core.latest_financials
             written straight with DuckDB SQL (hash-based pseudo-random, same seed same data);
  prospects  build_prospects (the pipeline step after signals);
  preview    10 ICPs x repeats, in-process `preview()` timings, then `firmo icp preview` wall time
             (fresh Python process: imports + opening the file included);
  build      a 50,000-lead list (leads.<icp> + CSV).
Output under bench/out/icp/ (git-ignored); the warehouse file is deleted at the end unless --keep.
Establishments are not synthesised: no ICP query reads them (core.companies already carries
the head office and the per-unit establishment counts).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
import zlib
from datetime import date
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
OUT = REPO / "bench" / "out" / "icp"
AS_OF = date(2025, 6, 30)


def _u(salt: str, key: str = "i") -> str:
    """A uniform [0, 1) pseudo-random SQL expression of `key`, different per salt."""
    return f"((hash({key}, '{salt}') % 1000003) / 1000003.0)"


def _cdf(con, name: str, rows: list[tuple]) -> None:
    """A small table (lo, value...) for ASOF-join sampling from weighted categories."""
    total = sum(r[0] for r in rows)
    acc, out = 0.0, []
    for weight, *values in rows:
        out.append((acc / total, *values))
        acc += weight
    import polars as pl

    frame = pl.DataFrame([dict(zip(["lo", *(f"v{i}" for i in range(len(r) - 1))], r, strict=True)) for r in out],
                         infer_schema_length=None)
    con.register("cdf_src", frame.to_arrow())
    con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS SELECT * FROM cdf_src ORDER BY lo")
    con.unregister("cdf_src")


def synth(db_file: Path, companies: int) -> dict:
    from firmo import db
    from firmo.reference import load_reference
    from tests.icp.warehouse import COMPANY_COLUMNS

    con = db.connect(db_file)
    load_reference(con)
    big = {"68.20A": 60, "68.20B": 90, "47.11B": 8, "56.10A": 25, "56.10C": 15, "43.21A": 12, "43.22A": 10,
           "70.22Z": 40, "62.01Z": 15, "62.02A": 12, "86.21Z": 18, "86.90E": 10, "96.02A": 15, "49.32Z": 12,
           "85.59A": 12, "74.90B": 10, "01.11Z": 8, "41.20A": 8, "45.20A": 8, "73.11Z": 6, "90.01Z": 10}
    # the long tail: the codes the demo generator draws (ref.naf_codes holds all 732 sous-classes,
    # most of them rare; drawing each with weight 1-5 would spread companies evenly over them)
    from sources.demo.mix import POOLS

    drawn = sorted(set(big).union(*POOLS.values()))
    naf = con.execute("SELECT code, division FROM ref.naf_codes WHERE list_contains(?, code) ORDER BY code",
                      [drawn]).fetchall()
    _cdf(con, "naf_cdf", [(big.get(c, 1 + zlib.crc32(c.encode()) % 5), c, d) for c, d in naf])
    _cdf(con, "band_cdf", [(55, None), (15, "NN"), (10, "00"), (8, "01"), (4, "02"), (3, "03"), (2, "11"),
                           (1.5, "12"), (0.5, "21"), (0.3, "22"), (0.1, "31"), (0.1, "32"), (0.05, "41"),
                           (0.03, "42"), (0.01, "51"), (0.005, "52"), (0.003, "53")])
    _cdf(con, "lf_cdf", [(40, "1000"), (25, "5710"), (15, "5499"), (5, "5720"), (6, "6540"), (5, "9220"),
                         (1, "5599"), (1, "5498"), (1, "6599"), (1, "5202")])
    com = con.execute("SELECT code, name, postal_code, departement, weight FROM ref.communes_sample").fetchall()
    _cdf(con, "commune_cdf", [(w, c, n, p, d) for c, n, p, d, w in com])
    cols = ", ".join(COMPANY_COLUMNS)
    con.execute(f"""
    CREATE OR REPLACE TABLE core.companies AS
    WITH u AS (
        SELECT i, printf('%09d', 100000000 + i * 53) AS siren,
               {_u('naf')} AS u_naf, {_u('band')} AS u_band, {_u('lf')} AS u_lf, {_u('com')} AS u_com,
               {_u('cat')} AS u_cat, {_u('age')} AS u_age, {_u('act')} AS u_act, {_u('p')} AS u_p
        FROM range({companies}) r(i)
    ),
    a AS (SELECT u.*, n.v0 AS naf_code, n.v1 AS naf_division FROM u ASOF JOIN naf_cdf n ON u.u_naf >= n.lo),
    b AS (SELECT a.*, b.v0 AS headcount_band FROM a ASOF JOIN band_cdf b ON a.u_band >= b.lo),
    c AS (SELECT b.*, l.v0 AS legal_form_code FROM b ASOF JOIN lf_cdf l ON b.u_lf >= l.lo),
    d AS (SELECT c.*, m.v0 AS commune_code, m.v1 AS commune_name, m.v2 AS postal_code, m.v3 AS departement_code
          FROM c ASOF JOIN commune_cdf m ON c.u_com >= m.lo)
    SELECT {cols} FROM (
        SELECT d.siren, d.siren || '00017' AS siret_siege, 'SOCIETE ' || d.i AS name,
               (1 + d.i % 120) || ' RUE DU COMMERCE' AS street, d.postal_code, d.commune_name, d.commune_code,
               d.departement_code, dep.region_code, reg.name AS region_name, NULL::VARCHAR AS foreign_country,
               d.naf_code, div.section AS naf_section, d.naf_division, div.label AS naf_division_label,
               'sirene' AS naf_source, fw.naf2025 AS naf2025_code,
               CASE WHEN fw.naf2025 IS NULL THEN 'split: no 1-to-1 correspondence' ELSE 'correspondence' END
                   AS naf2025_source, n25.section AS naf2025_section, n25.division AS naf2025_division,
               d.headcount_band, hb.min_employees AS headcount_min, hb.max_employees AS headcount_max,
               coalesce(hb.employer, false) AS employer, d.legal_form_code, cj.label AS legal_form_label,
               CASE WHEN d.u_cat < 0.08 THEN NULL
                    WHEN hb.min_employees >= 5000 THEN 'GE' WHEN hb.min_employees >= 250 THEN 'ETI' ELSE 'PME' END
                   AS company_category,
               (DATE '2025-06-30' - CAST(d.u_age * d.u_age * 21900 AS INTEGER)) AS creation_date,
               d.u_act < 0.62 AS active, d.u_p >= 0.035 AS diffusible, NULL::VARCHAR[] AS idcc_codes
        FROM d
        LEFT JOIN ref.departements dep ON dep.code = d.departement_code
        LEFT JOIN ref.regions reg ON reg.code = dep.region_code
        LEFT JOIN ref.naf_divisions div ON div.code = d.naf_division
        LEFT JOIN (SELECT naf_rev2, any_value(naf2025) AS naf2025 FROM ref.naf_rev2_to_naf2025
                   GROUP BY naf_rev2 HAVING count(*) = 1) fw ON fw.naf_rev2 = d.naf_code
        LEFT JOIN ref.naf2025_codes n25 ON n25.code = fw.naf2025
        LEFT JOIN ref.headcount_bands hb ON hb.code = d.headcount_band
        LEFT JOIN ref.categories_juridiques_n3 cj ON cj.code = d.legal_form_code
    )""")
    _cdf(con, "sig_cdf", [(35, "recent_creation", "positive", "company created"),
                          (20, "new_establishment", "positive", "new establishment"),
                          (15, "new_decision_maker", "positive", "new Directeur général"),
                          (10, "company_closed", "negative", "company closed"),
                          (5, "capital_increase", "positive", "capital increase"),
                          (4, "headcount_up", "positive", "hiring"), (3, "headcount_down", "negative", "headcount down"),
                          (3, "head_office_transfer", "positive", "head office moved"),
                          (2, "radiation", "negative", "radiation"),
                          (1.5, "collective_proceeding", "negative", "redressement judiciaire"),
                          (0.75, "business_sold", "negative", "business sold"),
                          (0.75, "business_bought", "positive", "business bought")])
    n_signals, n_officers, n_fin = companies // 4, companies * 9 // 16, companies // 12
    con.execute(f"""
    CREATE OR REPLACE TABLE core.signals AS
    SELECT printf('%09d', 100000000 + (hash(i, 'sig_siren') % {companies}) * 53) AS siren, s.v0 AS signal_type,
           (DATE '2025-06-30' - CAST({_u('sig_date')} * 730 AS INTEGER)) AS signal_date,
           CASE WHEN s.v0 LIKE 'headcount%' THEN 0.34 ELSE 1.0 END AS strength, s.v1 AS polarity, s.v2 AS label,
           'bench' AS evidence, 'sirene' AS source, CAST(i AS VARCHAR) AS source_ref
    FROM (SELECT i, {_u('sig_type')} AS u FROM range({n_signals}) r(i)) r ASOF JOIN sig_cdf s ON r.u >= s.lo
    ORDER BY siren, signal_date DESC""")
    _cdf(con, "role_cdf", [(30, "73", "Président de SAS"), (40, "30", "Gérant"), (8, "53", "Directeur Général"),
                           (4, "70", "Directeur général délégué"), (6, "65", "Administrateur"),
                           (7, "71", "Commissaire aux comptes titulaire"), (2, "51", "Président du conseil d'administration"),
                           (3, "11", "Membre")])
    con.execute(f"""
    CREATE OR REPLACE TABLE inpi.officers AS
    SELECT printf('%09d', 100000000 + (hash(i, 'off_siren') % {companies}) * 53) AS siren,
           CASE WHEN {_u('kind')} < 0.92 THEN 'person' ELSE 'company' END AS officer_kind,
           (['MARTIN', 'BERNARD', 'THOMAS', 'PETIT', 'ROBERT', 'RICHARD', 'DURAND', 'DUBOIS'])[1 + i % 8] AS family_name,
           (['Marie', 'Jean', 'Pierre', 'Nathalie', 'Sophie', 'Nicolas', 'Camille', 'Thomas'])[1 + (i // 8) % 8] AS given_names,
           NULL::VARCHAR AS company_officer_siren, 'HOLDING ' || i AS company_officer_name,
           r.v0 AS role_code, [r.v0] AS role_codes, r.v1 AS role_label,
           (DATE '2025-06-30' - CAST({_u('start')} * 7300 AS INTEGER)) AS start_date,
           {_u('off_active')} < 0.9 AS active, CAST(i AS VARCHAR) AS representant_id,
           NULL::TIMESTAMP AS updated_at, 'bench' AS source_file
    FROM (SELECT i, {_u('role')} AS u FROM range({n_officers}) t(i)) t ASOF JOIN role_cdf r ON t.u >= r.lo""")
    con.execute(f"""
    CREATE OR REPLACE TABLE core.latest_financials AS
    SELECT DISTINCT ON (siren) siren, fiscal_year_end, 'C' AS type_bilan, NULL::VARCHAR AS confidentiality,
           revenue, NULL::BIGINT AS gross_margin, NULL::BIGINT AS ebitda, NULL::BIGINT AS ebit,
           NULL::BIGINT AS net_income, NULL::VARCHAR[] AS quality_flags
    FROM (SELECT printf('%09d', 100000000 + (hash(i, 'fin_siren') % {companies}) * 53) AS siren,
                 CASE WHEN i % 3 = 0 THEN DATE '2023-12-31' ELSE DATE '2024-12-31' END AS fiscal_year_end,
                 CAST(exp(10 + {_u('rev')} * 10) AS BIGINT) AS revenue
          FROM range({n_fin}) r(i))""")
    counts = {t: db.row_count(con, t) for t in ("core.companies", "core.signals", "inpi.officers", "core.latest_financials")}
    con.close()
    return counts


def build_prospects_phase(db_file: Path) -> dict:
    from firmo import db
    from firmo.icp import build_prospects

    with db.connection(db_file) as con:
        started = time.perf_counter()
        n = build_prospects(con)
        return {"prospects": n, "seconds": round(time.perf_counter() - started, 2)}


BENCH_ICPS: dict[str, dict] = {
    "all_j_section": {"criteria": {"naf": {"include": ["J"]}}},
    "restaurants_paris": {"criteria": {"naf": {"include": ["56.10A", "56.10C", "56.30Z"]}, "departements": ["75"],
                                       "headcount": {"min": 3, "max": 49}}},
    "industry_eti": {"criteria": {"naf": {"include": ["C"]}, "company_categories": ["ETI", "GE"],
                                  "revenue": {"min": 50_000_000, "unknown": "drop"}}},
    "young_consulting": {"criteria": {"naf": {"include": ["M"]}, "age_years": {"max": 3}},
                         "scoring": {"signal_weights": {"new_decision_maker": 60}, "half_life_days": 45}},
    "retail_south": {"criteria": {"naf": {"include": ["47"]}, "departements": ["13", "83", "06"],
                                  "employer_only": True, "legal_forms": ["54", "57"]}},
    "health_occitanie": {"criteria": {"naf": {"include": ["86"]}, "regions": ["Occitanie"],
                                      "require_decision_maker": True}},
    "transport_smb": {"criteria": {"naf": {"include": ["49.4", "52.29A", "49.32Z"]}, "headcount": {"min": 10, "max": 249}},
                      "scoring": {"signal_weights": {"new_establishment": 40}}},
    "real_estate": {"criteria": {"naf": {"include": ["68.20A", "68.20B"]}, "exclude_closed": False,
                                 "exclude_collective_proceedings": False,
                                 "revenue": {"min": 1_000_000, "max": 10_000_000, "unknown": "penalty"}}},
}


# Not an analyst's ICP, reported apart: no criterion at all, so every prospect is scored.
WORST_CASE = {"everything": {}}


def _icps() -> dict[str, object]:
    from firmo.icp import load_icp, parse_icp, resolve

    icps = {name: resolve(parse_icp(data, default_name=name)) for name, data in BENCH_ICPS.items()}
    for path in sorted((REPO / "icps").glob("*.yaml")):
        icps[path.stem] = load_icp(path)
    return icps


def preview_phase(db_file: Path, repeats: int) -> dict:
    from firmo import db
    from firmo.icp import preview

    icps, timings, totals = _icps(), {}, {}
    with db.connection(db_file, read_only=True) as con:
        for name, icp in icps.items():
            runs = []
            for _ in range(repeats):
                started = time.perf_counter()
                result = preview(con, icp, as_of=AS_OF)
                runs.append(time.perf_counter() - started)
            timings[name], totals[name] = runs, result.total
    flat = sorted(t for runs in timings.values() for t in runs)
    worst = {}
    with db.connection(db_file, read_only=True) as con:
        for name, data in WORST_CASE.items():
            from firmo.icp import parse_icp, resolve

            icp = resolve(parse_icp(data, default_name=name))
            runs = []
            for _ in range(max(2, repeats // 2)):
                started = time.perf_counter()
                worst[name + "_selected"] = preview(con, icp, as_of=AS_OF).total
                runs.append(time.perf_counter() - started)
            worst[name + "_median_s"] = round(statistics.median(runs), 3)
    return {
        "icps": len(icps), "runs": len(flat), "worst_case_no_criteria": worst, "median_s": round(statistics.median(flat), 3),
        "p95_s": round(flat[min(len(flat) - 1, int(0.95 * len(flat)))], 3), "max_s": round(flat[-1], 3),
        "per_icp_median_s": {n: round(statistics.median(r), 3) for n, r in timings.items()},
        "leads_selected": totals,
    }


def build_phase(db_file: Path) -> dict:
    from firmo import db
    from firmo.icp import build_leads, parse_icp, resolve

    icp = resolve(parse_icp({"criteria": {"naf": {"include": ["J", "M"]}, "headcount": {"min": 1, "max": 249}},
                             "max_leads": 50_000}, default_name="bench_50k"))
    with db.connection(db_file) as con:
        started = time.perf_counter()
        result = build_leads(con, icp, as_of=AS_OF, csv_dir=OUT / "leads")
        seconds = time.perf_counter() - started
    return {"rows": result.rows, "seconds": round(seconds, 2), "tiers": result.tiers,
            "csv_mb": round(result.csv_path.stat().st_size / 1e6, 1)}


def cli_phase(db_file: Path, repeats: int) -> dict:
    """`firmo icp preview` as an analyst runs it: a fresh process each time."""
    walls = []
    code = "import sys; from pipelines.cli_icp import icp_app; sys.argv[0] = 'firmo icp'; icp_app()"
    for _ in range(repeats):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", code, "preview", str(REPO / "icps" / "saas_tech_pme.yaml"),
                        "--db", str(db_file), "--as-of", AS_OF.isoformat()],
                       check=True, capture_output=True, cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)})
        walls.append(time.perf_counter() - started)
    return {"median_s": round(statistics.median(walls), 3), "max_s": round(max(walls), 3)}


def _peak_rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _run_phase(args: list[str]) -> dict:
    done = subprocess.run([sys.executable, __file__, *args], capture_output=True, text=True, cwd=REPO)
    if done.returncode:
        raise RuntimeError(f"phase {args} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--companies", type=int, default=16_000_000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--keep", action="store_true", help="keep the warehouse file")
    parser.add_argument("--phase", choices=["synth", "prospects", "preview", "build", "cli"])
    parser.add_argument("--db")
    args = parser.parse_args()
    if args.phase:
        db_file = Path(args.db)
        started = time.perf_counter()
        result = {"synth": lambda: synth(db_file, args.companies), "prospects": lambda: build_prospects_phase(db_file),
                  "preview": lambda: preview_phase(db_file, args.repeats), "build": lambda: build_phase(db_file),
                  "cli": lambda: cli_phase(db_file, args.repeats)}[args.phase]()
        print(json.dumps({**result, "phase_seconds": round(time.perf_counter() - started, 1), "peak_rss_mb": _peak_rss_mb()}))
        return
    OUT.mkdir(parents=True, exist_ok=True)
    db_file = OUT / f"icp_{args.companies}.duckdb"
    db_file.unlink(missing_ok=True)
    report: dict[str, object] = {"companies": args.companies, "cores": os.cpu_count()}
    try:
        for phase in ("synth", "prospects"):
            report[phase] = _run_phase(["--phase", phase, "--db", str(db_file), "--companies", str(args.companies)])
            print(phase, json.dumps(report[phase]), flush=True)
        report["warehouse_mb"] = round(db_file.stat().st_size / 1e6)
        for phase in ("preview", "build", "cli"):
            report[phase] = _run_phase(["--phase", phase, "--db", str(db_file), "--repeats", str(args.repeats)])
            print(phase, json.dumps(report[phase]), flush=True)
        report["warehouse_mb_after_build"] = round(db_file.stat().st_size / 1e6)
    finally:
        if not args.keep:
            db_file.unlink(missing_ok=True)
            Path(str(db_file) + ".wal").unlink(missing_ok=True)
    (OUT / "report.json").write_text(json.dumps(report, indent=2, ensure_ascii=False))
    print(json.dumps(report, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
