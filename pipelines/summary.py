"""The end-of-run summary: what is in the warehouse, what was rejected, where to look next."""

from __future__ import annotations

from pathlib import Path

import duckdb

from firmo.db import REGISTRIES, SCHEMAS
from firmo.sqlfiles import quote_ident


def table_counts(con: duckdb.DuckDBPyConnection) -> list[tuple[str, int]]:
    """(schema.table, rows) for every base table of the firmo schemas, staging tables excluded."""
    tables = con.execute(
        "SELECT table_schema || '.' || table_name FROM information_schema.tables "
        "WHERE table_type = 'BASE TABLE' AND table_schema IN (SELECT unnest(?::VARCHAR[])) "
        "AND table_name NOT LIKE '%\\_\\_staging' ESCAPE '\\' AND table_name <> 'rejects' ORDER BY 1",
        [list(SCHEMAS)],
    ).fetchall()
    return [(t, con.execute(f"SELECT count(*) FROM {quote_ident(t)}").fetchall()[0][0]) for (t,) in tables]


def reject_counts(con: duckdb.DuckDBPyConnection) -> list[tuple[str, int]]:
    out: list[tuple[str, int]] = []
    for schema in REGISTRIES:
        out += con.execute(f"SELECT target_table, count(*) FROM {schema}.rejects GROUP BY 1 ORDER BY 1").fetchall()
    return out


