"""`push_pipedrive`: the export's screening and ledger, delivered through the Pipedrive API.

Same rules as the CSV export and `push_hubspot` (P units, RNE opposition, closed units read from
the registries at push time, suppression, customers, duplicates and unchanged leads are skipped;
refusals recorded in exports.rejects); the ledger CRM name is `pipedrive_api`.

Pipedrive has no upsert and no unique constraint (crm_sync.md §3.3, §3.7), so firmo prevents
duplicates itself, per lead and in this order: organisation -> person -> lead -> note.
  1. the id map `exports.crm_ids` (written from each accepted response, at once, so a retry never
     depends on the CRM's search);
  2. else an exact search: the organisation by its SIREN custom field (`itemSearch/field`), the
     person by email (by name within the organisation when there is no email), the lead among
     the person's (or organisation's) leads by firmo's `origin_id` marker;
  3. then PATCH what was found, POST what was not.
Before the search comes the read-back (firmo/crm/readback_pipedrive.py), as for `push_hubspot`:
an organisation sales created without the SIREN field, matched to the SIREN by name + postal code
(or domain), is PATCHed with its SIREN (its owner is never written) and recorded in the id map; a
person the read-back holds by email is PATCHed. Neither costs a search (§3.6: 5 searches / 2 s).
A note carries the score reasons and the provenance of the contact data; it is added once per
content (its key is the lead key and the note's hash), so a changed score adds a note and an
unchanged one does not. Notes have no search, so their intent goes to the id map first (entity
`note_intent`, the lead's id) and is replaced by the note's id once Pipedrive accepted it: a run
that stopped in between leaves the intent, and the next one reads the lead's notes for the same
text before it adds one. The custom fields (SIREN, SIRET, firmo score on organisations; Fonction
and LinkedIn on persons: writing `job_title` through v2 is unverified) are found by name or
created on first use, and their 40-character keys remembered in `exports.crm_fields`; LinkedIn
holds the lead's profile URL, as the import file's 'Person - LinkedIn' column does.

Searches are skipped when they cannot find anything (§3.6: 5 searches / 2 s bind a push):
  * a fresh read-back: the last completed pull (firmo/crm/readback_pipedrive.py) began after the
    last push attempt and less than `readback_max_age` ago. It then read every organisation and
    person that existed when it began, firmo's among them, so an organisation whose SIREN it does
    not hold, or a person whose email it does not hold, is created without a search. What firmo
    itself created since is in the id map, or, when a run died between Pipedrive's acceptance and
    the id map's insert, left an intent (entities `organization_intent` / `person_intent`, written
    before each create and replaced by the id after it): a record with an intent is searched.
  * a person created in this run has no leads yet (no lead list read), an organisation created in
    this run no persons (no name search for a person without email).

A lead is recorded in the ledger only once Pipedrive accepted all of its calls, right after them:
a record refused (4xx) is counted, reported and retried next run; a stop (401/403, a 429 that
outlasts the retries, the token budget) keeps what was recorded so far and leaves the rest for
the next run. A crash between Pipedrive's acceptance and the id map's insert costs nothing but a
search next run: the SIREN field and the email find the record again.

`dry_run=True` makes no write call: it reads the field keys and searches, and returns in
`planned` what each lead would create or update (the person in each lead key masked:
'<siren>|j***@acme.fr').
"""

from __future__ import annotations

import dataclasses
import hashlib
import html
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import duckdb
import polars as pl

from firmo.crm import ledger, readback
from firmo.crm.export import record_rejects
from firmo.crm.layouts import PIPEDRIVE, Lead
from firmo.crm.pipedrive_api import PipedriveBudgetExhausted, PipedriveClient, PipedriveError, PipedriveRecordError
from firmo.crm.push import ScreeningCounts, mask_key, plan_push
from firmo.crm.tables import ensure_tables
from firmo.db import transaction
from firmo.sqlfiles import load_sql

