"""What analysts query: stable views in schema `analytics`, and a read-only snapshot of the
warehouse they can keep open while the pipeline writes.

DuckDB allows one writer per file and a writer excludes readers from other processes. So runs
write the working file (`FIRMO_DB`), and at the end of a run `publish_snapshot` checkpoints it,
copies it to `snapshots/firmo-<UTC stamp>.duckdb` (a `.part` file renamed when complete) and
atomically repoints the symlink `firmo_read.duckdb` at the copy. An analyst who opened the
previous snapshot keeps reading it (an unlinked file stays readable on POSIX); the next connection
gets the new one. The views live in the file, so they are in every snapshot.

The views are the contract: table names and columns under `core.*` may evolve, `analytics.*`
stays. Non-diffusible (`P`) units are left out of every view (INSEE diffusion rule), and so are
units whose latest RNE payload opposes commercial use (`diffusionCommerciale: false`, art.
R.123-320; firmo/compliance/prospecting.py), lead lists included: the views read inpi.companies when queried,
so an opposition that lands after a list was built hides it at once. The raw `sirene.*` and
`inpi.*` tables keep them for completeness.
"""

from __future__ import annotations

import logging
import os
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from firmo import db
from firmo.compliance import prospecting
from firmo.settings import Settings

log = logging.getLogger(__name__)

SCHEMA = "analytics"
ENRICHED_SUFFIX = "_enriched"
READ_LINK = "firmo_read.duckdb"
KEEP_SNAPSHOTS = 2

# view -> (tables it needs, SELECT)
VIEWS: dict[str, tuple[tuple[str, ...], str]] = {
    "companies": (
        ("core.companies",),
        "SELECT * EXCLUDE (diffusion_status, diffusible) FROM core.companies WHERE diffusible",
    ),
    "officers": (
        ("inpi.officers", "core.companies"),
        "SELECT o.siren, c.name AS company_name, o.officer_kind, o.family_name, o.given_names, "
        "o.company_officer_siren, o.company_officer_name, o.role_code, o.role_codes, o.role_label, "
        "o.start_date, o.active, o.updated_at FROM inpi.officers o JOIN core.companies c USING (siren) WHERE c.diffusible",
    ),
    "financials": (
        ("core.latest_financials", "core.companies"),
        "SELECT f.* FROM core.latest_financials f JOIN core.companies c USING (siren) WHERE c.diffusible",
    ),
    "signals": (
        ("core.signals", "core.companies"),
        "SELECT s.* FROM core.signals s JOIN core.companies c USING (siren) WHERE c.diffusible",
    ),
    "notices": (("bodacc.notices",), "SELECT * EXCLUDE (source_file) FROM bodacc.notices"),
    "exports": (("exports.ledger",), "SELECT crm, icp, siren, exported_at, file FROM exports.ledger"),
}
# views that list prospects -> their SIREN column: RNE opposition filtered out (`AND` appended to
# their WHERE), as P units are
OPPOSITION_FILTERED = {"companies": "siren", "officers": "o.siren", "financials": "f.siren", "signals": "s.siren"}


@dataclass(frozen=True)
class Snapshot:
    path: Path
    link: Path
    size_bytes: int
    views: list[str]


def create_views(con: duckdb.DuckDBPyConnection) -> list[str]:
    """(Re)create every view whose tables exist; returns the view names. Lead views union every
    ICP's list (`leads`) and every enriched list (`enriched_contacts`)."""
    con.execute(f"CREATE SCHEMA IF NOT EXISTS {SCHEMA}")
    made = []
    for name, (needs, select) in VIEWS.items():
        if all(db.table_exists(con, t) for t in needs):
            if name in OPPOSITION_FILTERED:
                select = f"{select} AND {prospecting.not_opposed(con, OPPOSITION_FILTERED[name])}"
            con.execute(f"CREATE OR REPLACE VIEW {SCHEMA}.{name} AS {select}")
            made.append(name)
    lead_tables = [
        r[0]
        for r in con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'leads' AND table_type = 'BASE TABLE' "
            "AND NOT table_name LIKE '%\\_\\_staging' ESCAPE '\\' ORDER BY table_name"
        ).fetchall()
    ]
    plain = [t for t in lead_tables if not t.endswith(ENRICHED_SUFFIX)]
    enriched = [t for t in lead_tables if t.endswith(ENRICHED_SUFFIX)]
    for name, tables, columns in (
        ("leads", plain, "*"),
        (
            "enriched_contacts",
            enriched,
            "icp, rank, siren, company_name, first_name, last_name, job_title, tier, score, website_domain, email, "
            "email_status, email_source, email_found_at, phone, phone_type, phone_source, phone_found_at",
        ),
    ):
        if tables:
            union = " UNION ALL BY NAME ".join(f'SELECT {columns} FROM leads."{t}"' for t in tables)
            con.execute(
                f"CREATE OR REPLACE VIEW {SCHEMA}.{name} AS SELECT * FROM ({union}) "
                f"WHERE {prospecting.not_opposed(con)}"
            )
            made.append(name)
        else:
            con.execute(f"DROP VIEW IF EXISTS {SCHEMA}.{name}")
    return made


def snapshot_dir(settings: Settings | None = None) -> Path:
    """`<data dir>/snapshots` (the settings', default the environment's)."""
    return (settings or Settings.from_env()).data_dir / "snapshots"


def publish_snapshot(
    db_path: Path | None = None,
    *,
    dest: Path | None = None,
    now: datetime | None = None,
    keep: int = KEEP_SNAPSHOTS,
    settings: Settings | None = None,
) -> Snapshot:
    """Refresh the views, checkpoint, copy the file atomically and repoint the read link; keep the
    newest `keep` snapshots (an erasure keeps 1: older copies still hold the erased values).

    The caller must hold the only write connection (the run queue keeps runs single-writer);
    this function opens and closes its own connection before copying."""
    settings = settings or Settings.from_env()
    db_path = Path(db_path or settings.db_path)
    dest = Path(dest or snapshot_dir(settings))
    dest.mkdir(parents=True, exist_ok=True)
    with db.connection(db_path, settings=settings) as con:
        views = create_views(con)
        con.execute("CHECKPOINT")
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%S%fZ")
    target = dest / f"firmo-{stamp}.duckdb"
    part = target.with_name(target.name + ".part")
    shutil.copyfile(db_path, part)
    with part.open("rb") as fh:
        os.fsync(fh.fileno())
    os.replace(part, target)
    link = db_path.parent / READ_LINK
    tmp_link = link.with_name(link.name + ".tmp")
    tmp_link.unlink(missing_ok=True)
    tmp_link.symlink_to(os.path.relpath(target, link.parent))
    os.replace(tmp_link, link)
    _prune(dest, keep=keep)
    log.info("published %s (%s views) -> %s", target.name, len(views), link)
    return Snapshot(target, link, target.stat().st_size, views)


def _prune(folder: Path, keep: int) -> None:
    """Delete all but the newest `keep` snapshots (readers holding one open keep reading it)."""
    snapshots = sorted(folder.glob("firmo-*.duckdb"))
    for old in snapshots[:-keep]:
        old.unlink(missing_ok=True)
    for stale in folder.glob("*.part"):
        stale.unlink(missing_ok=True)
