"""Datagma (doc §2.10): `GET /v8/findEmail` and `GET /v2/full` under `/api/ingress`, the key in the
`apiId` query parameter (the only place Datagma takes it; `redact` keeps it out of every message).

Email: `fullName`, `company` (the domain when known, else the name), `findEmailV2Step=3`,
`findEmailV2Country=General`. `email` comes back only when the SMTP check passed (1 credit, VALID);
on a catch-all domain Datagma gives its guess as `mostProbableEmail`, unbilled: a RISKY fallback
for the verify chain. `linkedInSlug` is the *company's* slug, so the person's profile is not sent.
Phone: `v2/full` with `phoneFull=true` answers `phone.mobiles[]` / `phone.workPhones[]` and bills
what its `creditBurn` says (30 in the doc's example), which is what we count. Errors are plain non-2xx (401 bad key,
402 out of credits, 429 rate limited, 451 erasure): the default mapping.
"""

from __future__ import annotations

from typing import Any

from waterfall.providers.base import Answer, Field, Person, Status
from waterfall.providers.phones import phone_extra, to_e164
from waterfall.providers.transport import HttpProvider, Shape, require_names

EMAIL_CREDITS = 1.0


class _Email(Shape):  # doc §2.10
    email: str | None = None
    mostProbableEmail: str | None = None  # noqa: N815 - the vendor's keys
    smtpCheck: bool | None = None  # noqa: N815
    mxfound: bool | None = None
    cachAll: bool | None = None  # noqa: N815 - sic


class _Value(Shape):
    value: str | None = None


class _Phones(Shape):
    mobiles: list[_Value] | None = None
    workPhones: list[_Value] | None = None  # noqa: N815


class _Full(Shape):
    phone: _Phones | None = None
    creditBurn: float | None = None  # noqa: N815


class DatagmaProvider(HttpProvider):
    name = "datagma"
    fields = frozenset({Field.EMAIL, Field.PHONE})
    default_base_url = "https://gateway.datagma.net/api/ingress"

    def auth_headers(self) -> dict[str, str]:
        return {}  # the key is the apiId query parameter

    def params(self, person: Person, **more: Any) -> dict[str, Any]:
        first, last = require_names(self.name, person)
        company = person.domain or person.company_name
        return {"apiId": self._api_key, "fullName": f"{first} {last}", "company": company, **more}

    async def find_email(self, person: Person) -> Answer:
        params = self.params(person, findEmailV2Step=3, findEmailV2Country="General")
        got = self.checked_as(_Email, await self.send("GET", "/v8/findEmail", params=params))
        if got.email and "@" in got.email and got.smtpCheck is not False:
            return Answer(
                self.name, Field.EMAIL, got.email.lower(), Status.VALID, credits=EMAIL_CREDITS, raw_status="smtp_ok"
            )
        if got.mostProbableEmail and "@" in got.mostProbableEmail:  # a catch-all guess, not billed
            raw = "catch_all" if got.cachAll else "most_probable"
            return Answer(self.name, Field.EMAIL, got.mostProbableEmail.lower(), Status.RISKY, raw_status=raw)
        return self.miss(Field.EMAIL, raw_status="no_mx" if got.mxfound is False else "not_found")

    async def find_phone(self, person: Person) -> Answer:
        got = self.checked_as(_Full, await self.send("GET", "/v2/full", params=self.params(person, phoneFull="true")))
        credits = float(got.creditBurn or 0)
        phones = got.phone or _Phones()
        for kind, values in (("mobile", phones.mobiles), ("direct", phones.workPhones)):
            for item in values or []:
                e164 = to_e164(item.value)
                if e164:
                    return Answer(
                        self.name,
                        Field.PHONE,
                        e164,
                        Status.VALID,
                        credits=credits,
                        raw_status=kind,
                        extra=phone_extra(e164, kind),
                    )
        return self.miss(Field.PHONE, raw_status="no_phone", credits=credits)
