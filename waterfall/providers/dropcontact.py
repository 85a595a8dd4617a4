"""Dropcontact (doc §2.2): asynchronous batch enrichment, used here one record at a time.

Submit `POST /enrich/all`, then poll `GET /enrich/all/{request_id}`; a 200 with `success: false`
means "not ready yet" (also for an unknown id), so we keep polling until `poll_timeout`.
403 means not enough credits for the batch. Qualifications are `<localpart>@<domain>`
(`nominative@pro`...); generic and personal addresses are a miss for a decision maker.
"""

from __future__ import annotations

import httpx

from waterfall.providers.base import Answer, Field, Person, ProviderError, QuotaExhausted, Rejected, Status
from waterfall.providers.phones import phone_extra, to_e164
from waterfall.providers.transport import AsyncJobProvider, Shape, require_names

LOCAL_STATUS = {  # §2.12, by the local part of the qualification
    "nominative": Status.VALID,
    "catch_all": Status.RISKY,
    "catch-all": Status.RISKY,
    "non_validated": Status.RISKY,
    "invalid": Status.INVALID,
    "do_not_contact": Status.INVALID,
}
_RANK = {Status.VALID: 0, Status.RISKY: 1, Status.INVALID: 2}


# The documented answers (doc §2.2), as far as we read them.
class _Submitted(Shape):
    request_id: str | None = None
    error: bool | None = None
    reason: str | None = None


class _Email(Shape):
    email: str | None = None
    qualification: str | None = None


class _Record(Shape):
    email: list[_Email] | None = None
    phone: str | None = None
    mobile_phone: str | None = None


class _Result(Shape):
    success: bool | None = None
    data: list[_Record] | None = None


def qualify(qualification: str | None) -> Status | None:
    """Normalised status of a qualification, or None for a non-nominative address (generic, perso)."""
    local, _, domain = (qualification or "").lower().partition("@")
    if domain in ("disposable", "invalid", "invalid domain"):
        return Status.INVALID
    if local == "generic" or domain in ("perso", "school"):
        return None
    return LOCAL_STATUS.get(local, Status.UNKNOWN)


class DropcontactProvider(AsyncJobProvider):
    name = "dropcontact"
    fields = frozenset({Field.EMAIL, Field.PHONE})
    default_base_url = "https://api.dropcontact.com/v1"

    def auth_headers(self) -> dict[str, str]:
        return {"X-Access-Token": self._api_key}

    def error_for(self, resp: httpx.Response) -> ProviderError:
        if resp.status_code == 403:
            return QuotaExhausted(self.message(resp))
        return super().error_for(resp)

    async def _enrich(self, person: Person) -> _Record:
        first, last = require_names(self.name, person)
        record = {"first_name": first, "last_name": last, "company": person.company_name, "num_siren": person.siren}
        if person.domain:
            record["website"] = person.domain
        if person.linkedin_url:
            record["linkedin"] = person.linkedin_url
        body = self.checked_as(
            _Submitted,
            await self.send("POST", "/enrich/all", json={"data": [record], "siren": False, "language": "en"}),
        )
        request_id = body.request_id
        if body.error or not request_id:
            raise Rejected(self.redact(f"{self.name}: {body.reason or 'submit refused'}"))

        async def fetch() -> _Record | None:
            result = self.checked_as(_Result, await self.send("GET", f"/enrich/all/{request_id}"))
            if not result.success:
                return None
            return (result.data or [_Record()])[0]

        return await self.poll(fetch, request_id)

    @staticmethod
    def _best_email(record: _Record) -> tuple[str, Status, str | None] | None:
        found = []
        for item in record.email or []:
            status = qualify(item.qualification)
            if item.email and status is not None:
                found.append((_RANK.get(status, 3), item.email, status, item.qualification))
        if not found:
            return None
        _, email, status, raw = min(found, key=lambda f: f[0])
        return email, status, raw

    @staticmethod
    def _credits(record: _Record) -> float:
        """Debited at submit, refunded unless a usable (nominative or catch-all) email came back."""
        best = DropcontactProvider._best_email(record)
        return 1.0 if best and best[1] in (Status.VALID, Status.RISKY) else 0.0

    async def find_email(self, person: Person) -> Answer:
        record = await self._enrich(person)
        best = self._best_email(record)
        if best is None:
            quals = [e.qualification for e in record.email or []]
            return self.miss(Field.EMAIL, raw_status=",".join(q for q in quals if q) or None)
        email, status, raw = best
        return Answer(self.name, Field.EMAIL, email, status, credits=self._credits(record), raw_status=raw)

    async def find_phone(self, person: Person) -> Answer:
        record = await self._enrich(person)
        credits = self._credits(record)
        mobile = to_e164(record.mobile_phone)
        if mobile:
            return Answer(
                self.name,
                Field.PHONE,
                mobile,
                Status.VALID,
                credits=credits,
                raw_status="mobile_phone",
                extra={"phone_type": "mobile"},
            )
        phone = to_e164(record.phone)  # mostly the company switchboard
        if phone:
            return Answer(
                self.name,
                Field.PHONE,
                phone,
                Status.RISKY,
                credits=credits,
                raw_status="phone",
                extra={**phone_extra(phone), "company_line": True},
            )
        return self.miss(Field.PHONE, credits=credits)
