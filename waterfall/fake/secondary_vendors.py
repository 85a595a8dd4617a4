"""Fake Kaspr, Datagma, LeadMagic and RocketReach (doc §2.10, §7.4, §7.8): the documented paths,
auth, bodies and error dialects, answering from the deterministic `World`.

The fake world's LinkedIn: a person's profile URL (`linkedin_of`) is
`https://www.linkedin.com/in/<first>-<last>-<id>/` whose `<id>` spells who they are (base32 of
names and company domain), so a vendor asked by profile URL alone (Kaspr, RocketReach) can tell
who is meant without any shared state, and two vendors give the same person the same URL.

Erasure: doc §2.11 documents HTTP 451 for Hunter and Lusha only; these stand-ins answer 451 for
the world's erased people too, each in its own error body, so the adapters' mapping of it (the
default one) is exercised. Whether the real vendors send it is not documented.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from waterfall.fake.state import OutOfCredits
from waterfall.fake.vendor import Found, Handler, Vendor, clean_domain, json_body
from waterfall.fake.world import international
from waterfall.providers.linkedin import profile_slug
from waterfall.providers.names import NameParts


def linkedin_of(first: str, last: str, domain: str) -> str:
    """The person's profile URL in the fake world (see the module docstring)."""
    ident = base64.b32encode(f"{first}\x1f{last}\x1f{domain.lower()}".encode()).decode().rstrip("=").lower()
    names = "-".join(p for p in (NameParts.parse(first).compact, NameParts.parse(last).compact) if p)
    return f"https://www.linkedin.com/in/{names}-{ident}/"


def who_is(url: str | None) -> tuple[str, str, str] | None:
    """(first, last, domain) behind a fake profile URL or slug, or None for anyone else's."""
    slug = profile_slug(url)
    if not slug:
        return None
    ident = slug.rpartition("-")[2].upper()
    try:
        text = base64.b32decode(ident + "=" * (-len(ident) % 8)).decode()
    except (binascii.Error, UnicodeDecodeError):
        return None
    parts = text.split("\x1f")
    return (parts[0], parts[1], parts[2]) if len(parts) == 3 and all(parts) else None


def split_name(full: str | None) -> tuple[str | None, str | None]:
    first, _, last = (full or "").strip().partition(" ")
    return first or None, last.strip() or None


class FakeKaspr(Vendor):
    """`POST /profile/linkedin` by LinkedIn slug; one credit of the data type returned; an empty
    200 when the profile holds none of it; 404 for a profile Kaspr does not know."""

    name = "kaspr"
    DATA = {"workEmail": "b2b email", "phone": "phone"}

    def routes(self) -> list[tuple[str, str, Handler]]:
        return [("POST", "/profile/linkedin", self.profile)]

    def authorized(self, request: Request) -> bool:  # doc §2.10: Bearer, or the raw key in one client
        header = request.headers.get("authorization", "")
        return header in (f"Bearer {self.key}", self.key)

    def _error(self, code: int, message: str, reason: str | None = None) -> Response:
        return JSONResponse({"message": message, **({"reason": reason} if reason else {})}, code)

    def auth_error(self) -> Response:
        return self._error(401, "Unauthorized")

    def rate_error(self) -> Response:
        return self._error(429, "Too many requests")

    def quota_error(self) -> Response:
        return self._error(402, "No credits left")

    def server_error(self) -> Response:
        return self._error(500, "Internal server error")

    async def profile(self, request: Request) -> Response:
        body = await json_body(request)
        wanted = body.get("dataToGet") if isinstance(body, dict) else None
        if not isinstance(body, dict) or not body.get("id") or not isinstance(wanted, list):
            return self._error(400, "id and dataToGet are required")
        if "/" in str(body["id"]):  # a URL (Sales Navigator or not) where the slug belongs
            return self._error(400, "id must be a LinkedIn public identifier")
        person = who_is(str(body["id"]))
        if person is None:
            return self._error(404, "Profile not found")
        first, last, domain = person
        if self.world.forgotten(first, last, domain):
            return self._error(451, "This person asked us not to process their data")
        found = self.lookup(first, last, domain)
        if found is None:
            return self._error(404, "Profile not found")
        profile: dict[str, Any] = {}
        for data in (d for d in wanted if d in self.DATA):
            value = self._value(data, found)
            if value is None:
                continue
            try:
                self.state.charge(self.name, 1)
            except OutOfCredits:
                return self._error(402, "No credits left", f"No {self.DATA[data]} credits left")
            profile.update(value)
        if not profile:
            return Response(status_code=200)  # Kaspr's miss: an empty body
        return JSONResponse({"profile": {"name": f"{first} {last}", **profile}})

    @staticmethod
    def _value(data: str, found: Found) -> dict[str, Any] | None:
        if data == "workEmail":
            return {"starryWorkEmail": found.email, "professionalEmails": [found.email]}
        if found.phone:
            number = international(found.phone)
            return {"starryPhone": number, "phones": [number]}
        return None