CRM = "pipedrive_api"
PIPEDRIVE_CRM = "pipedrive"  # the read-back's name of this CRM (exports.crm_accounts / crm_contacts)
LEDGER_FILE = "api:pipedrive"
REJECT_SOURCE = "lead list (push_pipedrive input)"
ORIGIN_PREFIX = "firmo:"
GONE = frozenset({404, 410})  # a remembered id Pipedrive no longer has (deleted, or merged into another)
# (entity, field name, Pipedrive field type): varchar for identifiers so exact search works and
# leading zeros survive (§3.2); double for the score.
FIELDS: tuple[tuple[str, str, str], ...] = (
    ("organization", "SIREN", "varchar"),
    ("organization", "SIRET", "varchar"),
    ("organization", "firmo score", "double"),
    ("person", "Fonction", "varchar"),
    # the person's LinkedIn profile URL, as the import file's 'Person - LinkedIn' column carries it
    # (created on first use like the others: the lead's decision, issue 16)
    ("person", "LinkedIn", "varchar"),
)
# Fields the push would write only when they exist, never creating them (`firmo crm check` lists
# them as optional); none today. The absence of one is remembered for OPTIONAL_RECHECK.
OPTIONAL_FIELDS: tuple[tuple[str, str, str], ...] = ()
OPTIONAL_RECHECK = timedelta(days=1)  # how long an optional field found missing is taken as missing
# How old a read-back may be for the push to take a record it does not hold as absent from
# Pipedrive (no search before the create): records sales create after the pull are not in it.
READBACK_MAX_AGE = timedelta(hours=1)


def _pipedrive_api_row(lead: Lead) -> dict[str, Any]:
    """The import layout's row plus what the API sends besides (SIRET, phone type): the ledger
    hash covers everything the push writes."""
    return {
        **PIPEDRIVE.build(lead),
        "Organization - SIRET": lead.get("siret"),
        "Person - Phone type": lead.get("phone_type"),
    }


PIPEDRIVE_API = dataclasses.replace(
    PIPEDRIVE,
    crm=CRM,
    columns=(*PIPEDRIVE.columns, "Organization - SIRET", "Person - Phone type"),
    build=_pipedrive_api_row,
)


@dataclass
class PipedrivePushReport(ScreeningCounts):
    organizations_created: int = 0
    organizations_updated: int = 0
    organizations_adopted: int = 0  # matched by the read-back without the SIREN field, given it
    persons_created: int = 0
    persons_updated: int = 0
    leads_created: int = 0
    leads_updated: int = 0
    notes: int = 0
    fields_created: int = 0
    pushed: int = 0  # leads recorded in the ledger
    failed: int = 0
    not_reached: int = 0  # left for the next run after a stop
    tokens_spent: int = 0
    stopped: str | None = None
    errors: list[dict[str, Any]] = field(default_factory=list)  # {siren, step, status, error}
    planned: list[str] = field(default_factory=list)  # dry run: what would change


def ensure_map_tables(con: duckdb.DuckDBPyConnection) -> None:
    ensure_tables(con)
    con.execute(load_sql("crm/crm_map_create"))


class _Ids:
    """The id map of this CRM, read once, written through at every accepted response."""

    def __init__(self, con: duckdb.DuckDBPyConnection, now: datetime, dry_run: bool) -> None:
        self.con, self.now, self.dry_run = con, now, dry_run
        rows = con.execute(load_sql("crm/crm_ids_read"), {"crm": CRM}).fetchall()
        self.ids: dict[tuple[str, str], str] = {(e, k): i for e, k, i in rows}

    def get(self, entity: str, key: str) -> str | None:
        return self.ids.get((entity, key))

    def drop(self, entity: str, key: str) -> None:
        """The CRM no longer has that id (sales deleted or merged the record): search again."""
        self.ids.pop((entity, key), None)
        if not self.dry_run:
            self.con.execute(load_sql("crm/crm_ids_delete"), {"crm": CRM, "entity": entity, "firmo_key": key})

    def put(self, entity: str, key: str, crm_id: Any, lead: Lead) -> None:
        self.ids[(entity, key)] = str(crm_id)
        if self.dry_run:
            return
        email = ledger.contact_email(lead) if entity != "organization" else None
        params = {
            "crm": CRM,
            "entity": entity,
            "firmo_key": key,
            "siren": lead["siren"],
            "email": email,
            "crm_id": str(crm_id),
            "updated_at": self.now,
        }
        self.con.execute(load_sql("crm/crm_ids_record"), params)


