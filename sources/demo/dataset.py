"""The demo dataset: every registry file the pipeline reads, generated for one universe of companies.

`make run` calls `ensure_demo()`; it generates only when the folder lacks a complete dataset
for the requested size and seed (a `demo.json` marker written last), so re-runs are instant and
an interrupted generation is redone rather than half-used.
"""

from __future__ import annotations

import json
import logging
import shutil
import time
from pathlib import Path

log = logging.getLogger(__name__)
MARKER = "demo.json"
# every source's writer after SIRENE's: (name, module, function(universe, folder) -> {key: path}).
# The marker records their names, so a demo written before a source existed is regenerated
# rather than run without that source's files.
WRITERS = (
    ("inpi", "sources.demo.inpi", "write_inpi"),
    ("bodacc", "sources.demo.bodacc", "write_bodacc"),
    ("decp", "sources.demo.decp", "write_decp"),
    ("geoloc", "sources.demo.geoloc", "write_geoloc"),
    ("idcc", "sources.demo.idcc", "write_idcc"),
    ("labels", "sources.demo.labels", "write_labels"),
    ("jobs", "sources.demo.jobs", "write_jobs"),
)


def last_month(universe):
    """The universe as the previous monthly SIRENE stock saw it: units whose headcount band moved
    in the last 60 days still have their former band. `make run` loads it before the current
    stock on an empty warehouse, so month-on-month changes (the hiring signal) exist in the demo
    as they do after a month in production."""
    import dataclasses
    from datetime import timedelta

    import polars as pl

    cutoff = universe.as_of - timedelta(days=60)
    moved = (
        universe.events.filter(
            pl.col("event_type").is_in(["headcount_up", "headcount_down"]) & (pl.col("event_date") > cutoff)
        )
        .select("siren", pl.col("details").str.json_path_match("$.band_before").alias("band_before"))
        .unique("siren", keep="first")
    )
    units = (
        universe.units.join(moved, on="siren", how="left")
        .with_columns(pl.coalesce("band_before", "tranche_effectifs").alias("tranche_effectifs"))
        .drop("band_before")
    )
    return dataclasses.replace(universe, units=units)


def generate_demo(out_dir: Path, *, companies: int = 20_000, seed: int = 42) -> dict[str, str]:
    """Write the demo files under `out_dir/<registry>/` and return {name: path}."""
    from sources.demo.sirene import write_sirene_stock
    from sources.demo.universe import build_universe

    started = time.perf_counter()
    tmp = out_dir.with_name(out_dir.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    universe = build_universe(companies, seed=seed)
    files: dict[str, Path] = {}
    files.update({f"sirene:{k}": v for k, v in write_sirene_stock(universe, tmp / "sirene").items()})
    previous = write_sirene_stock(
        last_month(universe), tmp / "sirene" / "previous", formats=("parquet",), broken_lines=False
    )
    files.update({f"sirene_previous:{k}": v for k, v in previous.items() if k != "manifest"})
    for name, module, func in WRITERS:
        writer = getattr(__import__(module, fromlist=[func]), func)
        files.update({f"{name}:{k}": v for k, v in writer(universe, tmp / name).items()})
    # Publish the folder only once complete: a crash leaves `.tmp`, never a partial demo.
    shutil.rmtree(out_dir, ignore_errors=True)
    tmp.rename(out_dir)
    published = {k: str(out_dir / Path(v).relative_to(tmp)) for k, v in files.items()}
    manifest = {
        "companies": companies,
        "seed": seed,
        "sources": [name for name, _, _ in WRITERS],
        "files": published,
        "seconds": round(time.perf_counter() - started, 1),
    }
    (out_dir / MARKER).write_text(json.dumps(manifest, indent=2))
    log.info("demo data for %d companies written to %s in %.1fs", companies, out_dir, manifest["seconds"])
    return published


def ensure_demo(out_dir: Path, *, companies: int = 20_000, seed: int = 42) -> dict[str, str]:
    """Generate the demo data unless a complete dataset of that size and seed is already there."""
    marker = out_dir / MARKER
    if marker.is_file():
        manifest = json.loads(marker.read_text())
        if (manifest.get("companies"), manifest.get("seed"), manifest.get("sources")) == (
            companies,
            seed,
            [name for name, _, _ in WRITERS],
        ):
            return manifest["files"]
        log.info("demo data in %s lacks sources or differs in size or seed: regenerating", out_dir)
    return generate_demo(out_dir, companies=companies, seed=seed)
