"""RocketReach (doc §2.10, §7.4): `GET /universal/person/lookup`, header `Api-Key`, answered
`{"id", "status": "searching"}`; then `GET /universal/person/check_status?ids=<id>` until the
profile's status is `complete` (or `failed`: a miss). Statuses in between: waiting, searching,
progress.

The person is looked up by `linkedin_url` when we know it (RocketReach's best key), else by `name`
+ `current_employer` (documented as a pair). Universal credits (doc §7.4): a professional email
revealed costs 2, a phone 6; we ask for one of them per question (`reveal_professional_email` or
`reveal_phone`) and count the price of what came back (a profile without it costs nothing:
whether RocketReach bills an empty reveal is not documented). Emails carry `smtp_valid` (valid /
invalid / anything else: a fallback); only `professional` ones are kept. The profile's own
`linkedin_url` comes back in `extra` so the LinkedIn-keyed vendors after it (Kaspr) can be asked.
401 bad key, 402 out of credits, 429 with `Retry-After`, 451 erasure: the default mapping.

Re-checks (doc §7.4): the same lookup with `reveal_detailed_person_enrichment` (1 universal
credit) answers `current_employer`, its domain and `job_history[]` (`is_current`, `end_date`
"Present" while current): RocketReach returns a person's current employer (`EmployerCheck`).
"""

from __future__ import annotations

from typing import Any

from waterfall.providers.base import Answer, Field, Person, Status, Transient
from waterfall.providers.employment import EmployerCheck, EmployerQuery, Employment, Job, parse_month, registrable
from waterfall.providers.linkedin import profile_url
from waterfall.providers.phones import phone_extra, to_e164
from waterfall.providers.transport import AsyncJobProvider, Shape, require_names

EMAIL_CREDITS, PHONE_CREDITS, DETAIL_CREDITS = 2.0, 6.0, 1.0
SMTP = {"valid": Status.VALID, "invalid": Status.INVALID}
DONE = {"complete", "failed"}
PHONE_TYPE = {"mobile": "mobile", "direct": "direct", "work": "direct", "landline": "direct"}


class _Email(Shape):  # doc §2.10
    email: str | None = None
    smtp_valid: str | None = None
    type: str | None = None
    grade: str | None = None


class _Phone(Shape):
    number: str | None = None
    e164: str | None = None
    type: str | None = None
    recommended: bool | None = None


class _Role(Shape):  # doc §7.4, JobHistoryAPICompiledCompany
    company_name: str | None = None
    company: str | None = None
    company_linkedin_url: str | None = None
    company_city: str | None = None
    title: str | None = None
    start_date: str | None = None
    end_date: str | None = None
    is_current: bool | None = None


class _Profile(Shape):
    id: int | str | None = None
    status: str | None = None
    linkedin_url: str | None = None
    current_employer: str | None = None
    current_employer_domain: str | None = None
    current_employer_website: str | None = None
    current_employer_linkedin_url: str | None = None
    current_title: str | None = None
    job_history: list[_Role] | None = None
    recommended_professional_email: str | None = None
    emails: list[_Email] | None = None
    phones: list[_Phone] | None = None


class _Profiles(Shape):
    profiles: list[_Profile]


