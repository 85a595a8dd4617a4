"""Company-level adapters (doc §7.10): one question per company (`CompanyQuery`), one `Answer` whose
value is the company's domain and whose `extra` holds every fact the vendor gave among `FACTS`.

Each adapter subclasses its vendor's contact adapter, so it shares the key, base URL, auth and
error dialect (Hunter's 403 = rate limit, ...), and the engine's gate of that account paces both.

| vendor | asked by | gives | cost |
|---|---|---|---|
| Hunter | name (`/domain-search?company=`) until the domain is known, then `/companies/find?domain=` | domain; then LinkedIn handle, `phone`, `metrics.employees` (a range) | domain search 1 per 1-10 emails; companies/find 1 on a hit (UNVERIFIED in the doc) |
| Apollo | domain only (`/organizations/enrich`) | LinkedIn, `sanitized_phone`, `estimated_num_employees` | 1 per organization (UNVERIFIED) |
| Lusha | domain, else name (`/v2/company`) | domain, `social.linkedin`, `companySize` | 1 per company |
| PDL | website, else name + locality (`/v5/company/enrich`) | `website`, `linkedin_url`, `employee_count` | 1 per match, 404 free |

Headcounts are normalised to one text value: an exact count ("42") when the vendor gives an
integer, else its range ("11-50"; "10001+" open-ended), as doc §7.10 asks ({min, max, exact?}).
"""

from __future__ import annotations

import math
import re
from typing import Any, ClassVar

from waterfall.providers.apollo import ApolloProvider
from waterfall.providers.base import Answer, CompanyQuery, Field, Status
from waterfall.providers.hunter import HunterProvider
from waterfall.providers.lusha import LushaProvider
from waterfall.providers.pdl import PdlProvider
from waterfall.providers.phones import to_e164
from waterfall.providers.transport import HttpProvider, Shape

FACTS = ("domain", "linkedin_company", "switchboard_phone", "headcount")


def clean_domain(value: str | None) -> str | None:
    """'http://www.Acme.fr/' -> 'acme.fr'; None when it is not a host name."""
    if not value:
        return None
    host = re.sub(r"^[a-z]+://", "", value.strip().lower()).split("/")[0].split("?")[0]
    host = host.removeprefix("www.").rstrip(".")
    return host if "." in host and " " not in host else None


def linkedin_page(value: str | None) -> str | None:
    """Any of 'company/acme', 'linkedin.com/company/acme', 'http://www.linkedin.com/company/acme/'
    -> 'https://www.linkedin.com/company/acme' (the one form the CRM files get)."""
    if not value:
        return None
    m = re.search(r"(?:^|/)(company|school|showcase)/([^/?#\s]+)", value.strip())
    return f"https://www.linkedin.com/{m.group(1)}/{m.group(2).lower()}" if m else None


def headcount_range(text: str | None) -> str | None:
    """'201 - 500' / '11-50' / '10001+' / '10,001+' -> '201-500' / '11-50' / '10001+'."""
    if not text:
        return None
    digits = [d.replace(",", "").replace(".", "") for d in re.findall(r"\d[\d,.]*", text)]
    if len(digits) >= 2:
        return f"{int(digits[0])}-{int(digits[1])}"
    if len(digits) == 1:
        return f"{int(digits[0])}+" if "+" in text else str(int(digits[0]))
    return None


def company_answer(provider: str, query: CompanyQuery, credits: float, raw: str, **facts: Any) -> Answer:
    """The answer with the facts given (None ones left out); the value is the domain."""
    extra = {k: v for k, v in facts.items() if k in FACTS and v not in (None, "")}
    domain = extra.get("domain") or query.domain
    if not extra:
        return Answer(provider, Field.COMPANY, None, Status.UNKNOWN, credits=credits, raw_status=raw)
    return Answer(provider, Field.COMPANY, domain, Status.VALID, credits=credits, raw_status=raw, extra=extra)


class CompanyProvider(HttpProvider):
    """What the company waterfall needs of an adapter besides `HttpProvider`: which facts it can
    give, and whether it needs the domain to be asked at all."""

    facts: ClassVar[frozenset[str]]
    needs_domain: ClassVar[bool] = False

    async def find_company(self, query: CompanyQuery) -> Answer:
        raise NotImplementedError


# -- Hunter -----------------------------------------------------------------------------------------
class _HunterLinkedin(Shape):
    handle: str | None = None


class _HunterMetrics(Shape):
    employees: str | int | None = None


class _HunterCompany(Shape):
    domain: str | None = None
    linkedin: _HunterLinkedin | None = None
    phone: str | None = None
    metrics: _HunterMetrics | None = None


class _HunterFind(Shape):
    data: _HunterCompany


class _HunterDomains(Shape):
    domain: str | None = None
    emails: list[Any] | None = None


class _HunterSearch(Shape):
    data: _HunterDomains


