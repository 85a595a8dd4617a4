"""Lusha v2 person (doc §2.5): `GET /v2/person`, header `api_key`.

One call reveals emails and phones together. 402 = out of credits, 451 = GDPR-restricted person,
429 carries no Retry-After (Lusha says back off 1 s → 60 s: the engine's job). Credits follow
`contact.isCreditCharged` (email 1, phone 5 when revealed). Phones carry `doNotCall`, kept in
`extra` because calling a DNC number is the caller's liability.

People (doc §8.4): `POST /v3/contacts/prospecting` by company domain, department and job titles;
previews (names, title, LinkedIn) without email or phone, billed `billing.creditsCharged` (1 per
25 results); the person found then goes through the email and phone chains.

Re-checks (doc §7.5): Lusha returns a person's current employer as contact signals
(`EmployerCheck`), asked by identifier (`POST /api/signals/contacts/search`: LinkedIn URL, email,
or full name + company + domain) for `companyChange` and `promotion` since we last knew the
employer. A signal is an event, so no signal is not "still there": that answer is a miss and the
next vendor is asked. Signals are plan-gated (Scale plan): outside it Lusha answers 403, which
drops Lusha for the run like a bad key.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import httpx

from firmo.personas import search_titles
from waterfall.providers.base import Answer, Field, PeopleQuery, Person, ProviderError, Status, Transient
from waterfall.providers.employment import EmployerCheck, EmployerQuery, Employment, Job, parse_month, registrable
from waterfall.providers.people import first_match, person_answer
from waterfall.providers.phones import phone_extra, to_e164
from waterfall.providers.transport import HttpProvider, Shape, require_names

VALID_GRADES = {"A+", "A"}  # §2.12: the grade scale is not documented; lower grades are fallbacks
PHONE_TYPE = {"mobile": "mobile", "direct": "direct", "landline": "direct", "work": "direct"}
EMAIL_CREDITS, PHONE_CREDITS = 1.0, 5.0
SIGNALS = ("companyChange", "promotion")
SIGNAL_WINDOW = timedelta(days=183)  # Lusha's default window (6 months) when we do not know since when


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


class _JobTitle(Shape):
    title: str | None = None


class _Social(Shape):
    linkedin: str | None = None


class _Result(Shape):  # one preview of v3 contacts/prospecting (doc §8.4): no email, no phone
    id: str | None = None
    firstName: str | None = None  # noqa: N815
    lastName: str | None = None  # noqa: N815
    jobTitle: _JobTitle | None = None  # noqa: N815
    socialLinks: _Social | None = None  # noqa: N815


class _Billing(Shape):
    creditsCharged: float | None = None  # noqa: N815


class _Prospecting(Shape):
    results: list[_Result] | None = None
    billing: _Billing | None = None


# doc §8.4: department values seen in the specs (finance, purchasing and operations have none seen:
# filtered by job titles only). Seniority ids are not documented in full, so none is sent and the
# titles decide (firmo.personas).
DEPARTMENTS = {
    "hr": "Human Resources",
    "sales": "Sales",
    "marketing": "Marketing",
    "it": "Engineering & Technical",
    "general_management": "Executive",
}


class _Signal(Shape):  # doc §7.5, v2 contact signals
    currentCompanyName: str | None = None  # noqa: N815
    currentDomain: str | None = None  # noqa: N815
    currentTitle: str | None = None  # noqa: N815
    signalDate: str | None = None  # noqa: N815
    previousCompanyName: str | None = None  # noqa: N815
    previousDomain: str | None = None  # noqa: N815


class _SignalContact(Shape):
    personId: str | int | None = None  # noqa: N815
    companyChange: list[_Signal] | None = None  # noqa: N815
    promotion: list[_Signal] | None = None


class _Signals(Shape):
    contacts: dict[str, _SignalContact] | None = None
    creditCharged: float | None = None  # noqa: N815


class LushaProvider(HttpProvider, EmployerCheck):
    name = "lusha"
    recheck_credits = 2.0  # doc §7.5: charged per matched signal, one result of each of the two types
    fields = frozenset({Field.EMAIL, Field.PHONE, Field.PEOPLE})
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

    async def find_people(self, query: PeopleQuery) -> Answer:
        persona = query.persona
        contacts: dict[str, object] = {"jobTitles": list(search_titles(persona)), "countries": ["FR"]}
        if persona.function in DEPARTMENTS:
            contacts["departments"] = [DEPARTMENTS[persona.function]]
        body = {
            "pagination": {"page": 0, "size": 25},
            "filters": {"contacts": {"include": contacts}, "companies": {"include": {"domains": [query.domain]}}},
        }
        found = self.checked_as(_Prospecting, await self.send("POST", "/v3/contacts/prospecting", json=body))
        credits = float(found.billing.creditsCharged or 0) if found.billing else 0.0
        named = [r for r in found.results or [] if r.firstName and r.lastName]
        hit = first_match(persona, named, lambda r: r.jobTitle.title if r.jobTitle else None)
        if hit is None:
            return self.miss(Field.PEOPLE, raw_status=f"{len(named)} previews, none {persona.label}", credits=credits)
        return person_answer(
            self.name,
            query,
            first_name=hit.firstName or "",
            last_name=hit.lastName or "",
            title=hit.jobTitle.title if hit.jobTitle else None,
            credits=credits,
            raw_status="preview",
            linkedin_url=hit.socialLinks.linkedin if hit.socialLinks else None,
            vendor_id=hit.id,
        )

    async def current_employer(self, query: EmployerQuery) -> Employment:
        """Contact signals by identifier (doc §7.5, v2 `POST /api/signals/contacts/search`), one
        result per type since we last knew the employer; `creditCharged` is what it cost. The
        latest `companyChange` is a move (the previous company ended on `signalDate`); else a
        `promotion` is a new title at the employer we hold; neither: Lusha cannot tell."""
        contact: dict[str, Any] = {"id": "1"}
        if query.linkedin_url:
            contact["social_link"] = query.linkedin_url
        elif query.first_name and query.last_name and (query.company_name or query.domain):
            contact.update(full_name=f"{query.first_name} {query.last_name}", is_current=True)
            contact.update({"companies": [{"name": query.company_name}]} if query.company_name else {})
            contact.update({"domain": query.domain} if query.domain else {})
        elif query.email:
            contact["email"] = query.email
        else:
            return Employment(self.name, False, raw_status="no LinkedIn URL, name and employer, nor email")
        since = query.since or date.today() - SIGNAL_WINDOW
        body = {
            "contacts": [contact],
            "signals": list(SIGNALS),
            "startDate": since.isoformat(),
            "maxResultsPerSignal": 1,
        }
        got = self.checked_as(_Signals, await self.send("POST", "/api/signals/contacts/search", json=body))
        credits = float(got.creditCharged or 0)
        mine = (got.contacts or {}).get("1")
        if mine is None or mine.personId is None:
            return Employment(self.name, False, credits=credits, raw_status="not_found")
        moves = sorted(mine.companyChange or [], key=lambda s: s.signalDate or "", reverse=True)
        promotions = sorted(mine.promotion or [], key=lambda s: s.signalDate or "", reverse=True)
        extra = {"lusha_person_id": str(mine.personId)}
        if moves:
            s = moves[0]
            on = parse_month(s.signalDate)
            new = Job(s.currentCompanyName, registrable(s.currentDomain), s.currentTitle, on)
            old = Job(s.previousCompanyName, registrable(s.previousDomain), until=on)
            evidence = (
                f"lusha signals: companyChange {s.previousCompanyName or '?'} -> {s.currentCompanyName or '?'} "
                f"on {s.signalDate or '?'}"
            )
            return Employment(self.name, True, (new,), (old,), credits=credits, raw_status="companyChange",
                              evidence=evidence, extra=extra)  # fmt: skip
        if promotions:
            s = promotions[0]
            held = Job(s.currentCompanyName or query.company_name, registrable(s.currentDomain) or query.domain,
                       s.currentTitle, parse_month(s.signalDate))  # fmt: skip
            evidence = f"lusha signals: promotion to {s.currentTitle or '?'} on {s.signalDate or '?'}"
            return Employment(self.name, True, (held,), credits=credits, raw_status="promotion", evidence=evidence,
                              extra=extra)  # fmt: skip
        return Employment(self.name, False, credits=credits, raw_status="no_signal", extra=extra)
