"""People Data Labs Person Search (doc §8.3): `POST /v5/person/search`, header `X-Api-Key`.

One Elasticsearch query (`query`, not `sql`: a structure, so nothing of ours is spliced into a
query string) on the company's website domain, PDL's `job_title_role` when it has one for the
function (there is no IT or purchasing role: DSI falls under engineering, achats under
operations; our title rules then decide) and `job_title_levels` for the seniority. PDL charges 1
credit per record returned, so `size` caps the spend (SIZE, the `max_credits` of default.yaml);
a search without records answers 404, free. 402 = out of credits; 429 = rate limited (10/min).
"""

from __future__ import annotations

from typing import Any

from waterfall.providers.base import Answer, Field, PeopleQuery, Status
from waterfall.providers.employment import EmployerCheck, EmployerQuery, Employment, Job, parse_month, registrable
from waterfall.providers.people import first_match, person_answer
from waterfall.providers.transport import HttpProvider, Shape

SIZE = 3
ROLE = {
    "hr": "human_resources",
    "finance": "finance",
    "sales": "sales",
    "marketing": "marketing",
    "it": "engineering",
    "purchasing": "operations",
    "operations": "operations",
}
LEVELS = {
    "head": ["cxo", "owner", "partner", "vp", "director"],
    "manager": ["manager"],
}


class _Title(Shape):
    name: str | None = None


class _Record(Shape):
    id: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    job_title: str | None = None
    linkedin_url: str | None = None
    work_email: str | None = None


class _SearchAnswer(Shape):
    data: list[_Record] | None = None
    total: int | None = None


class _Company(Shape):
    name: str | None = None
    website: str | None = None
    linkedin_url: str | None = None


class _Experience(Shape):
    company: _Company | None = None
    title: _Title | str | None = None
    start_date: str | None = None
    end_date: str | None = None
    is_primary: bool | None = None


class _Enriched(Shape):  # person enrich (doc §7.2): the current job flattened into job_*
    id: str | None = None
    job_title: str | None = None
    job_company_name: str | None = None
    job_company_website: str | None = None
    job_company_linkedin_url: str | None = None
    job_start_date: str | None = None
    job_last_changed: str | None = None
    job_last_updated: str | None = None  # deprecated July 2024, still in the Oct-2024 spec: read both
    job_last_verified: str | None = None
    experience: list[_Experience] | None = None


class _EnrichAnswer(Shape):
    status: int | None = None
    likelihood: int | None = None
    data: _Enriched | None = None


MIN_LIKELIHOOD = 6  # doc §2.10 / §7.2: a weak match must not overwrite a known employer


class PdlProvider(HttpProvider, EmployerCheck):
    name = "pdl"
    fields = frozenset({Field.PEOPLE})
    default_base_url = "https://api.peopledatalabs.com/v5"

    def auth_headers(self) -> dict[str, str]:
        return {"X-Api-Key": self._api_key}

    def es_query(self, query: PeopleQuery) -> dict[str, Any]:
        persona = query.persona
        must: list[dict[str, Any]] = [{"term": {"job_company_website": query.domain.lower()}}]
        if persona.function in ROLE:
            must.append({"term": {"job_title_role": ROLE[persona.function]}})
        levels = ["owner", "cxo"] if persona.function == "general_management" else LEVELS.get(persona.seniority)
        if levels:
            must.append({"terms": {"job_title_levels": levels}})
        return {"bool": {"must": must}}

    async def find_people(self, query: PeopleQuery) -> Answer:
        resp = await self.send("POST", "/person/search", json={"query": self.es_query(query), "size": SIZE})
        if resp.status_code == 404:  # no record matches: not billed
            return self.miss(Field.PEOPLE, raw_status="not_found")
        records = self.checked_as(_SearchAnswer, resp).data or []
        credits = float(len(records))  # 1 credit per record retrieved
        named = [r for r in records if r.first_name and r.last_name]
        hit = first_match(query.persona, named, lambda r: r.job_title)
        if hit is None:
            return self.miss(
                Field.PEOPLE, raw_status=f"{len(records)} records, none {query.persona.label}", credits=credits
            )
        return person_answer(
            self.name,
            query,
            first_name=(hit.first_name or "").title(),
            last_name=(hit.last_name or "").upper(),
            title=hit.job_title,
            credits=credits,
            raw_status=f"{len(records)} records",
            linkedin_url=hit.linkedin_url,
            email=hit.work_email,
            email_status=Status.RISKY if hit.work_email else None,  # PDL asserts no deliverability (§8.3)
            vendor_id=hit.id,
        )

    async def current_employer(self, query: EmployerQuery) -> Employment:
        """Re-check (doc §7.2): `GET /person/enrich` by LinkedIn profile, email or name + company,
        with `min_likelihood`; 1 credit per 200, a 404 is free. The current job is the flattened
        `job_*` fields; `experience[]` entries with an `end_date` are past jobs."""
        params = {
            "profile": _profile(query.linkedin_url),
            "email": query.email,
            "first_name": query.first_name,
            "last_name": query.last_name,
            "company": query.domain or query.company_name,
            "min_likelihood": MIN_LIKELIHOOD,
        }
        resp = await self.send("GET", "/person/enrich", params=params)
        if resp.status_code == 404:  # no match: not billed
            return Employment(self.name, False, raw_status="not_found")
        record = self.checked_as(_EnrichAnswer, resp).data
        if record is None:
            return Employment(self.name, False, raw_status="no_data", credits=1.0)
        changed = record.job_last_changed or record.job_last_updated
        current = (
            (
                Job(
                    record.job_company_name,
                    registrable(record.job_company_website),
                    record.job_title,
                    parse_month(record.job_start_date) or parse_month(changed),
                    linkedin_company=record.job_company_linkedin_url,
                ),
            )
            if record.job_company_name or record.job_company_website
            else ()
        )
        past = tuple(
            Job(
                e.company.name,
                registrable(e.company.website),
                e.title.name if isinstance(e.title, _Title) else e.title,
                parse_month(e.start_date),
                parse_month(e.end_date),
            )
            for e in record.experience or []
            if e.company is not None and e.end_date and not e.is_primary
        )
        return Employment(
            self.name,
            True,
            current,
            past,
            credits=1.0,
            raw_status="matched",
            evidence=(
                f"pdl person/enrich: job_company_name {record.job_company_name or '?'}, "
                f"job_last_changed {changed or '?'}, job_last_verified {record.job_last_verified or '?'}"
            ),
            extra={"pdl_id": record.id} if record.id else {},
        )


def _profile(url: str | None) -> str | None:
    """PDL takes `linkedin.com/in/<slug>` without a scheme (doc §7.1)."""
    if not url:
        return None
    return url.split("://", 1)[-1].removeprefix("www.").rstrip("/")
