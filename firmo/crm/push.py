"""`push_hubspot`: the export's screening and ledger, delivered through the HubSpot API.

Same rules as the CSV export, last gate included (P units, RNE opposition, closed units read
from the registries at push time, suppression, customers, duplicates, unchanged leads are
skipped; refusals recorded in exports.rejects); the ledger CRM name is `hubspot_api`, so CSV and API deliveries are tracked
separately. A lead is recorded only when both its company and its contact were accepted, so a
partial failure is retried by the next run. A contact without email cannot be upserted (email is
the contact key): its company is pushed, the lead is counted in `no_email`, and it is recorded
once the company was accepted, so it is not pushed again until it changes (an email found later
changes it).

Read-back (firmo/crm/readback.py) makes it two-way: what a CRM disqualified recently is left out
like the other refusals; a company HubSpot holds without its SIREN (matched by domain or name) is
given it before the upsert, so it is updated, not duplicated; `hubspot_owner_id` is never sent, so
the seller who owns an account keeps it, and a contact HubSpot already holds keeps its
lifecycle stage and lead status. Each accepted company gets a note with the score and its
reasons (v3 notes, association type 190 note -> company), once per distinct body
(exports.crm_notes).
"""

from __future__ import annotations

import dataclasses
import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, TypeVar

import duckdb
import polars as pl

from firmo.compliance.suppression import SuppressionIndex
from firmo.crm import ledger, readback
from firmo.crm.export import Screened, changed_rows, record_rejects, registry_refusals, require_columns, screen
from firmo.crm.hubspot_api import HubSpotClient, HubSpotError
from firmo.crm.layouts import HUBSPOT, HUBSPOT_COMPANY_COLUMNS, HUBSPOT_CONTACT_COLUMNS, Layout
from firmo.crm.tables import ensure_tables
from firmo.db import transaction, utc_now

HUBSPOT_API = dataclasses.replace(HUBSPOT, crm="hubspot_api")
LEDGER_FILE = "api:hubspot"
REJECT_SOURCE = "lead list (push_hubspot input)"


SHARED_COUNTS = ("skipped_p", "suppressed", "customers", "opposed", "inactive", "crm_disqualified")


@dataclass
class ScreeningCounts:
    """What every push report counts alike: the leads the screening left out, and the unchanged."""

    skipped_unchanged: int = 0
    skipped_p: int = 0
    suppressed: int = 0
    customers: int = 0
    opposed: int = 0
    inactive: int = 0
    crm_disqualified: int = 0  # disqualified in a CRM recently (read-back), left out


R = TypeVar("R", bound=ScreeningCounts)
# (icp, lead, the layout's row, its content hash): one new or changed lead a push sends
Todo = tuple[str, dict[str, Any], dict[str, Any], str]


@dataclass
class PushPlan:
    """What every API push starts from: the export's screening and last gate, then the leads the
    ledger says are new or changed for this CRM."""

    screened: Screened
    todo: list[Todo]
    skipped_unchanged: int
    sent_before: set[str]  # lead keys the ledger holds for this CRM: a dry run says 'changed', not 'new'
    now: datetime  # the run's time (UTC), stamped on what it records

    def fill(self, report: R) -> R:
        """Set the counts every push report shares (the leads left out, the unchanged ones)."""
        for name in SHARED_COUNTS:
            setattr(report, name, getattr(self.screened, name))
        report.skipped_unchanged = self.skipped_unchanged
        return report


def plan_push(
    leads: pl.DataFrame,
    con: duckdb.DuckDBPyConnection,
    layout: Layout,
    source: str,
    *,
    full: bool,
    now: datetime | None,
    days: int,
) -> PushPlan:
    """The screening prologue of `push_hubspot`, `push_salesforce` and `push_pipedrive`: one
    place, so the three pushes refuse exactly what the CSV export refuses. `days`: how long a
    lead a CRM disqualified stays out."""
    ensure_tables(con)
    now = utc_now(now)
    require_columns(leads)
    refusals = registry_refusals(con, leads, disqualified_days=days, now=now)
    screened = screen(leads, SuppressionIndex.load(con), refusals, source=source)
    todo: list[Todo] = []
    unchanged, sent_before = 0, set()
    for icp in sorted({lead["icp"] for lead in screened.leads}):
        rows, n = changed_rows(con, layout, icp, [x for x in screened.leads if x["icp"] == icp], full=full)
        unchanged += n
        todo += [(icp, dict(lead), row, digest) for lead, row, digest in rows]
        sent_before |= set(ledger.last_hashes(con, layout.crm, icp))
    return PushPlan(screened, todo, unchanged, sent_before, now)


@dataclass
class PushReport(ScreeningCounts):
    companies: int = 0
    contacts: int = 0
    associations: int = 0
    no_email: int = 0
    failed: int = 0
    keyed: int = 0  # CRM companies found by domain or name that received their SIREN (not duplicated)
    notes: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)


# Properties sales own in the CRM: read back (exports.crm_accounts.owner), never written.
NEVER_PUSHED = frozenset({"hubspot_owner_id"})
# A contact HubSpot already holds (read back) keeps the statuses sales set: firmo's 'lead' / 'NEW'
# would reset an 'IN_PROGRESS' lead (and lifecyclestage only moves forward, crm_sync.md §1.4).
SALES_OWNED = tuple(c for c in HUBSPOT_CONTACT_COLUMNS if c not in ("lifecyclestage", "hs_lead_status"))
NOTE_MARKER = "[firmo:{siren}:{digest}]"  # deterministic, so a note can be recognised in the CRM


