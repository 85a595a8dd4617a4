"""Fake company-level endpoints (doc §7.10): Hunter Companies Find, Apollo Organization Enrichment,
Lusha Company v2 and People Data Labs Company Enrichment, each in its vendor's dialect (the
subclasses keep the vendor's auth and error answers), answering from the fake world's companies.

A company is known by a vendor by a stable hash of its domain against the vendor's hit rate (by
its name when asked by name, as Hunter's domain search is). What is known about it is stable per
domain and the same for every vendor (`company_facts`), each vendor giving only the fields its
documented schema has: PDL and Lusha have no switchboard, Hunter and Lusha give a headcount range,
Apollo and PDL an integer. A hit costs 1 credit, a miss nothing; an account at 0 credits is
refused with the vendor's quota error (Hunter 429, the others 402).
"""

from __future__ import annotations

from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from waterfall.fake.sync_vendors import FakeApollo, FakeHunter, FakeLusha, FakePdl, _hunter_error
from waterfall.fake.vendor import Handler, Vendor, clean_domain
from waterfall.fake.world import World

# Headcount ranges as LinkedIn and the vendors print them (lower bound, label).
RANGES = ((10001, "10001+"), (5001, "5001-10000"), (1001, "1001-5000"), (501, "501-1000"),
          (201, "201-500"), (51, "51-200"), (11, "11-50"), (1, "1-10"))  # fmt: skip


@dataclass(frozen=True)
class CompanyFacts:
    domain: str
    linkedin_slug: str
    switchboard: str  # national French format, '01 23 45 67 89'
    employees: int

    @property
    def size_range(self) -> str:
        return next(label for low, label in RANGES if self.employees >= low)

    @property
    def switchboard_e164(self) -> str:
        return "+33" + self.switchboard.replace(" ", "")[1:]


def company_facts(world: World, domain: str) -> CompanyFacts:
    domain = domain.lower()
    digits = f"0{1 + int(world.h('switchboard_area', domain) * 5)}" + f"{int(world.h('switchboard', domain) * 1e8):08d}"
    return CompanyFacts(
        domain,
        domain.rsplit(".", 1)[0].replace(".", "-"),
        " ".join(digits[i : i + 2] for i in range(0, 10, 2)),
        2 + int(world.h("employees", domain) ** 3 * 3000),
    )


def _known(vendor: Vendor, domain: str | None, name: str | None) -> CompanyFacts | None:
    """The company if `vendor` knows it (recorded as a hit or miss in the fake's stats)."""
    vendor.state.require(vendor.name)  # an account at 0 credits is refused, hit or miss
    rate = vendor.behaviour.hit_rate
    if domain:
        known = vendor.world.h(vendor.name, "company", domain.lower()) < rate
    elif name:
        domain = vendor.world.company_domain(name)
        known = vendor.world.knows_domain(vendor.name, name, rate)
    else:
        known = False
    vendor.state.record(vendor.name, known)
    return company_facts(vendor.world, domain) if known and domain else None


class FakeHunterCompanies(FakeHunter):
    """`GET /v2/companies/find?domain=` (Clearbit-style company object)."""

    def routes(self) -> list[tuple[str, str, Handler]]:
        return [("GET", "/companies/find", self.companies_find)]

    async def companies_find(self, request: Request) -> Response:
        domain = clean_domain(request.query_params.get("domain"))
        if not domain:
            return _hunter_error(400, "wrong_params", "You are missing the domain parameter")
        facts = _known(self, domain, None)
        if facts is None:
            return _hunter_error(404, "not_found", "No company found for this domain")
        self.state.charge(self.name, 1)
        return JSONResponse(
            {
                "data": {
                    "name": facts.linkedin_slug,
                    "domain": facts.domain,
                    "domainAliases": [],
                    "linkedin": {"handle": f"company/{facts.linkedin_slug}"},
                    "phone": facts.switchboard_e164,
                    "site": {"phoneNumbers": [facts.switchboard_e164]},
                    "metrics": {"employees": facts.size_range},
                },
                "meta": {"domain": domain},
            }
        )