class FakeDatagma(Vendor):
    """`GET /v8/findEmail` (1 credit when the SMTP check passed; a catch-all guess as
    `mostProbableEmail`, free) and `GET /v2/full?phoneFull=true` (`creditBurn` 30 with a phone)."""

    name = "datagma"
    PHONE_BURN = 30

    def routes(self) -> list[tuple[str, str, Handler]]:
        return [("GET", "/v8/findEmail", self.find_email), ("GET", "/v2/full", self.full)]

    def authorized(self, request: Request) -> bool:
        return request.query_params.get("apiId") == self.key

    def auth_error(self) -> Response:
        return JSONResponse({"error": "Unauthorized", "message": "Invalid apiId"}, 401)

    def quota_error(self) -> Response:
        return JSONResponse({"error": "Payment Required", "message": "Not enough credits"}, 402)

    def _person(self, request: Request) -> tuple[str, str, str] | Response:
        q = request.query_params
        first, last = split_name(q.get("fullName"))
        domain = self.domain_for(q.get("company"), q.get("company"))
        if not first or not last or not domain:
            return JSONResponse({"error": "Bad Request", "message": "fullName and company are required"}, 400)
        if self.world.forgotten(first, last, domain):
            return JSONResponse({"error": "Unavailable For Legal Reasons", "message": "erased on request"}, 451)
        return first, last, domain

    async def find_email(self, request: Request) -> Response:
        who = self._person(request)
        if isinstance(who, Response):
            return who
        self.state.require(self.name)
        found = self.lookup(*who)
        answer: dict[str, Any] = {"email": None, "smtpCheck": False, "mxfound": True, "cachAll": False}
        if found is not None and found.status == "valid":
            self.state.charge(self.name, 1)
            answer.update(email=found.email, smtpCheck=True)
        elif found is not None and found.status == "catch_all":
            answer.update(mostProbableEmail=found.email, cachAll=True)
        return JSONResponse(answer)

    async def full(self, request: Request) -> Response:
        who = self._person(request)
        if isinstance(who, Response):
            return who
        if request.query_params.get("phoneFull") != "true":
            return JSONResponse({"person": {}, "creditBurn": 0})
        self.state.require(self.name, self.PHONE_BURN)
        found = self.lookup(*who)
        phones: dict[str, list[dict[str, str]]] = {"mobiles": [], "workPhones": []}
        burn = 0
        if found is not None and found.phone:
            phones["mobiles" if found.phone_kind == "mobile" else "workPhones"].append(
                {"value": international(found.phone)}
            )
            burn = self.PHONE_BURN
            self.state.charge(self.name, burn)
        return JSONResponse({"phone": phones, "creditBurn": burn})


def _problem(code: int, title: str, detail: str) -> Response:
    return JSONResponse(
        {"type": "about:blank", "title": title, "status": code, "detail": detail},
        code,
        media_type="application/problem+json",
    )


