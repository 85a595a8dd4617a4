"""Kaspr (doc §2.10, §7.8): `POST /profile/linkedin`, `Authorization: Bearer <key>` and
`accept-version: v2.0`, body `{id: <LinkedIn slug>, name, dataToGet, requiredData}`.

Kaspr looks people up by their LinkedIn profile only, so a person without a known profile URL is
refused before any call (`needs_linkedin`: the engine does not even ask, and asks Kaspr after the
vendors that return one). The answer is
nested under `profile`: `starryWorkEmail` / `starryProfessionalEmail` (the pick), then
`professionalEmails[]`; `starryPhone`, then `phones[]`. Kaspr does not grade its addresses, so a
found one is a fallback (RISKY) for the verify chain. An empty body (or no `profile`) is a miss;
404 = not found (a miss). Credits come in separate types that do not convert into each other
(B2B email, phone, direct email, export): one credit of the type asked for, only when it is
returned; the type is in `extra["credit_type"]` and out of one type is a 402 whose `reason` names
it ("No phone credits left"), which stops Kaspr for the run like any exhausted account.
Auth conflict (doc §2.10: one client sends the raw key): we send Bearer, the documented form.
"""

from __future__ import annotations

from typing import Any, ClassVar

from waterfall.providers.base import Answer, Field, Person, Rejected, Status
from waterfall.providers.linkedin import profile_slug, profile_url
from waterfall.providers.phones import phone_extra, to_e164
from waterfall.providers.transport import HttpProvider, Shape, require_names

DATA = {Field.EMAIL: "workEmail", Field.PHONE: "phone"}
CREDIT_TYPE = {Field.EMAIL: "b2b_email", Field.PHONE: "phone"}


class _Profile(Shape):  # doc §2.10, as far as we read it
    starryWorkEmail: str | None = None  # noqa: N815 - the vendor's keys
    starryProfessionalEmail: str | None = None  # noqa: N815
    professionalEmails: list[str] | None = None  # noqa: N815
    workEmails: list[str] | None = None  # noqa: N815
    starryPhone: str | None = None  # noqa: N815
    phones: list[str] | None = None


class _Answer(Shape):
    profile: _Profile | None = None


class KasprProvider(HttpProvider):
    name = "kaspr"
    fields = frozenset({Field.EMAIL, Field.PHONE})
    default_base_url = "https://api.developers.kaspr.io"
    needs_linkedin: ClassVar[bool] = True  # the engine does not ask it about a person without a profile

    def auth_headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self._api_key}", "accept-version": "v2.0"}

    def request_body(self, person: Person, what: Field) -> dict[str, Any]:
        """The documented body: the profile's slug, the person's name, the one data type asked."""
        first, last = require_names(self.name, person)
        slug = profile_slug(person.linkedin_url)
        if slug is None:
            raise Rejected(f"{self.name}: a LinkedIn profile URL is required")
        return {"id": slug, "name": f"{first} {last}", "dataToGet": [DATA[what]], "requiredData": [DATA[what]]}

    async def _profile(self, person: Person, what: Field) -> _Profile | None:
        resp = await self.send("POST", "/profile/linkedin", json=self.request_body(person, what))
        if resp.status_code == 404:
            return None
        return self.checked_as(_Answer, resp).profile

    def _found(self, what: Field, value: str, raw: str, person: Person, **extra: Any) -> Answer:
        extra = {**extra, "credit_type": CREDIT_TYPE[what], "linkedin_url": profile_url(person.linkedin_url)}
        status = Status.VALID if what is Field.PHONE else Status.RISKY
        return Answer(self.name, what, value, status, credits=1.0, raw_status=raw, extra=extra)

    async def find_email(self, person: Person) -> Answer:
        profile = await self._profile(person, Field.EMAIL)
        if profile is None:
            return self.miss(Field.EMAIL, raw_status="not_found")
        starred = profile.starryWorkEmail or profile.starryProfessionalEmail
        listed = [e for e in (profile.professionalEmails or []) + (profile.workEmails or []) if e]
        email = (starred or (listed[0] if listed else "")).strip()
        if "@" not in email:
            return self.miss(Field.EMAIL, raw_status="no_work_email")
        return self._found(Field.EMAIL, email.lower(), "starry" if starred else "listed", person)

    async def find_phone(self, person: Person) -> Answer:
        profile = await self._profile(person, Field.PHONE)
        if profile is None:
            return self.miss(Field.PHONE, raw_status="not_found")
        for raw, number in [("starry", profile.starryPhone)] + [("listed", p) for p in profile.phones or []]:
            e164 = to_e164(number)
            if e164:
                return self._found(Field.PHONE, e164, raw, person, **phone_extra(e164))
        return self.miss(Field.PHONE, raw_status="no_phone")
