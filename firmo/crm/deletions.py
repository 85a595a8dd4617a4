"""What sales deleted, archived or merged away in a CRM, read incrementally so that firmo stops
pointing at dead records: the read-back marks them (`deleted_at` on exports.crm_accounts and
crm_contacts, `merged_into` the survivor of an account; firmo/sql/crm/readback_deleted.sql and
readback_survivors.sql), and then

* the push never PATCHes them: an account matched by domain or name that sales deleted is not
  written its SIREN (`readback.unkeyed_accounts`), a deleted person is not adopted by email
  (`readback.contact_ids`), their SIRENs and emails no longer count as held (the push searches
  or creates again instead of trusting the read-back), and the id map of a CRM without upsert
  (Pipedrive, exports.crm_ids) forgets a deleted organisation or person, or points a merged-away
  organisation at its survivor (firmo/sql/crm/crm_ids_forget_gone.sql);
* `firmo score --from-crm` leaves deleted accounts out;
* what they taught stays: a won account stays a customer, a disqualified one stays held.

How each CRM tells it (crm_sync.md; only what the doc documents):

* HubSpot (§1.7): search never returns archived records, so the companies and contacts archived
  are listed with `GET /crm/v3/objects/{type}?limit=100&archived=true` (forward paging). That
  list has no modified-since filter: it is read whole at each pull, and only the records whose
  `archivedAt` is at or after the last one seen (cursor `<type>_archived`) are marked. A merge
  archives the records merged away (merges themselves, `mergedObjectIds`, are not in the doc).
* Salesforce (§2.4 "Deletes"): `queryAll` with `WHERE IsDeleted = true AND SystemModstamp >=
  <cursor>` on Account, Lead and Contact (cursor `<sObject>_deleted`); the deletion time is the
  record's SystemModstamp. The recycle bin keeps deleted records a limited time: a pull run less
  often than that misses none. `MasterRecordId` (the merge survivor) is not in the doc.
* Pipedrive (§3.3, §3.5): organisations and persons carry `is_deleted`; a record the v2 lists
  (or the `ids` fetch) return with `is_deleted: true` is marked, at its `update_time`. Whether the
  v2 lists return deleted records at all is not stated in the doc (UNVERIFIED): the push's
  404/410 handling (the id dropped, the record searched again) stays the backstop. The merge
  endpoints (`PUT /v1/organizations/{id}/merge`, §3.7) are writes; no feed of merges is documented.

No CRM documents a feed of merges, so the survivor of a merge is found by what it keeps: the
live account of the same CRM holding the deleted one's SIREN in its own SIREN field.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from firmo.crm.hubspot_api import HubSpotClient, epoch_ms
from firmo.crm.salesforce_api import SalesforceClient

ACCOUNT, CONTACT = "account", "contact"
HUBSPOT_KINDS = {"companies": ACCOUNT, "contacts": CONTACT}
# a Lead not converted is an account row and a contact row under the same Id (readback_salesforce)
SALESFORCE_KINDS = {"Account": (ACCOUNT,), "Lead": (ACCOUNT, CONTACT), "Contact": (CONTACT,)}


@dataclass(frozen=True)
class Gone:
    kind: str  # 'account' | 'contact'
    crm_id: str
    deleted_at: datetime | None


def _time(ms: int | None) -> datetime | None:
    return None if ms is None else datetime.utcfromtimestamp(ms / 1000)  # noqa: DTZ004 (naive UTC)


def hubspot_gone(client: HubSpotClient, since: Mapping[str, int]) -> tuple[list[Gone], dict[str, int]]:
    """Companies and contacts archived at or after their cursor (all of them the first time), and
    the cursors moved to the last `archivedAt` seen."""
    out: list[Gone] = []
    cursors: dict[str, int] = {}
    for object_type, kind in HUBSPOT_KINDS.items():
        key = f"{object_type}_archived"
        last = since.get(key)
        for record in client.archived(object_type):
            at = epoch_ms(record.get("archivedAt"))
            if last is not None and at is not None and at < last:
                continue
            out.append(Gone(kind, str(record["id"]), _time(at)))
            if at is not None:
                cursors[key] = max(at, cursors.get(key, since.get(key, 0)))
    return out, cursors


def salesforce_deleted_query(sobject: str, since_ms: int | None) -> str:
    """`SELECT Id, SystemModstamp FROM <sObject> WHERE IsDeleted = true [AND SystemModstamp >= t]
    ORDER BY SystemModstamp, Id`, for `queryAll` (the literal to the second, as the read-back's)."""
    where = "IsDeleted = true"
    if since_ms is not None:
        stamp = datetime.utcfromtimestamp(since_ms // 1000).strftime("%Y-%m-%dT%H:%M:%SZ")  # noqa: DTZ004 (UTC)
        where += f" AND SystemModstamp >= {stamp}"
    return f"SELECT Id, SystemModstamp FROM {sobject} WHERE {where} ORDER BY SystemModstamp, Id"


def salesforce_gone(client: SalesforceClient, since: Mapping[str, int]) -> tuple[list[Gone], dict[str, int]]:
    """Accounts, Leads and Contacts deleted (in the recycle bin) since their cursor."""
    out: list[Gone] = []
    cursors: dict[str, int] = {}
    for sobject, kinds in SALESFORCE_KINDS.items():
        key = f"{sobject}_deleted"
        for record in client.query_all(salesforce_deleted_query(sobject, since.get(key)), include_deleted=True):
            at = epoch_ms(record.get("SystemModstamp"))
            out += [Gone(kind, str(record["Id"]), _time(at)) for kind in kinds]
            if at is not None:
                cursors[key] = max(at, cursors.get(key, since.get(key, 0)))
    return out, cursors


def pipedrive_gone(organizations: Iterable[Mapping[str, Any]], persons: Iterable[Mapping[str, Any]]) -> list[Gone]:
    """The organisations and persons read with `is_deleted: true`."""
    return [
        Gone(kind, str(r["id"]), _time(epoch_ms(r.get("update_time"))))
        for kind, records in ((ACCOUNT, organizations), (CONTACT, persons))
        for r in records
        if r.get("is_deleted") is True
    ]
