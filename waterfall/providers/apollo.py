"""Apollo (doc §2.3): `POST /people/match` with every parameter on the QUERY STRING.

A JSON body is Apollo's silent failure (200, matched on nothing), so the body stays empty.
Apollo bills a match even when the email is only `guessed` or missing, hence 1 credit whenever
a person record comes back and 0 when `person` is null. Phones only arrive by webhook: unsupported.

People (doc §8.2): `POST /mixed_people/api_search` (free, query-string arrays: person_titles[],
person_seniorities[], q_organization_domains_list[]) gives previews with a masked last name;
the first preview whose title holds the persona is revealed with `people/match?id=` (1 credit),
and kept only if its current employer's domain is ours (the search also matches past employers).
"""

from __future__ import annotations

from dataclasses import replace

from firmo.personas import search_titles
from waterfall.providers.base import Answer, Field, PeopleQuery, Person, Status
from waterfall.providers.employment import EmployerCheck, EmployerQuery, Employment, Job, parse_month, registrable
from waterfall.providers.people import first_match, person_answer
from waterfall.providers.transport import HttpProvider, Shape, require_names

STATUS = {"verified": Status.VALID, "guessed": Status.RISKY, "bounced": Status.INVALID}
_LOCKED = "email_not_unlocked@"  # placeholder Apollo returns when the plan does not reveal the address


class _Organization(Shape):
    name: str | None = None
    primary_domain: str | None = None
    linkedin_url: str | None = None
    city: str | None = None


class _History(Shape):  # employment_history[] (doc §7.3): no domain on history entries
    organization_name: str | None = None
    title: str | None = None
    start_date: str | None = None
    end_date: str | None = None
    current: bool | None = None


class _Person(Shape):  # doc §2.3, as far as we read it
    email: str | None = None
    email_status: str | None = None
    extrapolated_email_confidence: float | None = None
    first_name: str | None = None
    last_name: str | None = None
    title: str | None = None
    linkedin_url: str | None = None
    organization: _Organization | None = None
    employment_history: list[_History] | None = None


class _Preview(Shape):  # one person of mixed_people/api_search (doc §8.2): last name masked
    id: str | None = None
    first_name: str | None = None
    title: str | None = None


class _Search(Shape):
    people: list[_Preview] | None = None


# doc §8.2 / §8.8: persona seniority -> person_seniorities[] (head: owners to directors)
SENIORITIES = {
    "head": ("owner", "founder", "c_suite", "partner", "vp", "head", "director"),
    "manager": ("manager",),
}
MATCH_CREDITS = 1.0


class _Match(Shape):
    person: _Person | None = None


class ApolloProvider(HttpProvider, EmployerCheck):
    name = "apollo"
    fields = frozenset({Field.EMAIL, Field.PEOPLE})
    default_base_url = "https://api.apollo.io/api/v1"

    def auth_headers(self) -> dict[str, str]:
        return {"x-api-key": self._api_key, "Cache-Control": "no-cache"}

    async def find_email(self, person: Person) -> Answer:
        first, last = require_names(self.name, person)
        params = {
            "first_name": first,
            "last_name": last,
            "organization_name": person.company_name,
            "domain": person.domain,
            "linkedin_url": person.linkedin_url,
            "reveal_personal_emails": "false",
        }
        match = self.checked_as(_Match, await self.send("POST", "/people/match", params=params)).person
        if match is None:
            return self.miss(Field.EMAIL, raw_status="no_match")
        raw, email = match.email_status, match.email
        if not email or email.startswith(_LOCKED) or raw not in STATUS:
            return self.miss(Field.EMAIL, raw_status=raw or "no_email", credits=1.0)
        return Answer(
            self.name,
            Field.EMAIL,
            email,
            STATUS[raw],
            credits=1.0,
            raw_status=raw,
            confidence=match.extrapolated_email_confidence,
            extra={"linkedin_url": match.linkedin_url} if match.linkedin_url else {},  # for the vendors after it
        )

    async def find_people(self, query: PeopleQuery) -> Answer:
        persona = query.persona
        params: dict[str, object] = {
            "person_titles[]": list(search_titles(persona)),
            "q_organization_domains_list[]": [query.domain],
            "page": 1,
            "per_page": 10,
        }
        if persona.seniority in SENIORITIES:
            params["person_seniorities[]"] = list(SENIORITIES[persona.seniority])
        found = self.checked_as(_Search, await self.send("POST", "/mixed_people/api_search", params=params))
        previews = [p for p in found.people or [] if p.id]
        hit = first_match(persona, previews, lambda p: p.title)
        if hit is None:
            return self.miss(Field.PEOPLE, raw_status=f"{len(previews)} previews, none {persona.label}")
        match = self.checked_as(_Match, await self.send("POST", "/people/match", params={"id": hit.id})).person
        if match is None or not match.first_name or not match.last_name:
            return self.miss(Field.PEOPLE, raw_status="reveal: no_match")
        employer = (match.organization.primary_domain if match.organization else None) or query.domain
        if employer.lower().removeprefix("www.") != query.domain.lower():
            return self.miss(Field.PEOPLE, raw_status=f"left for {employer}", credits=MATCH_CREDITS)
        email = match.email if match.email and not match.email.startswith(_LOCKED) else None
        return person_answer(
            self.name,
            query,
            first_name=match.first_name,
            last_name=match.last_name,
            title=match.title or hit.title,
            credits=MATCH_CREDITS,
            raw_status="revealed",
            linkedin_url=match.linkedin_url,
            email=email if match.email_status in STATUS else None,
            email_status=STATUS.get(match.email_status or ""),
            vendor_id=hit.id,
        )

    async def current_employer(self, query: EmployerQuery) -> Employment:
        """Re-check (doc §7.3): `people/match` by LinkedIn URL, email or name + domain; the current
        employer is `organization` (with its domain) plus every `employment_history` entry still
        `current` (several may be); 1 credit whenever a person comes back (a repeat is billed again)."""
        params = {
            "first_name": query.first_name,
            "last_name": query.last_name,
            "organization_name": query.company_name,
            "domain": query.domain,
            "email": query.email,
            "linkedin_url": query.linkedin_url,
            "reveal_personal_emails": "false",
        }
        match = self.checked_as(_Match, await self.send("POST", "/people/match", params=params)).person
        if match is None:
            return Employment(self.name, False, raw_status="no_match")
        org = match.organization
        history = match.employment_history or []
        current = (
            [
                Job(
                    org.name,
                    registrable(org.primary_domain),
                    match.title,
                    linkedin_company=org.linkedin_url,
                    city=org.city,
                )
            ]
            if org is not None and (org.name or org.primary_domain)
            else []
        )
        primary_name = (org.name or "").casefold() if org else ""
        for h in history:
            if h.current and h.organization_name:
                if current and h.organization_name.casefold() == primary_name:
                    current[0] = replace(current[0], title=current[0].title or h.title, since=parse_month(h.start_date))
                else:
                    current.append(Job(h.organization_name, None, h.title, parse_month(h.start_date)))
        past = tuple(
            Job(h.organization_name, None, h.title, parse_month(h.start_date), parse_month(h.end_date))
            for h in history
            if h.current is False and h.organization_name
        )
        email = match.email if match.email and not match.email.startswith(_LOCKED) else None
        where = ", ".join(str(j.company_name or j.domain) for j in current) or "no current employer"
        return Employment(
            self.name,
            True,
            tuple(current),
            past,
            email=email,
            email_status=STATUS.get(match.email_status or ""),
            credits=MATCH_CREDITS,
            raw_status="matched",
            evidence=f"apollo people/match: {where}",
        )
