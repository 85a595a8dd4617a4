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
from waterfall.providers.transport import HttpProvider, require_names

VALID_GRADES = {"A+", "A"}  # §2.12: the grade scale is not documented; lower grades are fallbacks
PHONE_TYPE = {"mobile": "mobile", "direct": "direct", "landline": "direct", "work": "direct"}
EMAIL_CREDITS, PHONE_CREDITS = 1.0, 5.0


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

    async def _person(self, person: Person) -> tuple[dict[str, Any], float] | None:
        first, last = require_names(self.name, person)
        params = {"firstName": first, "lastName": last, "linkedinUrl": person.linkedin_url}
        params.update({"companyDomain": person.domain} if person.domain else {"companyName": person.company_name})
        resp = await self.send("GET", "/v2/person", params=params)
        if resp.status_code == 404:
            return None
        contact = (self.checked(resp) or {}).get("contact") or {}
        data = contact.get("data") or {}
        if contact.get("error") or not data:
            return None
        credits = 0.0
        if contact.get("isCreditCharged"):
            credits = EMAIL_CREDITS * bool(data.get("emailAddresses")) + PHONE_CREDITS * bool(data.get("phoneNumbers"))
        return data, credits

    async def find_email(self, person: Person) -> Answer:
        found = await self._person(person)
        if found is None:
            return self.miss(Field.EMAIL, raw_status="no_data")
        data, credits = found
        work = [e for e in data.get("emailAddresses") or [] if e.get("address") and e.get("type") != "private"]
        if not work:
            return self.miss(Field.EMAIL, raw_status="no_work_email", credits=credits)
        best = min(work, key=lambda e: (e.get("type") != "work", e.get("emailConfidence") not in VALID_GRADES))
        grade = best.get("emailConfidence")
        return Answer(self.name, Field.EMAIL, best["address"],
                      Status.VALID if grade in VALID_GRADES else Status.RISKY, credits=credits, raw_status=grade)

    async def find_phone(self, person: Person) -> Answer:
        found = await self._person(person)
        if found is None:
            return self.miss(Field.PHONE, raw_status="no_data")
        data, credits = found
        country = (data.get("location") or {}).get("countryIso2")
        for phone in data.get("phoneNumbers") or []:
            e164 = to_e164(phone.get("number"), country)
            if e164:
                kind = PHONE_TYPE.get((phone.get("phoneType") or "").lower())
                return Answer(self.name, Field.PHONE, e164, Status.VALID, credits=credits,
                              raw_status=phone.get("phoneType"),
                              extra={**phone_extra(e164, kind), "do_not_call": bool(phone.get("doNotCall"))})
        return self.miss(Field.PHONE, raw_status="no_phone", credits=credits)
