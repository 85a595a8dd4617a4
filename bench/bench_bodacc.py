"""Benchmark: one year of BODACC at real volume (~3.4M notices) through `load_bodacc`.

    .venv/bin/python bench/bench_bodacc.py [--notices 3400000] [--keep DIR]

Writes 365 daily Opendatasoft JSON exports (the shape the daily partitions fetch) whose notices
are drawn from the generator's notices with the real family mix of a year of BODACC (about half
dépôts des comptes, BODACC C), each with its own id and SIREN; then loads the whole year in one
backfill window, in a child process, and prints notices/s, the ratio to the target (a year in
under 3 minutes) and the peak RSS of the load.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.bench_ratios import _RssSampler  # noqa: E402

YEAR = 2025
TARGET_SECONDS = 180.0
TARGET_RATE = 3_400_000 / TARGET_SECONDS  # notices/s: a real year in 3 minutes
# Approximate yearly mix of annonces-commerciales by family (BODACC A, B, C).
FAMILY_MIX = {"dpc": 0.46, "modification": 0.24, "creation": 0.09, "radiation": 0.09, "immatriculation": 0.04,
              "vente": 0.04, "collective": 0.04}


def templates() -> dict[str, list[dict]]:
    """ODS records by family, from a small generated universe (plus dépôts des comptes)."""
    from sources.demo.bodacc import _notices, _number, _ods_record
    from sources.demo.universe import build_universe

    rng = random.Random(7)
    notices = _notices(build_universe(3000, seed=7), rng)
    _number(notices)
    by_family: dict[str, list[dict]] = {}
    for n in notices:
        rec = _ods_record(n, rng)
        by_family.setdefault(rec["familleavis"], []).append(rec)
    by_family["immatriculation"] = [dict(r, familleavis="immatriculation", familleavis_lib="Immatriculations", acte=json.dumps(
        {"immatriculation": {"categorieImmatriculation": "Immatriculation d'une personne morale suite à transfert de son siège"}}))
        for r in by_family["creation"]]
    by_family["dpc"] = [{
        "publicationavis": "C", "publicationavis_facette": "Bodacc C", "typeavis": "annonce",
        "typeavis_lib": "Avis initial", "familleavis": "dpc", "familleavis_lib": "Dépôts des comptes",
        "numerodepartement": "75", "ville": "Paris", "tribunal": "Greffe du Tribunal de Commerce de Paris",
        "commercant": f"SOCIETE {i}", "registre": "",
        "listepersonnes": json.dumps({"personne": {"typePersonne": "pm", "denomination": f"SOCIETE {i}",
                                                   "numeroImmatriculation": {"numeroIdentification": "", "codeRCS": "RCS"}}}),
        "depot": json.dumps({"dateCloture": f"{YEAR - 1}-12-31", "typeDepot": "Comptes annuels et rapports"}),
    } for i in range(50)]
    return by_family


def _siren(rng: random.Random) -> str:
    from stdnum.fr import siren

    base = f"{rng.randrange(10**7, 10**8):08d}"
    return base + siren.luhn.calc_check_digit(base)


def generate(total: int, out: Path) -> list[Path]:
    """365 daily JSON exports, `total` notices in all."""
    rng = random.Random(11)
    pools = templates()
    families = list(FAMILY_MIX)
    weights = [FAMILY_MIX[f] for f in families]
    days = [dt.date(YEAR, 1, 1) + dt.timedelta(days=i) for i in range(365)]
    per_day = total // len(days)
    paths = []
    for d_index, day in enumerate(days):
        count = per_day + (1 if d_index < total - per_day * len(days) else 0)
        numbers: dict[str, int] = {}
        records = []
        parution = f"{day.year}{day.timetuple().tm_yday:04d}"
        for family in rng.choices(families, weights, k=count):
            rec = dict(rng.choice(pools[family]))
            old = rec["registre"]
            old_siren = (old[0] if isinstance(old, list) else (old or "")).split(",")[0]
            new = _siren(rng)
            spaced = f"{new[:3]} {new[3:6]} {new[6:]}"
            if old_siren:
                rec["listepersonnes"] = rec["listepersonnes"].replace(
                    f"{old_siren[:3]} {old_siren[3:6]} {old_siren[6:]}", spaced)
            else:
                rec["listepersonnes"] = rec["listepersonnes"].replace('"numeroIdentification": ""', f'"numeroIdentification": "{spaced}"')
            rec["registre"] = f"{new},{spaced}"
            letter = rec["publicationavis"]
            numbers[letter] = numbers.get(letter, 0) + 1
            rec.update(id=f"{letter}{parution}{numbers[letter]}", parution=parution, numeroannonce=numbers[letter],
                       dateparution=day.isoformat())
            rec.pop("parutionavisprecedent", None)
            if rec.get("typeavis") != "annonce":
                rec.update(typeavis="annonce", typeavis_lib="Avis initial")
            records.append(rec)
        path = out / f"annonces-commerciales_{day.isoformat()}.json"
        path.write_text(json.dumps(records, ensure_ascii=False), encoding="utf-8")
        paths.append(path)
    return paths


def load(folder: Path, db_path: Path) -> None:
    """Child process: load the year in one window, print figures."""
    from firmo import db
    from sources.bodacc.load import load_bodacc

    paths = sorted(folder.glob("annonces-commerciales_*.json"))
    con = db.connect(db_path)
    peak = _RssSampler()
    started = time.perf_counter()
    with peak:
        report = load_bodacc(con, paths, window=(dt.date(YEAR, 1, 1), dt.date(YEAR + 1, 1, 1)))
    seconds = time.perf_counter() - started
    loaded = report.loaded["bodacc.notices"]
    print(f"load: {loaded:,} notices from {len(paths)} daily files in {seconds:.1f}s = {loaded / seconds:,.0f} notices/s; "
          f"rejected {report.rejected['bodacc.notices']:,}; floor {TARGET_RATE:,.0f}/s (a year in "
          f"{TARGET_SECONDS:.0f}s) -> {loaded / seconds / TARGET_RATE:.2f}x; a 3.4M year would take "
          f"{3_400_000 / (loaded / seconds):.0f}s; peak RSS {peak.max_bytes / 1e6:,.0f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notices", type=int, default=3_400_000)
    parser.add_argument("--keep", type=Path, help="write the files here and keep them")
    parser.add_argument("--load-only", nargs=2, type=Path, metavar=("DIR", "DB"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.load_only:
        load(*args.load_only)
        return
    with tempfile.TemporaryDirectory(prefix="bench_bodacc_") as tmp:
        out = args.keep or Path(tmp)
        out.mkdir(parents=True, exist_ok=True)
        if not any(out.glob("annonces-commerciales_*.json")):
            started = time.perf_counter()
            paths = generate(args.notices, out)
            size = sum(p.stat().st_size for p in paths)
            print(f"generate: {args.notices:,} notices, {size / 1e6:,.0f} MB of JSON in {time.perf_counter() - started:.1f}s")
        db_path = out / "bench.duckdb"
        db_path.unlink(missing_ok=True)
        subprocess.run([sys.executable, __file__, "--load-only", str(out), str(db_path)], check=True)


if __name__ == "__main__":
    main()
