"""Salesforce's read-back (crm_sync.md §2.4): what the org holds, read incrementally through SOQL
and stored by `firmo.crm.readback.store` under crm 'salesforce'.

* Four queries, `WHERE SystemModstamp >= <cursor> ORDER BY SystemModstamp, Id`, each followed
  through `nextRecordsUrl` until `done` (never OFFSET): Account, Lead, Contact, Opportunity.
  SystemModstamp rather than LastModifiedDate: it moves on system changes too (an owner
  reassigned by a rule, a conversion), which decide what firmo skips. The SOQL literal is written
  to the second, so the cursor is compared with `>=` (the doc's example uses `>`): the records of
  the cursor's own second are read again, an upsert that changes nothing, rather than a record
  modified later in that second being missed for good.
* Account -> an account row (`SIREN__c`, `Website`, `BillingPostalCode`, `OwnerId`, `Type` as the
  lifecycle). A Lead not yet converted is the company sales prospect and its person at once: an
  account row (`Company`, the Lead's `SIREN__c`, `PostalCode`, lifecycle 'Lead') and a contact
  row by `Email` (when it has one) linked to it, both with the Lead `Status`; a converted Lead is only a contact
  row, linked to its `ConvertedAccountId`. Contact -> a contact row by `Email` (`AccountId`).
  Opportunity -> a deal: `IsWon` won, else `IsClosed` lost, else open; an account with a won one
  becomes a customer (exports.customers, source 'salesforce').
* A Lead `Status` among `disqualified_statuses` (FIRMO_SALESFORCE_DISQUALIFIED_STATUSES, default
  'Closed - Not Converted' and 'Unqualified': the picklist values are the org's own) holds the
  SIREN and the email out of the exports; 'Working - Contacted' and 'Closed - Converted' are
  validated by sales.
* `OwnerId` is read, never written: the push sends no OwnerId. The owners' names and emails come
  from `User` (firmo/crm/owners.py); the Accounts, Leads and Contacts deleted since the last pull
  from `queryAll ... WHERE IsDeleted = true` (firmo/crm/deletions.py).
* `SIREN__c` is selected only where the describe lists it (an org read back before its first
  push may not have the field yet: its accounts are then matched by website, else name + postal
  code).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from datetime import datetime
from typing import Any

import duckdb

from firmo.crm import deletions, owners
from firmo.crm.hubspot_api import epoch_ms  # ISO 8601 with an offset, as Salesforce writes it
from firmo.crm.readback import (
    AccountRow,
    ContactRow,
    DealRow,
    PullReport,
    cursors,
    store,
    timestamp,
)
from firmo.crm.salesforce_api import SalesforceClient

SALESFORCE = "salesforce"
DEFAULT_DISQUALIFIED_STATUSES = ("Closed - Not Converted", "Unqualified")
VALIDATED_STATUSES = frozenset({"WORKING - CONTACTED", "CLOSED - CONVERTED"})
SIREN_FIELD = "SIREN__c"
FIELDS: dict[str, tuple[str, ...]] = {
    "Account": ("Id", "Name", SIREN_FIELD, "Website", "BillingPostalCode", "OwnerId", "Type", "SystemModstamp"),
    "Lead": (
        "Id",
        "Company",
        SIREN_FIELD,
        "Website",
        "PostalCode",
        "Email",
        "OwnerId",
        "Status",
        "IsConverted",
        "ConvertedAccountId",
        "SystemModstamp",
    ),
    "Contact": ("Id", "Email", "AccountId", "OwnerId", "SystemModstamp"),
    "Opportunity": ("Id", "AccountId", "StageName", "IsWon", "IsClosed", "SystemModstamp"),
}


def soql_time(ms: int) -> str:
    """A SOQL datetime literal (unquoted, UTC) of epoch ms, to the second."""
    return datetime.utcfromtimestamp(ms // 1000).strftime("%Y-%m-%dT%H:%M:%SZ")  # noqa: DTZ004 (UTC)


def modified_query(sobject: str, fields: Iterable[str], since_ms: int | None) -> str:
    where = f" WHERE SystemModstamp >= {soql_time(since_ms)}" if since_ms is not None else ""
    return f"SELECT {', '.join(fields)} FROM {sobject}{where} ORDER BY SystemModstamp, Id"


def deal_outcome(record: dict[str, Any]) -> str:
    if record.get("IsWon") is True:
        return "won"
    return "lost" if record.get("IsClosed") is True else "open"


def status_rules(
    disqualified_statuses: Collection[str],
) -> tuple[Callable[[str | None], bool], Callable[[str | None, str | None], bool]]:
    """The org's rules for `store`: a disqualified Lead status; a validated one (case-insensitive)."""
    wanted = {s.strip().upper() for s in disqualified_statuses if s.strip()}

    def disqualified(status: str | None) -> bool:
        return (status or "").strip().upper() in wanted

    def validated(status: str | None, lifecycle: str | None) -> bool:
        return (status or "").strip().upper() in VALIDATED_STATUSES

    return disqualified, validated


