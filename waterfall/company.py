"""The company-level waterfall: website domain, LinkedIn company page, switchboard phone and
headcount of each lead's company, from several vendors in order (doc §7.10), then the domain's
MX check, before the contact waterfall asks anything about a person there.

Per company (once per SIREN, however many leads share it), for each fact in `FACTS` order, the
`company.<fact>` chain of the configuration is walked until the fact is found: the domain first
(a lead that has one keeps it, source 'lead'), by the company's name and city (Hunter's domain
search, Lusha, PDL), then the other facts by domain (Apollo, Hunter Companies Find, Lusha, PDL).
One answer gives every fact its vendor has, so a fact an answer already paid for is kept from it
rather than asked again of the next vendor of its own chain. A vendor is asked at most once per
company and question (by name, then by domain).

Money and failure rules are the contact waterfall's: the cache first (`Field.COMPANY`, keyed by
domain or SIREN + name), every answer cached and journaled at once, each question within the run's
budget (its `max_credits.company` ceiling), through the same gate (rate limit, breaker) as that
account's contact questions. A fact whose chain could not be walked to the end (a failure, an open
circuit, the budget) is `unsure`: the row found by an earlier run stays in
`waterfall.company_profiles` instead of being erased.

Then the domain is checked (`waterfall.dns.MxResolver`): with no MX record the contact waterfall
asks no email question there (`Waterfall.mail_check`), and the reason is in the lead's
`enrichment_reason`, the profile (`mx` row) and the provenance.

`waterfall.company_profiles` (siren, field, value, provider, found_at, reason, run_id): one row per
company and fact, the current state; the contact waterfall takes its domain, the CRM files its
LinkedIn page, switchboard and headcount (firmo.crm.layouts). `waterfall.provenance` gets one row
per question (field `company`, the facts given in `raw_status`) and one per MX check (field `mx`).
"""

from __future__ import annotations

import asyncio
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

import duckdb
import httpx
import polars as pl
from polars.datatypes import DataTypeClass

from firmo.db import registered, transaction
from firmo.sqlfiles import load_sql
from waterfall.cache import AnswerCache
from waterfall.config import WaterfallConfig
from waterfall.dns import MxCheck, MxResolver
from waterfall.limits import CreditBudget, Gate
from waterfall.provenance import PROVENANCE_SCHEMA, ProviderStats
from waterfall.providers.base import Answer, CompanyQuery, Field, ProviderError, Status
from waterfall.providers.company import COMPANY_ADAPTERS, FACTS, CompanyProvider
from waterfall.providers.registry import NO_KEYS, PROVIDERS

PROFILE_SCHEMA: dict[str, pl.DataType | DataTypeClass] = {
    "siren": pl.String,
    "field": pl.String,
    "value": pl.String,
    "provider": pl.String,
    "found_at": pl.Datetime("us"),
    "reason": pl.String,
    "run_id": pl.String,
}
PROFILE_TABLE = "waterfall.company_profiles"
MX_FIELD = "mx"


@dataclass(frozen=True)
class Fact:
    field: str
    value: str
    provider: str  # vendor name, 'lead' (the lead list had it) or 'dns' (the MX check)
    found_at: datetime | None


@dataclass(frozen=True)
class Question:
    """One company question asked (or answered from the cache): a provenance row."""

    provider: str
    by: str  # 'name' or 'domain'
    answer: Answer | None
    from_cache: bool
    reason: str | None
    asked_at: datetime


@dataclass
class CompanyResult:
    query: CompanyQuery
    facts: dict[str, Fact] = field(default_factory=dict)
    questions: list[Question] = field(default_factory=list)
    unsure: set[str] = field(default_factory=set)  # facts whose chain could not be walked to the end
    notes: list[str] = field(default_factory=list)
    mx: MxCheck | None = None
    credits: float = 0.0

    @property
    def domain(self) -> str | None:
        fact = self.facts.get("domain")
        return fact.value if fact else None

    @property
    def mail_refused(self) -> str | None:
        """Why no email question may be asked at this company's domain, or None."""
        if self.mx is None or self.mx.accepts:
            return None
        return f"{self.mx.domain}: {self.mx.reason}"