class RocketReachProvider(AsyncJobProvider, EmployerCheck):
    name = "rocketreach"
    recheck_credits = DETAIL_CREDITS  # doc §7.4: detailed person enrichment, 1 universal credit
    fields = frozenset({Field.EMAIL, Field.PHONE})
    default_base_url = "https://api.rocketreach.co/api/v2"

    def auth_headers(self) -> dict[str, str]:
        return {"Api-Key": self._api_key}

    def params(self, person: Person, what: Field) -> dict[str, Any]:
        first, last = require_names(self.name, person)
        reveal = "reveal_professional_email" if what is Field.EMAIL else "reveal_phone"
        linkedin = profile_url(person.linkedin_url)
        who = (
            {"linkedin_url": linkedin}
            if linkedin
            else {"name": f"{first} {last}", "current_employer": person.company_name}
        )
        return {**who, reveal: "true"}

    async def _profile(self, person: Person, what: Field) -> _Profile:
        return await self._lookup(self.params(person, what))

    async def _lookup(self, params: dict[str, Any]) -> _Profile:
        resp = await self.send("GET", "/universal/person/lookup", params=params)
        profile = self.checked_as(_Profile, resp)
        if profile.status in DONE:
            return profile
        job = str(profile.id or "")
        if not job:
            raise Transient(f"{self.name}: lookup answered without an id")

        async def fetch() -> _Profile | None:
            resp = await self.send("GET", "/universal/person/check_status", params={"ids": job})
            found = self.parsed(_Profiles, {"profiles": self.checked(resp)}).profiles
            mine = next((p for p in found if str(p.id) == job), None)
            return mine if mine is not None and mine.status in DONE else None

        return await self.poll(fetch, job)

    def _extra(self, profile: _Profile) -> dict[str, Any]:
        linkedin = profile_url(profile.linkedin_url)
        return {"linkedin_url": linkedin} if linkedin else {}

    async def find_email(self, person: Person) -> Answer:
        profile = await self._profile(person, Field.EMAIL)
        if profile.status != "complete":
            return self.miss(Field.EMAIL, raw_status=profile.status)
        work = [e for e in profile.emails or [] if e.email and "@" in e.email and e.type != "personal"]
        recommended = (profile.recommended_professional_email or "").lower()
        work.sort(key=lambda e: (str(e.email).lower() != recommended, SMTP.get(e.smtp_valid or "") is not Status.VALID))
        if not work:
            return self.miss(Field.EMAIL, raw_status="no_professional_email", **self._extra(profile))
        best = work[0]
        return Answer(
            self.name,
            Field.EMAIL,
            str(best.email).lower(),
            SMTP.get(best.smtp_valid or "", Status.RISKY),
            credits=EMAIL_CREDITS,
            raw_status=best.smtp_valid,
            extra=self._extra(profile),
        )

    async def find_phone(self, person: Person) -> Answer:
        profile = await self._profile(person, Field.PHONE)
        if profile.status != "complete":
            return self.miss(Field.PHONE, raw_status=profile.status)
        for phone in sorted(profile.phones or [], key=lambda p: not p.recommended):
            e164 = to_e164(phone.e164 or phone.number)
            if e164:
                kind = PHONE_TYPE.get((phone.type or "").lower())
                extra = {**phone_extra(e164, kind), **self._extra(profile)}
                return Answer(
                    self.name,
                    Field.PHONE,
                    e164,
                    Status.VALID,
                    credits=PHONE_CREDITS,
                    raw_status=phone.type,
                    extra=extra,
                )
        return self.miss(Field.PHONE, raw_status="no_phone", **self._extra(profile))

    async def current_employer(self, query: EmployerQuery) -> Employment:
        """Re-check (doc §7.4): the lookup by LinkedIn profile, else name + the employer we hold,
        revealing the detailed enrichment only (1 credit when the profile is `complete`; `failed` is
        a miss and costs nothing, as for a reveal). The primary job is `current_employer` with its
        domain; other `job_history` roles with `is_current` are additional current roles (not a
        departure, doc §7.1); the ended ones are past jobs, dated by `end_date`."""
        linkedin = profile_url(query.linkedin_url)
        if linkedin:
            who: dict[str, Any] = {"linkedin_url": linkedin}
        elif query.first_name and query.last_name and query.company_name:
            who = {"name": f"{query.first_name} {query.last_name}", "current_employer": query.company_name}
        else:
            return Employment(self.name, False, raw_status="no LinkedIn profile URL nor name and employer")
        profile = await self._lookup({**who, "reveal_detailed_person_enrichment": "true"})
        if profile.status != "complete":
            return Employment(self.name, False, raw_status=profile.status)
        roles = profile.job_history or []

        def job(role: _Role, domain: str | None = None) -> Job:
            return Job(
                role.company_name or role.company,
                domain,
                role.title,
                parse_month(role.start_date),
                None if _ongoing(role) else parse_month(role.end_date),
                linkedin_company=role.company_linkedin_url,
                city=role.company_city,
            )

        name = profile.current_employer
        domain = registrable(profile.current_employer_domain or profile.current_employer_website)
        mine = next((r for r in roles if _ongoing(r) and _same_name(r, name)), None)
        current: list[Job] = []
        if name or domain:
            primary = job(mine, domain) if mine is not None else Job(name, domain)
            current.append(Job(
                name or primary.company_name, domain, profile.current_title or primary.title, primary.since,
                linkedin_company=profile.current_employer_linkedin_url or primary.linkedin_company, city=primary.city,
            ))  # fmt: skip
        current += [job(r) for r in roles if _ongoing(r) and r is not mine]
        past = tuple(job(r) for r in roles if not _ongoing(r))
        evidence = (
            f"rocketreach person/lookup: current_employer {name or '?'} ({domain or '?'}), "
            f"current_title {profile.current_title or '?'}"
        )
        return Employment(
            self.name, True, tuple(current), past, credits=DETAIL_CREDITS, raw_status=profile.status,
            evidence=evidence, extra=self._extra(profile),
        )  # fmt: skip


def _ongoing(role: _Role) -> bool:
    """A role is current when RocketReach flags it or leaves `end_date` at its default 'Present'."""
    if role.is_current is not None:
        return role.is_current
    return not role.end_date or role.end_date.strip().lower() == "present"


def _same_name(role: _Role, name: str | None) -> bool:
    return bool(name) and (role.company_name or role.company or "").strip().lower() == (name or "").strip().lower()