def field_keys(
    con: duckdb.DuckDBPyConnection,
    client: PipedriveClient,
    report: PipedrivePushReport,
    *,
    now: datetime,
    dry_run: bool = False,
) -> dict[tuple[str, str], str]:
    """(entity, field name) -> key: remembered, else found by name in Pipedrive, else created
    (not in a dry run: a missing field is then absent from the result)."""
    out: dict[tuple[str, str], str] = {}
    optional = {(e, name) for e, name, _ in OPTIONAL_FIELDS}
    for entity in sorted({e for e, _, _ in FIELDS}):
        where = {"crm": CRM, "entity": entity}
        known = dict(con.execute(load_sql("crm/crm_fields_read"), where).fetchall())
        absent = dict(con.execute(load_sql("crm/crm_fields_absent_read"), where).fetchall())
        # an optional field found missing is looked for again a day later, not at every run
        recent = {name for name, when in absent.items() if now - when < OPTIONAL_RECHECK}
        wanted = [(name, kind) for e, name, kind in (*FIELDS, *OPTIONAL_FIELDS) if e == entity]
        listed = client.list_fields(entity) if any(n not in known and n not in recent for n, _ in wanted) else {}
        for name, kind in wanted:
            key = known.get(name) or listed.get(name)
            if key is None and (entity, name) in optional:
                if name not in recent and not dry_run:  # not there: not created, not pushed
                    row: dict[str, Any] = {**where, "field_name": name, "field_key": "", "created_at": now}
                    con.execute(load_sql("crm/crm_fields_record"), row)
                continue
            if key is None:
                if dry_run:
                    report.planned.append(f"create {entity} field {name!r} ({kind})")
                    continue
                key = client.add_field(entity, name, kind)
                report.fields_created += 1
            if name not in known and not dry_run:
                params = {"crm": CRM, "entity": entity, "field_name": name, "field_key": key, "created_at": now}
                con.execute(load_sql("crm/crm_fields_record"), params)
            out[(entity, name)] = key
    return out


def _custom(values: Mapping[str, Any], keys: Mapping[tuple[str, str], str], entity: str) -> dict[str, Any]:
    """`custom_fields` of a v2 body; empty values are left out (never blank a CRM field)."""
    return {keys[(entity, name)]: v for name, v in values.items() if v is not None and (entity, name) in keys}


def organization_body(lead: Lead, row: Mapping[str, Any], keys: Mapping[tuple[str, str], str]) -> dict[str, Any]:
    body: dict[str, Any] = {"name": row["Organization - Name"]}
    if row["Organization - Address"]:
        body["address"] = {"value": row["Organization - Address"]}
    score = lead.get("score")
    custom = {
        "SIREN": lead["siren"],
        "SIRET": lead.get("siret"),
        "firmo score": None if score is None else float(score),
    }
    body["custom_fields"] = _custom(custom, keys, "organization")
    return body


def person_body(lead: Lead, row: Mapping[str, Any], org_id: int, keys: Mapping[tuple[str, str], str]) -> dict[str, Any]:
    body: dict[str, Any] = {"name": row["Person - Name"] or row["Person - Last name"], "org_id": org_id}
    if row["Person - Email"]:
        body["emails"] = [{"value": row["Person - Email"], "primary": True, "label": "work"}]
    if row["Person - Phone"]:
        label = "mobile" if lead.get("phone_type") == "mobile" else "work"
        body["phones"] = [{"value": row["Person - Phone"], "primary": True, "label": label}]
    values = {"Fonction": row["Person - Job title"], "LinkedIn": row["Person - LinkedIn"]}
    body["custom_fields"] = _custom(values, keys, "person")
    return body


