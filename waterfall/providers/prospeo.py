"""Prospeo (doc §2.6): `POST /enrich-person`, header `X-KEY`.

Odd dialect: NO_MATCH, INSUFFICIENT_CREDITS and INVALID_API_KEY all arrive as HTTP 400 with
`{"error": true, "error_code": ...}`, so the code, not the HTTP status, decides. A masked address
(`revealed: false`) is a miss. 1 credit per matched email, 10 with a mobile, 0 on NO_MATCH or
when `free_enrichment` is true (re-enrichment of a known person).
"""

from __future__ import annotations

import httpx

from waterfall.providers.base import (
    Answer,
    AuthFailed,
    Field,
    Person,
    ProviderError,
    QuotaExhausted,
    RateLimited,
    Rejected,
    Status,
    Transient,
)
from waterfall.providers.phones import phone_extra, to_e164
from waterfall.providers.transport import HttpProvider, Shape, parse_retry_after, require_names

STATUS = {"VERIFIED": Status.VALID, "UNVERIFIED": Status.RISKY}
EMAIL_CREDITS, MOBILE_CREDITS = 1.0, 10.0


# The documented answer (doc §2.6), as far as we read it.
class _Email(Shape):
    status: str | None = None
    revealed: bool | None = None
    email: str | None = None


class _Mobile(Shape):
    status: str | None = None
    revealed: bool | None = None
    mobile: str | None = None


class _Person(Shape):
    email: _Email | None = None
    mobile: _Mobile | None = None


class _Enriched(Shape):
    error: bool | None = None
    free_enrichment: bool | None = None
    person: _Person | None = None


class ProspeoProvider(HttpProvider):
    name = "prospeo"
    fields = frozenset({Field.EMAIL, Field.PHONE})
    default_base_url = "https://api.prospeo.io"

    def auth_headers(self) -> dict[str, str]:
        return {"X-KEY": self._api_key}

    def error_for(self, resp: httpx.Response) -> ProviderError:
        body = self.body(resp)
        code = body.get("error_code") if isinstance(body, dict) else None
        msg = self.message(resp)
        if code == "INSUFFICIENT_CREDITS":
            return QuotaExhausted(msg)
        if code in ("INVALID_API_KEY", "ACCOUNT_RESTRICTED"):  # account-wide: skip for the run
            return AuthFailed(msg)
        if code == "RATE_LIMITED" or (code is None and resp.status_code == 429):
            return RateLimited(msg, retry_after=parse_retry_after(resp.headers.get("Retry-After")))
        if code == "INTERNAL_ERROR" or (code is None and resp.status_code >= 500):
            return Transient(msg)
        if code is not None:
            return Rejected(msg)
        return super().error_for(resp)

    async def _enrich(self, person: Person, mobile: bool) -> _Enriched | None:
        first, last = require_names(self.name, person)
        data = {"first_name": first, "last_name": last, "linkedin_url": person.linkedin_url}
        data.update({"company_website": person.domain} if person.domain else {"company_name": person.company_name})
        payload = {
            "data": {k: v for k, v in data.items() if v},
            "only_verified_email": False,
            "enrich_mobile": mobile,
            "only_verified_mobile": False,
        }
        resp = await self.send("POST", "/enrich-person", json=payload)
        body = self.body(resp)
        if resp.status_code == 400 and isinstance(body, dict) and body.get("error_code") == "NO_MATCH":
            return None
        body = self.checked_as(_Enriched, resp)
        if body.error:
            raise self.error_for(resp)
        return body

    async def find_email(self, person: Person) -> Answer:
        body = await self._enrich(person, mobile=False)
        if body is None:
            return self.miss(Field.EMAIL, raw_status="NO_MATCH")
        credits = 0.0 if body.free_enrichment else EMAIL_CREDITS
        email = body.person.email if body.person else None
        if email is None or not email.revealed or not email.email:
            masked = email is not None and bool(email.model_fields_set)
            return self.miss(Field.EMAIL, raw_status="masked" if masked else "no_email", credits=credits)
        return Answer(
            self.name,
            Field.EMAIL,
            email.email,
            STATUS.get(email.status or "", Status.UNKNOWN),
            credits=credits,
            raw_status=email.status,
        )

    async def find_phone(self, person: Person) -> Answer:
        body = await self._enrich(person, mobile=True)
        if body is None:
            return self.miss(Field.PHONE, raw_status="NO_MATCH")
        free = bool(body.free_enrichment)
        mobile = body.person.mobile if body.person else None
        e164 = to_e164(mobile.mobile) if mobile is not None and mobile.revealed else None
        if mobile is None or not e164:  # the match is still billed for its email when one was revealed
            email = body.person.email if body.person else None
            billed = EMAIL_CREDITS if email is not None and email.revealed and email.email and not free else 0.0
            return self.miss(Field.PHONE, raw_status="no_mobile", credits=billed)
        return Answer(
            self.name,
            Field.PHONE,
            e164,
            STATUS.get(mobile.status or "", Status.UNKNOWN),
            credits=0.0 if free else MOBILE_CREDITS,
            raw_status=mobile.status,
            extra=phone_extra(e164, "mobile"),
        )
