"""Pipedrive's read-back (crm_sync.md §3.5): what the company holds, read incrementally through
the v2 lists (organizations, persons, deals; `updated_since`, cursor pages) and the v1 leads
(`/v1/leads` and `/v1/leads/archived`, which the first leaves out), stored by
`firmo.crm.readback.store` under crm 'pipedrive'.

* Organisation -> an account row: the SIREN custom field (its 40-character key looked up by the
  name 'SIREN' the push creates it under), the name, the address's postal code, `owner_id`.
  Person -> a contact row by its primary email, linked to `org_id` (and a row `<id>/<email>` per
  other address it has). Deal -> a deal: `status`
  won / lost / open ('deleted' counts as none); an organisation with a won deal becomes a
  customer (exports.customers, source 'pipedrive').
* Pipedrive has no "disqualified" field (§3.5): the rule is the customer's, `rules`
  (FIRMO_PIPEDRIVE_DISQUALIFIED, default 'archived,lost,label:Disqualified'), any of
    - `archived`: a lead sales archived;
    - `label:<name>`: a lead carrying that lead label (`/v1/leadLabels`);
    - `lost`: a deal lost with a `lost_reason`.
  A lead is stored as an account row `lead:<id>` (its organisation's SIREN, name and postal code,
  the lead's owner, lead status 'archived', 'label <name>' or 'open') and, with a person, a
  contact row `lead:<id>` by the person's email; a lost or open deal as an account row
  `deal:<id>` (lead status 'lost: <reason>' or 'open deal'). The hold is then per lead / deal,
  and ends when that lead or deal changes (unarchived, relabelled, reopened): a status derived
  from every lead of an organisation would need all of them re-read on each change. An open deal
  is 'validated by sales'.
* The organisations and persons a changed lead or deal names but this pull did not read are
  fetched by id (`ids`, 100 a call) for their SIREN and email; they are not stored again.
* The cursors are the last `update_time` per list; `updated_since` is written to the second and
  includes that second, so the boundary records are read again (an upsert that changes nothing).
* `owner_id` is read, never written: the push sends no owner. The owners' names and emails come
  from `GET /v1/users` (firmo/crm/owners.py, only when a record read has an owner).
* An organisation or person read with `is_deleted: true` is marked deleted (firmo/crm/deletions.py),
  and the push's id map (exports.crm_ids, 'pipedrive_api') forgets it, or points a merged-away
  organisation at its survivor, so the next push does not PATCH the dead id.
* A completed pull records when it began (exports.crm_sync_runs, kind 'pull'): the push skips
  its searches when that read-back is recent and began after the last push attempt.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import duckdb

from firmo.crm import deletions, owners
from firmo.crm.hubspot_api import epoch_ms  # ISO 8601 with `Z`, as Pipedrive writes it
from firmo.crm.pipedrive_api import PipedriveClient
from firmo.crm.readback import AccountRow, ContactRow, DealRow, PullReport, cursors, record_run, store, timestamp
from firmo.db import utc_now
from firmo.sqlfiles import load_sql

PIPEDRIVE = "pipedrive"
ID_MAP = "pipedrive_api"  # the push's name in exports.crm_ids (firmo/crm/push_pipedrive.py)
DEFAULT_RULES = "archived,lost,label:Disqualified"
SIREN_FIELD = "SIREN"  # the organisation field's name (firmo/crm/push_pipedrive.py creates it)
OUTCOMES = {"won": "won", "lost": "lost", "open": "open", "deleted": "deleted"}


@dataclass(frozen=True)
class Rules:
    """What counts as disqualified by sales in this Pipedrive company."""

    archived: bool
    lost: bool
    labels: frozenset[str]

    @classmethod
    def parse(cls, text: str) -> Rules:
        """'archived,lost,label:Disqualified' -> Rules; an unknown word raises ValueError."""
        archived = lost = False
        labels: set[str] = set()
        for word in (w.strip() for w in text.split(",")):
            if not word:
                continue
            if word == "archived":
                archived = True
            elif word == "lost":
                lost = True
            elif word.startswith("label:") and word[6:].strip():
                labels.add(word[6:].strip())
            else:
                raise ValueError(f"FIRMO_PIPEDRIVE_DISQUALIFIED: {word!r} is not a rule (archived, lost, label:<name>)")
        return cls(archived, lost, frozenset(labels))

    def disqualified(self, status: str | None) -> bool:
        text = status or ""
        return (
            (self.archived and text == "archived")
            or (self.lost and text.startswith("lost: "))
            or (text.startswith("label ") and text[6:] in self.labels)
        )


def validated(status: str | None, lifecycle: str | None) -> bool:
    return status == "open deal"


def rfc3339(ms: int) -> str:
    return datetime.utcfromtimestamp(ms // 1000).strftime("%Y-%m-%dT%H:%M:%SZ")  # noqa: DTZ004 (UTC)


def _text(value: Any) -> str | None:
    return None if value in (None, "") else str(value)


def _id(value: Any) -> int | None:
    """An id as v2 gives it (an int), or as v1 may (an object with `value`)."""
    if isinstance(value, Mapping):
        value = value.get("value", value.get("id"))
    return int(value) if value not in (None, "") else None


def primary_email(person: Mapping[str, Any]) -> str | None:
    emails = [e for e in person.get("emails") or [] if isinstance(e, Mapping) and e.get("value")]
    first = next((e for e in emails if e.get("primary")), emails[0] if emails else None)
    return None if first is None else str(first["value"])


def other_emails(person: Mapping[str, Any]) -> list[str]:
    """The person's addresses besides `primary_email`, lower-cased, without repeats."""
    first = (primary_email(person) or "").lower()
    values = [str(e["value"]).lower() for e in person.get("emails") or [] if isinstance(e, Mapping) and e.get("value")]
    return sorted({v for v in values if v != first})


