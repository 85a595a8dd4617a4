"""`push_salesforce`: the export's screening and ledger, delivered through the Salesforce API.

The same rules as `push_hubspot` (firmo/crm/push.py): the export's screening and last gate, the
ledger (CRM name `salesforce_api`, file `api:salesforce`) so only new or changed leads are sent,
and a lead recorded only once Salesforce accepted both its Account and its person (a lead without
email: its Account alone), so a refused or unprocessed record is sent again by the next run.

* Accounts are upserted by the external id `SIREN__c` (crm_sync.md §2.2); persons by
  `Email_Key__c`, an External ID + Unique text field holding the lower-cased email, since
  Salesforce's own Email field cannot be an upsert key. The person is a Lead, or a Contact linked
  to its Account through the `Account: {SIREN__c: ...}` lookup (setting
  FIRMO_SALESFORCE_LEAD_OBJECT); a Contact is sent only once its Account was accepted.
* Because both keys are external ids, a run that crashed after Salesforce accepted the records
  but before the ledger was written simply upserts them again: Salesforce finds them by key and
  updates them, it never creates a second one.
* A Lead's `Status` is not sent: the CSV import sets "Open - Not Contacted" on new leads, but an
  upsert would also reset the status sales set on an existing one (Salesforce gives new leads
  its default status).
* `DUPLICATES_DETECTED` on an Account (a Duplicate Rule blocked the save, §2.6): the one Account
  with the same website (else name) and no SIREN__c is given the SIREN, and the lead goes on from
  it; never force-created. Several or none: the lead is left failed and retried next run.
* An Account the read-back (firmo/crm/readback_salesforce.py) matched by website or name + postal
  code, without `SIREN__c`, is given it by Id before the upsert, which then updates it.
* A Lead / Contact sales created before (same email, no `Email_Key__c`) is found by a query on
  Email and given the key first, so the upsert updates it instead of creating a second person
  (§2.2: Email cannot be the upsert key itself).
* `REQUEST_LIMIT_EXCEEDED` stops the push: what Salesforce accepted before is recorded, the rest
  waits for the next run (`report.stopped`).
* What a CRM disqualified less than `disqualified_days` ago (the read-back, firmo/crm/readback.py)
  is left out, as by the export.
* `dry_run=True` makes no call at all (not even the token request) and lists in
  `report.planned` what a push would send (emails masked: 'j***@acme.fr').
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

import duckdb
import polars as pl

from firmo.crm import ledger, readback, readback_salesforce
from firmo.crm.export import record_rejects
from firmo.crm.layouts import SALESFORCE
from firmo.crm.push import ScreeningCounts, mask_email, plan_push
from firmo.crm.salesforce_api import SalesforceClient, SalesforceLimitError, UpsertResult
from firmo.db import transaction

SALESFORCE_API = dataclasses.replace(SALESFORCE, crm="salesforce_api")
LEDGER_FILE = "api:salesforce"
REJECT_SOURCE = "lead list (push_salesforce input)"
ACCOUNT_KEY = "SIREN__c"
PERSON_KEY = "Email_Key__c"
DUPLICATES = "DUPLICATES_DETECTED"

# Account field <- Lead layout column (the one Salesforce row firmo builds, firmo/crm/layouts.py)
ACCOUNT_FIELDS = {
    "Name": "Company",
    "Website": "Website",
    "Industry": "Industry",
    "NumberOfEmployees": "NumberOfEmployees",
    "AnnualRevenue": "AnnualRevenue",
    "BillingStreet": "Street",
    "BillingCity": "City",
    "BillingPostalCode": "PostalCode",
    "BillingCountry": "Country",
    "SIREN__c": "SIREN__c",
    "SIRET__c": "SIRET__c",
    "NAF_Code__c": "NAF_Code__c",
}
PROVENANCE = (
    "ICP__c",
    "Score__c",
    "Score_Reasons__c",
    "Email_Source__c",
    "Email_Found_At__c",
    "Phone_Source__c",
    "Phone_Found_At__c",
)
LINKEDIN = "LinkedIn_URL__c"
LEAD_FIELDS = tuple(c for c in SALESFORCE.columns if c not in ("Status", LINKEDIN))
CONTACT_FIELDS = ("FirstName", "LastName", "Title", "Email", "Phone", "MobilePhone", *PROVENANCE)
# The custom fields each object must have (`firmo crm check salesforce`); the key fields must be
# External ID + Unique.
REQUIRED_FIELDS: dict[str, tuple[str, ...]] = {
    "Account": ("SIREN__c", "SIRET__c", "NAF_Code__c"),
    "Lead": ("Email_Key__c", "SIREN__c", "SIRET__c", "NAF_Code__c", *PROVENANCE),
    "Contact": ("Email_Key__c", *PROVENANCE),
}
KEY_FIELDS = {"Account": ACCOUNT_KEY, "Lead": PERSON_KEY, "Contact": PERSON_KEY}
# Custom fields the import file carries that the push sends only when the org has them (the person's
# LinkedIn profile): listed by `firmo crm check salesforce`, never a reason to refuse a push.
OPTIONAL_FIELDS: dict[str, tuple[str, ...]] = {"Lead": (LINKEDIN,), "Contact": (LINKEDIN,)}


@dataclass
class SalesforcePushReport(ScreeningCounts):
    accounts: int = 0
    persons: int = 0
    created_accounts: int = 0
    created_persons: int = 0
    linked_duplicates: int = 0
    keyed_accounts: int = 0  # Accounts the read-back matched without SIREN__c, given it (not duplicated)
    adopted_persons: int = 0  # Leads / Contacts found by email without Email_Key__c, given it
    no_email: int = 0
    failed: int = 0
    recorded: int = 0
    bulk_jobs: int = 0
    api_calls: int = 0
    stopped: str | None = None
    errors: list[dict[str, Any]] = field(default_factory=list)
    planned: list[str] = field(default_factory=list)


def account_record(row: Mapping[str, Any]) -> dict[str, Any]:
    return {name: row[column] for name, column in ACCOUNT_FIELDS.items()}


def person_record(
    row: Mapping[str, Any], email: str, lead_object: str, optional: tuple[str, ...] = ()
) -> dict[str, Any]:
    """`optional`: the OPTIONAL_FIELDS the org has, sent too."""
    if lead_object == "Contact":
        out = {name: row[name] for name in (*CONTACT_FIELDS, *optional)}
        out["Account"] = {ACCOUNT_KEY: row["SIREN__c"]}
    else:
        out = {name: row[name] for name in (*LEAD_FIELDS, *optional)}
    out[PERSON_KEY] = email
    return out


def optional_fields(client: SalesforceClient, lead_object: str) -> dict[str, bool]:
    """OPTIONAL_FIELDS of the person object -> whether the org has it (its describe)."""
    names = {f["name"] for f in client.describe(lead_object).get("fields", [])}
    return {name: name in names for name in OPTIONAL_FIELDS[lead_object]}


def push_salesforce(
    leads: pl.DataFrame,
    *,
    con: duckdb.DuckDBPyConnection,
    client: SalesforceClient | None,
    lead_object: Literal["Lead", "Contact"] = "Lead",
    full: bool = False,
    dry_run: bool = False,
    now: datetime | None = None,
    disqualified_days: int = readback.DEFAULT_DISQUALIFIED_DAYS,
) -> SalesforcePushReport:
    plan = plan_push(leads, con, SALESFORCE_API, REJECT_SOURCE, full=full, now=now, days=disqualified_days)
    screened, todo, known, now = plan.screened, plan.todo, plan.sent_before, plan.now
    report = plan.fill(SalesforcePushReport())

    accounts = {row["SIREN__c"]: account_record(row) for _, _, row, _ in todo}
    persons: dict[str, dict[str, Any]] = {}
    for _, lead, row, _ in todo:
        email = ledger.contact_email(lead)
        if email:
            persons[email] = person_record(row, email, lead_object)
    report.no_email = sum(1 for _, lead, _, _ in todo if not ledger.contact_email(lead))

    if dry_run:
        for _, lead, row, _ in todo:
            what = "changed" if ledger.lead_key(lead) in known else "new"
            email = ledger.contact_email(lead)
            person = f"{lead_object} {PERSON_KEY}={mask_email(email)}" if email else "no email: Account only"
            report.planned.append(f"upsert Account SIREN__c={row['SIREN__c']} ({row['Company']}); {person} [{what}]")
        return report
    assert client is not None, "a push that is not a dry run needs a client"
    if any(row.get(LINKEDIN) for _, lead, row, _ in todo if ledger.contact_email(lead)):
        present = tuple(n for n, ok in optional_fields(client, lead_object).items() if ok)  # one describe
        for _, lead, row, _ in todo:
            email = ledger.contact_email(lead)
            if email and present:
                persons[email] = person_record(row, email, lead_object, present)

    done: list[dict[str, Any]] = []
    account_result, person_result = UpsertResult(), UpsertResult()
    phase = "Account"
    try:
        _adopt_accounts(con, client, set(accounts), report)
        account_result = client.upsert("Account", ACCOUNT_KEY, list(accounts.values()))
        phase = "duplicates"
        _link_duplicates(client, accounts, account_result, report)
        ready = {
            email: record
            for email, record in persons.items()
            if lead_object != "Contact" or record["Account"][ACCOUNT_KEY] in account_result.ids
        }
        if ready:  # persons sales already have, without the key: given it, then updated by it
            existing = client.find_by_email_without_key(lead_object, sorted(ready), PERSON_KEY)
            for email, record_id in existing.items():
                client.update(lead_object, record_id, {PERSON_KEY: email})
            report.adopted_persons = len(existing)
        phase = "person"
        person_result = client.upsert(lead_object, PERSON_KEY, list(ready.values()))
    except SalesforceLimitError as exc:
        if phase == "Account":
            account_result = exc.partial or UpsertResult()
        elif phase == "person":
            person_result = exc.partial or UpsertResult()
        report.stopped = str(exc)

    account_ids, person_ids = account_result.ids, person_result.ids
    report.accounts, report.persons = len(account_ids), len(person_ids)
    report.created_accounts = sum(account_result.created.values())
    report.created_persons = sum(person_result.created.values())
    report.bulk_jobs = len(account_result.bulk_jobs) + len(person_result.bulk_jobs)
    report.errors = [{"object": "Account", **e} for e in account_result.errors] + [
        {"object": lead_object, **e} for e in person_result.errors
    ]
    report.api_calls = client.calls
    for icp, lead, row, digest in todo:
        email = ledger.contact_email(lead)
        accepted = row["SIREN__c"] in account_ids and (email is None or email in person_ids)
        if accepted:
            done.append(ledger.ledger_row(SALESFORCE_API.crm, icp, lead, digest, now, LEDGER_FILE))
        else:
            report.failed += 1
    report.recorded = len(done)
    with transaction(con):
        ledger.record(con, done)
        record_rejects(con, screened, now, source=REJECT_SOURCE)
    return report


ACCOUNT_ID_PREFIX = "001"  # Salesforce's key prefix of Account ids (the read-back also holds Leads, 00Q)


def _adopt_accounts(
    con: duckdb.DuckDBPyConnection, client: SalesforceClient, sirens: set[str], report: SalesforcePushReport
) -> None:
    """An Account the read-back matched to a SIREN by website or name + postal code (it has no
    SIREN__c yet) is given it first by Id, so the upsert by SIREN__c updates that Account instead
    of creating a second one; its owner is never written (as `push_hubspot`, crm_sync.md §1.9)."""
    unkeyed = readback.unkeyed_accounts(con, readback_salesforce.SALESFORCE, sirens)
    for siren, crm_id in sorted(unkeyed.items()):
        if not crm_id.startswith(ACCOUNT_ID_PREFIX):
            continue  # a Lead sales prospect: its company is no Account yet
        client.update("Account", crm_id, {ACCOUNT_KEY: siren})
        readback.mark_keyed(con, readback_salesforce.SALESFORCE, crm_id)
        report.keyed_accounts += 1


def _link_duplicates(
    client: SalesforceClient,
    accounts: Mapping[str, Mapping[str, Any]],
    result: UpsertResult,
    report: SalesforcePushReport,
) -> None:
    """A Duplicate Rule blocked an Account: give the one matching Account without a SIREN the
    SIREN (and firmo's values), so the lead goes on from the record sales already have."""
    kept = []
    for error in result.errors:
        record = accounts.get(error["key"])
        if error["statusCode"] != DUPLICATES or record is None:
            kept.append(error)
            continue
        match = client.find_account_without_siren(website=record.get("Website"), name=record.get("Name"))
        if match is None:
            kept.append({**error, "message": f"{error['message']} (no single Account without SIREN__c matches)"})
            continue
        client.update("Account", match, {k: v for k, v in record.items()})
        result.ids[error["key"]] = match
        result.created[error["key"]] = False
        report.linked_duplicates += 1
    result.errors = kept


def required_fields(client: SalesforceClient, lead_object: str) -> list[str]:
    """What is missing for a push, from the describe of Account and the person object: one line
    per missing custom field, or key field that is not External ID + Unique. Empty: ready."""
    problems = []
    for sobject in ("Account", lead_object):
        fields = {f["name"]: f for f in client.describe(sobject).get("fields", [])}
        for name in REQUIRED_FIELDS[sobject]:
            info = fields.get(name)
            if info is None:
                problems.append(f"{sobject}.{name}: missing")
            elif name == KEY_FIELDS[sobject] and not (info.get("externalId") and info.get("unique")):
                problems.append(f"{sobject}.{name}: must be External ID and Unique")
    return problems
