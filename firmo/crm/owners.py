"""Who owns a CRM account, by name: the read-back stores the owner's id (`hubspot_owner_id`,
`OwnerId`, `owner_id`), which tells a user nothing, so each pull also reads the names and emails
of the owners it met, through each CRM's documented directory of users (crm_sync.md):

* HubSpot (§1.7): `GET /crm/v3/owners/?limit=100&after=` (forward paging), `hubspot_owner_id` =
  the owner's `id`; the name is `firstName lastName`. Owners HubSpot deactivated are listed with
  `archived=true` only, asked for when an owner id is still unknown after the active list.
* Salesforce (§2.4 "account owner"): `SELECT Id, Name, Email, IsActive FROM User`, narrowed to the
  owner ids met (`WHERE Id IN (...)`, 100 a query: the URL stays short). A Lead owned by a queue
  (`00G…`) has no User: no name.
* Pipedrive (§3.5 "Users = owners"): `GET /v1/users` (20 tokens, one call).

Only the owners of the records a pull read are looked up, and nothing is asked when it read none
with an owner, so an incremental pull of nothing changed costs no extra call. The names are read,
never written (the push sends no owner).
"""

from __future__ import annotations

import logging
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from firmo.crm.hubspot_api import HubSpotClient, HubSpotError
from firmo.crm.pipedrive_api import PipedriveClient
from firmo.crm.salesforce_api import SalesforceClient, soql_quote

log = logging.getLogger(__name__)

SOQL_IDS = 100  # owner ids per User query


@dataclass(frozen=True)
class Owner:
    name: str | None
    email: str | None


def _text(value: Any) -> str | None:
    text = str(value).strip() if value is not None else ""
    return text or None


def hubspot_owners(client: HubSpotClient, ids: Collection[str]) -> dict[str, Owner]:
    """owner id -> name and email, for the `ids` HubSpot lists (active first, then deactivated).

    A token without the `crm.objects.owners.read` scope gets a 403 here: the names are a
    convenience, so the pull goes on with the owner ids alone and says so once, rather than
    failing the read-back that keeps sales' accounts from being duplicated."""
    wanted = {str(i) for i in ids if i}
    out: dict[str, Owner] = {}
    for archived in (False, True):
        if not wanted - set(out):
            break
        try:
            for o in client.owners(archived=archived):
                oid = str(o.get("id"))
                if oid in wanted and oid not in out:
                    name = " ".join(p for p in (_text(o.get("firstName")), _text(o.get("lastName"))) if p)
                    out[oid] = Owner(name or None, _text(o.get("email")))
        except HubSpotError as exc:
            if exc.status != 403:
                raise
            log.warning(
                "HubSpot owners not readable (403; the token needs crm.objects.owners.read): owner names left empty"
            )
            break
    return out


def salesforce_owners(client: SalesforceClient, ids: Collection[str]) -> dict[str, Owner]:
    """User Id -> Name and Email, for the owner ids that are Users."""
    wanted = sorted({str(i) for i in ids if i})
    out: dict[str, Owner] = {}
    for start in range(0, len(wanted), SOQL_IDS):
        quoted = ", ".join(f"'{soql_quote(i)}'" for i in wanted[start : start + SOQL_IDS])
        for user in client.query_all(f"SELECT Id, Name, Email, IsActive FROM User WHERE Id IN ({quoted})"):
            out[str(user["Id"])] = Owner(_text(user.get("Name")), _text(user.get("Email")))
    return out


def pipedrive_owners(client: PipedriveClient, ids: Collection[str]) -> dict[str, Owner]:
    """user id -> name and email (`GET /v1/users`), for the `ids` asked; no call without one."""
    wanted = {str(i) for i in ids if i}
    if not wanted:
        return {}
    return {
        str(u["id"]): Owner(_text(u.get("name")), _text(u.get("email")))
        for u in client.users()
        if str(u.get("id")) in wanted
    }
