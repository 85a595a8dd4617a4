"""Hunter v2 (doc §2.1): synchronous finder, verifier and domain search.

Odd dialect: 403 means *rate limited* (back off), 429 means the *monthly quota is gone* (do not
retry), 451 means the person asked Hunter not to process them. The key goes in `X-API-KEY`,
never in the query string, so it cannot end up in a logged URL.
"""

from __future__ import annotations

import math
from typing import Any

import httpx

from waterfall.providers.base import (
    Answer,
    Field,
    PeopleQuery,
    Person,
    ProviderError,
    QuotaExhausted,
    RateLimited,
    Status,
    Transient,
)
from waterfall.providers.linkedin import profile_slug
from waterfall.providers.people import first_match, person_answer
from waterfall.providers.transport import HttpProvider, Shape, parse_retry_after, require_names

# §2.12: valid stops; accept_all/unknown/unverified are fallbacks; webmail is personal (drop for people).
STATUS = {
    "valid": Status.VALID,
    "accept_all": Status.RISKY,
    "unknown": Status.RISKY,
    "invalid": Status.INVALID,
    "disposable": Status.INVALID,
    "webmail": Status.INVALID,
}
VERIFY_CREDITS = 0.5  # unified-credit plans; Data Platform plans count 1 verification credit instead


# The documented answers (doc §2.1), as far as we read them.
class _Verification(Shape):
    status: str | None = None


class _FinderData(Shape):
    email: str | None = None
    score: float | None = None
    verification: _Verification | None = None
    sources: list[Any] | None = None


class _Finder(Shape):
    data: _FinderData


class _VerifierData(Shape):
    status: str | None = None
    score: float | None = None


class _Verifier(Shape):
    data: _VerifierData


class _DomainData(Shape):
    domain: str | None = None
    pattern: str | None = None
    emails: list[Any] | None = None


class _DomainSearch(Shape):
    data: _DomainData


class _Found(Shape):  # one entry of domain-search `emails[]` (doc §8.1)
    value: str | None = None
    type: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    position: str | None = None
    linkedin: str | None = None
    verification: _Verification | None = None


class _PeopleData(Shape):
    emails: list[_Found] | None = None


class _PeopleSearch(Shape):
    data: _PeopleData


# doc §8.1: persona function -> Hunter `department` (none for purchasing: filter on `position`);
# seniority -> Hunter's junior | senior | executive (comma-separated when several)
DEPARTMENT = {
    "hr": "hr",
    "finance": "finance",
    "sales": "sales",
    "marketing": "marketing",
    "it": "it",
    "operations": "operations",
    "general_management": "executive",
}
SENIORITY = {"head": "senior,executive", "manager": "senior"}


class HunterProvider(HttpProvider):
    name = "hunter"
    fields = frozenset({Field.DOMAIN, Field.EMAIL, Field.VERIFY, Field.PEOPLE})
    default_base_url = "https://api.hunter.io/v2"

    def auth_headers(self) -> dict[str, str]:
        return {"X-API-KEY": self._api_key}

    def error_for(self, resp: httpx.Response) -> ProviderError:
        if resp.status_code == 403:
            return RateLimited(self.message(resp), retry_after=parse_retry_after(resp.headers.get("Retry-After")))
        if resp.status_code == 429:
            return QuotaExhausted(self.message(resp))
        return super().error_for(resp)

    async def find_email(self, person: Person) -> Answer:
        first, last = require_names(self.name, person)
        params = {"first_name": first, "last_name": last, "linkedin_handle": profile_slug(person.linkedin_url)}
        params.update({"domain": person.domain} if person.domain else {"company": person.company_name})
        data = self.checked_as(_Finder, await self.send("GET", "/email-finder", params=params)).data
        if not data.email:
            return self.miss(Field.EMAIL)
        raw = data.verification.status if data.verification else None
        return Answer(
            self.name,
            Field.EMAIL,
            data.email,
            STATUS.get(raw or "", Status.RISKY),
            confidence=None if data.score is None else data.score / 100,
            credits=1.0,
            raw_status=raw or "unverified",
            extra={"sources": len(data.sources or [])},
        )

    async def verify_email(self, email: str) -> Answer:
        resp = await self.send("GET", "/email-verifier", params={"email": email})
        if resp.status_code == 202:  # the SMTP check is still running: ask again later
            raise Transient(f"{self.name}: verification of the address still running (HTTP 202)")
        data = self.checked_as(_Verifier, resp).data
        return Answer(
            self.name,
            Field.VERIFY,
            email,
            STATUS.get(data.status or "", Status.UNKNOWN),
            confidence=None if data.score is None else data.score / 100,
            credits=VERIFY_CREDITS,
            raw_status=data.status,
        )

    async def find_domain(self, person: Person) -> Answer:
        params = {"company": person.company_name, "limit": 10}
        data = self.checked_as(_DomainSearch, await self.send("GET", "/domain-search", params=params)).data
        credits = float(math.ceil(len(data.emails or []) / 10))  # 1 credit per 1-10 emails found
        if not data.domain:
            return self.miss(Field.DOMAIN, credits=credits)
        return Answer(
            self.name,
            Field.DOMAIN,
            data.domain.lower(),
            Status.VALID,
            credits=credits,
            raw_status="found",
            extra={"pattern": data.pattern} if data.pattern else {},
        )

    async def find_people(self, query: PeopleQuery) -> Answer:
        """Domain search by department and seniority, personal addresses only (doc §8.1): the
        answer is an email search too, so the person comes with a verified address when Hunter
        has one. 1 credit per 1-10 addresses returned, 0 for an empty list."""
        persona = query.persona
        params = {
            "domain": query.domain,
            "department": DEPARTMENT.get(persona.function),
            "seniority": SENIORITY.get(persona.seniority),
            "type": "personal",
            "limit": 10,
        }
        data = self.checked_as(_PeopleSearch, await self.send("GET", "/domain-search", params=params)).data
        emails = data.emails or []
        credits = float(math.ceil(len(emails) / 10))
        named = [e for e in emails if e.first_name and e.last_name and e.type != "generic"]
        hit = first_match(persona, named, lambda e: e.position)
        if hit is None:
            return self.miss(Field.PEOPLE, raw_status=f"{len(emails)} addresses, none {persona.label}", credits=credits)
        raw = hit.verification.status if hit.verification else None
        return person_answer(
            self.name,
            query,
            first_name=hit.first_name or "",
            last_name=hit.last_name or "",
            title=hit.position,
            credits=credits,
            raw_status=f"{len(emails)} addresses",
            linkedin_url=hit.linkedin,
            email=hit.value,
            email_status=STATUS.get(raw or "", Status.RISKY),
        )