class FakeLeadMagic(Vendor):
    """`POST /v1/people/email-finder`: 1 credit per email found, `credits_consumed: 0` on a miss."""

    name = "leadmagic"
    STATUS = {"valid": "valid", "catch_all": "catch_all"}

    def routes(self) -> list[tuple[str, str, Handler]]:
        return [
            ("POST", "/v1/people/email-finder", self.email_finder),
            ("POST", "/v1/people/job-change-detector", self.job_change),
        ]

    async def job_change(self, request: Request) -> Response:
        """Job Change Detector (doc §7.6, §7.11) on the world's careers: NO_CHANGE, a move (spelled
        JOB_CHANGE_DETECTED or JOB_CHANGE, as the docs do both), a promotion (NO_CHANGE, new title),
        an additional role (NO_CHANGE); PROFILE_NOT_FOUND costs 0, every other answer 3."""
        body = await json_body(request)
        if not isinstance(body, dict) or not body.get("profile_url"):
            return _problem(400, "Bad Request", "profile_url is required")
        if not (body.get("company_domain") or body.get("company_name")):
            return _problem(400, "Bad Request", "company_domain or company_name is required")
        who = who_is(body["profile_url"])
        if who is None or not self.world.knows(self.name, *who, self.behaviour.hit_rate):
            self.state.record(self.name, False)
            return JSONResponse({"status": "PROFILE_NOT_FOUND", "job_change_detected": False, "profile_found": False,
                                 "credits_consumed": 0})  # fmt: skip
        self.state.record(self.name, True)
        self.state.charge(self.name, 3)
        first, last, domain = who
        held = body.get("company_name") or domain
        career = self.world.career(self.world.email_of(first, last, domain))
        here = {"title": self.world.held_title(self.name), "company": held, "duration": "Apr 2019 - Present",
                "is_present": True}  # fmt: skip
        if career is None or career.kind != "moved":
            title = career.title if career is not None and career.kind == "promoted" else here["title"]
            return JSONResponse({"status": "NO_CHANGE", "job_change_detected": False, "current_company": held,
                                 "current_position": {"title": title, "company": held, "start_date": "Apr 2019"},
                                 "work_history": [here], "profile_found": True, "credits_consumed": 3})  # fmt: skip
        start = career.on.strftime("%b %Y")
        spelled = "JOB_CHANGE_DETECTED" if self.world.h("spelling", first, last) < 0.5 else "JOB_CHANGE"
        return JSONResponse({
            "status": spelled, "job_change_detected": True, "current_company": career.company_name,
            "current_position": {"title": career.title, "company": career.company_name, "start_date": start},
            "work_history": [{"title": career.title, "company": career.company_name, "duration": f"{start} - Present",
                              "is_present": True},
                             {**here, "duration": f"Apr 2019 - {start}", "is_present": False}],
            "profile_found": True, "credits_consumed": 3})  # fmt: skip

    def authorized(self, request: Request) -> bool:
        return request.headers.get("x-api-key") == self.key or self.bearer_ok(request)

    def auth_error(self) -> Response:
        return _problem(401, "Unauthorized", "Invalid or missing API key")

    def rate_error(self) -> Response:
        return _problem(429, "Too Many Requests", "Rate limit exceeded")

    def quota_error(self) -> Response:
        return _problem(402, "Payment Required", "Insufficient credits")

    def server_error(self) -> Response:
        return _problem(500, "Internal Server Error", "Unexpected error")

    async def email_finder(self, request: Request) -> Response:
        body = await json_body(request)
        if not isinstance(body, dict) or not body.get("first_name") or not body.get("last_name"):
            return _problem(400, "Bad Request", "first_name and last_name are required")
        domain = clean_domain(body.get("domain"))
        if not domain:
            return _problem(400, "Bad Request", "domain is required")
        if self.world.forgotten(body["first_name"], body["last_name"], domain):
            return _problem(451, "Unavailable For Legal Reasons", "This person asked to be erased")
        self.state.require(self.name)
        found = self.lookup(body["first_name"], body["last_name"], domain)
        if found is None or found.status not in self.STATUS:
            return JSONResponse({"email": None, "status": None, "credits_consumed": 0, "message": "No email found."})
        self.state.charge(self.name, 1)
        return JSONResponse(
            {
                "email": found.email,
                "status": self.STATUS[found.status],
                "credits_consumed": 1,
                "message": "Email found.",
            }
        )