class CompanyWaterfall:
    """One run's company step. `gates`: the contact engine's (one gate per account, shared);
    accounts it lacks get their own from `config`."""

    def __init__(
        self,
        config: WaterfallConfig,
        providers: Mapping[str, CompanyProvider],
        cache: AnswerCache,
        *,
        budget: CreditBudget,
        now: datetime,
        gates: dict[str, Gate] | None = None,
        resolver: MxResolver | None = None,
        concurrency: int = 16,
    ) -> None:
        self.config, self.providers, self.cache, self.budget = config, dict(providers), cache, budget
        self.now, self.resolver, self.concurrency = now, resolver, concurrency
        self.gates = gates if gates is not None else {}
        self._locks: dict[tuple[str, str], asyncio.Lock] = {}
        for name, provider in self.providers.items():
            gate = self.gates.setdefault(name, Gate(name, config.provider(name)))
            gate.bind(provider)

    async def _ask(self, res: CompanyResult, name: str, query: CompanyQuery) -> Answer | None:
        """One question, one at a time per (vendor, key): two companies sharing a domain ask it once."""
        async with self._locks.setdefault((name, query.key(Field.COMPANY)), asyncio.Lock()):
            return await self._ask_once(res, name, query)

    async def _ask_once(self, res: CompanyResult, name: str, query: CompanyQuery) -> Answer | None:
        provider, gate, key = self.providers[name], self.gates[name], query.key(Field.COMPANY)
        by = "domain" if query.domain else "name"
        entry = self.cache.get(name, Field.COMPANY, key)
        if entry is not None:
            res.questions.append(Question(name, by, entry.answer(), True, None, entry.fetched_at))
            return entry.answer()
        if gate.breaker.open:
            res.notes.append(f"{name} skipped: {gate.breaker.reason}")
            return None
        ceiling = gate.settings.cost_ceiling(Field.COMPANY)
        if not self.budget.reserve(ceiling, 0.0):
            res.notes.append("budget exhausted")
            return None
        charged = 0.0
        try:
            answer = await gate.call(lambda: provider.find_company(query))
            charged = answer.credits
        except ProviderError as exc:
            res.questions.append(Question(name, by, None, False, f"{type(exc).__name__}: {exc}", self.now))
            res.notes.append(f"{name}: {exc}")
            return None
        finally:
            self.budget.settle(name, ceiling, charged)
        res.credits += charged
        self.cache.put(answer, key, query.siren)
        res.questions.append(Question(name, by, answer, False, None, self.now))
        return answer

    def _take(self, res: CompanyResult, answer: Answer, found_at: datetime) -> None:
        for fact in FACTS:
            value = answer.extra.get(fact)
            if value and fact not in res.facts:
                res.facts[fact] = Fact(fact, str(value), answer.provider, found_at)

    async def profile(self, query: CompanyQuery) -> CompanyResult:
        res = CompanyResult(query)
        if query.domain:
            res.facts["domain"] = Fact("domain", query.domain.lower(), "lead", None)
        asked: set[tuple[str, str | None]] = set()
        failed: set[tuple[str, str | None]] = set()  # questions that failed or were skipped
        for fact in FACTS:
            chain = self.config.company_chain(fact)
            for name in chain:
                if fact in res.facts:
                    break
                provider = self.providers.get(name)
                if provider is None or fact not in provider.facts:
                    continue  # no key this run (the registry logged it)
                ask = replace(query, domain=res.domain)
                if provider.needs_domain and not ask.domain:
                    continue
                if (name, ask.domain) in asked:
                    if (name, ask.domain) in failed:  # it could have given this fact too
                        res.unsure.add(fact)
                    continue
                asked.add((name, ask.domain))
                answer = await self._ask(res, name, ask)
                if answer is None:
                    failed.add((name, ask.domain))
                    res.unsure.add(fact)
                elif answer.value is not None or answer.extra:
                    self._take(res, answer, res.questions[-1].asked_at)
            if fact not in res.facts and not any(n in self.providers for n in chain):
                res.unsure.add(fact)
        if res.domain and self.resolver is not None:
            res.mx = await self.resolver.check(res.domain)
            if res.mx.accepts:
                res.facts[MX_FIELD] = Fact(MX_FIELD, res.mx.value or "", "dns", self.now)
        return res

    async def run(self, queries: Sequence[CompanyQuery]) -> dict[str, CompanyResult]:
        """Every company's result by SIREN (each SIREN profiled once)."""
        unique = list({q.siren: q for q in queries}.values())
        results: dict[str, CompanyResult] = {}
        todo = iter(unique)

        async def worker() -> None:
            for query in todo:
                results[query.siren] = await self.profile(query)

        await asyncio.gather(*(worker() for _ in range(min(self.concurrency, len(unique)) or 1)))
        return results


def profile_frame(run_id: str, results: Mapping[str, CompanyResult], now: datetime) -> pl.DataFrame:
    rows: list[dict[str, Any]] = []
    for siren, res in sorted(results.items()):
        for fact in res.facts.values():
            rows.append({"siren": siren, "field": fact.field, "value": fact.value, "provider": fact.provider,
                         "found_at": fact.found_at, "reason": None, "run_id": run_id})  # fmt: skip
        if res.mx is not None and not res.mx.accepts:
            rows.append({"siren": siren, "field": MX_FIELD, "value": None, "provider": "dns", "found_at": now,
                         "reason": res.mx.reason, "run_id": run_id})  # fmt: skip
    return pl.DataFrame(rows, schema=PROFILE_SCHEMA)


