"""Precision and recall of the job-offer matcher on a generated set with known true matches.

    .venv/bin/python bench/bench_job_matching.py [--companies 20000] [--seed 42] [--enseigne-share 0.3]

Builds a demo universe, loads its SIRENE stock, generates its France Travail offers
(sources/demo/jobs.py: name variants, temp agencies, anonymous offers; the true SIRET of each kept
apart in the truth rows), gives a share of the true establishments an enseigne used by their
offers, adds look-alike companies (one letter away, same commune and
NAF) beside some true ones, loads the offers (sources/jobs/load.py) and runs the matcher at
several thresholds. Prints, per threshold: offers credited, precision (credited to the true
company / credited), recall (credited to the true company / offers that have one), and the
establishment (SIRET) accuracy of the right-company matches; then recall by name variant at the
default threshold.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

THRESHOLDS = (0.70, 0.75, 0.80, 0.85, 0.90, 0.95)


def build(workdir: Path, companies: int, seed: int, enseigne_share: float, hiring_share: float, decoy_share: float):
    """A warehouse with SIRENE and jobs.offres loaded; returns (connection, truth by offer id)."""
    import numpy as np

    from firmo import db
    from sources.demo.jobs import build_jobs
    from sources.demo.sirene import write_sirene_stock
    from sources.demo.universe import build_universe
    from sources.jobs.fetch import _write_jsonl
    from sources.jobs.load import load_offers
    from sources.jobs.parse import flatten_offer
    from sources.sirene.ingest import load_sirene

    universe = build_universe(companies, seed=seed)
    stocks = write_sirene_stock(universe, workdir / "sirene", formats=("parquet",), broken_lines=False)
    con = db.connect(workdir / "bench.duckdb")
    load_sirene(con, unites_legales=stocks["unites_legales_parquet"], etablissements=stocks["etablissements_parquet"])
    offers, _, truth = build_jobs(universe, hiring_share=hiring_share)
    rng = np.random.default_rng([seed, 99])
    by_id = {t["offer_id"]: t for t in truth}
    true_sites = sorted({t["siret"] for t in truth if t["siret"]})
    # enseigne variants: a share of the true establishments get an enseigne of their own (a shop
    # name unlike the company's), and their offers use it
    words = ("LE FOURNIL", "AU BON GOUT", "L ATELIER", "LA MAISON", "O COMPTOIR", "LE RELAIS", "PRIMEUR", "ESPACE")
    enseignes = {}
    for siret in true_sites:
        if rng.random() < enseigne_share:
            enseignes[siret] = f"{words[int(rng.integers(0, len(words)))]} {siret[5:9]}"
    con.executemany(
        "UPDATE sirene.etablissements SET enseigne1Etablissement = ? WHERE siret = ?",
        [(name, siret) for siret, name in enseignes.items()],
    )
    for offer in offers:
        t = by_id[offer["id"]]
        if t["siret"] in enseignes and rng.random() < 0.6:
            offer["entreprise"]["nom"] = enseignes[t["siret"]]
            t["variant"] = "enseigne"
    # decoys: another company, same commune and activity, its name one letter away (a DUPOND beside
    # a DUPONT): the hard negatives of real life
    decoys = [s for s in true_sites if rng.random() < decoy_share]
    con.execute("CREATE TEMP TABLE decoy(siret VARCHAR, n INTEGER)")
    con.executemany("INSERT INTO decoy VALUES (?, ?)", [(s, i) for i, s in enumerate(decoys)])
    con.execute(
        "CREATE TEMP TABLE decoy_ids AS SELECT d.siret, lpad(CAST(900000000 + d.n AS VARCHAR), 9, '0') AS siren, "
        "u.denominationUniteLegale AS name FROM decoy d JOIN sirene.etablissements e USING (siret) "
        "JOIN sirene.unites_legales u ON u.siren = e.siren"
    )
    con.execute(
        "INSERT INTO sirene.unites_legales BY NAME SELECT u.* REPLACE (i.siren AS siren, "
        "CASE WHEN length(i.name) > 6 THEN left(i.name, length(i.name) - 2) || 'X' || right(i.name, 1) "
        "ELSE i.name || 'X' END AS denominationUniteLegale, '00017' AS nicSiegeUniteLegale) "
        "FROM sirene.unites_legales u JOIN sirene.etablissements e ON e.siren = u.siren "
        "JOIN decoy_ids i ON i.siret = e.siret"
    )
    con.execute(
        "INSERT INTO sirene.etablissements BY NAME SELECT e.* REPLACE (i.siren AS siren, i.siren || '00017' AS siret, "
        "NULL AS enseigne1Etablissement, NULL AS denominationUsuelleEtablissement) "
        "FROM sirene.etablissements e JOIN decoy_ids i ON i.siret = e.siret"
    )
    path = workdir / "offres.jsonl"
    _write_jsonl(path, (flatten_offer(o) for o in offers))
    load_offers(con, [path])
    return con, by_id


def measure(con, truth: dict[str, dict], threshold: float) -> dict:
    from sources.jobs.match import match_offers

    started = time.perf_counter()
    match_offers(con, threshold=threshold)
    seconds = time.perf_counter() - started
    rows = con.execute("SELECT offer_id, siren, siret FROM core.job_offers").fetchall()
    credited = [(o, s, e) for o, s, e in rows if s is not None]
    right = [(o, s, e) for o, s, e in credited if truth[o]["siret"][:9] == s]
    wanted = sum(1 for t in truth.values() if t["siret"])
    by_variant = Counter(truth[o]["variant"] for o, _, _ in right)
    return {
        "threshold": threshold,
        "offers": len(rows),
        "credited": len(credited),
        "precision": len(right) / len(credited) if credited else 1.0,
        "recall": len(right) / wanted if wanted else 1.0,
        "siret_accuracy": sum(1 for o, _, e in right if truth[o]["siret"] == e) / len(right) if right else 1.0,
        "seconds": seconds,
        "right_by_variant": dict(by_variant),
    }


def main(argv: list[str] | None = None) -> None:
    from sources.jobs.match import DEFAULT_THRESHOLD

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--companies", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--enseigne-share", type=float, default=0.3, help="true establishments given an enseigne")
    parser.add_argument("--hiring-share", type=float, default=0.5, help="active employers with offers")
    parser.add_argument("--decoy-share", type=float, default=0.2, help="true establishments given a look-alike")
    parser.add_argument("--json", action="store_true", help="one JSON line per threshold")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        con, truth = build(
            Path(tmp), args.companies, args.seed, args.enseigne_share, args.hiring_share, args.decoy_share
        )
        variants = Counter(t["variant"] for t in truth.values())
        print(f"{len(truth):,} offers, by variant: " + ", ".join(f"{k} {v}" for k, v in sorted(variants.items())))
        print(f"{'threshold':>9} {'credited':>8} {'precision':>9} {'recall':>7} {'siret ok':>8} {'seconds':>7}")
        results = []
        for threshold in THRESHOLDS:
            r = measure(con, truth, threshold)
            results.append(r)
            if args.json:
                print(json.dumps(r))
            mark = "  <- default" if abs(threshold - DEFAULT_THRESHOLD) < 1e-9 else ""
            print(
                f"{threshold:>9.2f} {r['credited']:>8,} {r['precision']:>9.4f} {r['recall']:>7.4f} "
                f"{r['siret_accuracy']:>8.4f} {r['seconds']:>7.2f}{mark}"
            )
        default = next(r for r in results if abs(r["threshold"] - DEFAULT_THRESHOLD) < 1e-9)
        print("recall by variant at the default threshold:")
        for variant, total in sorted(variants.items()):
            if variant in ("temp_agency", "anonymous"):
                continue
            print(f"  {variant:12} {default['right_by_variant'].get(variant, 0) / total:.4f} of {total}")
        con.close()


if __name__ == "__main__":
    main()