def lead_status(lead: Mapping[str, Any], labels: Mapping[str, str], rules: Rules) -> str:
    """'archived', else 'label <name>' (a disqualifying label first), else 'open'."""
    if lead.get("is_archived"):
        return "archived"
    names = sorted(labels.get(str(i), str(i)) for i in lead.get("label_ids") or [])
    chosen = [n for n in names if n in rules.labels] or names
    return f"label {chosen[0]}" if chosen else "open"


def _cursor(records: Iterable[Mapping[str, Any]], previous: int | None) -> int | None:
    times = [t for r in records if (t := epoch_ms(r.get("update_time"))) is not None]
    return max([*times, previous or 0]) if times else previous


def pull_pipedrive(
    con: duckdb.DuckDBPyConnection,
    client: PipedriveClient,
    *,
    now: datetime | None = None,
    rules: str = DEFAULT_RULES,
) -> PullReport:
    """Organisations, persons, deals and leads updated since the last pull (all of them the first
    time), stored under crm 'pipedrive'."""
    rule = Rules.parse(rules)
    started = utc_now(now)
    since = cursors(con, PIPEDRIVE)

    def after(kind: str) -> str | None:
        return rfc3339(since[kind]) if kind in since else None

    siren_key = client.list_fields("organization").get(SIREN_FIELD)
    orgs = list(client.list_updated("organization", updated_since=after("organizations")))
    persons = list(client.list_updated("person", updated_since=after("persons")))
    deals = list(client.list_updated("deal", updated_since=after("deals")))
    leads = list(client.leads_updated(archived=False, updated_since=after("leads")))
    archived = list(client.leads_updated(archived=True, updated_since=after("archived_leads")))
    labels = client.lead_labels() if leads or archived else {}
    new_cursors = dict(since)
    for kind, records in (
        ("organizations", orgs),
        ("persons", persons),
        ("deals", deals),
        ("leads", leads),
        ("archived_leads", archived),
    ):
        moved = _cursor(records, since.get(kind))
        if moved is not None:
            new_cursors[kind] = moved

    # the organisations and persons that changed leads and deals name, for their SIREN and email
    org_by_id = {int(o["id"]): o for o in orgs}
    person_by_id = {int(p["id"]): p for p in persons}
    held_deals = _existing_deal_rows(con)
    wanted_deals = [
        d
        for d in deals
        if (d.get("status") == "lost" and d.get("lost_reason") and rule.lost)
        or d.get("status") == "open"
        or f"deal:{d['id']}" in held_deals
    ]
    all_leads = leads + archived
    missing_orgs = {
        i for x in [*all_leads, *wanted_deals] if (i := _id(x.get("organization_id", x.get("org_id")))) is not None
    } - set(org_by_id)
    missing_persons = {i for x in all_leads if (i := _id(x.get("person_id"))) is not None} - set(person_by_id)
    others = {int(o["id"]): o for o in client.list_updated("organization", ids=sorted(missing_orgs))}
    other_persons = {int(p["id"]): p for p in client.list_updated("person", ids=sorted(missing_persons))}
    # a lead with a person but no organisation: the person's organisation
    lead_orgs = {i for p in other_persons.values() if (i := _id(p.get("org_id"))) is not None}
    lead_orgs -= set(org_by_id) | set(others)
    others.update({int(o["id"]): o for o in client.list_updated("organization", ids=sorted(lead_orgs))})
    known_orgs = {**others, **org_by_id}
    known_persons = {**other_persons, **person_by_id}

    def siren_of(org: Mapping[str, Any] | None) -> str | None:
        if org is None or siren_key is None:
            return None
        return _text((org.get("custom_fields") or {}).get(siren_key))

    def postal_code(org: Mapping[str, Any] | None) -> str | None:
        address = (org or {}).get("address")
        return _text(address.get("postal_code")) if isinstance(address, Mapping) else None

    def company_row(crm_id: str, org: Mapping[str, Any] | None, owner: Any, lifecycle: str, status: str, when: Any):
        return AccountRow(
            crm_id,
            siren_of(org),
            _text((org or {}).get("name")),
            None,
            postal_code(org),
            _text(owner),
            lifecycle,
            status,
            timestamp(when),
        )

    accounts = [
        AccountRow(
            str(o["id"]),
            siren_of(o),
            _text(o.get("name")),
            None,
            postal_code(o),
            _text(o.get("owner_id")),
            None,
            None,
            timestamp(o.get("update_time")),
        )
        for o in orgs
    ]
    contacts = [
        ContactRow(
            str(p["id"]),
            primary_email(p),
            _text(p.get("org_id")),
            _text(p.get("owner_id")),
            None,
            None,
            timestamp(p.get("update_time")),
        )
        for p in persons
    ]
    # the person's other addresses, a row each (`<id>/<email>`): Pipedrive's person search by email,
    # which a push skips for an email no read-back holds, matches every address of a person
    contacts += [
        ContactRow(
            f"{p['id']}/{email}",
            email,
            _text(p.get("org_id")),
            _text(p.get("owner_id")),
            None,
            None,
            timestamp(p.get("update_time")),
        )
        for p in persons
        for email in other_emails(p)
    ]
    for lead in all_leads:
        lead_person = known_persons.get(_id(lead.get("person_id")) or -1)
        org_id = _id(lead.get("organization_id")) or (_id(lead_person.get("org_id")) if lead_person else None)
        status = lead_status(lead, labels, rule)
        key = f"lead:{lead['id']}"
        accounts.append(
            company_row(
                key, known_orgs.get(org_id or -1), lead.get("owner_id"), "lead", status, lead.get("update_time")
            )
        )
        if lead_person is not None:
            contacts.append(
                ContactRow(
                    key,
                    primary_email(lead_person),
                    key,
                    _text(lead.get("owner_id")),
                    "lead",
                    status,
                    timestamp(lead.get("update_time")),
                )
            )
    for deal in wanted_deals:
        status = (
            f"lost: {deal.get('lost_reason')}"
            if deal.get("status") == "lost" and deal.get("lost_reason")
            else ("open deal" if deal.get("status") == "open" else str(deal.get("status")))
        )
        deal_org = known_orgs.get(_id(deal.get("org_id")) or -1)
        accounts.append(
            company_row(f"deal:{deal['id']}", deal_org, deal.get("owner_id"), "deal", status, deal.get("update_time"))
        )
    deal_rows = [
        DealRow(
            str(d["id"]),
            _text(d.get("org_id")),
            _text(d.get("stage_id")),
            OUTCOMES.get(str(d.get("status")), "open"),
            timestamp(d.get("update_time")),
        )
        for d in deals
    ]
    names = owners.pipedrive_owners(client, {a.owner for a in accounts if a.owner})
    report = store(
        con,
        PIPEDRIVE,
        accounts,
        contacts,
        deal_rows,
        new_cursors,
        now=now,
        disqualified=rule.disqualified,
        validated=validated,
        owner_names=names,
        gone=deletions.pipedrive_gone([*orgs, *others.values()], [*persons, *other_persons.values()]),
        id_map=ID_MAP,
    )
    # a pull that read every list through to its end: the push may trust it for what is not there
    record_run(con, PIPEDRIVE, "pull", started)
    return report


def _existing_deal_rows(con: duckdb.DuckDBPyConnection) -> set[str]:
    """The `deal:<id>` account rows already stored: a deal that held or tagged an account is
    re-stored when it changes, so the hold or the tag ends with it."""
    rows = con.execute(load_sql("crm/readback_deal_rows"), {"crm": PIPEDRIVE}).fetchall()
    return {crm_id for (crm_id,) in rows}
