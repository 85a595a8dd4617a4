"""Fake synchronous vendors (doc §2.1, 2.3, 2.5, 2.6, 2.9): same paths, auth, bodies and error
dialects as the real APIs, answering from the deterministic `World`."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from firmo.personas import fold
from waterfall.fake.secondary_vendors import linkedin_of, split_name, who_is
from waterfall.fake.state import OutOfCredits
from waterfall.fake.vendor import Handler, Vendor, clean_domain, json_body
from waterfall.fake.world import StaffMember, international
from waterfall.providers.linkedin import bare_profile
from waterfall.providers.phones import to_e164

HUNTER_STATUS = {"valid": "valid", "catch_all": "accept_all", "invalid": "invalid"}


def _hunter_error(code: int, ident: str, details: str) -> Response:
    return JSONResponse({"errors": [{"id": ident, "code": code, "details": details}]}, code)


class FakeHunter(Vendor):
    name = "hunter"

    def routes(self) -> list[tuple[str, str, Handler]]:
        return [
            ("GET", "/email-finder", self.finder),
            ("GET", "/email-verifier", self.verifier),
            ("GET", "/domain-search", self.domain_search),
        ]

    def authorized(self, request: Request) -> bool:
        key = (
            request.headers.get("x-api-key")
            or request.query_params.get("api_key")
            or request.headers.get("authorization", "").removeprefix("Bearer ")
        )
        return key == self.key

    def auth_error(self) -> Response:
        return _hunter_error(401, "authentication_failed", "No user found for the API key supplied")

    def rate_error(self) -> Response:  # Hunter: 403 is the rate limit
        return _hunter_error(403, "too_many_requests", "You have reached the rate limit for this endpoint")

    def quota_error(self) -> Response:  # Hunter: 429 is the exhausted monthly quota
        return _hunter_error(429, "too_many_requests", "You have reached your monthly usage limit")

    async def finder(self, request: Request) -> Response:
        q = request.query_params
        domain = self.domain_for(q.get("domain"), q.get("company"))
        first, last = q.get("first_name"), q.get("last_name")
        if not domain or not first or not last:
            return _hunter_error(400, "wrong_params", "You are missing the domain or name parameters")
        if self.world.forgotten(first, last, domain):
            return _hunter_error(451, "claimed_email", "This person asked us not to process their data")
        self.state.require(self.name)
        found = self.lookup(first, last, domain)
        data: dict[str, Any] = {
            "first_name": first,
            "last_name": last,
            "email": None,
            "score": None,
            "domain": domain,
            "verification": {"date": None, "status": None},
            "sources": [],
        }
        if found:
            self.state.charge(self.name, 1)
            score = {"valid": 97, "catch_all": 71, "invalid": 30}[found.status]
            data.update(
                email=found.email,
                score=score,
                verification={"date": "2026-01-15", "status": HUNTER_STATUS[found.status]},
                sources=[{"domain": domain, "uri": f"https://{domain}/equipe"}],
            )
        return JSONResponse({"data": data, "meta": {"params": dict(q)}})

    async def verifier(self, request: Request) -> Response:
        email = request.query_params.get("email")
        if not email:
            return _hunter_error(400, "wrong_params", "You are missing the email parameter")
        self.state.charge(self.name, 0.5)
        verdict = self.world.verify(email)
        status = HUNTER_STATUS[verdict]
        return JSONResponse(
            {
                "data": {
                    "status": status,
                    "email": email,
                    "score": {"valid": 95, "accept_all": 60}.get(status, 10),
                    "accept_all": verdict == "catch_all",
                    "smtp_check": verdict != "invalid",
                }
            }
        )

    async def domain_search(self, request: Request) -> Response:
        q = request.query_params
        if q.get("domain") and (q.get("type") == "personal" or q.get("department") or q.get("seniority")):
            return self.people_search(request)
        company = q.get("company")
        if not q.get("domain") and not company:
            return _hunter_error(400, "wrong_params", "You are missing the domain parameter")
        domain = self.domain_for(q.get("domain"), company)
        known = bool(q.get("domain")) or self.world.knows_domain(self.name, company or "", self.behaviour.hit_rate)
        self.state.record(self.name, known)
        if not known:
            return JSONResponse({"data": {"domain": None, "pattern": None, "emails": []}, "meta": {}})
        self.state.charge(self.name, 1)
        return JSONResponse(
            {
                "data": {
                    "domain": domain,
                    "pattern": "{first}.{last}",
                    "webmail": False,
                    "emails": [{"value": f"contact@{domain}", "type": "generic", "confidence": 90}],
                },
                "meta": {"results": 1},
            }
        )

    # doc §8.1: Hunter's own classification of the world's people
    DEPARTMENT = {"general_management": "executive", "purchasing": "operations"}
    SENIORITY = {"head": "executive", "manager": "senior"}

    def people_search(self, request: Request) -> Response:
        """`domain` + `department` / `seniority` / `type=personal`: the people Hunter knows there, as
        personal addresses with their position; 1 credit per 1-10 addresses returned."""
        q = request.query_params
        domain = clean_domain(q.get("domain")) or ""
        departments = {d for d in (q.get("department") or "").split(",") if d}
        seniorities = {x for x in (q.get("seniority") or "").split(",") if x}
        limit = min(int(q.get("limit") or 10), 100)
        found = [
            m
            for m in self.known_staff(domain)
            if (not departments or self.DEPARTMENT.get(m.function, m.function) in departments)
            and (not seniorities or self.SENIORITY[m.seniority] in seniorities)
        ][:limit]
        self.state.charge(self.name, -(-len(found) // 10))
        emails = []
        for m in found:
            email = self.world.email_of(m.first_name, m.last_name, domain)
            emails.append(
                {
                    "value": email,
                    "type": "personal",
                    "confidence": 92,
                    "first_name": m.first_name,
                    "last_name": m.last_name,
                    "position": m.title,
                    "department": self.DEPARTMENT.get(m.function, m.function),
                    "seniority": self.SENIORITY[m.seniority],
                    "linkedin": None,
                    "verification": {"date": "2026-01-15", "status": HUNTER_STATUS[self.world.email_status(email)]},
                }
            )
        return JSONResponse(
            {
                "data": {"domain": domain, "pattern": "{first}.{last}", "webmail": False, "emails": emails},
                "meta": {"results": len(emails), "limit": limit, "offset": 0},
            }
        )


def _title_hit(title: str, wanted: list[str]) -> bool:
    """Apollo / Lusha title filters match on terms: every word of a wanted title in the person's."""
    have = set(fold(title).split())
    return any(set(fold(w).split()) <= have for w in wanted if w)