def _text(value: Any) -> str | None:
    return None if value in (None, "") else str(value)


def pull_salesforce(
    con: duckdb.DuckDBPyConnection,
    client: SalesforceClient,
    *,
    now: datetime | None = None,
    disqualified_statuses: Collection[str] = DEFAULT_DISQUALIFIED_STATUSES,
) -> PullReport:
    """Accounts, Leads, Contacts and Opportunities modified since the last pull (all of them the
    first time), stored under crm 'salesforce' with the cursors moved to the last SystemModstamp."""
    since = cursors(con, SALESFORCE)
    new_cursors = dict(since)
    read: dict[str, list[dict[str, Any]]] = {}
    for sobject, wanted in FIELDS.items():
        fields = list(wanted)
        if SIREN_FIELD in fields:
            described = {f["name"] for f in client.describe(sobject).get("fields", [])}
            fields = [f for f in fields if f != SIREN_FIELD or f in described]
        read[sobject] = list(client.query_all(modified_query(sobject, fields, since.get(sobject))))
        times = [t for r in read[sobject] if (t := epoch_ms(r.get("SystemModstamp"))) is not None]
        if times:
            new_cursors[sobject] = max([*times, since.get(sobject, 0)])

    accounts = [
        AccountRow(
            str(r["Id"]),
            _text(r.get(SIREN_FIELD)),
            _text(r.get("Name")),
            _text(r.get("Website")),
            _text(r.get("BillingPostalCode")),
            _text(r.get("OwnerId")),
            _text(r.get("Type")),
            None,
            timestamp(r.get("SystemModstamp")),
        )
        for r in read["Account"]
    ]
    contacts = [
        ContactRow(
            str(r["Id"]),
            _text(r.get("Email")),
            _text(r.get("AccountId")),
            _text(r.get("OwnerId")),
            None,
            None,
            timestamp(r.get("SystemModstamp")),
        )
        for r in read["Contact"]
    ]
    for r in read["Lead"]:
        converted = r.get("IsConverted") is True
        if not converted:
            accounts.append(
                AccountRow(
                    str(r["Id"]),
                    _text(r.get(SIREN_FIELD)),
                    _text(r.get("Company")),
                    _text(r.get("Website")),
                    _text(r.get("PostalCode")),
                    _text(r.get("OwnerId")),
                    "Lead",
                    _text(r.get("Status")),
                    timestamp(r.get("SystemModstamp")),
                )
            )
        if not r.get("Email"):
            continue  # no person to hold by email: the account row holds the company
        contacts.append(
            ContactRow(
                str(r["Id"]),
                _text(r.get("Email")),
                _text(r.get("ConvertedAccountId")) if converted else str(r["Id"]),
                _text(r.get("OwnerId")),
                "Lead",
                _text(r.get("Status")),
                timestamp(r.get("SystemModstamp")),
            )
        )
    deals = [
        DealRow(
            str(r["Id"]),
            _text(r.get("AccountId")),
            _text(r.get("StageName")),
            deal_outcome(r),
            timestamp(r.get("SystemModstamp")),
        )
        for r in read["Opportunity"]
    ]
    names = owners.salesforce_owners(client, {a.owner for a in accounts if a.owner})
    gone, gone_cursors = deletions.salesforce_gone(client, since)
    new_cursors.update(gone_cursors)
    disqualified, validated = status_rules(disqualified_statuses)
    return store(
        con,
        SALESFORCE,
        accounts,
        contacts,
        deals,
        new_cursors,
        now=now,
        disqualified=disqualified,
        validated=validated,
        owner_names=names,
        gone=gone,
    )