def lead_lines(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Per ICP: leads by tier, and what the waterfall found (when it ran) with its credits."""
    icps = [
        r[0]
        for r in con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'leads' AND table_type = 'BASE TABLE' "
            "AND table_name NOT LIKE '%\\_enriched' ESCAPE '\\' AND table_name NOT LIKE '%\\_\\_staging' ESCAPE '\\' "
            "ORDER BY 1"
        ).fetchall()
    ]
    if not icps:
        return []
    from waterfall.provenance import last_runs

    runs = last_runs(con)  # the latest enrichment's credits per ICP, not a running total
    credits = {icp: spent for icp, (spent, _) in runs.items()}
    out = [
        "",
        f"{'lead list':24s} {'leads':>6s} {'hot':>5s} {'warm':>5s} {'cold':>5s} {'emails':>7s} {'valid':>6s} "
        f"{'phones':>7s} {'credits':>8s}",
    ]
    for icp in icps:
        tiers = dict(con.execute(f'SELECT tier, count(*) FROM leads."{icp}" GROUP BY 1').fetchall())
        total = sum(tiers.values())
        found = ("-", "-", "-")
        enriched = con.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'leads' AND table_name = ?",
            [f"{icp}_enriched"],
        ).fetchall()[0][0]
        if enriched:
            found = con.execute(
                f"SELECT count(email), count(*) FILTER (email_status = 'valid'), count(phone) "
                f'FROM leads."{icp}_enriched"'
            ).fetchall()[0]
        out.append(
            f"{icp:24s} {total:>6,} {tiers.get('hot', 0):>5,} {tiers.get('warm', 0):>5,} {tiers.get('cold', 0):>5,} "
            f"{found[0]:>7} {found[1]:>6} {found[2]:>7} {credits.get(icp, 0) or 0:>8.1f}"
        )
        kept = runs.get(icp, (0.0, {}))[1]
        if kept:
            out.append(
                f"  {icp}: the last enrichment could not re-check and kept the earlier "
                + ", ".join(f"{n} {f}{'s' if n > 1 else ''}" for f, n in sorted(kept.items()))
            )
    from firmo.lookthrough import natural_person_contacts

    # leads whose contact is a natural person, before and after looking through holdings
    persons = {icp: natural_person_contacts(con, f"leads.{icp}") for icp in icps}
    shown = {icp: found for icp, found in persons.items() if found is not None}
    if shown:
        out += ["", f"{'contact is a natural person':28s} {'before':>7s} {'after look-through':>19s}"]
        for icp, (total, before, after) in shown.items():
            out.append(f"{icp:28s} {before:>7,} {after:>19,}  (of {total:,} leads)")
    return out


def persona_lines(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Per enriched ICP whose list searched personas (the waterfall's people step): leads whose
    contact is a persona found, by persona and by the vendor that found it, out of the leads."""
    rows = con.execute(
        "SELECT table_name FROM information_schema.columns WHERE table_schema = 'leads' AND column_name = 'persona' "
        "AND table_name LIKE '%\\_enriched' ESCAPE '\\' ORDER BY 1"
    ).fetchall()
    out: list[str] = []
    for (table,) in rows:
        total, found = con.execute(f'SELECT count(*), count(persona) FROM leads."{table}"').fetchall()[0]
        if not found:
            continue
        detail = con.execute(
            f'SELECT persona, persona_source, count(*) FROM leads."{table}" WHERE persona IS NOT NULL '
            "GROUP BY 1, 2 ORDER BY 1, 3 DESC, 2"
        ).fetchall()
        by = ", ".join(f"{persona} by {source} {n:,}" for persona, source, n in detail)
        out.append(f"  {table.removesuffix('_enriched')}: persona found for {found:,} of {total:,} leads ({by})")
    return ["", "persona hits per ICP (people search)", *out] if out else []


def kept_out_lines(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Active units never prospected, enriched or exported, per registry flag (firmo/compliance/prospecting.py)."""
    from firmo.compliance.prospecting import kept_out

    rows = kept_out(con)
    if not rows:
        return []
    title = "kept out of prospecting (active units)"
    width = max(len(title), *(len(label) for label, _ in rows))
    out = ["", f"{title.ljust(width)}  {'units':>10s}"]
    out += [f"{label.ljust(width)}  {n:>10,}" for label, n in rows]
    return out


def quality_lines(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The latest result of every data-quality check (per ICP for the per-ICP ones)."""
    from firmo.db import table_exists

    if not table_exists(con, "quality.check_results"):
        return []
    latest = con.execute(
        "SELECT check_name, partition_key, arg_max(passed, checked_at), arg_max(blocking, checked_at) "
        "FROM quality.check_results GROUP BY 1, 2 ORDER BY 1, 2"
    ).fetchall()
    failed = [f"{name}[{part}]" if part else name for name, part, passed, _ in latest if not passed]
    blocking = sum(1 for _, _, passed, blocks in latest if not passed and blocks)
    line = f"Data quality: {len(latest) - len(failed)} of {len(latest)} checks passed"
    if failed:
        line += f"; failed ({blocking} blocking): " + ", ".join(failed) + "  (SELECT * FROM quality.check_results)"
    return ["", line]


def render(con: duckdb.DuckDBPyConnection, db_file: Path, extra: dict[str, str] | None = None) -> str:
    counts = table_counts(con)
    rejects = dict(reject_counts(con))
    width = max((len(t) for t, _ in counts), default=10)
    lines = ["", "firmo: run complete", "", f"{'table'.ljust(width)}  {'rows':>12}  {'rejected':>9}"]
    lines.append(f"{'-' * width}  {'-' * 12}  {'-' * 9}")
    for table, n in counts:
        lines.append(f"{table.ljust(width)}  {n:>12,}  {rejects.get(table, 0):>9,}")
    lines += kept_out_lines(con)
    lines += lead_lines(con)
    lines += persona_lines(con)
    lines += quality_lines(con)
    lines += ["", f"Warehouse:  {db_file}"]
    for label, value in (extra or {}).items():
        lines.append(f"{label + ':':<11} {value}")
    read_copy = Path(db_file).parent / "firmo_read.duckdb"
    query_file = read_copy if read_copy.exists() else db_file
    view = "analytics.leads" if read_copy.exists() else "core.companies"
    reject_schemas = [
        schema
        for (schema,) in con.execute(
            "SELECT DISTINCT table_schema FROM information_schema.tables WHERE table_name = 'rejects' "
            "AND table_schema <> 'sirene' ORDER BY 1"
        ).fetchall()
    ]
    lines += [
        "Rejected rows, with file, line and reason:  SELECT * FROM sirene.rejects;  "
        f"(also {', '.join(f'{s}.' for s in reject_schemas)}rejects)",
        f"Query it:   .venv/bin/python -c \"import duckdb; print(duckdb.connect('{query_file}', read_only=True)"
        f".sql('SELECT * FROM {view} LIMIT 5'))\"",
        "Dagster UI: make ui   (then open http://127.0.0.1:3000; this run's materializations are there)",
        "",
    ]
    return "\n".join(lines)
