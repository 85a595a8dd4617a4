"""The export gate: a CRM export refuses to run while the latest result of a blocking check upstream
of it failed, whatever run recorded it (the checks of the same run already stop it in Dagster; this
covers a failure recorded by an earlier run, and `firmo export` by hand).

Which checks gate is the catalogue's business (assets/checks.py: every blocking check on a table
upstream of crm_exports): the gate takes their names, so a retired check's old failure never locks
an export, and the export's own checks (run after it) never do.
"""

from __future__ import annotations

from collections.abc import Sequence

import duckdb

from firmo import db
from firmo.sqlfiles import load_sql


class QualityGateError(RuntimeError):
    """A CRM export refused because a blocking data-quality check failed."""


def blocking_failures(con: duckdb.DuckDBPyConnection, icp: str, gates: Sequence[str]) -> list[tuple]:
    """(check, asset, partition, run id, checked at, summary) of each check of `gates` whose latest
    result for `icp`'s export (registry tables, or that ICP's own lead lists) failed."""
    if not db.table_exists(con, "quality.check_results"):
        return []
    return con.execute(load_sql("quality/blocking_failures"), {"checks": list(gates), "icp": icp}).fetchall()


def assert_exports_allowed(con: duckdb.DuckDBPyConnection, icp: str, gates: Sequence[str]) -> None:
    """Raise QualityGateError naming every failing check of `gates` upstream of `icp`'s export."""
    failures = blocking_failures(con, icp, gates)
    if not failures:
        return
    lines = [
        f"{check} on {asset}{f'[{part}]' if part else ''} (run {run_id[:8]}, {at:%Y-%m-%d %H:%M} UTC): {summary}"
        for check, asset, part, run_id, at, summary in failures
    ]
    raise QualityGateError(
        f"CRM export of {icp} refused: {len(failures)} blocking data-quality check{'s' * (len(failures) > 1)} "
        f"failed ({', '.join(f[0] for f in failures)}). Fix the data and re-materialize the checked asset; "
        "details in quality.check_results.\n" + "\n".join(lines)
    )
