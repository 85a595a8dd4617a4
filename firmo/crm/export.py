"""`export_leads`: enriched lead list -> CRM import files, incrementally, atomically, lawfully.

Order of a run:
  1. screen every lead once (CRM-independent): SIRENE 'P' units out (doc §5: never used for
     prospecting), malformed leads out with a reason, then the last gate, which reads the
     registries' state *now*, not the lead row's copy made when the list was built: a unit that
     turned P, opposed commercial use at the RNE (R.123-320), closed or left core.companies
     since is out (`firmo.compliance.prospecting.refusals`), and so are suppressed people/companies and
     existing customers (the lists as they are now), and an account or contact a CRM disqualified
     less than FIRMO_CRM_DISQUALIFIED_DAYS ago (firmo/crm/readback.py). Every refusal is recorded in exports.rejects
     with its reason; duplicates of the same (icp, siren, contact) collapse to the latest;
  2. per ICP and CRM, build the CRM rows, keep those whose content hash differs from the ledger
     (all of them with `full=True`), and cut them into files under the importer's limits;
  3. write every file of the run atomically, and only then record them in `exports.ledger` in
     ONE transaction. A crash before that leaves no new file (or only whole files) and an
     unchanged ledger, so the next run simply exports the same leads again.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from firmo.compliance import prospecting, retired
from firmo.compliance.suppression import SuppressionIndex
from firmo.compliance.tables import REJECTS
from firmo.crm import ledger, readback
from firmo.crm.contacts import contact_problem
from firmo.crm.csvfile import Limits, render_rows, split_parts, write_atomically
from firmo.crm.layouts import CRMS, LAYOUTS, Layout
from firmo.crm.tables import ensure_tables
from firmo.db import transaction, utc_now

REQUIRED_COLUMNS = (
    "icp",
    "siren",
    "siret",
    "company_name",
    "first_name",
    "last_name",
    "email",
    "phone",
    "statut_diffusion",
    "lead_updated_at",
)
REJECT_TARGET = "exports.ledger"
REJECT_SOURCE = "lead list (export_leads input)"
_SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
_SIREN = re.compile(r"^\d{9}$")


@dataclass
class Screened:
    """Leads that may be exported, and why the others may not."""

    leads: list[dict[str, Any]] = field(default_factory=list)
    skipped_p: int = 0
    suppressed: int = 0
    customers: int = 0
    duplicates: int = 0
    opposed: int = 0  # RNE opposition to commercial use, now
    inactive: int = 0  # closed, or absent from core.companies, now
    crm_disqualified: int = 0  # disqualified in a CRM less than FIRMO_CRM_DISQUALIFIED_DAYS ago
    retired: int = 0  # the person left the company (a re-check saw them elsewhere): firmo.compliance.retired
    rejected: list[tuple[str, str]] = field(default_factory=list)  # (siren or row number, reason): malformed leads
    refused: list[tuple[str, str, str]] = field(default_factory=list)  # (icp, siren, reason): the gate said no
    reject_rows: list[list[Any]] = field(default_factory=list)  # both, shaped for exports.rejects


@dataclass
class ExportReport:
    """What a run did. Per-CRM dicts are keyed by CRM name; lead-level counts are CRM-independent."""

    files: dict[str, list[Path]]
    exported: dict[str, int]
    skipped_unchanged: dict[str, int]
    skipped_p: int
    suppressed: int
    customers: int
    duplicates: int
    rejected: list[tuple[str, str]]
    opposed: int = 0
    inactive: int = 0
    refused: list[tuple[str, str, str]] = field(default_factory=list)
    crm_disqualified: int = 0
    retired: int = 0  # the person left the company (firmo.compliance.retired)


def _invalid_reason(lead: Mapping[str, Any]) -> str | None:
    if not lead.get("icp") or not _SAFE_NAME.match(str(lead["icp"])):
        return f"icp {lead.get('icp')!r} is not a safe folder name"
    if not _SIREN.match(str(lead.get("siren") or "")):
        return f"siren {lead.get('siren')!r} is not 9 digits"
    if not lead.get("company_name"):
        return "no company_name (required by every CRM)"
    if not lead.get("last_name"):
        return "no last_name (Salesforce LastName and Pipedrive person name are required)"
    return contact_problem(lead)  # email, phone, domain: exported exactly as they are, or not at all


def require_columns(leads: pl.DataFrame) -> None:
    missing = [c for c in REQUIRED_COLUMNS if c not in leads.columns]
    if missing:
        raise ValueError(f"lead list lacks required columns: {', '.join(missing)}")


def screen(
    leads: pl.DataFrame, index: SuppressionIndex, registry: Mapping[str, str], *, source: str = REJECT_SOURCE
) -> Screened:
    """Apply the CRM-independent filters. `registry`: SIREN -> why the registries refuse it now
    (`prospecting.refusals(..., strict=True)`). Raises ValueError when required columns are absent."""
    require_columns(leads)
    out = Screened()
    latest: dict[tuple[str, str], dict[str, Any]] = {}

    def refuse(n: int, lead: Mapping[str, Any], reason: str) -> None:
        out.refused.append((str(lead.get("icp")), str(lead.get("siren")), reason))
        # identifiers only: a sole trader's company name is a person's name
        raw = json.dumps({k: lead.get(k) for k in ("icp", "siren")}, ensure_ascii=False)
        out.reject_rows.append([REJECT_TARGET, source, n, reason, raw])

    for n, lead in enumerate(leads.to_dicts(), start=1):
        if lead.get("statut_diffusion") != "O":
            out.skipped_p += 1  # 'P' or unknown: partial diffusion must not be prospected
            statut = lead.get("statut_diffusion")
            refuse(n, lead, prospecting.P_REASON if statut == "P" else f"statut_diffusion {statut!r} is not 'O'")
            continue
        reason = _invalid_reason(lead)
        if reason:
            out.rejected.append((str(lead.get("siren") or f"row {n}"), reason))
            # raw keeps only company identifiers: no personal data lingers in the quarantine
            raw = json.dumps({k: lead.get(k) for k in ("icp", "siren", "company_name")}, ensure_ascii=False)
            out.reject_rows.append([REJECT_TARGET, source, n, reason, raw])
            continue
        email = ledger.contact_email(lead)
        refused = (
            registry.get(str(lead["siren"]))
            or (registry.get(f"email:{email}") if email else None)
            or (registry.get(f"retired:{lead['siren']}:{email}") if email else None)
        )
        if refused:
            if refused.startswith(retired.PREFIX):
                out.retired += 1
            elif refused.startswith(readback.HOLD_PREFIX):
                out.crm_disqualified += 1
            elif refused == prospecting.P_REASON:
                out.skipped_p += 1
            elif refused == prospecting.OPPOSITION_REASON:
                out.opposed += 1
            else:
                out.inactive += 1
            refuse(n, lead, refused)
            continue
        blocked = index.reason(lead)
        if blocked:
            if blocked == "customer":
                out.customers += 1
            else:
                out.suppressed += 1
            refuse(n, lead, blocked)
            continue
        key = (lead["icp"], ledger.lead_key(lead))
        if key in latest:
            out.duplicates += 1
            if _newer(latest[key], lead):
                continue
        latest[key] = lead
    out.leads = list(latest.values())
    return out


def _newer(kept: Mapping[str, Any], other: Mapping[str, Any]) -> bool:
    """True when `kept` is at least as recent as `other` (None counts as oldest)."""
    a, b = kept.get("lead_updated_at"), other.get("lead_updated_at")
    return b is None or (a is not None and a >= b)


def changed_rows(
    con: duckdb.DuckDBPyConnection, layout: Layout, icp: str, leads: Iterable[Mapping[str, Any]], *, full: bool
) -> tuple[list[tuple[Mapping[str, Any], dict[str, Any], str]], int]:
    """(lead, CRM row, hash) of the leads to send, and how many were unchanged since last time."""
    previous = {} if full else ledger.last_hashes(con, layout.crm, icp)
    todo, unchanged = [], 0
    for lead in leads:
        row = layout.row(lead)
        digest = ledger.content_hash(row)
        if previous.get(ledger.lead_key(lead)) == digest:
            unchanged += 1
        else:
            todo.append((lead, row, digest))
    return todo, unchanged


def export_leads(
    leads: pl.DataFrame,
    *,
    con: duckdb.DuckDBPyConnection,
    root: Path,
    crms: Sequence[str] = CRMS,
    full: bool = False,
    now: datetime | None = None,
    limits: Mapping[str, Limits] | None = None,
    disqualified_days: int = readback.DEFAULT_DISQUALIFIED_DAYS,
) -> ExportReport:
    """Write `root/<icp>/<crm>/<crm>_<icp>_<UTC stamp>_partNNN.csv` for new or changed leads.

    `limits` overrides the importer limits per CRM (tests split at a few rows/bytes).
    """
    unknown = [c for c in crms if c not in LAYOUTS]
    if unknown:
        raise ValueError(f"unknown CRM(s) {unknown}; known: {sorted(LAYOUTS)}")
    ensure_tables(con)
    now = utc_now(now)
    stamp = now.strftime("%Y%m%dT%H%M%SZ")
    require_columns(leads)
    refusals = registry_refusals(con, leads, disqualified_days=disqualified_days, now=now)
    screened = screen(leads, SuppressionIndex.load(con), refusals)
    by_icp: dict[str, list[dict[str, Any]]] = {}
    for lead in screened.leads:
        by_icp.setdefault(lead["icp"], []).append(lead)

    payloads: dict[Path, bytes] = {}
    ledger_rows: list[dict[str, Any]] = []
    report = ExportReport(
        {c: [] for c in crms},
        dict.fromkeys(crms, 0),
        dict.fromkeys(crms, 0),
        screened.skipped_p,
        screened.suppressed,
        screened.customers,
        screened.duplicates,
        screened.rejected,
        screened.opposed,
        screened.inactive,
        screened.refused,
        screened.crm_disqualified,
        screened.retired,
    )
    for icp, icp_leads in sorted(by_icp.items()):
        for crm in crms:
            layout = LAYOUTS[crm]
            todo, unchanged = changed_rows(con, layout, icp, icp_leads, full=full)
            report.skipped_unchanged[crm] += unchanged
            if not todo:
                continue
            cells = render_rows(layout.columns, [row for _, row, _ in todo], layout.phone_columns)
            parts = split_parts(layout.columns, cells, (limits or {}).get(crm, layout.limits))
            folder = Path(root) / icp / crm
            run = _free_stamp(folder, f"{crm}_{icp}_{stamp}")
            for number, (payload, start, count) in enumerate(parts, start=1):
                path = folder / f"{run}_part{number:03d}.csv"
                payloads[path] = payload
                report.files[crm].append(path)
                rel = path.relative_to(root).as_posix()
                ledger_rows += [
                    ledger.ledger_row(crm, icp, lead, digest, now, rel)
                    for lead, _, digest in todo[start : start + count]
                ]
            report.exported[crm] += len(todo)

    write_atomically(payloads)
    with transaction(con):
        ledger.record(con, ledger_rows)
        record_rejects(con, screened, now)
    return report


def registry_refusals(
    con: duckdb.DuckDBPyConnection,
    leads: pl.DataFrame,
    *,
    disqualified_days: int = readback.DEFAULT_DISQUALIFIED_DAYS,
    now: datetime | None = None,
) -> dict[str, str]:
    """The last gate's registry half, read when the export runs: SIREN -> why core.companies
    (P, closed, unknown) or inpi.companies (RNE opposition) refuses it now; and what a CRM
    disqualified less than `disqualified_days` ago (firmo/crm/readback.py: SIREN or
    'email:<email>' -> reason); and the people who left the company ('retired:<siren>:<email>',
    firmo.compliance.retired). Raises prospecting.RegistryMissing without core.companies."""
    registry = prospecting.refusals(con, leads["siren"].drop_nulls().to_list(), strict=True)
    people = [
        {**lead, "email": ledger.contact_email(lead)}
        for lead in leads.select(
            [c for c in ("siren", "email", "first_name", "last_name") if c in leads.columns]
        ).to_dicts()
    ]
    gone = {f"retired:{siren}:{email}": why for (siren, email), why in retired.refusals(con, people).items()}
    return {**gone, **readback.holds(con, now=now, days=disqualified_days), **registry}


def _free_stamp(folder: Path, base: str) -> str:
    """`base`, or `base-2`, `base-3`... when a run with the same second already wrote files there:
    an earlier export is never overwritten (the ledger points at its files)."""
    name, k = base, 1
    while any(folder.glob(f"{name}_part*.csv")):
        k += 1
        name = f"{base}-{k}"
    return name


def record_rejects(
    con: duckdb.DuckDBPyConnection, screened: Screened, now: datetime, source: str = REJECT_SOURCE
) -> None:
    """Replace the previous run's quarantined and refused leads (of this `source`: CSV export or
    HubSpot push) by this run's (line_number = row in the frame)."""
    con.execute(f"DELETE FROM {REJECTS} WHERE target_table = ? AND source_file = ?", [REJECT_TARGET, source])
    if screened.reject_rows:
        con.executemany(
            f"INSERT INTO {REJECTS} (target_table, source_file, line_number, reason, raw, loaded_at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            [[*row, now] for row in screened.reject_rows],
        )