class HunterCompany(HunterProvider, CompanyProvider):
    fields = frozenset({Field.COMPANY})
    facts = frozenset(FACTS)

    async def find_company(self, query: CompanyQuery) -> Answer:
        if not query.domain:  # the domain search by name, as the contact waterfall asked it
            params = {"company": query.company_name, "limit": 10}
            data = self.checked_as(_HunterSearch, await self.send("GET", "/domain-search", params=params)).data
            credits = float(math.ceil(len(data.emails or []) / 10))
            return company_answer(self.name, query, credits, "domain-search", domain=clean_domain(data.domain))
        resp = await self.send("GET", "/companies/find", params={"domain": query.domain})
        if resp.status_code == 404:
            return company_answer(self.name, query, 0.0, "not_found")
        found = self.checked_as(_HunterFind, resp).data
        employees = found.metrics.employees if found.metrics else None
        return company_answer(
            self.name,
            query,
            1.0,
            "found",
            linkedin_company=linkedin_page(found.linkedin.handle if found.linkedin else None),
            switchboard_phone=to_e164(found.phone or ""),
            headcount=headcount_range(str(employees)) if employees is not None else None,
        )


# -- Apollo -----------------------------------------------------------------------------------------
class _ApolloOrg(Shape):
    primary_domain: str | None = None
    linkedin_url: str | None = None
    sanitized_phone: str | None = None
    phone: str | None = None
    estimated_num_employees: int | None = None


class _ApolloEnrich(Shape):
    organization: _ApolloOrg | None = None


class ApolloCompany(ApolloProvider, CompanyProvider):
    fields = frozenset({Field.COMPANY})
    facts = frozenset({"linkedin_company", "switchboard_phone", "headcount"})
    needs_domain = True

    async def find_company(self, query: CompanyQuery) -> Answer:
        resp = await self.send("GET", "/organizations/enrich", params={"domain": query.domain})
        org = self.checked_as(_ApolloEnrich, resp).organization
        if org is None:
            return company_answer(self.name, query, 0.0, "no_match")
        count = org.estimated_num_employees
        return company_answer(
            self.name,
            query,
            1.0,
            "matched",
            linkedin_company=linkedin_page(org.linkedin_url),
            switchboard_phone=to_e164(org.sanitized_phone or org.phone or ""),
            headcount=str(count) if count else None,
        )


# -- Lusha ------------------------------------------------------------------------------------------
class _LushaSocial(Shape):
    linkedin: str | None = None


class _LushaSize(Shape):
    min: int | None = None
    max: int | None = None


class _LushaCompany(Shape):
    domain: str | None = None
    social: _LushaSocial | None = None
    employees: str | None = None
    companySize: _LushaSize | None = None  # noqa: N815


class _LushaCompanyAnswer(Shape):
    data: _LushaCompany | None = None


class LushaCompany(LushaProvider, CompanyProvider):
    fields = frozenset({Field.COMPANY})
    facts = frozenset({"domain", "linkedin_company", "headcount"})

    async def find_company(self, query: CompanyQuery) -> Answer:
        params = {"domain": query.domain} if query.domain else {"company": query.company_name}
        resp = await self.send("GET", "/v2/company", params=params)
        if resp.status_code == 404:
            return company_answer(self.name, query, 0.0, "not_found")
        data = self.checked_as(_LushaCompanyAnswer, resp).data
        if data is None:
            return company_answer(self.name, query, 0.0, "no_data")
        size = data.companySize
        headcount = headcount_range(data.employees)
        if headcount is None and size is not None and size.min is not None:
            headcount = f"{size.min}-{size.max}" if size.max else f"{size.min}+"
        return company_answer(
            self.name,
            query,
            1.0,
            "found",
            domain=clean_domain(data.domain),
            linkedin_company=linkedin_page(data.social.linkedin if data.social else None),
            headcount=headcount,
        )


# -- People Data Labs -------------------------------------------------------------------------------
class _PdlCompany(Shape):
    website: str | None = None
    linkedin_url: str | None = None
    employee_count: int | None = None
    size: str | None = None


class PdlCompany(PdlProvider, CompanyProvider):
    fields = frozenset({Field.COMPANY})
    facts = frozenset({"domain", "linkedin_company", "headcount"})

    async def find_company(self, query: CompanyQuery) -> Answer:
        params = (
            {"website": query.domain}
            if query.domain
            else {"name": query.company_name, "locality": query.city, "country": "france"}
        )
        resp = await self.send("GET", "/company/enrich", params=params)
        if resp.status_code == 404:  # no match: free
            return company_answer(self.name, query, 0.0, "not_found")
        found = self.checked_as(_PdlCompany, resp)
        count = found.employee_count
        return company_answer(
            self.name,
            query,
            1.0,
            "matched",
            domain=clean_domain(found.website),
            linkedin_company=linkedin_page(found.linkedin_url),
            headcount=str(count) if count else headcount_range(found.size),
        )


COMPANY_ADAPTERS: dict[str, type[CompanyProvider]] = {
    "hunter": HunterCompany,
    "apollo": ApolloCompany,
    "lusha": LushaCompany,
    "pdl": PdlCompany,
}