class FakeApollo(Vendor):
    name = "apollo"
    STATUS = {"valid": "verified", "catch_all": "guessed", "invalid": "bounced"}

    SENIORITY = {"head": "director", "manager": "manager"}

    def routes(self) -> list[tuple[str, str, Handler]]:
        return [("POST", "/people/match", self.match), ("POST", "/mixed_people/api_search", self.search)]

    def _list(self, request: Request, body: Any, name: str) -> list[str]:
        """Filters as query-string arrays (`name[]`, as documented) or a JSON body (both are seen, §8.2)."""
        values = request.query_params.getlist(f"{name}[]")
        if not values and isinstance(body, dict) and isinstance(body.get(name), list):
            values = [str(v) for v in body[name]]
        return values

    async def search(self, request: Request) -> Response:
        """People API Search (doc §8.2): free, previews with the last name masked."""
        body = await json_body(request)
        titles = self._list(request, body, "person_titles")
        seniorities = set(self._list(request, body, "person_seniorities"))
        people = []
        for domain in self._list(request, body, "q_organization_domains_list"):
            domain = clean_domain(domain) or ""
            for m in self.known_staff(domain):
                level = (
                    "c_suite"
                    if m.function == "general_management" and m.seniority == "head"
                    else self.SENIORITY[m.seniority]
                )
                if (titles and not _title_hit(m.title, titles)) or (seniorities and level not in seniorities):
                    continue
                people.append(
                    {
                        "id": f"{domain}~{m.index}",
                        "first_name": m.first_name,
                        "last_name_obfuscated": m.last_name[:2] + "***",
                        "title": m.title,
                        "has_email": True,
                        "organization": {"name": domain},
                    }
                )
        return JSONResponse({"total_entries": len(people), "people": people[:100]})

    def authorized(self, request: Request) -> bool:
        return request.headers.get("x-api-key") == self.key

    def auth_error(self) -> Response:
        return JSONResponse({"error": "Invalid access credentials."}, 401)

    def rate_error(self) -> Response:
        return JSONResponse(
            {"message": "The maximum number of api calls allowed for api/v1/people/match is 1000 times per minute."},
            429,
            headers={"Retry-After": "1"},
        )

    async def match(self, request: Request) -> Response:
        q = request.query_params  # a JSON body is ignored: Apollo's silent "matched nothing"
        self.state.require(self.name)
        if q.get("id"):
            return self.match_id(q["id"])
        found = self.lookup(
            q.get("first_name"), q.get("last_name"), self.domain_for(q.get("domain"), q.get("organization_name"))
        )
        if not found:
            return JSONResponse({"person": None})
        self.state.charge(self.name, 1)
        person: dict[str, Any] = {
            "id": "fake",
            "first_name": q.get("first_name"),
            "last_name": q.get("last_name"),
            "email": found.email,
            "email_status": self.STATUS[found.status],
            "extrapolated_email_confidence": None,
            "contact": {"phone_numbers": []},
        }
        held = self.domain_for(q.get("domain"), q.get("organization_name")) or ""
        person.update(
            self.employment(q.get("first_name") or "", q.get("last_name") or "", held, q.get("organization_name"))
        )
        return JSONResponse({"person": person, "request_id": 1039995589705121900})

    def employment(self, first: str, last: str, domain: str, company: str | None) -> dict[str, Any]:
        """`organization` and `employment_history` (doc §7.3, §7.11) as the world's careers have them
        today: a move (the old employer `current: false` with an `end_date`, the address at the new
        domain), a promotion (a new title, same employer) or an additional role (two `current: true`)."""
        old_name = company or domain
        career = self.world.career(self.world.email_of(first, last, domain))
        held = self.world.held_title(self.name)  # the title held before any change, as Apollo writes it
        here = {"organization_name": old_name, "current": True, "end_date": None, "start_date": "2019-04-01"}
        if career is None:
            return {"organization": {"name": old_name, "primary_domain": domain}, "title": held,
                    "employment_history": [{**here, "title": held}]}  # fmt: skip
        on = career.on.isoformat()
        if career.kind == "promoted":
            history = [{**here, "title": career.title, "start_date": on},
                       {**here, "title": held, "current": False, "end_date": on}]  # fmt: skip
            return {"organization": {"name": old_name, "primary_domain": domain}, "title": career.title,
                    "employment_history": history}  # fmt: skip
        new = {"organization_name": career.company_name, "title": career.title, "current": True,
               "start_date": on, "end_date": None}  # fmt: skip
        if career.kind == "side_role":
            return {"organization": {"name": old_name, "primary_domain": domain}, "title": held,
                    "employment_history": [{**here, "title": held}, new]}  # fmt: skip
        email = self.world.email_of(first, last, career.domain or "")
        return {
            "organization": {"name": career.company_name, "primary_domain": career.domain, "city": career.city},
            "title": career.title,
            "email": email,
            "email_status": self.STATUS[self.world.email_status(email)],
            "employment_history": [new, {**here, "title": held, "current": False, "end_date": on}],
        }

    def match_id(self, person_id: str) -> Response:
        """people/match by the id a search gave (1 credit): the full record, current employer included."""
        domain, _, index = person_id.partition("~")
        member = next((m for m in self.known_staff(domain) if str(m.index) == index), None)
        if member is None:
            return JSONResponse({"person": None})
        self.state.charge(self.name, 1)
        email = self.world.email_of(member.first_name, member.last_name, domain)
        person = {
            "id": person_id,
            "first_name": member.first_name,
            "last_name": member.last_name,
            "title": member.title,
            "email": email,
            "email_status": self.STATUS[self.world.email_status(email)],
            "linkedin_url": f"https://www.linkedin.com/in/{fold(member.first_name)}-{fold(member.last_name)}-{index}",
            "organization": {"primary_domain": domain},
        }
        return JSONResponse({"person": person})


