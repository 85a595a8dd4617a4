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
reasons (v3 notes batch create, 100 a call, association type 190 note -> company), once per
distinct body (exports.crm_notes).
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, TypeVar

import duckdb
import polars as pl

from firmo.compliance.suppression import SuppressionIndex
from firmo.crm import ledger, readback
from firmo.crm.export import Screened, changed_rows, record_rejects, registry_refusals, require_columns, screen
from firmo.crm.hubspot_api import NOTE_MAX_CHARS, HubSpotClient
from firmo.crm.layouts import (
    HUBSPOT,
    HUBSPOT_COMPANY_COLUMNS,
    HUBSPOT_COMPANY_RENAMED,
    HUBSPOT_CONTACT_COLUMNS,
    HUBSPOT_CONTACT_FILE_ONLY,
    Layout,
)
from firmo.crm.tables import ensure_tables
from firmo.db import registered, table_exists, transaction, utc_now
from firmo.sqlfiles import load_sql

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
    planned: list[str] = field(default_factory=list)  # dry run: what would change, emails masked
    would: Counter[str] = field(default_factory=Counter)  # dry run: 'create company' -> count, ...


# Properties sales own in the CRM: read back (exports.crm_accounts.owner), never written.
NEVER_PUSHED = frozenset({"hubspot_owner_id"})
# A contact HubSpot already holds (read back) keeps the statuses sales set: firmo's 'lead' / 'NEW'
# would reset an 'IN_PROGRESS' lead (and lifecyclestage only moves forward, crm_sync.md §1.4).
SALES_OWNED = tuple(c for c in HUBSPOT_CONTACT_COLUMNS if c not in ("lifecyclestage", "hs_lead_status"))
NOTE_MARKER = "[firmo:{siren}:{digest}]"  # deterministic, so a note can be recognised in the CRM


def _properties(
    row: dict[str, Any], columns: tuple[str, ...], renamed: Mapping[str, str] | None = None
) -> dict[str, str]:
    """HubSpot property values are strings; empty values are left out (never blank a CRM field).
    `renamed`: row column -> property, as the import maps them (the company's `company_phone`
    column is its `phone` property, HUBSPOT_COMPANY_RENAMED)."""
    out = {}
    for col in (*columns, *(renamed or {})):
        value = row.get(col)
        if value is None or col in NEVER_PUSHED:
            continue
        out[(renamed or {}).get(col, col)] = value.isoformat() if isinstance(value, (date, datetime)) else str(value)
    return out