def note_content(row: Mapping[str, Any]) -> str | None:
    """The layout's note (score reasons; provenance), as the HTML Pipedrive notes hold."""
    text = row["Note - Content"]
    return None if not text else "<p>" + "<br>".join(html.escape(p) for p in str(text).split("; ")) + "</p>"


class _Pusher:
    def __init__(
        self,
        client: PipedriveClient,
        ids: _Ids,
        keys: Mapping[tuple[str, str], str],
        report: PipedrivePushReport,
        dry_run: bool,
    ) -> None:
        self.client, self.ids, self.keys, self.report, self.dry_run = client, ids, keys, report, dry_run
        self.orgs_done: set[str] = set()  # PATCHed (or created) this run: once per organisation
        self.adopt_orgs: dict[str, str] = {}  # SIREN -> organisation the read-back matched without the field
        self.adopt_persons: dict[str, str] = {}  # email -> person the read-back holds
        self.adopted: set[str] = set()  # organisations given their SIREN this run (mark_keyed once accepted)
        self.found_leads: set[str] = set()  # leads found by search, not by the id map: a crash may hide notes
        # a fresh read-back (see the module docstring): what it does not hold is not in Pipedrive
        self.fresh = False
        self.held_sirens: set[str] = set()  # SIRENs the read-back matched an account to
        self.held_emails: set[str] = set()  # emails of the persons the read-back holds
        self.created_orgs: set[int] = set()  # created in this run: no persons yet
        self.created_persons: set[int] = set()  # created in this run: no leads yet

    def _create(self, entity: str, key: str, lead: Lead, body: dict[str, Any]) -> int:
        """POST one organisation or person, its intent in the id map until its id replaces it: a
        run that dies in between leaves the intent, and the next one searches for that record."""
        self.ids.put(f"{entity}_intent", key, "", lead)
        crm_id = int(self.client.create(entity, body)["id"])
        self.ids.put(entity, key, crm_id, lead)
        self.ids.drop(f"{entity}_intent", key)
        return crm_id

    def _found(self, entity: str, key: str, crm_id: int, lead: Lead) -> None:
        """A search found the record: its id in the map, and the intent a crashed run left ends."""
        self.ids.put(entity, key, crm_id, lead)
        if self.ids.get(f"{entity}_intent", key) is not None:
            self.ids.drop(f"{entity}_intent", key)

    def _absent(self, entity: str, key: str, held: set[str], value: str) -> bool:
        """The record cannot be in Pipedrive: the read-back is fresh and does not hold it, and no
        create of it was left unrecorded by a run that died."""
        return self.fresh and value not in held and self.ids.get(f"{entity}_intent", key) is None

    def organization(self, lead: Lead, row: Mapping[str, Any]) -> int:
        siren = str(lead["siren"])
        known = self.ids.get("organization", siren)
        adopted = None if known else self.adopt_orgs.pop(siren, None)
        if adopted is not None:  # the read-back knows it: no search, the id map from now on
            known = adopted
            self.adopted.add(adopted)
            self.ids.put("organization", siren, adopted, lead)
            self.report.organizations_adopted += 1
        org_id = int(known) if known else None
        absent = org_id is None and self._absent("organization", siren, self.held_sirens, siren)
        if org_id is None and ("organization", "SIREN") in self.keys and not absent:
            org_id = self.client.find_by_field("organization", self.keys[("organization", "SIREN")], siren)
            if org_id is not None:
                self._found("organization", siren, org_id, lead)
        if siren in self.orgs_done and org_id is not None:
            return org_id
        body = organization_body(lead, row, self.keys)
        if self.dry_run:
            self.report.planned.append(f"{'update' if org_id else 'create'} organization {siren}")
            org_id = org_id or 0
        elif org_id is None:
            org_id = self._create("organization", siren, lead, body)
            self.created_orgs.add(org_id)
            self.report.organizations_created += 1
        else:
            try:
                self.client.update("organization", org_id, body)
            except PipedriveRecordError as exc:
                if not known or exc.status not in GONE:
                    raise
                self.ids.drop("organization", siren)  # merged or deleted since: find it again, else create
                self.adopted.discard(known)
                return self.organization(lead, row)
            self.report.organizations_updated += 1
        self.orgs_done.add(siren)
        return org_id

    def person(self, lead: Lead, row: Mapping[str, Any], key: str, org_id: int) -> int:
        known = self.ids.get("person", key)
        email = ledger.contact_email(lead)
        adopted = None if known or not email else self.adopt_persons.pop(email, None)
        if adopted is not None:  # held by the read-back: updated, never searched
            known = adopted
            self.ids.put("person", key, adopted, lead)
        person_id = int(known) if known else None
        if person_id is None and email:
            if not self._absent("person", key, self.held_emails, email):
                person_id = self.client.search_person(email, field="email")
        elif person_id is None and org_id:  # no email: the same name within the same organisation
            new_org = org_id in self.created_orgs and self.ids.get("person_intent", key) is None
            if not new_org:
                person_id = self.client.search_person(row["Person - Name"], field="name", organization_id=org_id)
        if person_id is not None and not known:
            self._found("person", key, person_id, lead)
        body = person_body(lead, row, org_id, self.keys)
        if self.dry_run:
            self.report.planned.append(f"{'update' if person_id else 'create'} person {mask_key(key)}")
            return person_id or 0
        if person_id is None:
            person_id = self._create("person", key, lead, body)
            self.created_persons.add(person_id)
            self.report.persons_created += 1
        else:
            try:
                self.client.update("person", person_id, body)
            except PipedriveRecordError as exc:
                if not known or exc.status not in GONE:
                    raise
                self.ids.drop("person", key)
                return self.person(lead, row, key, org_id)
            self.report.persons_updated += 1
        return person_id

    def lead(self, lead: Lead, row: Mapping[str, Any], key: str, org_id: int, person_id: int) -> str:
        marker = f"{ORIGIN_PREFIX}{lead['siren']}"
        lead_id = known = self.ids.get("lead", key)
        if lead_id is None and person_id and person_id not in self.created_persons:
            mine = [
                x
                for x in self.client.leads_of(person_id=person_id)
                if x.get("origin_id") == marker and not x.get("is_archived")
            ]
            if mine:
                lead_id = str(mine[0]["id"])
                self.ids.put("lead", key, lead_id, lead)
                self.found_leads.add(lead_id)
        body: dict[str, Any] = {"title": row["Lead - Title"], "person_id": person_id, "organization_id": org_id}
        if self.dry_run:
            self.report.planned.append(f"{'update' if lead_id else 'create'} lead {mask_key(key)}")
            return lead_id or ""
        if lead_id is None:
            lead_id = str(self.client.add_lead({**body, "origin_id": marker})["id"])
            self.ids.put("lead", key, lead_id, lead)
            self.report.leads_created += 1
        else:
            try:
                self.client.update_lead(lead_id, body)
            except PipedriveRecordError as exc:
                if not known or exc.status not in GONE:
                    raise
                self.ids.drop("lead", key)
                return self.lead(lead, row, key, org_id, person_id)
            self.report.leads_updated += 1
        return lead_id

    def note(self, lead: Lead, row: Mapping[str, Any], key: str, org_id: int, lead_id: str) -> None:
        content = note_content(row)
        if content is None:
            return
        note_key = f"{key}#{hashlib.sha256(content.encode('utf-8')).hexdigest()[:16]}"
        if self.ids.get("note", note_key):
            return
        # after a crash the note may be there already: the lead was found by search (its id map
        # row was lost too), or the note's intent is in the outbox without its id
        if lead_id in self.found_leads or self.ids.get("note_intent", note_key):
            same = [x for x in self.client.notes_of(lead_id) if x.get("content") == content]
            if same:
                self.ids.put("note", note_key, same[0]["id"], lead)
                self.ids.drop("note_intent", note_key)
                return
        if self.dry_run:
            self.report.planned.append(f"add note to lead {mask_key(key)}")
            return
        self.ids.put("note_intent", note_key, lead_id, lead)  # the outbox: written before the call
        note = self.client.add_note({"content": content, "lead_id": lead_id, "org_id": org_id})
        self.ids.put("note", note_key, note["id"], lead)
        self.ids.drop("note_intent", note_key)
        self.report.notes += 1

    def push(self, lead: Lead, row: Mapping[str, Any]) -> None:
        key = ledger.lead_key(lead)
        org_id = self.organization(lead, row)
        person_id = self.person(lead, row, key, org_id)
        lead_id = self.lead(lead, row, key, org_id, person_id)
        self.note(lead, row, key, org_id, lead_id)


