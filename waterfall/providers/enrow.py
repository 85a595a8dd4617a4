"""Enrow (doc §2.8): `POST /email/find/single` (header `x-api-key`), which may answer at once or
with `status: pending`, then `GET /email/find/single/{id}` until `completed`.

402 `InsufficientBalance` = out of credits; 429 `TooManyRequests`. Credits are the response's
own `credits_used` (1 per find, 0 on a miss).
"""

from __future__ import annotations

from typing import Any

from waterfall.providers.base import Answer, Field, Person, Status, Transient
from waterfall.providers.transport import AsyncJobProvider, Shape, require_names

QUALIFICATION = {"valid": Status.VALID, "invalid": Status.INVALID}  # anything else found: a fallback


class _Search(Shape):  # doc §2.8: the immediate answer and the polled one share this shape
    id: str | None = None
    status: str | None = None
    email: str | None = None
    qualification: str | None = None
    credits_used: float | None = None


class EnrowProvider(AsyncJobProvider):
    name = "enrow"
    fields = frozenset({Field.EMAIL})
    default_base_url = "https://api.enrow.io"
    polls_paced = False  # doc §2.8: the limit is on POSTs; GETs are not limited

    def auth_headers(self) -> dict[str, str]:
        return {"x-api-key": self._api_key}

    async def find_email(self, person: Person) -> Answer:
        first, last = require_names(self.name, person)
        payload: dict[str, Any] = {"first_name": first, "last_name": last, "settings": {"country_code": "FR"}}
        payload.update({"company_domain": person.domain} if person.domain else {"company_name": person.company_name})
        result = self.checked_as(_Search, await self.send("POST", "/email/find/single", json=payload))
        if result.status != "completed":
            search_id = result.id
            if not search_id:
                raise Transient(f"{self.name}: search answered without an id")

            async def fetch() -> _Search | None:
                got = self.checked_as(_Search, await self.send("GET", f"/email/find/single/{search_id}"))
                return got if got.status == "completed" else None

            result = await self.poll(fetch, search_id)
        credits = float(result.credits_used or 0)
        email, raw = result.email, result.qualification
        if not email:
            return self.miss(Field.EMAIL, raw_status=raw, credits=credits)
        return Answer(
            self.name, Field.EMAIL, email, QUALIFICATION.get(raw or "", Status.RISKY), credits=credits, raw_status=raw
        )
