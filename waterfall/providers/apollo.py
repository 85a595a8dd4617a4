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

from firmo.personas import search_titles
from waterfall.providers.base import Answer, Field, PeopleQuery, Person, Status
from waterfall.providers.people import first_match, person_answer
from waterfall.providers.transport import HttpProvider, Shape, require_names

STATUS = {"verified": Status.VALID, "guessed": Status.RISKY, "bounced": Status.INVALID}
_LOCKED = "email_not_unlocked@"  # placeholder Apollo returns when the plan does not reveal the address


class _Organization(Shape):
    primary_domain: str | None = None


class _Person(Shape):  # doc §2.3, as far as we read it
    email: str | None = None
    email_status: str | None = None
    extrapolated_email_confidence: float | None = None
    first_name: str | None = None
    last_name: str | None = None
    title: str | None = None
    linkedin_url: str | None = None
    organization: _Organization | None = None


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


class ApolloProvider(HttpProvider):
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