def kept_frame(results: Mapping[str, CompanyResult]) -> pl.DataFrame:
    """(siren, field) pairs whose earlier profile row survives: the fact was not re-checked."""
    rows = [{"siren": s, "field": f} for s, r in results.items() for f in sorted(r.unsure) if f not in r.facts]
    return pl.DataFrame(rows, schema={"siren": pl.String, "field": pl.String})


def provenance_rows(run_id: str, icp: str | None, results: Mapping[str, CompanyResult], now: datetime) -> pl.DataFrame:
    """waterfall.provenance rows: each company question, and each MX check."""
    rows: list[dict[str, Any]] = []
    for siren, res in sorted(results.items()):
        for q in res.questions:
            a = q.answer
            given = ", ".join(f"{k}={v}" for k, v in sorted(a.extra.items())) if a is not None else ""
            rows.append(
                {
                    "run_id": run_id,
                    "icp": icp,
                    "siren": siren,
                    "field": Field.COMPANY.value,
                    "provider": q.provider,
                    "value": a.value if a else None,
                    "email": None,
                    "status": a.status.value if a else None,
                    "raw_status": f"by {q.by}: {a.raw_status}" + (f" ({given})" if given else "") if a else None,
                    "confidence": None,
                    "credits": a.credits if a else 0.0,
                    "from_cache": q.from_cache,
                    "reason": q.reason,
                    "asked_at": q.asked_at,
                }  # fmt: skip
            )
        if res.mx is not None:
            status = {True: Status.VALID, False: Status.INVALID, None: None}[res.mx.accepts]
            rows.append(
                {
                    "run_id": run_id,
                    "icp": icp,
                    "siren": siren,
                    "field": MX_FIELD,
                    "provider": "dns",
                    "value": res.mx.value,
                    "email": None,
                    "status": status.value if status else None,
                    "raw_status": res.mx.domain,
                    "confidence": None,
                    "credits": 0.0,
                    "from_cache": False,
                    "reason": res.mx.reason,
                    "asked_at": now,
                }  # fmt: skip
            )
    return pl.DataFrame(rows, schema=PROVENANCE_SCHEMA)


PROFILES_SQL = "waterfall/company_profiles_store"


def ensure_profiles(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("CREATE SCHEMA IF NOT EXISTS waterfall")
    con.execute(load_sql("waterfall/company_profiles_create"))


def store_profiles(
    con: duckdb.DuckDBPyConnection, run_id: str, results: Mapping[str, CompanyResult], now: datetime
) -> None:
    """Replace the profiled companies' rows of waterfall.company_profiles, keeping the earlier rows
    of facts this run could not re-check, in one transaction (enrich.py does it with the swap)."""
    ensure_profiles(con)
    sirens = pl.DataFrame({"siren": sorted(results)}, schema={"siren": pl.String})
    with (
        registered(con, "__wf_company_sirens", sirens),
        registered(con, "__wf_company_kept", kept_frame(results)),
        registered(con, "__wf_company_rows", profile_frame(run_id, results, now)),
        transaction(con),
    ):
        con.execute(load_sql(PROFILES_SQL))


def merge_stats(stats: ProviderStats, results: Mapping[str, CompanyResult]) -> ProviderStats:
    """The run's provider figures with the company questions added (ledger, report)."""
    questions, hits, cached = Counter(stats.questions), Counter(stats.hits), Counter(stats.cached)
    credits: defaultdict[str, float] = defaultdict(float, stats.credits)
    for res in results.values():
        for q in res.questions:
            if q.from_cache:
                cached[q.provider] += 1
                continue
            questions[q.provider] += 1
            if q.answer is not None:
                credits[q.provider] += q.answer.credits
                hits[q.provider] += bool(q.answer.extra)
    return ProviderStats(
        dict(questions), stats.calls, dict(hits), dict(cached), {k: round(v, 6) for k, v in credits.items() if v}
    )


def build_company_providers(
    config: WaterfallConfig,
    client_for: Any,
    env: Mapping[str, str] = NO_KEYS,
    base_urls: Mapping[str, str] | None = None,
) -> dict[str, CompanyProvider]:
    """The company adapters the `company` chains name whose vendor key is set (the same
    `FIRMO_<NAME>_API_KEY` as the vendor's contact adapter)."""
    names = dict.fromkeys(n for fact in FACTS for n in config.company_chain(fact))
    built: dict[str, CompanyProvider] = {}
    for name in names:
        spec = PROVIDERS[name]
        key = (env.get(spec.key_env or "") or "").strip()
        if not key:
            continue
        client: httpx.AsyncClient = client_for(name)
        built[name] = COMPANY_ADAPTERS[name](client, key, base_url=(base_urls or {}).get(name))
    return built
