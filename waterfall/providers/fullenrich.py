"""FullEnrich API v2 (doc §2.4): asynchronous bulk, used one contact at a time.

Submit `POST /contact/enrich/bulk` → `enrichment_id`, poll `GET /contact/enrich/bulk/{id}` until
the job leaves CREATED/IN_PROGRESS. Out of credits shows up as the job status
CREDITS_INSUFFICIENT, not as an HTTP code. 429 carries no Retry-After header but a message
"Try again in 1m", which we read. Credits are the job's own `cost.credits` (pay on find).
"""

from __future__ import annotations

import re
from typing import Any

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
from waterfall.providers.transport import AsyncJobProvider, require_names

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

    async def _enrich(self, person: Person, what: Field) -> tuple[dict[str, Any], float]:
        first, last = require_names(self.name, person)
        contact = {"first_name": first, "last_name": last, "company_name": person.company_name,
                   "enrich_fields": [ENRICH_FIELD[what]], "custom": {"siren": person.siren}}
        if person.domain:
            contact["domain"] = person.domain
        if person.linkedin_url:
            contact["linkedin_url"] = person.linkedin_url
        body = self.checked(await self.send("POST", "/contact/enrich/bulk",
                                            json={"name": f"firmo {person.siren}", "data": [contact]}))
        job = body.get("enrichment_id") if isinstance(body, dict) else None
        if not job:
            raise Transient(f"{self.name}: submit answered without an enrichment_id")

        async def fetch() -> dict[str, Any] | None:
            result = self.checked(await self.send("GET", f"/contact/enrich/bulk/{job}"))
            return None if result.get("status") in RUNNING else result

        result = await self.poll(fetch, job)
        status = result.get("status")
        self.raise_for_job(status, job, JOB_FAILURES)
        if status != "FINISHED":
            raise Transient(f"{self.name}: job {job} ended {status}")
        credits = float((result.get("cost") or {}).get("credits") or 0)
        return ((result.get("data") or [{}])[0].get("contact_info") or {}), credits

    async def find_email(self, person: Person) -> Answer:
        info, credits = await self._enrich(person, Field.EMAIL)
        best = info.get("most_probable_work_email") or {}
        if not best.get("email"):
            return self.miss(Field.EMAIL, credits=credits)
        raw = best.get("status")
        return Answer(self.name, Field.EMAIL, best["email"], STATUS.get(raw or "", Status.UNKNOWN),
                      credits=credits, raw_status=raw)

    async def find_phone(self, person: Person) -> Answer:
        info, credits = await self._enrich(person, Field.PHONE)
        candidates = [info.get("most_probable_phone") or {}, *(info.get("phones") or [])]
        for phone in candidates:
            e164 = to_e164(phone.get("number"), phone.get("region"))
            if e164:
                return Answer(self.name, Field.PHONE, e164, Status.VALID, credits=credits,
                              raw_status="found", extra=phone_extra(e164))
        return self.miss(Field.PHONE, credits=credits)