def _properties(row: dict[str, Any], columns: tuple[str, ...]) -> dict[str, str]:
    """HubSpot property values are strings; empty values are left out (never blank a CRM field)."""
    out = {}
    for col in columns:
        value = row[col]
        if value is None or col in NEVER_PUSHED:
            continue
        out[col] = value.isoformat() if isinstance(value, (date, datetime)) else str(value)
    return out


def push_hubspot(
    leads: pl.DataFrame,
    *,
    con: duckdb.DuckDBPyConnection,
    client: HubSpotClient,
    full: bool = False,
    now: datetime | None = None,
    associate: bool = True,
    notes: bool = True,
    disqualified_days: int = readback.DEFAULT_DISQUALIFIED_DAYS,
) -> PushReport:
    plan = plan_push(leads, con, HUBSPOT_API, REJECT_SOURCE, full=full, now=now, days=disqualified_days)
    screened, todo, now = plan.screened, plan.todo, plan.now
    report = plan.fill(PushReport())

    companies = {row["siren"]: row for _, _, row, _ in todo}
    # a company the CRM holds without its SIREN (matched by domain or name at read-back) gets it
    # first, so the upsert by SIREN updates that record instead of creating a second one
    for siren, crm_id in sorted(readback.unkeyed_accounts(con, readback.HUBSPOT, companies).items()):
        client.update("companies", crm_id, {"siren": siren})
        readback.mark_keyed(con, readback.HUBSPOT, crm_id)
        report.keyed += 1
    company_result = client.upsert(
        "companies",
        [
            {"id": siren, "idProperty": "siren", "properties": _properties(row, HUBSPOT_COMPANY_COLUMNS)}
            for siren, row in companies.items()
        ],
    )
    company_ids = {r.get("properties", {}).get("siren"): r["id"] for r in company_result.results}
    with_email = [(icp, lead, row, digest) for icp, lead, row, digest in todo if ledger.contact_email(lead)]
    report.no_email = len(todo) - len(with_email)
    known = readback.known_contacts(con, readback.HUBSPOT)
    contact_result = client.upsert(
        "contacts",
        [
            {
                "id": ledger.contact_email(lead),
                "idProperty": "email",
                "properties": _properties(
                    row, SALES_OWNED if ledger.contact_email(lead) in known else HUBSPOT_CONTACT_COLUMNS
                ),
            }
            for _, lead, row, _ in with_email
        ],
    )
    contact_ids = {str(r.get("properties", {}).get("email", "")).lower(): r["id"] for r in contact_result.results}
    report.companies, report.contacts = len(company_ids), len(contact_ids)
    report.errors = company_result.errors + contact_result.errors

    done = []
    for icp, lead, row, digest in todo:  # company only: recorded once HubSpot accepted the company
        if not ledger.contact_email(lead):
            if company_ids.get(row["siren"]) is None:
                report.failed += 1
            else:
                done.append(ledger.ledger_row(HUBSPOT_API.crm, icp, lead, digest, now, LEDGER_FILE))
    for icp, lead, row, digest in with_email:
        email = ledger.contact_email(lead)
        contact_id, company_id = contact_ids.get(email) if email else None, company_ids.get(row["siren"])
        if contact_id is None or company_id is None:
            report.failed += 1
            continue
        if associate:
            client.associate_contact_company(contact_id, company_id)
            report.associations += 1
        done.append(ledger.ledger_row(HUBSPOT_API.crm, icp, lead, digest, now, LEDGER_FILE))
    note_rows = _write_notes(con, client, todo, company_ids, now, report) if notes else []
    with transaction(con):
        _record_notes(con, note_rows)
        ledger.record(con, done)
        record_rejects(con, screened, now, source=REJECT_SOURCE)
    return report


def note_body(lead: dict[str, Any]) -> str:
    """'firmo: score 84/100 (hot)' and the score reasons, one per line, then the marker."""
    head = f"firmo: score {lead.get('score')}/100 ({lead.get('tier')}), ICP {lead.get('icp')}"
    reasons = [str(r) for r in (lead.get("score_reasons") or [])]
    text = "\n".join([head, *(f"- {r}" for r in reasons)])
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return f"{text}\n{NOTE_MARKER.format(siren=lead['siren'], digest=digest[:12])}"


def _write_notes(
    con: duckdb.DuckDBPyConnection,
    client: HubSpotClient,
    todo: list[tuple[str, dict[str, Any], dict[str, Any], str]],
    company_ids: dict[Any, str],
    now: datetime,
    report: PushReport,
) -> list[tuple[str, str, str, str, str, datetime]]:
    """A note with the score reasons on each accepted company, unless firmo wrote that same note
    (same body) before; a refused note is reported and retried next time the lead changes."""
    done = {
        (s, h)
        for s, h in con.execute("SELECT siren, body_hash FROM exports.crm_notes WHERE crm = 'hubspot'").fetchall()
    }
    rows, seen = [], set()
    for _, lead, row, _ in todo:
        company_id = company_ids.get(row["siren"])
        if company_id is None or row["siren"] in seen:
            continue
        seen.add(row["siren"])
        body = note_body(lead)
        digest = hashlib.sha256(body.encode("utf-8")).hexdigest()
        if (row["siren"], digest) in done:
            continue
        try:
            note_id = client.create_note(company_id, body, now.strftime("%Y-%m-%dT%H:%M:%SZ"))
        except HubSpotError as exc:
            report.errors.append({"category": "NOTE_REFUSED", "message": str(exc)})
            continue
        rows.append(("hubspot", row["siren"], digest, company_id, note_id, now))
        report.notes += 1
    return rows


def _record_notes(con: duckdb.DuckDBPyConnection, rows: list[tuple[str, str, str, str, str, datetime]]) -> None:
    if rows:
        con.executemany(
            "INSERT OR REPLACE INTO exports.crm_notes (crm, siren, body_hash, account_crm_id, note_id, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            rows,
        )
