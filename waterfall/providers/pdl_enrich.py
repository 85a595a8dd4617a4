"""People Data Labs as an email and phone provider: Person Enrichment (doc §2.10, §7.2),
`GET /v5/person/enrich`, header `X-Api-Key`, on the same account (and gate) as the people search
of `pdl.py`, whose adapter this one extends (the registry's `pdl` is this class).

The person is named by their LinkedIn profile (`profile=linkedin.com/in/<slug>`, PDL's best key)
when we know it, else by `name` + `company` (the domain when known). `min_likelihood=6` keeps a
weak match out, and `required=work_email` (or `mobile_phone`) makes PDL answer 200 only when the
record has what we asked: 1 credit per match, a 404 otherwise, free. PDL asserts no deliverability,
so a work email is a fallback for the verify chain (RISKY, `likelihood / 10` as confidence). The
record's `linkedin_url` comes back in `extra`. 402 = out of credits, 429 = rate limited (PDL sends
`x-ratelimit-*`, no Retry-After), 451 = erasure: the default mapping.
"""

from __future__ import annotations

from typing import Any

from waterfall.providers.base import Answer, Field, Person, Status
from waterfall.providers.linkedin import bare_profile, profile_url
from waterfall.providers.pdl import PdlProvider
from waterfall.providers.phones import phone_extra, to_e164
from waterfall.providers.transport import Shape, require_names

MIN_LIKELIHOOD = 6  # doc §2.10's example; PDL's scale is 1-10
REQUIRED = {Field.EMAIL: "work_email", Field.PHONE: "mobile_phone"}
CREDITS = 1.0  # per match (200); a 404 is not billed


class _Contact(Shape):  # the person record's contact fields (doc §2.10), as far as we read them
    id: str | None = None
    work_email: str | None = None
    mobile_phone: str | None = None
    linkedin_url: str | None = None


class _Match(Shape):
    likelihood: int | None = None
    data: _Contact


class PdlEnrichProvider(PdlProvider):
    fields = frozenset(PdlProvider.fields | {Field.EMAIL, Field.PHONE})

    def enrich_params(self, person: Person, what: Field) -> dict[str, Any]:
        first, last = require_names(self.name, person)
        profile = bare_profile(person.linkedin_url)
        who: dict[str, Any] = (
            {"profile": profile}
            if profile
            else {"name": f"{first} {last}", "company": person.domain or person.company_name}
        )
        return {**who, "min_likelihood": MIN_LIKELIHOOD, "required": REQUIRED[what]}

    async def _match(self, person: Person, what: Field) -> _Match | None:
        resp = await self.send("GET", "/person/enrich", params=self.enrich_params(person, what))
        if resp.status_code == 404:  # no match, or none with the required field: not billed
            return None
        return self.checked_as(_Match, resp)

    @staticmethod
    def _about(got: _Match) -> tuple[str | None, dict[str, Any]]:
        raw = f"likelihood {got.likelihood}" if got.likelihood is not None else "matched"
        linkedin = profile_url(got.data.linkedin_url)
        return raw, {k: v for k, v in (("linkedin_url", linkedin), ("vendor_id", got.data.id)) if v}

    async def find_email(self, person: Person) -> Answer:
        got = await self._match(person, Field.EMAIL)
        if got is None:
            return self.miss(Field.EMAIL, raw_status="not_found")
        raw, extra = self._about(got)
        email = (got.data.work_email or "").strip().lower()
        if "@" not in email:  # a 200 is billed whatever its record holds
            return self.miss(Field.EMAIL, raw_status=raw, credits=CREDITS, **extra)
        confidence = got.likelihood / 10 if got.likelihood is not None else None
        return Answer(self.name, Field.EMAIL, email, Status.RISKY, confidence, CREDITS, raw, extra=extra)

    async def find_phone(self, person: Person) -> Answer:
        got = await self._match(person, Field.PHONE)
        if got is None:
            return self.miss(Field.PHONE, raw_status="not_found")
        raw, extra = self._about(got)
        e164 = to_e164(got.data.mobile_phone)
        if e164 is None:
            return self.miss(Field.PHONE, raw_status=raw, credits=CREDITS, **extra)
        extra = {**phone_extra(e164, "mobile"), **extra}
        return Answer(self.name, Field.PHONE, e164, Status.VALID, credits=CREDITS, raw_status=raw, extra=extra)
