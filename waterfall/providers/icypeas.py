"""Icypeas (doc §2.7): asynchronous single email search.

Start `POST /email-search` (header `Authorization: <raw key>`, no Bearer), read
`POST /bulk-single-searchs/read {"id": ...}` until the item leaves NONE/SCHEDULED/IN_PROGRESS.
Out of funds and bad input are item statuses, not HTTP codes. 1 credit per found email, nothing
on a miss. Reads are limited to 30/min: keep `poll_interval` >= 2 s against the real service.
"""

from __future__ import annotations

import pydantic

from waterfall.providers.base import Answer, Field, Person, QuotaExhausted, Rejected, Status, Transient
from waterfall.providers.transport import AsyncJobProvider, Shape, require_names

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


# The documented answers (doc §2.7), as far as we read them.
class _Ref(Shape):
    id: str | None = pydantic.Field(None, alias="_id")


class _Started(Shape):
    success: bool | None = None
    item: _Ref | None = None
    message: str | None = None


class _Email(Shape):
    email: str | None = None
    certainty: str | None = None
    mx_provider: str | None = pydantic.Field(None, alias="mxProvider")


class _Results(Shape):
    emails: list[_Email] | None = None


class _Item(Shape):
    id: str | None = pydantic.Field(None, alias="_id")
    status: str | None = "NONE"  # absent: not started yet
    results: _Results | None = None


class _Read(Shape):
    items: list[_Item] | None = None


class IcypeasProvider(AsyncJobProvider):
    name = "icypeas"
    fields = frozenset({Field.EMAIL})
    default_base_url = "https://app.icypeas.com/api"
    polls_paced = False  # doc §2.7: reads have their own limit (30/min), kept by poll_interval

    def auth_headers(self) -> dict[str, str]:
        return {"Authorization": self._api_key}

    async def _search(self, person: Person) -> _Item:
        first, last = require_names(self.name, person)
        payload = {
            "firstname": first,
            "lastname": last,
            "domainOrCompany": person.domain or person.company_name,
            "custom": {"externalId": person.siren},
        }
        raw = self.checked(await self.send("POST", "/email-search", json=payload))
        body = self.parsed(_Started, raw)
        item_id = body.item.id if body.item else None
        if not body.success or not item_id:
            raise Rejected(self.redact(f"{self.name}: search refused: {body.message or raw}")[:300])

        async def fetch() -> _Item | None:
            read = self.checked_as(_Read, await self.send("POST", "/bulk-single-searchs/read", json={"id": item_id}))
            item = (read.items or [_Item()])[0]
            return None if item.status in RUNNING else item

        return await self.poll(fetch, item_id)

    async def find_email(self, person: Person) -> Answer:
        item = await self._search(person)
        status = item.status
        self.raise_for_job(status, item.id or "?", JOB_FAILURES)
        emails = (item.results.emails if item.results else None) or []
        if status in MISSED or status not in FOUND or not emails or not emails[0].email:
            return self.miss(Field.EMAIL, raw_status=status)
        best = emails[0]
        return Answer(
            self.name,
            Field.EMAIL,
            best.email,
            CERTAINTY.get(best.certainty or "", Status.UNKNOWN),
            credits=1.0,
            raw_status=best.certainty,
            extra={"mx_provider": best.mx_provider},
        )