def push_hubspot(
    leads: pl.DataFrame,
    *,
    con: duckdb.DuckDBPyConnection,
    client: HubSpotClient | None,
    full: bool = False,
    now: datetime | None = None,
    associate: bool = True,
    notes: bool = True,
    dry_run: bool = False,
    disqualified_days: int = readback.DEFAULT_DISQUALIFIED_DAYS,
) -> PushReport:
    plan = plan_push(leads, con, HUBSPOT_API, REJECT_SOURCE, full=full, now=now, days=disqualified_days)
    screened, todo, now = plan.screened, plan.todo, plan.now
    report = plan.fill(PushReport())
    if dry_run:
        _plan_hubspot(con, plan, report, associate=associate, notes=notes)
        return report
    assert client is not None, "a push that is not a dry run needs a client"

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
            {
                "id": siren,
                "idProperty": "siren",
                "properties": _properties(row, HUBSPOT_COMPANY_COLUMNS, HUBSPOT_COMPANY_RENAMED),
            }
            for siren, row in companies.items()
        ],
    )
    company_ids = {r.get("properties", {}).get("siren"): r["id"] for r in company_result.results}
    with_email = [(icp, lead, row, digest) for icp, lead, row, digest in todo if ledger.contact_email(lead)]
    report.no_email = len(todo) - len(with_email)
    known = readback.known_contacts(con, readback.HUBSPOT)
    # custom contact properties the import file carries: sent only when the portal has them
    optional = tuple(p for p in HUBSPOT_CONTACT_FILE_ONLY if with_email and client.has_property("contacts", p))
    contact_result = client.upsert(
        "contacts",
        [
            {
                "id": ledger.contact_email(lead),
                "idProperty": "email",
                "properties": _properties(
                    row, (*(SALES_OWNED if ledger.contact_email(lead) in known else HUBSPOT_CONTACT_COLUMNS), *optional)
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
    pairs: list[tuple[str, str]] = []
    for icp, lead, row, digest in with_email:
        email = ledger.contact_email(lead)
        contact_id, company_id = contact_ids.get(email) if email else None, company_ids.get(row["siren"])
        if contact_id is None or company_id is None:
            report.failed += 1
            continue
        pairs.append((contact_id, company_id))
        done.append(ledger.ledger_row(HUBSPOT_API.crm, icp, lead, digest, now, LEDGER_FILE))
    if associate and pairs:  # one batch call per 100 pairs (an association is idempotent)
        report.errors += client.associate_contact_companies(pairs)
        report.associations = len(pairs)
    if notes:
        _write_notes(con, client, todo, company_ids, now, report)
    with transaction(con):
        ledger.record(con, done)
        record_rejects(con, screened, now, source=REJECT_SOURCE)
    return report


def mask_email(email: str) -> str:
    """'j***@acme.fr': what a dry run prints of an email (the domain says which company, the
    person stays out of the terminal and its logs)."""
    local, _, domain = email.partition("@")
    return f"{local[:1]}***@{domain}"


def mask_key(key: str) -> str:
    """A lead key with its person masked: '<siren>|j***@acme.fr', '<siren>|name:j*** d***'."""
    siren, _, who = key.partition("|")
    if who.startswith("name:"):
        return f"{siren}|name:" + " ".join(f"{w[:1]}***" for w in who[len("name:") :].split())
    return f"{siren}|{mask_email(who)}" if who else siren


def _plan_hubspot(
    con: duckdb.DuckDBPyConnection, plan: PushPlan, report: PushReport, *, associate: bool, notes: bool
) -> None:
    """What a push would do, from what firmo knows of HubSpot (no call at all): a company or
    contact is updated when the ledger sent it before or the last read-back saw it, else created
    (as far as firmo knows: HubSpot's upsert updates a record it holds unseen all the same)."""
    sent_sirens = {key.partition("|")[0] for key in plan.sent_before}
    held = set(_held_sirens(con))
    contacts_held = readback.known_contacts(con, readback.HUBSPOT)
    unkeyed = readback.unkeyed_accounts(con, readback.HUBSPOT, {row["siren"] for _, _, row, _ in plan.todo})
    noted = _noted(con)
    seen: set[str] = set()
    for _, lead, row, _ in plan.todo:
        siren = row["siren"]
        if siren not in seen:
            seen.add(siren)
            if siren in unkeyed:
                report.planned.append(
                    f"give SIREN {siren} to HubSpot company {unkeyed[siren]} (matched by domain or name)"
                )
            what = "update" if siren in sent_sirens | held or siren in unkeyed else "create"
            report.would[f"{what} company"] += 1
            report.planned.append(f"{what} company {siren} ({row['name']})")
            if notes and (siren, hashlib.sha256(note_body(lead).encode("utf-8")).hexdigest()) not in noted:
                report.would["add note"] += 1
                report.planned.append(f"add note to company {siren}")
        email = ledger.contact_email(lead)
        if not email:
            report.no_email += 1
            continue
        what = "update" if email in contacts_held or ledger.lead_key(lead) in plan.sent_before else "create"
        report.would[f"{what} contact"] += 1
        report.planned.append(
            f"{what} contact {mask_email(email)}" + (f", associated with {siren}" if associate else "")
        )


def _held_sirens(con: duckdb.DuckDBPyConnection) -> list[str]:
    """SIRENs of the companies HubSpot held with their SIREN at the last read-back."""
    if not table_exists(con, "exports.crm_accounts"):
        return []
    return [s for (s,) in con.execute(load_sql("crm/push_held_sirens"), {"crm": readback.HUBSPOT}).fetchall()]


def note_body(lead: dict[str, Any]) -> str:
    """'firmo: score 84/100 (hot)' and the score reasons, one per line, then the marker."""
    head = f"firmo: score {lead.get('score')}/100 ({lead.get('tier')}), ICP {lead.get('icp')}"
    reasons = [str(r) for r in (lead.get("score_reasons") or [])]
    text = "\n".join([head, *(f"- {r}" for r in reasons)])
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return f"{text}\n{NOTE_MARKER.format(siren=lead['siren'], digest=digest[:12])}"


def _noted(con: duckdb.DuckDBPyConnection, *, pending: bool = False) -> dict[tuple[str, str], str]:
    """(siren, body hash) -> company id of the notes HubSpot accepted (`pending`: of the notes
    firmo was about to send when a run stopped, whose fate it does not know)."""
    sql = load_sql("crm/push_notes_pending" if pending else "crm/push_notes_done")
    return {(s, h): c for s, h, c in con.execute(sql, {"crm": readback.HUBSPOT}).fetchall()}


def _recover_notes(
    client: HubSpotClient, pending: dict[tuple[str, str], str], bodies: dict[tuple[str, str], str]
) -> dict[tuple[str, str], str]:
    """(siren, body hash) -> note id of the pending notes HubSpot did accept before a run
    stopped: the company's notes (v4 associations), read in batches, holding the body's marker."""
    wanted = {key: company for key, company in pending.items() if key in bodies}
    if not wanted:
        return {}
    by_company = client.associations("companies", "notes", sorted(set(wanted.values())))
    note_ids = sorted({n for ids in by_company.values() for n in ids})
    texts = client.read("notes", note_ids, ["hs_note_body"]) if note_ids else {}
    found = {}
    for key, company in wanted.items():
        marker = bodies[key].rsplit("\n", 1)[-1]
        match = [n for n in by_company.get(company, []) if marker in str(texts.get(n, {}).get("hs_note_body", ""))]
        if match:
            found[key] = match[0]
    return found


def _write_notes(
    con: duckdb.DuckDBPyConnection,
    client: HubSpotClient,
    todo: list[Todo],
    company_ids: dict[Any, str],
    now: datetime,
    report: PushReport,
) -> None:
    """A note with the score reasons on each accepted company, unless firmo wrote that same note
    (same body) before; a refused note is reported and retried next time the lead changes.

    Notes have no unique property (crm_sync.md §1.6), so exports.crm_notes is an outbox: the notes
    are recorded as pending (note_id '') before the batch create calls and given their ids after. A run
    that stopped in between leaves it pending; the next one looks for the note's marker among the
    company's notes before it writes one, so a crash never doubles a note."""
    done, pending = _noted(con), _noted(con, pending=True)
    wanted: dict[tuple[str, str], tuple[str, str]] = {}  # (siren, hash) -> (company id, body)
    for _, lead, row, _ in todo:
        company_id = company_ids.get(row["siren"])
        if company_id is None:
            continue
        body = note_body(lead)
        key = (row["siren"], hashlib.sha256(body.encode("utf-8")).hexdigest())
        if key not in done:
            wanted.setdefault(key, (company_id, body))
    recovered = _recover_notes(client, pending, {k: b for k, (_, b) in wanted.items()})
    _record_notes(con, [(key, wanted[key][0], note_id) for key, note_id in sorted(recovered.items())], now)
    batch = [(key, company_id, body) for key, (company_id, body) in wanted.items() if key not in recovered]
    if not batch:
        return
    # the intents first, one statement: a crash after the calls is found again
    _record_notes(con, [(key, company_id, "") for key, company_id, _ in batch], now)
    created, errors = client.create_notes([(c, b) for _, c, b in batch], now.strftime("%Y-%m-%dT%H:%M:%SZ"))
    report.errors += [{"category": "NOTE_REFUSED", "message": str(e.get("message", e))} for e in errors]
    # a note HubSpot did not return stays pending: recovered or retried next run
    accepted = [(k, c, created[b[:NOTE_MAX_CHARS]]) for k, c, b in batch if b[:NOTE_MAX_CHARS] in created]
    _record_notes(con, accepted, now)
    report.notes += len(accepted)


def _record_notes(con: duckdb.DuckDBPyConnection, notes: list[tuple[tuple[str, str], str, str]], now: datetime) -> None:
    """((siren, body hash), company id, note id) rows into exports.crm_notes in one statement
    (one INSERT a note cost 3 ms each: most of a 10,000-lead push)."""
    if not notes:
        return
    frame = pl.DataFrame(
        {
            "siren": [k[0] for k, _, _ in notes],
            "body_hash": [k[1] for k, _, _ in notes],
            "account_crm_id": [c for _, c, _ in notes],
            "note_id": [n for _, _, n in notes],
        },
        schema={"siren": pl.String, "body_hash": pl.String, "account_crm_id": pl.String, "note_id": pl.String},
    )
    with registered(con, "__crm_push_notes", frame):
        con.execute(load_sql("crm/push_notes_record_many"), {"crm": readback.HUBSPOT, "created_at": now})