class FakeLusha(Vendor):
    name = "lusha"
    GRADE = {"valid": "A+", "catch_all": "B"}

    DEPARTMENT = {"hr": "Human Resources", "sales": "Sales", "marketing": "Marketing",
                  "it": "Engineering & Technical", "general_management": "Executive"}  # fmt: skip

    def routes(self) -> list[tuple[str, str, Handler]]:
        return [("GET", "/v2/person", self.person), ("POST", "/v3/contacts/prospecting", self.prospecting),
                ("POST", "/api/signals/contacts/search", self.signals)]  # fmt: skip

    async def signals(self, request: Request) -> Response:
        """v2 contact signals by identifier (doc §7.5, §7.11) on the world's careers: a move is a
        `companyChange`, a promotion a `promotion`, dated on or after `startDate` (default six
        months back); an additional role is no signal. Contacts Lusha does not know are left out;
        1 credit per matched signal, at least 1 per request. Outside the plan (`signals_plan`): 403."""
        if not self.behaviour.signals_plan:
            return self._error(403, "Signals are not included in your plan")
        body = await json_body(request)
        contacts = body.get("contacts") if isinstance(body, dict) else None
        if not isinstance(contacts, list) or not 1 <= len(contacts) <= 100 or not body.get("signals"):
            return self._error(400, "contacts (1-100) and signals are required")
        today = self.world.careers.today or date.today()
        start = date.fromisoformat(body["startDate"]) if body.get("startDate") else today - timedelta(days=183)
        wanted = set(body["signals"])
        self.state.require(self.name)
        out: dict[str, Any] = {}
        matched = 0
        for c in contacts:
            who = self._signal_who(c)
            if who is None or not self.world.knows(self.name, *who, self.behaviour.hit_rate):
                self.state.record(self.name, False)
                continue
            self.state.record(self.name, True)
            first, last, domain = who
            held = ((c.get("companies") or [{}])[0].get("name")) or domain.split(".")[0].upper()
            entry: dict[str, Any] = {"personId": str(int(self.world.h("lusha_id", *who) * 10**9)),
                                     "companyChange": [], "promotion": []}  # fmt: skip
            career = self.world.career(self.world.email_of(first, last, domain))
            if career is not None and career.on >= start:
                signal = {"currentCompanyName": held, "currentDomain": domain, "currentTitle": career.title,
                          "signalDate": career.on.isoformat()}  # fmt: skip
                if career.kind == "moved" and "companyChange" in wanted:
                    signal.update(currentCompanyName=career.company_name, currentDomain=career.domain,
                                  previousCompanyName=held, previousDomain=domain)  # fmt: skip
                    entry["companyChange"].append(signal)
                elif career.kind == "promoted" and "promotion" in wanted:
                    entry["promotion"].append(signal)
            matched += len(entry["companyChange"]) + len(entry["promotion"])
            out[str(c.get("id"))] = entry
        charged = max(1, matched)
        self.state.charge(self.name, charged)
        return JSONResponse({"contacts": out, "startDate": start.isoformat(), "endDate": today.isoformat(),
                             "creditCharged": charged})  # fmt: skip

    def _signal_who(self, contact: Any) -> tuple[str, str, str] | None:
        if not isinstance(contact, dict):
            return None
        if contact.get("social_link"):
            return who_is(contact["social_link"])
        first, last = split_name(contact.get("full_name"))
        names = contact.get("companies") or [{}]
        domain = self.domain_for(contact.get("domain"), names[0].get("name") if isinstance(names[0], dict) else None)
        return (first, last, domain) if first and last and domain else None

    async def prospecting(self, request: Request) -> Response:
        """v3 prospecting (doc §8.4): previews without email or phone, 1 credit per 25 results."""
        body = await json_body(request)
        filters = body.get("filters") if isinstance(body, dict) else None
        if not isinstance(filters, dict):
            return self._error(400, "filters are required")
        contacts = ((filters.get("contacts") or {}).get("include")) or {}
        companies = ((filters.get("companies") or {}).get("include")) or {}
        titles = [str(t) for t in contacts.get("jobTitles") or []]
        departments = set(contacts.get("departments") or [])
        size = int(((body.get("pagination") or {}).get("size")) or 25)
        results = []
        for domain in companies.get("domains") or []:
            domain = clean_domain(domain) or ""
            for m in self.known_staff(domain):
                if titles and not _title_hit(m.title, titles):
                    continue
                if departments and self.DEPARTMENT.get(m.function, "Other") not in departments:
                    continue
                results.append(
                    {
                        "id": f"{domain}~{m.index}",
                        "firstName": m.first_name,
                        "lastName": m.last_name,
                        "jobTitle": {"title": m.title, "departments": [self.DEPARTMENT.get(m.function, "Other")]},
                        "company": {"name": domain, "domain": domain},
                        "socialLinks": {"linkedin": None},
                        "has": ["emails"],
                    }
                )
        results = results[:size]
        charged = -(-len(results) // 25)
        self.state.charge(self.name, charged)
        return JSONResponse(
            {
                "requestId": "fake",
                "pagination": {"page": 0, "size": size, "total": len(results)},
                "results": results,
                "billing": {"creditsCharged": charged, "resultsReturned": len(results)},
            }
        )

    def authorized(self, request: Request) -> bool:
        return request.headers.get("api_key") == self.key

    def _error(self, code: int, message: str) -> Response:
        return JSONResponse({"statusCode": code, "message": message, "errors": []}, code)

    def auth_error(self) -> Response:
        return self._error(401, "Unauthorized")

    def rate_error(self) -> Response:  # no Retry-After: Lusha only documents x-rate-limit-* headers
        return JSONResponse(
            {"statusCode": 429, "message": "Too Many Requests", "errors": []},
            429,
            headers={"x-rate-limit-minute": "0", "x-minute-requests-left": "0"},
        )

    def quota_error(self) -> Response:
        return self._error(402, "Insufficient credits")

    async def person(self, request: Request) -> Response:
        q = request.query_params
        first, last = q.get("firstName"), q.get("lastName")
        domain = self.domain_for(q.get("companyDomain"), q.get("companyName"))
        if not first or not last or not domain:
            return self._error(400, "firstName, lastName and companyDomain or companyName are required")
        if self.world.forgotten(first, last, domain):
            return self._error(451, "This contact is GDPR restricted")
        self.state.require(self.name)
        found = self.lookup(first, last, domain)
        emails = (
            []
            if not found or found.status == "invalid"
            else [{"address": found.email, "type": "work", "emailConfidence": self.GRADE[found.status]}]
        )
        phones = (
            []
            if not found or not found.phone
            else [
                {
                    "number": international(found.phone),
                    "phoneType": (found.phone_kind or "").capitalize(),
                    "doNotCall": False,
                }
            ]
        )
        if not emails and not phones:
            return JSONResponse(
                {
                    "contact": {
                        "error": {"code": 4, "name": "EMPTY_DATA", "message": "Could not find requested data"},
                        "isCreditCharged": False,
                        "data": None,
                    }
                }
            )
        self.state.charge(self.name, 1.0 * bool(emails) + 5.0 * bool(phones))
        data = {
            "firstName": first,
            "lastName": last,
            "emailAddresses": emails,
            "phoneNumbers": phones,
            "location": {"country": "France", "countryIso2": "FR", "isEuContact": True},
        }
        return JSONResponse({"contact": {"error": None, "isCreditCharged": True, "data": data}})


def _prospeo_error(code: str, status: int = 400) -> Response:
    return JSONResponse({"error": True, "error_code": code}, status)


class FakeProspeo(Vendor):
    name = "prospeo"

    def routes(self) -> list[tuple[str, str, Handler]]:
        return [("POST", "/enrich-person", self.enrich)]

    def authorized(self, request: Request) -> bool:
        return request.headers.get("x-key") == self.key

    def auth_error(self) -> Response:
        return _prospeo_error("INVALID_API_KEY")

    def rate_error(self) -> Response:
        return _prospeo_error("RATE_LIMITED", 429)

    def quota_error(self) -> Response:
        return _prospeo_error("INSUFFICIENT_CREDITS")

    def server_error(self) -> Response:
        return _prospeo_error("INTERNAL_ERROR", 500)

    async def enrich(self, request: Request) -> Response:
        body = await json_body(request)
        data = body.get("data") if isinstance(body, dict) else None
        if not isinstance(data, dict) or not data.get("first_name") or not data.get("last_name"):
            return _prospeo_error("INVALID_DATAPOINTS")
        self.state.require(self.name)
        found = self.lookup(
            data["first_name"],
            data["last_name"],
            self.domain_for(data.get("company_website"), data.get("company_name")),
        )
        if not found or found.status == "invalid":
            return _prospeo_error("NO_MATCH")
        mobile = found.phone if body.get("enrich_mobile") and found.phone_kind == "mobile" else None
        self.state.charge(self.name, 10 if mobile else 1)
        person = {
            "person_id": "fake",
            "full_name": f"{data['first_name']} {data['last_name']}",
            "email": {
                "status": "VERIFIED" if found.status == "valid" else "UNVERIFIED",
                "revealed": True,
                "email": found.email,
            },
            "mobile": (
                {
                    "status": "VERIFIED",
                    "revealed": True,
                    "mobile": "+33" + mobile.replace(" ", "")[1:],
                    "mobile_country_code": "FR",
                }
                if mobile
                else None
            ),
        }
        return JSONResponse({"error": False, "free_enrichment": False, "person": person, "company": None})


class FakeFindymail(Vendor):
    name = "findymail"

    def routes(self) -> list[tuple[str, str, Handler]]:
        return [("POST", "/search/name", self.search), ("POST", "/verify", self.verify)]

    def authorized(self, request: Request) -> bool:
        return self.bearer_ok(request)

    def auth_error(self) -> Response:
        return JSONResponse({"message": "Unauthenticated."}, 401)

    async def search(self, request: Request) -> Response:
        body = await json_body(request)
        name, domain = (body.get("name"), body.get("domain")) if isinstance(body, dict) else (None, None)
        if not name or not domain:
            return JSONResponse({"message": "The name and domain fields are required."}, 422)
        self.state.require(self.name)
        first, _, last = name.strip().partition(" ")
        found = self.lookup(first, last, self.domain_for(domain, None))
        if not found or found.status != "valid":  # Findymail only returns verified addresses
            return JSONResponse({})
        self.state.charge(self.name, 1)
        return JSONResponse({"contact": {"id": 1, "name": name, "email": found.email, "domain": domain}})

    async def verify(self, request: Request) -> Response:
        body = await json_body(request)
        email = body.get("email") if isinstance(body, dict) else None
        if not email:
            return JSONResponse({"message": "The email field is required."}, 422)
        self.state.charge(self.name, 1)
        return JSONResponse({"email": email, "verified": self.world.verify(email) == "valid", "provider": "Google"})


class FakePdl(Vendor):
    """People Data Labs Person Search (doc §8.3): an Elasticsearch `query` of term / terms clauses
    on job_company_website, job_title_role and job_title_levels; 1 credit per record returned;
    no record: 404, free."""

    name = "pdl"
    ROLE = {"hr": "human_resources", "finance": "finance", "sales": "sales", "marketing": "marketing",
            "it": "engineering", "purchasing": "operations", "operations": "operations"}  # fmt: skip

    def routes(self) -> list[tuple[str, str, Handler]]:
        return [("POST", "/person/search", self.search), ("GET", "/person/enrich", self.enrich)]

    async def enrich(self, request: Request) -> Response:
        """Person enrich (doc §7.2, §7.11) by first_name + last_name + company (a domain): the
        current job in `job_*`; after a move `job_company_*` differ and `job_last_changed` is the
        move date, else only `job_last_verified` moves. 1 credit per 200, 404 free."""
        q = request.query_params
        first, last = q.get("first_name"), q.get("last_name")
        domain = self.domain_for(q.get("company"), q.get("company"))
        if q.get("name") and not (first and last):
            first, last = split_name(q.get("name"))
        if q.get("profile") and (who := who_is(q["profile"])) is not None:  # the fake world's LinkedIn URLs
            first, last, domain = who
        if not (first and last and domain) and not q.get("profile") and not q.get("email"):
            return self._error(400, "invalid_request_error", "name + company, profile or email is required")
        if first and last and domain and self.world.forgotten(first, last, domain):
            return self._error(451, "unavailable_for_legal_reasons", "This person asked to be erased")
        self.state.require(self.name)
        found = self.lookup(first, last, domain) if first and last and domain else None
        mobile = found.phone if found is not None and found.phone_kind == "mobile" else None
        if found is None or (q.get("required") == "mobile_phone" and not mobile):  # `required` unmet: 404
            return self._error(404, "not_found", "No records were found matching your request")
        assert first and last and domain
        career = self.world.career(self.world.email_of(first, last, domain))
        job: dict[str, str | None] = {
            "job_company_name": domain.split(".")[0].upper(), "job_company_website": domain,
            "job_title": self.world.held_title(self.name).lower(), "job_start_date": "2019-04",
            "job_last_changed": "2019-04-01",
        }  # fmt: skip
        experience: list[dict[str, Any]] = []
        if career is not None and career.kind in ("moved", "promoted"):
            on = career.on.isoformat()
            if career.kind == "moved":
                experience.append({"company": {"name": job["job_company_name"], "website": domain},
                                   "start_date": "2019-04", "end_date": on[:7], "is_primary": False})  # fmt: skip
                job.update(job_company_name=career.company_name, job_company_website=career.domain)
            job.update(job_title=(career.title or "").lower(), job_start_date=on[:7], job_last_changed=on)
        self.state.charge(self.name, 1)
        data = {"id": f"pdl-{domain}-{fold(first)}-{fold(last)}", "first_name": first.lower(),
                "last_name": last.lower(), **job, "job_last_verified": "2026-11-01", "experience": experience}  # fmt: skip
        data.update(work_email=found.email, mobile_phone=to_e164(mobile) if mobile else None,
                    linkedin_url=bare_profile(linkedin_of(first, last, domain)))  # fmt: skip
        return JSONResponse({"status": 200, "likelihood": 8, "data": data})

    def authorized(self, request: Request) -> bool:
        return (request.headers.get("x-api-key") or request.query_params.get("api_key")) == self.key

    def _error(self, code: int, kind: str, message: str) -> Response:
        return JSONResponse({"status": code, "error": {"type": kind, "message": message}}, code)

    def auth_error(self) -> Response:
        return self._error(401, "authentication_error", "Invalid API key")

    def rate_error(self) -> Response:
        return self._error(429, "rate_limit_error", "Rate limit exceeded")

    def quota_error(self) -> Response:
        return self._error(402, "payment_required", "You have hit your account maximum for person search")

    def levels(self, m: StaffMember) -> list[str]:
        if m.function == "general_management" and m.seniority == "head":
            return ["owner", "cxo"]
        return ["director"] if m.seniority == "head" else ["manager"]

    async def search(self, request: Request) -> Response:
        body = await json_body(request)
        query = body.get("query") if isinstance(body, dict) else None
        must = ((query or {}).get("bool") or {}).get("must") if isinstance(query, dict) else None
        if not isinstance(must, list):
            return self._error(400, "invalid_request_error", "query must be an Elasticsearch bool query")
        terms: dict[str, list[str]] = {}
        for clause in must:
            for kind in ("term", "terms"):
                for key, value in (clause.get(kind) or {}).items() if isinstance(clause, dict) else ():
                    terms[key] = value if isinstance(value, list) else [value]
        size = max(1, min(int(body.get("size") or 1), 100))
        records = []
        for domain in terms.get("job_company_website", []):
            for m in self.known_staff(clean_domain(domain) or ""):
                if "job_title_role" in terms and self.ROLE.get(m.function) not in terms["job_title_role"]:
                    continue
                if "job_title_levels" in terms and not set(self.levels(m)) & set(terms["job_title_levels"]):
                    continue
                records.append(
                    {
                        "id": f"pdl-{domain}-{m.index}",
                        "full_name": f"{m.first_name} {m.last_name}".lower(),
                        "first_name": m.first_name.lower(),
                        "last_name": m.last_name.lower(),
                        "job_title": m.title.lower(),
                        "job_title_role": self.ROLE.get(m.function),
                        "job_title_levels": self.levels(m),
                        "job_company_website": domain,
                        "linkedin_url": f"linkedin.com/in/{fold(m.first_name)}-{fold(m.last_name)}",
                        "work_email": None,
                    }
                )
        if not records:
            return self._error(404, "not_found", "No records were found matching your search")
        data = records[:size]
        try:
            self.state.charge(self.name, len(data))
        except OutOfCredits:
            return self.quota_error()
        return JSONResponse({"status": 200, "data": data, "scroll_token": None, "total": len(records)})
