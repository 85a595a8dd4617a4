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
from waterfall.providers.employment import EmployerCheck, EmployerQuery, Employment, Job, parse_month
from waterfall.providers.transport import HttpProvider, Shape, require_names

STATUS = {"valid": Status.VALID, "invalid": Status.INVALID}


class _Finder(Shape):  # doc §2.10
    email: str | None = None
    status: str | None = None
    credits_consumed: float | None = None
    message: str | None = None


class _Position(Shape):
    title: str | None = None
    company: str | None = None
    start_date: str | None = None


class _Role(Shape):
    title: str | None = None
    company: str | None = None
    duration: str | None = None  # "Sep 2022 - Present", "Jan 2019 - Aug 2022"
    is_present: bool | None = None


class _JobChange(Shape):  # doc §7.6
    status: str | None = None
    job_change_detected: bool | None = None
    current_company: str | None = None
    current_position: _Position | None = None
    work_history: list[_Role] | None = None
    credits_consumed: float | None = None


# doc §7.6: statuses that say nothing about the person's employer (recheck next sweep / fix the URL)
_UNTOLD = {"PROFILE_NOT_FOUND", "AMBIGUOUS_CURRENT_EMPLOYMENT", "CURRENT_EMPLOYMENT_UNKNOWN", "NEVER_WORKED_THERE"}


class LeadMagicProvider(HttpProvider, EmployerCheck):
    name = "leadmagic"
    recheck_credits = 3.0  # doc §7.6: conflicting 1 or 3 per check; 3 is the planning figure
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

    async def current_employer(self, query: EmployerQuery) -> Employment:
        """Job Change Detector (doc §7.6): `POST /v1/people/job-change-detector` with the LinkedIn
        profile and the employer we hold (its domain, else its name); `credits_consumed` is what it
        cost (0 on PROFILE_NOT_FOUND). Without a LinkedIn URL nothing is asked. JOB_CHANGE and
        JOB_CHANGE_DETECTED (both spellings) are a change; NO_CHANGE keeps the employer we hold;
        the ambiguous and unknown statuses are not an answer (another vendor is asked)."""
        if not query.linkedin_url:
            return Employment(self.name, False, raw_status="no LinkedIn profile URL")
        body: dict[str, str] = {"profile_url": query.linkedin_url}
        if query.domain:
            body["company_domain"] = query.domain
        elif query.company_name:
            body["company_name"] = query.company_name
        got = self.checked_as(_JobChange, await self.send("POST", "/v1/people/job-change-detector", json=body))
        credits, status = float(got.credits_consumed or 0), (got.status or "").upper()
        evidence = f"leadmagic job-change-detector: {status or '?'}, current_company {got.current_company or '?'}"
        if status in _UNTOLD or not status:
            return Employment(self.name, False, credits=credits, raw_status=status or "no status", evidence=evidence)
        position = got.current_position
        title = position.title if position else None
        if status == "NO_CHANGE":
            held = Job(query.company_name, query.domain, title, parse_month(position.start_date if position else None))
            return Employment(self.name, True, (held,), credits=credits, raw_status=status, evidence=evidence)
        current = Job(
            (position.company if position else None) or got.current_company,
            None,
            title,
            parse_month(position.start_date if position else None),
        )
        past = tuple(
            Job(r.company, None, r.title, parse_month(r.duration), parse_month((r.duration or "").partition(" - ")[2]))
            for r in got.work_history or []
            if not r.is_present and r.company
        )
        return Employment(self.name, True, (current,), past, credits=credits, raw_status=status, evidence=evidence)
