"""FullEnrich API v2 (doc §2.4): asynchronous bulk, used one contact at a time.

Submit `POST /contact/enrich/bulk` → `enrichment_id`, poll `GET /contact/enrich/bulk/{id}` until
the job leaves CREATED/IN_PROGRESS. Out of credits shows up as the job status
CREDITS_INSUFFICIENT, not as an HTTP code. 429 carries no Retry-After header but a message
"Try again in 1m", which we read. Credits are the job's own `cost.credits` (pay on find).
"""

from __future__ import annotations

import re

import httpx

from waterfall.providers.base import (
    Answer,
    Field,
    Person,
    ProviderError,
    QuotaExhausted,
    RateLimited,
    Rejected,
    Status,
    Transient,
)
from waterfall.providers.phones import phone_extra, to_e164
from waterfall.providers.transport import AsyncJobProvider, Shape, require_names

STATUS = {
    "DELIVERABLE": Status.VALID,
    "HIGH_PROBABILITY": Status.RISKY,
    "CATCH_ALL": Status.RISKY,
    "INVALID": Status.INVALID,
    "INVALID_DOMAIN": Status.INVALID,
}
RUNNING = {"CREATED", "IN_PROGRESS"}
JOB_FAILURES = {"CREDITS_INSUFFICIENT": QuotaExhausted, "RATE_LIMIT": RateLimited, "CANCELED": Rejected}
ENRICH_FIELD = {Field.EMAIL: "contact.work_emails", Field.PHONE: "contact.phones"}
_WAIT = re.compile(r"in\s+(\d+)\s*([smh])", re.I)


# The documented answers (doc §2.4), as far as we read them.
class _Submitted(Shape):
    enrichment_id: str | None = None


class _Email(Shape):
    email: str | None = None
    status: str | None = None


class _Phone(Shape):
    number: str | None = None
    region: str | None = None


class _Info(Shape):
    most_probable_work_email: _Email | None = None
    most_probable_phone: _Phone | None = None
    phones: list[_Phone] | None = None


class _Contact(Shape):
    contact_info: _Info | None = None


class _Cost(Shape):
    credits: float | None = None


class _Job(Shape):
    status: str | None = None
    cost: _Cost | None = None
    data: list[_Contact] | None = None


def wait_hint(message: str) -> float | None:
    """Seconds from FullEnrich's 'Try again in 1m' (it sends no Retry-After header)."""
    m = _WAIT.search(message or "")
    return None if not m else float(m.group(1)) * {"s": 1, "m": 60, "h": 3600}[m.group(2).lower()]


class FullEnrichProvider(AsyncJobProvider):
    name = "fullenrich"
    fields = frozenset({Field.EMAIL, Field.PHONE})
    default_base_url = "https://app.fullenrich.com/api/v2"

    def auth_headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self._api_key}"}

    def error_for(self, resp: httpx.Response) -> ProviderError:
        if resp.status_code == 429:
            body = self.body(resp)
            hint = wait_hint(body.get("message", "")) if isinstance(body, dict) else None
            return RateLimited(self.message(resp), retry_after=hint)
        return super().error_for(resp)

    async def _enrich(self, person: Person, what: Field) -> tuple[_Info, float]:
        first, last = require_names(self.name, person)
        contact = {
            "first_name": first,
            "last_name": last,
            "company_name": person.company_name,
            "enrich_fields": [ENRICH_FIELD[what]],
            "custom": {"siren": person.siren},
        }
        if person.domain:
            contact["domain"] = person.domain
        if person.linkedin_url:
            contact["linkedin_url"] = person.linkedin_url
        body = self.checked_as(
            _Submitted,
            await self.send("POST", "/contact/enrich/bulk", json={"name": f"firmo {person.siren}", "data": [contact]}),
        )
        job = body.enrichment_id
        if not job:
            raise Transient(f"{self.name}: submit answered without an enrichment_id")

        async def fetch() -> _Job | None:
            result = self.checked_as(_Job, await self.send("GET", f"/contact/enrich/bulk/{job}"))
            return None if result.status in RUNNING else result

        result = await self.poll(fetch, job)
        self.raise_for_job(result.status, job, JOB_FAILURES)
        if result.status != "FINISHED":
            raise Transient(f"{self.name}: job {job} ended {result.status}")
        credits = float((result.cost.credits if result.cost else None) or 0)
        return ((result.data or [_Contact()])[0].contact_info or _Info()), credits

    async def find_email(self, person: Person) -> Answer:
        info, credits = await self._enrich(person, Field.EMAIL)
        best = info.most_probable_work_email
        if best is None or not best.email:
            return self.miss(Field.EMAIL, credits=credits)
        return Answer(
            self.name,
            Field.EMAIL,
            best.email,
            STATUS.get(best.status or "", Status.UNKNOWN),
            credits=credits,
            raw_status=best.status,
        )

    async def find_phone(self, person: Person) -> Answer:
        info, credits = await self._enrich(person, Field.PHONE)
        candidates = [info.most_probable_phone or _Phone(), *(info.phones or [])]
        for phone in candidates:
            e164 = to_e164(phone.number, phone.region)
            if e164:
                return Answer(
                    self.name,
                    Field.PHONE,
                    e164,
                    Status.VALID,
                    credits=credits,
                    raw_status="found",
                    extra=phone_extra(e164),
                )
        return self.miss(Field.PHONE, credits=credits)