def push_pipedrive(
    leads: pl.DataFrame,
    *,
    con: duckdb.DuckDBPyConnection,
    client: PipedriveClient,
    full: bool = False,
    now: datetime | None = None,
    dry_run: bool = False,
    disqualified_days: int = readback.DEFAULT_DISQUALIFIED_DAYS,
    readback_max_age: timedelta = READBACK_MAX_AGE,
) -> PipedrivePushReport:
    """`readback_max_age`: how old the last read-back may be for the push to skip the searches of
    the records it does not hold (see the module docstring)."""
    ensure_map_tables(con)
    plan = plan_push(leads, con, PIPEDRIVE_API, REJECT_SOURCE, full=full, now=now, days=disqualified_days)
    screened, todo, now = plan.screened, plan.todo, plan.now
    report = plan.fill(PipedrivePushReport())

    spent_before = client.tokens_spent
    try:
        if todo:
            keys = field_keys(con, client, report, now=now, dry_run=dry_run)
            pusher = _Pusher(client, _Ids(con, now, dry_run), keys, report, dry_run)
            sirens = {str(lead["siren"]) for _, lead, _, _ in todo}
            pusher.adopt_orgs = {
                s: i for s, i in readback.unkeyed_accounts(con, PIPEDRIVE_CRM, sirens).items() if i.isdigit()
            }
            pusher.adopt_persons = {e: i for e, i in readback.contact_ids(con, PIPEDRIVE_CRM).items() if i.isdigit()}
            runs = readback.last_runs(con, PIPEDRIVE_CRM)
            pulled, pushed = runs.get("pull"), runs.get("push")
            pusher.fresh = (
                pulled is not None and (pushed is None or pulled > pushed) and now - pulled <= readback_max_age
            )
            if pusher.fresh:
                pusher.held_sirens = readback.known_sirens(con, PIPEDRIVE_CRM)
                pusher.held_emails = readback.known_contacts(con, PIPEDRIVE_CRM)
            if not dry_run:  # the attempt, before any write: a pull must begin after it to be trusted
                readback.record_run(con, PIPEDRIVE_CRM, "push", now)
            for n, (icp, lead, row, digest) in enumerate(todo):
                try:
                    pusher.push(lead, row)
                except PipedriveBudgetExhausted:
                    report.not_reached = len(todo) - n
                    raise
                except PipedriveRecordError as exc:
                    report.failed += 1
                    report.errors.append({"siren": lead["siren"], "status": exc.status, "error": str(exc)})
                    continue
                except PipedriveError:
                    report.not_reached = len(todo) - n
                    raise
                if not dry_run:
                    for crm_id in sorted(pusher.adopted):  # Pipedrive accepted the SIREN: a SIREN match now
                        readback.mark_keyed(con, PIPEDRIVE_CRM, crm_id)
                    pusher.adopted.clear()
                    ledger.record(con, [ledger.ledger_row(CRM, icp, lead, digest, now, LEDGER_FILE)])
                    report.pushed += 1
    except PipedriveBudgetExhausted as exc:
        report.stopped = str(exc)
    finally:
        report.tokens_spent = client.tokens_spent - spent_before
        if not dry_run:
            with transaction(con):
                record_rejects(con, screened, now, source=REJECT_SOURCE)
    return report
