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


class PdlProvider(HttpProvider):
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
