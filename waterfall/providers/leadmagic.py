"""LeadMagic (doc §2.10): `POST /v1/people/email-finder {first_name, last_name, domain}`, header
`X-API-Key`.

A hit is `{"email", "status": "valid", "credits_consumed": 1}`; a miss is a 200 with `email: null`
and `credits_consumed: 0` ("no match free"). Credits are the answer's own `credits_consumed`.
`status` beyond `valid` is not documented: `invalid` is dropped, anything else found (catch-all,
unknown) is a fallback for the verify chain. The finder needs a domain (no company-name search).
Errors come as problem+json (`{"title", "status", "detail"}`): 401 bad key, 402 out of credits,
429 rate limited, 451 erasure, the default mapping.
"""

from __future__ import annotations

from waterfall.providers.base import Answer, Field, Person, Rejected, Status
from waterfall.providers.transport import HttpProvider, Shape, require_names

STATUS = {"valid": Status.VALID, "invalid": Status.INVALID}


class _Finder(Shape):  # doc §2.10
    email: str | None = None
    status: str | None = None
    credits_consumed: float | None = None
    message: str | None = None


class LeadMagicProvider(HttpProvider):
    name = "leadmagic"
    fields = frozenset({Field.EMAIL})
    default_base_url = "https://api.leadmagic.io"

    def auth_headers(self) -> dict[str, str]:
        return {"X-API-Key": self._api_key}

    async def find_email(self, person: Person) -> Answer:
        first, last = require_names(self.name, person)
        if not person.domain:
            raise Rejected(f"{self.name}: a company domain is required")
        body = {"first_name": first, "last_name": last, "domain": person.domain}
        got = self.checked_as(_Finder, await self.send("POST", "/v1/people/email-finder", json=body))
        credits = float(got.credits_consumed or 0)
        if not got.email or "@" not in got.email:
            return self.miss(Field.EMAIL, raw_status=got.status or "not_found", credits=credits)
        status = STATUS.get((got.status or "").lower(), Status.RISKY)
        return Answer(self.name, Field.EMAIL, got.email.lower(), status, credits=credits, raw_status=got.status)
