"""Apollo (doc §2.3): `POST /people/match` with every parameter on the QUERY STRING.

A JSON body is Apollo's silent failure (200, matched on nothing), so the body stays empty.
Apollo bills a match even when the email is only `guessed` or missing, hence 1 credit whenever
a person record comes back and 0 when `person` is null. Phones only arrive by webhook: unsupported.
"""

from __future__ import annotations

from waterfall.providers.base import Answer, Field, Person, Status
from waterfall.providers.transport import HttpProvider, Shape, require_names

STATUS = {"verified": Status.VALID, "guessed": Status.RISKY, "bounced": Status.INVALID}
_LOCKED = "email_not_unlocked@"  # placeholder Apollo returns when the plan does not reveal the address


class _Person(Shape):  # doc §2.3, as far as we read it
    email: str | None = None
    email_status: str | None = None
    extrapolated_email_confidence: float | None = None


class _Match(Shape):
    person: _Person | None = None


class ApolloProvider(HttpProvider):
    name = "apollo"
    fields = frozenset({Field.EMAIL})
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
