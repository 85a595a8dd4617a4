"""Findymail (doc §2.9): `POST /search/name {name, domain}`, `Authorization: Bearer`.

Findymail only returns addresses it has validated, so a hit is VALID; a miss is a 200 without
`contact` and costs nothing. It needs a domain (no company-name search). 402 = out of credits.
`POST /verify` spends one verifier credit and answers `verified: true|false`: a boolean, which
cannot tell a catch-all domain from a dead mailbox, so `false` maps to INVALID here and the verify
chain reads it as no verdict on an address an earlier verifier classed accept-all
(`boolean_verdict`, waterfall/verdicts.py).
"""

from __future__ import annotations

from typing import ClassVar

from waterfall.providers.base import Answer, Field, Person, Rejected, Status
from waterfall.providers.transport import HttpProvider, Shape, require_names


class _Contact(Shape):  # doc §2.9, as far as we read it
    email: str | None = None
    linkedin_url: str | None = None


class _Search(Shape):
    contact: _Contact | None = None


class _Verify(Shape):
    verified: bool | None = None
    provider: str | None = None


class FindymailProvider(HttpProvider):
    name = "findymail"
    fields = frozenset({Field.EMAIL, Field.VERIFY})
    boolean_verdict: ClassVar[bool] = True  # `verified: false` is "not verified", maybe catch-all
    default_base_url = "https://app.findymail.com/api"

    def auth_headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self._api_key}"}

    async def find_email(self, person: Person) -> Answer:
        first, last = require_names(self.name, person)
        if not person.domain:
            raise Rejected(f"{self.name}: a company domain is required")
        contact = self.checked_as(
            _Search, await self.send("POST", "/search/name", json={"name": f"{first} {last}", "domain": person.domain})
        ).contact
        if contact is None or not contact.email:
            return self.miss(Field.EMAIL)
        extra = {"linkedin_url": contact.linkedin_url} if contact.linkedin_url else {}  # for the vendors after it
        return Answer(
            self.name, Field.EMAIL, contact.email, Status.VALID, credits=1.0, raw_status="verified", extra=extra
        )

    async def verify_email(self, email: str) -> Answer:
        body = self.checked_as(_Verify, await self.send("POST", "/verify", json={"email": email}))
        verified = bool(body.verified)
        return Answer(
            self.name,
            Field.VERIFY,
            email,
            Status.VALID if verified else Status.INVALID,
            credits=1.0,
            raw_status="verified" if verified else "not_verified",
            extra={"mx_provider": body.provider} if body.provider else {},
        )
