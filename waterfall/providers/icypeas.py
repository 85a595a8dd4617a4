"""Icypeas (doc §2.7): asynchronous single email search.

Start `POST /email-search` (header `Authorization: <raw key>`, no Bearer), read
`POST /bulk-single-searchs/read {"id": ...}` until the item leaves NONE/SCHEDULED/IN_PROGRESS.
Out of funds and bad input are item statuses, not HTTP codes. 1 credit per found email, nothing
on a miss. Reads are limited to 30/min: keep `poll_interval` >= 2 s against the real service.
"""

from __future__ import annotations

from typing import Any

from waterfall.providers.base import Answer, Field, Person, QuotaExhausted, Rejected, Status, Transient
from waterfall.providers.transport import AsyncJobProvider, require_names

CERTAINTY = {
    "ultra_sure": Status.VALID,
    "very_sure": Status.VALID,
    "sure": Status.VALID,
    "probable": Status.RISKY,
    "undeliverable": Status.INVALID,
}
RUNNING = {"NONE", "SCHEDULED", "IN_PROGRESS"}
FOUND = {"FOUND", "DEBITED"}
MISSED = {"NOT_FOUND", "DEBITED_NOT_FOUND"}
JOB_FAILURES = {"INSUFFICIENT_FUNDS": QuotaExhausted, "BAD_INPUT": Rejected, "ABORTED": Transient}


class IcypeasProvider(AsyncJobProvider):
    name = "icypeas"
    fields = frozenset({Field.EMAIL})
    default_base_url = "https://app.icypeas.com/api"

    def auth_headers(self) -> dict[str, str]:
        return {"Authorization": self._api_key}

    async def _search(self, person: Person) -> dict[str, Any]:
        first, last = require_names(self.name, person)
        payload = {"firstname": first, "lastname": last,
                   "domainOrCompany": person.domain or person.company_name,
                   "custom": {"externalId": person.siren}}
        body = self.checked(await self.send("POST", "/email-search", json=payload))
        item_id = ((body.get("item") or {}).get("_id")) if isinstance(body, dict) else None
        if not body.get("success") or not item_id:
            raise Rejected(self.redact(f"{self.name}: search refused: {body.get('message') or body}")[:300])

        async def fetch() -> dict[str, Any] | None:
            read = self.checked(await self.send("POST", "/bulk-single-searchs/read", json={"id": item_id}))
            item = (read.get("items") or [{}])[0]
            return None if item.get("status", "NONE") in RUNNING else item

        return await self.poll(fetch, item_id)

    async def find_email(self, person: Person) -> Answer:
        item = await self._search(person)
        status = item.get("status")
        self.raise_for_job(status, str(item.get("_id") or "?"), JOB_FAILURES)
        emails = ((item.get("results") or {}).get("emails")) or []
        if status in MISSED or status not in FOUND or not emails or not emails[0].get("email"):
            return self.miss(Field.EMAIL, raw_status=status)
        best = emails[0]
        raw = best.get("certainty")
        return Answer(self.name, Field.EMAIL, best["email"], CERTAINTY.get(raw or "", Status.UNKNOWN),
                      credits=1.0, raw_status=raw, extra={"mx_provider": best.get("mxProvider")})
