"""Lusha v2 person (doc §2.5): `GET /v2/person`, header `api_key`.

One call reveals emails and phones together. 402 = out of credits, 451 = GDPR-restricted person,
429 carries no Retry-After (Lusha says back off 1 s → 60 s: the engine's job). Credits follow
`contact.isCreditCharged` (email 1, phone 5 when revealed). Phones carry `doNotCall`, kept in
`extra` because calling a DNC number is the caller's liability.
"""

from __future__ import annotations

from typing import Any

import httpx

from waterfall.providers.base import Answer, Field, Person, ProviderError, Status, Transient
from waterfall.providers.phones import phone_extra, to_e164
from waterfall.providers.transport import HttpProvider, Shape, require_names

VALID_GRADES = {"A+", "A"}  # §2.12: the grade scale is not documented; lower grades are fallbacks
PHONE_TYPE = {"mobile": "mobile", "direct": "direct", "landline": "direct", "work": "direct"}
EMAIL_CREDITS, PHONE_CREDITS = 1.0, 5.0


# The documented answer (doc §2.5), as far as we read it.
class _Address(Shape):
    address: str | None = None
    type: str | None = None
    emailConfidence: str | None = None  # noqa: N815 - the vendor's key


class _Number(Shape):
    number: str | None = None
    phoneType: str | None = None  # noqa: N815
    doNotCall: bool | None = None  # noqa: N815


class _Location(Shape):
    countryIso2: str | None = None  # noqa: N815


class _Data(Shape):
    emailAddresses: list[_Address] | None = None  # noqa: N815
    phoneNumbers: list[_Number] | None = None  # noqa: N815
    location: _Location | None = None


class _Contact(Shape):
    error: Any = None
    isCreditCharged: bool | None = None  # noqa: N815
    data: _Data | None = None


class _Person(Shape):
    contact: _Contact | None = None


class LushaProvider(HttpProvider):
    name = "lusha"
    fields = frozenset({Field.EMAIL, Field.PHONE})
    default_base_url = "https://api.lusha.com"

    def auth_headers(self) -> dict[str, str]:
        return {"api_key": self._api_key}

    def error_for(self, resp: httpx.Response) -> ProviderError:
        if resp.status_code == 499:  # Lusha's own "request cancelled / upstream timeout"
            return Transient(self.message(resp))
        return super().error_for(resp)

    async def _person(self, person: Person) -> tuple[_Data, float] | None:
        first, last = require_names(self.name, person)
        params = {"firstName": first, "lastName": last, "linkedinUrl": person.linkedin_url}
        params.update({"companyDomain": person.domain} if person.domain else {"companyName": person.company_name})
        resp = await self.send("GET", "/v2/person", params=params)
        if resp.status_code == 404:
            return None
        contact = self.checked_as(_Person, resp).contact
        data = contact.data if contact else None
        if contact is None or contact.error or data is None or not data.model_fields_set:
            return None
        credits = 0.0
        if contact.isCreditCharged:
            credits = EMAIL_CREDITS * bool(data.emailAddresses) + PHONE_CREDITS * bool(data.phoneNumbers)
        return data, credits

    async def find_email(self, person: Person) -> Answer:
        found = await self._person(person)
        if found is None:
            return self.miss(Field.EMAIL, raw_status="no_data")
        data, credits = found
        work = [e for e in data.emailAddresses or [] if e.address and e.type != "private"]
        if not work:
            return self.miss(Field.EMAIL, raw_status="no_work_email", credits=credits)
        best = min(work, key=lambda e: (e.type != "work", e.emailConfidence not in VALID_GRADES))
        grade = best.emailConfidence
        return Answer(
            self.name,
            Field.EMAIL,
            best.address,
            Status.VALID if grade in VALID_GRADES else Status.RISKY,
            credits=credits,
            raw_status=grade,
        )

    async def find_phone(self, person: Person) -> Answer:
        found = await self._person(person)
        if found is None:
            return self.miss(Field.PHONE, raw_status="no_data")
        data, credits = found
        country = data.location.countryIso2 if data.location else None
        for phone in data.phoneNumbers or []:
            e164 = to_e164(phone.number, country)
            if e164:
                kind = PHONE_TYPE.get((phone.phoneType or "").lower())
                return Answer(
                    self.name,
                    Field.PHONE,
                    e164,
                    Status.VALID,
                    credits=credits,
                    raw_status=phone.phoneType,
                    extra={**phone_extra(e164, kind), "do_not_call": bool(phone.doNotCall)},
                )
        return self.miss(Field.PHONE, raw_status="no_phone", credits=credits)