class FakeApolloOrganizations(FakeApollo):
    """`GET /api/v1/organizations/enrich?domain=`: `{"organization": {...}}`, `{}` when unknown."""

    def routes(self) -> list[tuple[str, str, Handler]]:
        return [("GET", "/organizations/enrich", self.organization)]

    async def organization(self, request: Request) -> Response:
        domain = clean_domain(request.query_params.get("domain"))
        if not domain:
            return JSONResponse({"error": "domain is required"}, 422)
        facts = _known(self, domain, None)
        if facts is None:
            return JSONResponse({})
        self.state.charge(self.name, 1)
        return JSONResponse(
            {
                "organization": {
                    "id": f"org-{facts.linkedin_slug}",
                    "name": facts.linkedin_slug,
                    "website_url": f"http://www.{facts.domain}",
                    "primary_domain": facts.domain,
                    "linkedin_url": f"http://www.linkedin.com/company/{facts.linkedin_slug}",
                    "linkedin_uid": str(int(self.world.h("linkedin_uid", facts.domain) * 1e8)),
                    "phone": facts.switchboard_e164,
                    "sanitized_phone": facts.switchboard_e164,
                    "primary_phone": {"number": facts.switchboard, "source": "Owler"},
                    "estimated_num_employees": facts.employees,
                    "industry": "information technology & services",
                }
            }
        )


class FakeLushaCompany(FakeLusha):
    """`GET /v2/company?domain=` or `?company=` (name): `{"data": {...}}`; unknown: 404."""

    def routes(self) -> list[tuple[str, str, Handler]]:
        return [("GET", "/v2/company", self.company)]

    async def company(self, request: Request) -> Response:
        q = request.query_params
        domain, name = clean_domain(q.get("domain")), q.get("company")
        if not domain and not name:
            return self._error(400, "domain, company or companyId is required")
        facts = _known(self, domain, name)
        if facts is None:
            return self._error(404, "Company not found")
        self.state.charge(self.name, 1)
        low = next(low for low, label in RANGES if label == facts.size_range)
        high = {10001: None}.get(low, int(facts.size_range.partition("-")[2] or 0) or None)
        return JSONResponse(
            {
                "data": {
                    "name": facts.linkedin_slug,
                    "domain": facts.domain,
                    "fqdn": f"www.{facts.domain}",
                    "website": f"https://www.{facts.domain}",
                    "emailDomain": facts.domain,
                    "social": {"linkedin": f"https://www.linkedin.com/company/{facts.linkedin_slug}"},
                    "employees": facts.size_range.replace("-", " - "),
                    "companySize": {"min": low, "max": high, "employeesInLinkedin": facts.employees},
                }
            }
        )


class FakePdlCompany(FakePdl):
    """`GET /v5/company/enrich?name=&locality=` or `?website=`: the company record, 404 when unknown."""

    def routes(self) -> list[tuple[str, str, Handler]]:
        return [("GET", "/company/enrich", self.enrich)]

    async def enrich(self, request: Request) -> Response:
        q = request.query_params
        domain, name = clean_domain(q.get("website")), q.get("name")
        if not domain and not name and not q.get("profile"):
            return self._error(400, "invalid_request_error", "name, website, profile or pdl_id is required")
        facts = _known(self, domain, name)
        if facts is None:
            return self._error(404, "not_found", "No records were found matching your request")
        self.state.charge(self.name, 1)
        return JSONResponse(
            {
                "status": 200,
                "likelihood": 8,
                "id": f"pdl-{facts.linkedin_slug}",
                "name": facts.linkedin_slug,
                "website": facts.domain,
                "linkedin_url": f"linkedin.com/company/{facts.linkedin_slug}",
                "linkedin_id": str(int(self.world.h("linkedin_uid", facts.domain) * 1e8)),
                "employee_count": facts.employees,
                "size": facts.size_range,
                "industry": "information technology and services",
            }
        )


COMPANY_VENDORS: tuple[type[Vendor], ...] = (
    FakeHunterCompanies,
    FakeApolloOrganizations,
    FakeLushaCompany,
    FakePdlCompany,
)