class FakeRocketReach(Vendor):
    """Universal person lookup (doc §7.4): `GET /universal/person/lookup` starts a search
    (`status: searching`), `GET /universal/person/check_status?ids=` serves it after
    `polls_until_ready` polls; a professional email revealed costs 2, a phone 6, the detailed
    enrichment 1 (billed at lookup); someone RocketReach does not know ends `failed`. 429 carries
    `Retry-After`. The detailed enrichment serves the world's careers (doc §7.4, §7.11):
    `current_employer`, its domain and `job_history[].is_current` after a move, a promotion or an
    additional role."""

    name = "rocketreach"
    SMTP = {"valid": "valid", "catch_all": "inconclusive", "invalid": "invalid"}
    EMAIL_CREDITS, PHONE_CREDITS, DETAIL_CREDITS = 2, 6, 1

    def routes(self) -> list[tuple[str, str, Handler]]:
        return [
            ("GET", "/universal/person/lookup", self.lookup_person),
            ("GET", "/universal/person/check_status", self.check_status),
        ]

    def authorized(self, request: Request) -> bool:
        return request.headers.get("api-key") == self.key

    def auth_error(self) -> Response:
        return JSONResponse({"detail": "Invalid API key."}, 401)

    def rate_error(self) -> Response:
        return JSONResponse({"detail": "Request was throttled. Expected available in 2 seconds."}, 429,
                            headers={"Retry-After": "2"})  # fmt: skip

    def quota_error(self) -> Response:
        return JSONResponse({"detail": "You have run out of lookup credits."}, 402)

    def server_error(self) -> Response:
        return JSONResponse({"detail": "A server error occurred."}, 500)

    def _who(self, request: Request) -> tuple[str, str, str] | None:
        q = request.query_params
        if q.get("linkedin_url"):
            return who_is(q["linkedin_url"])
        first, last = split_name(q.get("name"))
        domain = self.domain_for(None, q.get("current_employer"))
        return (first, last, domain) if first and last and domain else None

    async def lookup_person(self, request: Request) -> Response:
        q = request.query_params
        if not q.get("linkedin_url") and not (q.get("name") and q.get("current_employer")):
            return JSONResponse({"detail": "linkedin_url, or name and current_employer, is required."}, 400)
        who = self._who(request)
        if who is not None and self.world.forgotten(*who):
            return JSONResponse({"detail": "This profile was removed at the person's request."}, 451)
        self.state.require(self.name)
        found = self.lookup(*who) if who is not None else None
        profile: dict[str, Any] = {"status": "failed"}
        if found is not None and who is not None:
            profile = self._profile(who, found, q.get("reveal_professional_email") == "true",
                                    q.get("reveal_phone") == "true")  # fmt: skip
            if q.get("reveal_detailed_person_enrichment") == "true":
                profile.update(self._employment(who, q.get("current_employer")))
                self.state.charge(self.name, self.DETAIL_CREDITS)
        job = self.state.new_job(self.name, profile, self.behaviour.polls_until_ready)
        ident = int(job[3:])
        profile["id"] = ident
        return JSONResponse({"id": ident, "status": "searching", "name": q.get("name")})

    def _profile(self, who: tuple[str, str, str], found: Found, email: bool, phone: bool) -> dict[str, Any]:
        first, last, domain = who
        profile: dict[str, Any] = {
            "status": "complete",
            "name": f"{first} {last}",
            "linkedin_url": linkedin_of(first, last, domain),
            "current_employer_domain": domain,
            "emails": [],
            "phones": [],
        }
        cost = 0
        if email:
            profile["recommended_professional_email"] = found.email
            profile["emails"] = [{"email": found.email, "smtp_valid": self.SMTP[found.status],
                                  "type": "professional", "grade": "A"}]  # fmt: skip
            cost += self.EMAIL_CREDITS
        if phone and found.phone:
            number = international(found.phone)
            e164 = "+33" + found.phone.replace(" ", "")[1:]
            kind = "mobile" if found.phone_kind == "mobile" else "direct"
            profile["phones"] = [{"number": number, "e164": e164, "type": kind, "recommended": True}]
            cost += self.PHONE_CREDITS
        self.state.charge(self.name, cost)
        return profile

    def _employment(self, who: tuple[str, str, str], held: str | None) -> dict[str, Any]:
        """The current-employer fields as the world's careers have them today (doc §7.4)."""
        first, last, domain = who
        held = held or domain.split(".")[0].upper()
        career = self.world.career(self.world.email_of(first, last, domain))
        title = self.world.held_title(self.name)  # the title held before any change, as RocketReach writes it
        here = {"company_name": held, "title": title, "start_date": "2019-04-01", "end_date": "Present",
                "is_current": True, "company_city": None, "last_updated": "2026-11-01T00:00:00Z"}  # fmt: skip
        top = {"current_employer": held, "current_employer_domain": domain, "current_title": title}
        if career is None:
            return {**top, "job_history": [here]}
        on = career.on.isoformat()
        new = {**here, "company_name": career.company_name, "title": career.title, "start_date": on,
               "company_city": career.city}  # fmt: skip
        if career.kind == "promoted":
            return {**top, "current_title": career.title,
                    "job_history": [{**here, "title": career.title, "start_date": on},
                                    {**here, "end_date": on, "is_current": False}]}  # fmt: skip
        if career.kind == "side_role":
            return {**top, "job_history": [here, new]}
        return {"current_employer": career.company_name, "current_employer_domain": career.domain,
                "current_title": career.title,
                "job_history": [new, {**here, "end_date": on, "is_current": False}]}  # fmt: skip

    async def check_status(self, request: Request) -> Response:
        out = []
        for ident in (i for i in (request.query_params.get("ids") or "").split(",") if i.strip().isdigit()):
            job = f"{self.name[:3]}{int(ident):08d}"
            known, profile = self.state.poll_job(self.name, job)
            if known:
                out.append(profile if profile is not None else {"id": int(ident), "status": "searching"})
        return JSONResponse(out)


SECONDARY_VENDORS: tuple[type[Vendor], ...] = (FakeKaspr, FakeDatagma, FakeLeadMagic, FakeRocketReach)
