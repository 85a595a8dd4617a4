"""Enrich an ICP's lead list: `leads.<icp>` in, `leads.<icp>_enriched` out (the plain function
the Dagster asset calls).

Blocked leads (SIRENE diffusion status P, RNE opposition to commercial use, suppression list,
existing customers: doc §5) are refused before any paid call. P and opposition are read from the
registries' current state when the run starts (`firmo.compliance.prospecting.refusals`), not only from the
lead row: a unit may have turned P or opposed since its list was built.

Everything is then written together: the enriched table is built as staging and swapped in the
same transaction that appends the run's provenance and ledger row, so a crash leaves the previous
enriched list and no half-recorded run. The answer cache is flushed
before that (what we paid for is kept even if the swap fails), which also makes a re-run free.
People a provider reports as erased (HTTP 451) go through `firmo.compliance.forget`: suppressed, and
their rows deleted everywhere, the enriched list included.

Personas: when the ICP lists personas (`plan`), the engine's people step looks for them at the
company's domain before the email; a lead whose persona was found gets that person as its
contact (first and last name, title, LinkedIn URL), `contact_basis` 'persona' and its authority
re-graded with its fit, score and tier (firmo.icp.authority says why it happens here); `persona`,
`persona_source`, `contact_function` and `contact_seniority` say what was found.

Crash safety: every answer is appended to the run's answer journal before anything else is asked
(`waterfall.journal`); a journal a killed run left is merged into the cache (and that run's spend
into the ledger, as `interrupted`) when the next run starts, so a kill costs at most the questions
that were in flight.

A failed question never erases a value found earlier: when this run could not re-check a field
(every provider failed, a circuit was open, the budget ran out, no provider had a key), the lead
keeps the value the previous enriched list had for the same person, with its original source
and date, whatever its age (the 3-year retention purge still applies to that date). Only a
re-check that worked (providers answered, none found it) removes a value. The report and the
ledger (`kept_by_field`) say how many values were kept this way.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import duckdb
import httpx
import polars as pl
from polars.datatypes import DataTypeClass

from firmo import db
from firmo.compliance import prospecting
from firmo.compliance.forget import forget
from firmo.compliance.suppression import SuppressionIndex
from firmo.db import registered, utc_now
from firmo.icp.authority import AuthorityPlan, regrade
from firmo.icp.leads import CONTACT_COLUMNS, leads_table
from firmo.metadata import bar_chart, markdown_table
from firmo.sqlfiles import load_sql, quote_ident
from waterfall.cache import AnswerCache, ensure_tables
from waterfall.company import (
    PROFILES_SQL,
    CompanyResult,
    CompanyWaterfall,
    build_company_providers,
    ensure_profiles,
    kept_frame,
    merge_stats,
    profile_frame,
    provenance_rows,
)
from waterfall.config import WaterfallConfig, load_config
from waterfall.dns import MxResolver
from waterfall.engine import Found, LeadResult, Progress, Waterfall
from waterfall.journal import AnswerJournal, Recovered, journal_dir, recover
from waterfall.limits import CreditBudget
from waterfall.provenance import RECORD_SQL, ProviderStats, provenance_frame, run_frame
from waterfall.providers.base import CompanyQuery, Field, Person, Provider, Status
from waterfall.providers.company import CompanyProvider
from waterfall.providers.registry import NO_KEYS

ENRICHED_SCHEMA: dict[str, pl.DataType | DataTypeClass] = {
    # the company-level waterfall (waterfall.company): what the CRM files' company fields get
    "company_linkedin_url": pl.String,
    "company_phone": pl.String,
    "company_headcount": pl.String,
    "company_source": pl.String,  # 'linkedin_company: apollo (2026-01-15); ...' for the notes fields
    "website_domain": pl.String,
    "domain_source": pl.String,
    "email": pl.String,
    "email_status": pl.String,
    "email_source": pl.String,
    "email_found_at": pl.Datetime("us"),
    "phone": pl.String,
    "phone_type": pl.String,
    "phone_source": pl.String,
    "phone_found_at": pl.Datetime("us"),
    "enrichment_reason": pl.String,
    # the people step (engine._people): which persona was found, by whom, what the title says
    "persona": pl.String,
    "persona_source": pl.String,
    "contact_function": pl.String,
    "contact_seniority": pl.String,
    "linkedin_url": pl.String,
    "linkedin_source": pl.String,  # the provider that gave it, or 'lead' (the person's own profile)
    "linkedin_found_at": pl.Datetime("us"),  # for the 3-year retention (firmo.compliance.retention)
}
FUNNEL = ("leads", "not blocked", "domain found", "email found", "email valid", "phone found")


def enriched_table(icp_name: str) -> str:
    return leads_table(icp_name) + "_enriched"


def block_reason(
    lead: Mapping[str, Any], index: SuppressionIndex | None, registry: Mapping[str, str] | None = None
) -> str | None:
    """Why this lead must not be enriched (nor prospected), or None. `registry`: SIREN -> refusal
    from the registries' current state (SIRENE P, RNE opposition), `prospecting.refusals`."""
    if str(lead.get("statut_diffusion") or "").strip().upper() == "P":
        return prospecting.P_REASON
    refused = (registry or {}).get(str(lead.get("siren") or ""))
    if refused:
        return refused
    return index.reason(lead) if index is not None else None


def person_of(lead: Mapping[str, Any]) -> Person:
    return Person(
        siren=str(lead["siren"]),
        company_name=str(lead.get("company_name") or ""),
        first_name=lead.get("first_name"),
        last_name=lead.get("last_name"),
        domain=lead.get("website_domain") or None,
        job_title=lead.get("job_title"),
        city=lead.get("city"),
        linkedin_url=lead.get("linkedin_url") or None,  # known on input: the vendors are asked with it
    )


@dataclass(frozen=True)
class EnrichReport:
    icp: str
    table: str
    run_id: str
    funnel: dict[str, int]  # FUNNEL order
    forgotten: int
    stats: ProviderStats
    breakers: dict[str, str]  # provider -> why it was skipped for the rest of the run
    seconds: float
    kept: dict[str, int] = field(default_factory=dict)  # field -> earlier values kept (re-check failed)
    unsure: int = 0  # leads with at least one field this run could not re-check
    calls_after_open: dict[str, int] = field(default_factory=dict)  # provider -> requests after its circuit opened
    recovered: Recovered = Recovered()  # what killed runs had paid for, merged at this start
    paced_calls: dict[str, int] = field(default_factory=dict)  # provider -> requests that took a rate-limit slot

    @property
    def credits(self) -> float:
        return round(sum(self.stats.credits.values()), 6)

    def providers_markdown(self) -> str:
        names = sorted(set(self.stats.questions) | set(self.stats.cached) | set(self.stats.calls) | set(self.breakers))
        rows = []
        for n in names:
            rate = self.stats.hit_rate(n)
            rows.append(
                (
                    n,
                    self.stats.questions.get(n, 0),
                    self.stats.calls.get(n, 0),
                    self.stats.hits.get(n, 0),
                    "" if rate is None else f"{rate:.0%}",
                    self.stats.cached.get(n, 0),
                    float(self.stats.credits.get(n, 0.0)),
                    self.breakers.get(n, ""),
                )
            )
        return markdown_table(
            ("provider", "questions", "calls", "hits", "hit rate", "from cache", "credits", "circuit open"), rows
        )

    def funnel_markdown(self) -> str:
        return bar_chart(list(self.funnel.items()), title="coverage")

    def metadata(self) -> dict[str, Any]:
        """Plain values and markdown strings; the asset wraps the markdown in MetadataValue.md."""
        return {
            "run_id": self.run_id,
            "table": self.table,
            "leads": self.funnel["leads"],
            "blocked": self.funnel["leads"] - self.funnel["not blocked"] - self.forgotten,
            "forgotten": self.forgotten,
            "credits": self.credits,
            "seconds": round(self.seconds, 2),
            "not re-checked (leads)": self.unsure,
            "kept from the previous list": ", ".join(f"{k} {v}" for k, v in sorted(self.kept.items())) or "none",
            "calls after a circuit opened": sum(self.calls_after_open.values()),
            "recovered from killed runs": f"{self.recovered.answers} answers, {self.recovered.credits:g} credits",
            "providers": self.providers_markdown(),
            "coverage": self.funnel_markdown(),
        }


def _company_columns(profile: CompanyResult | None) -> dict[str, Any]:
    facts = profile.facts if profile is not None else {}
    named = (("linkedin_company", "company_linkedin_url"), ("switchboard_phone", "company_phone"),
             ("headcount", "company_headcount"))  # fmt: skip
    sources = [
        f"{fact}: {facts[fact].provider}" + (f" ({facts[fact].found_at:%Y-%m-%d})" if facts[fact].found_at else "")
        for fact, _ in named
        if fact in facts
    ]
    return {column: facts[fact].value if fact in facts else None for fact, column in named} | {
        "company_source": "; ".join(sources) or None
    }


def _columns(res: LeadResult, profile: CompanyResult | None = None) -> dict[str, Any]:
    d, e, p = res.domain, res.email, res.phone
    return _company_columns(profile) | {
        "website_domain": d.value if d else None,
        "domain_source": d.source if d else None,
        "email": e.value if e else None,
        "email_status": e.status.value if e else None,
        "email_source": e.source if e else None,
        "email_found_at": e.found_at if e else None,
        "phone": p.value if p else None,
        "phone_type": p.extra.get("phone_type") if p else None,
        "phone_source": p.source if p else None,
        "phone_found_at": p.found_at if p else None,
        "enrichment_reason": res.reason,
        "persona": _persona_label(res),
        "persona_source": res.persona.source if res.persona else None,
        "contact_function": res.persona.extra.get("function") if res.persona else None,
        "contact_seniority": res.persona.extra.get("seniority") if res.persona else None,
        "linkedin_url": res.linkedin.value if res.linkedin else None,
        "linkedin_source": res.linkedin.source if res.linkedin else None,
        "linkedin_found_at": res.linkedin.found_at if res.linkedin else None,
    }


def _persona_label(res: LeadResult) -> str | None:
    if res.persona is None:
        return None
    return f"{res.persona.extra.get('function')} #{res.persona_priority}"


def persona_overrides(lead: Mapping[str, Any], res: LeadResult, plan: AuthorityPlan | None) -> dict[str, Any]:
    """The lead columns a found persona changes: the contact (names, title) and the authority
    re-graded (firmo.icp.authority.regrade: contact_basis 'persona', fit, score, tier, BANT)."""
    if res.persona is None or plan is None or res.persona_priority is None:
        return {}
    p = res.person
    title = res.persona.extra.get("title")
    return {
        "first_name": p.first_name,
        "last_name": p.last_name,
        "job_title": title,
        "officer_kind": "person",
        **regrade(lead, plan, res.persona_priority, title),
    }


def _apply_overrides(frame: pl.DataFrame, overrides: list[dict[str, Any]]) -> pl.DataFrame:
    """`frame` with each row's overridden values (columns the lead list does not have are skipped)."""
    cols = sorted({c for o in overrides for c in o if c in frame.columns})
    if not cols:
        return frame
    return frame.with_columns(
        [
            pl.Series(
                c, [o.get(c, v) for o, v in zip(overrides, frame[c].to_list(), strict=True)], dtype=frame.schema[c]
            )
            for c in cols
        ]
    )


_KEPT_COLUMNS = {
    Field.DOMAIN: ("website_domain", "domain_source", None, None),
    Field.EMAIL: ("email", "email_source", "email_found_at", "email_status"),
    Field.PHONE: ("phone", "phone_source", "phone_found_at", None),
}


def _norm(value: Any) -> str:
    return " ".join(str(value or "").lower().split())


def keep_earlier(
    con: duckdb.DuckDBPyConnection,
    table: str,
    results: list[LeadResult],
    is_blocked: Callable[[Person, Mapping[str, str]], str | None],
) -> dict[str, int]:
    """Give back to each lead the earlier value of every field this run could not re-check
    (`LeadResult.unsure`), from the published `table`, when it was found for the same person (same
    SIREN and name) and is not blocked now; returns field -> values kept. See the module docstring."""
    todo = [r for r in results if r.unsure and not r.blocked and not r.forgotten]
    if not todo or not db.table_exists(con, table):
        return {}
    cols = ("siren", "first_name", "last_name", *CONTACT_COLUMNS)
    frame = pl.DataFrame({"siren": sorted({r.person.siren for r in todo})}, schema={"siren": pl.String})
    with registered(con, "__wf_unsure", frame):
        rows = con.execute(
            f"SELECT {', '.join(cols)} FROM {quote_ident(table)} WHERE siren IN (SELECT siren FROM __wf_unsure)"
        ).fetchall()
    earlier = {r[0]: dict(zip(cols, r, strict=True)) for r in rows}
    kept: dict[str, int] = {}
    for res in todo:
        prev, person = earlier.get(res.person.siren), res.person
        if prev is None or (_norm(prev["first_name"]), _norm(prev["last_name"])) != (
            _norm(person.first_name),
            _norm(person.last_name),
        ):
            continue  # another person now (or never enriched): nothing of theirs to keep
        for what in (Field.DOMAIN, Field.EMAIL, Field.PHONE):
            value_col, source_col, at_col, status_col = _KEPT_COLUMNS[what]
            attr = what.value
            if what not in res.unsure or getattr(res, attr) is not None or not prev[value_col]:
                continue
            if is_blocked(person, {value_col: prev[value_col]}):
                continue
            status = Status(prev[status_col]) if status_col and prev[status_col] else Status.VALID
            extra = {"phone_type": prev["phone_type"]} if what is Field.PHONE and prev["phone_type"] else {}
            found = Found(
                prev[value_col],
                status,
                prev[source_col] or "earlier run",
                prev[at_col] if at_col else None,
                extra={**extra, "kept": True},
            )
            setattr(res, attr, found)
            when = f", found {found.found_at:%Y-%m-%d}" if found.found_at else ""
            mine = [i for i, n in enumerate(res.notes) if n.startswith(f"{attr}: ")]
            why = "; ".join(res.notes[i].removeprefix(f"{attr}: ") for i in mine)
            note = f"{attr}: kept the earlier value ({found.source}{when}), this run could not re-check it"
            at = mine[0] if mine else len(res.notes)
            res.notes = [n for i, n in enumerate(res.notes) if i not in mine]
            res.notes.insert(at, note + (f": {why}" if why else ""))
            kept[attr] = kept.get(attr, 0) + 1
    return kept


def funnel_counts(results: list[LeadResult]) -> dict[str, int]:
    ok = [r for r in results if not r.blocked and not r.forgotten]
    return dict(
        zip(
            FUNNEL,
            (
                len(results),
                len(ok),
                sum(r.domain is not None for r in ok),
                sum(r.email is not None for r in ok),
                sum(r.email is not None and r.email.status is Status.VALID for r in ok),
                sum(r.phone is not None for r in ok),
            ),
            strict=True,
        )
    )


async def enrich_leads(
    con: duckdb.DuckDBPyConnection,
    icp_name: str,
    config: WaterfallConfig,
    providers: Mapping[str, Provider],
    *,
    now: datetime | None = None,
    run_id: str | None = None,
    progress: Progress | None = None,
    plan: AuthorityPlan | None = None,
    company_providers: Mapping[str, CompanyProvider] | None = None,
    resolver: MxResolver | None = None,
    **engine_kw: Any,
) -> EnrichReport:
    """Enrich leads.<icp> into leads.<icp>_enriched; see the module docstring. `plan` (the ICP's
    personas and scoring, firmo.icp.authority.AuthorityPlan.of) turns the people step on.
    `company_providers` and `resolver`: the company step (waterfall.company) and its MX check;
    without a resolver no domain is checked (unit tests of the contact chains)."""
    started = time.perf_counter()
    now = utc_now(now).replace(microsecond=0)
    source, target = leads_table(icp_name), enriched_table(icp_name)
    run_id = run_id or f"{icp_name}-{now:%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}"
    ensure_tables(con)
    leads = con.sql(f"SELECT * FROM {quote_ident(source)} ORDER BY rank").pl()
    rows = leads.to_dicts()
    index = SuppressionIndex.load(con)
    by_siren = {str(r["siren"]): r for r in rows}
    registry = prospecting.refusals(con, by_siren, strict=False)
    people = [person_of(r) for r in rows]

    def is_blocked(person: Person, found: Mapping[str, str]) -> str | None:
        return block_reason({**by_siren[person.siren], **found}, index, registry)

    recovered = recover(con)  # answers a killed run paid for, before anything is asked again
    where = journal_dir(con)
    journal = AnswerJournal(where, run_id, icp_name, now).open() if where is not None else None
    published = False
    try:
        cache = AnswerCache(con, now, config.ttl, journal=journal)
        cache.preload(by_siren)
        budget = CreditBudget(config.budget.per_run, config.budget.per_lead)
        forgotten: dict[str, str] = {}
        engine = Waterfall(
            config,
            providers,
            cache,
            budget=budget,
            is_blocked=is_blocked,
            now=now,
            on_forgotten=lambda p, why: forgotten.setdefault(p.siren, why),
            personas=plan.personas if plan is not None else (),
            **engine_kw,
        )
        company = CompanyWaterfall(
            config, company_providers or {}, cache, budget=budget, now=now, gates=engine.gates, resolver=resolver
        )
        profiles = await company.run(
            [CompanyQuery(p.siren, p.company_name, p.domain, p.city) for p in people if not is_blocked(p, {})]
        )
        engine.company_domains = {
            siren: Found(f.value, Status.VALID, f.provider, f.found_at)
            for siren, r in profiles.items()
            if (f := r.facts.get("domain")) is not None and f.provider != "lead"
        }
        if resolver is not None:
            engine.mail_check = _mail_check(resolver)
        results = await engine.run(people, progress=progress)
        stats = merge_stats(ProviderStats.of(results, engine.calls()), profiles)
        unsure = sum(1 for r in results if r.unsure and not r.blocked and not r.forgotten)
        kept = keep_earlier(con, target, results, is_blocked)
        extra = pl.DataFrame([_columns(r, profiles.get(r.person.siren)) for r in results], schema=ENRICHED_SCHEMA)
        lead_part = _apply_overrides(
            leads, [persona_overrides(r, res, plan) for r, res in zip(rows, results, strict=True)]
        )
        enriched = pl.concat([lead_part.drop("website_domain"), extra], how="horizontal")
        enriched = enriched.filter(pl.Series([not r.forgotten for r in results], dtype=pl.Boolean))
        funnel = funnel_counts(results)
        blocked = funnel["leads"] - funnel["not blocked"] - len(forgotten)
        finished = now + timedelta(seconds=time.perf_counter() - started)
        provenance = pl.concat(
            [provenance_frame(run_id, icp_name, results), provenance_rows(run_id, icp_name, profiles, now)]
        )
        failed = sum(1 for r in results for a in r.attempts if a.status is None)
        breakers = engine.breaker_report()
        run = run_frame(
            run_id,
            icp_name,
            now,
            finished,
            len(results),
            blocked,
            stats,
            breakers=breakers,
            kept=kept,
            failed_questions=failed,
        )
        db.drop_staging(con, target)
        ensure_profiles(con)
        company_sirens = pl.DataFrame({"siren": sorted(profiles)}, schema={"siren": pl.String})
        with (
            registered(con, "__wf_enriched", enriched),
            registered(con, "__wf_provenance", provenance),
            registered(con, "__wf_run", run),
            registered(con, "__wf_company_sirens", company_sirens),
            registered(con, "__wf_company_kept", kept_frame(profiles)),
            registered(con, "__wf_company_rows", profile_frame(run_id, profiles, now)),
        ):
            con.execute(f"CREATE TABLE {quote_ident(db.staging_name(target))} AS SELECT * FROM __wf_enriched")
            db.publish(con, [target], also=[load_sql(RECORD_SQL), load_sql(PROFILES_SQL)])
        for siren, why in sorted(forgotten.items()):
            forget(con, siren, now=now, reason=f"provider legal signal: {why}", source="waterfall")
        published = True
    finally:
        if journal is not None:  # kept (for the next start to recover) unless everything is published
            journal.close(remove=published)
    return EnrichReport(
        icp_name,
        target,
        run_id,
        funnel,
        len(forgotten),
        stats,
        engine.breakers(),
        time.perf_counter() - started,
        kept,
        unsure,
        {n: int(b["calls_after_open"]) for n, b in breakers.items()},
        recovered,
        engine.paced_calls(),
    )


def _mail_check(resolver: MxResolver) -> Callable[[str], Any]:
    """The engine's `mail_check`: None when the domain has an MX, else (reason, lookup failed)."""

    async def check(domain: str) -> tuple[str, bool] | None:
        mx = await resolver.check(domain)
        return None if mx.accepts else (f"{mx.domain}: {mx.reason}", mx.accepts is None)

    return check


def build_providers(
    config: WaterfallConfig,
    client: httpx.AsyncClient | Callable[[str], httpx.AsyncClient],
    env: Mapping[str, str] = NO_KEYS,
    base_urls: Mapping[str, str] | None = None,
    **kw: Any,
) -> dict[str, Provider]:
    """Every provider the configuration names whose key is set (registry.build_provider); `pattern`
    gets the first available provider of the verify chain as its verifier. `client` may be one
    shared client or a function giving each provider its own (see `run_enrichment`)."""
    from waterfall.providers.registry import build_provider

    client_for = client if callable(client) and not isinstance(client, httpx.AsyncClient) else (lambda _: client)
    base_urls = base_urls or {}
    names = list(dict.fromkeys(n for what in config.order for n in config.chain(what)))
    built: dict[str, Provider] = {}
    for name in [n for n in names if n != "pattern"]:
        settings = config.provider(name)
        polling = {"poll_interval": settings.poll_interval_s, "poll_timeout": settings.poll_timeout_s, **kw}
        provider = build_provider(name, client_for(name), env, base_urls.get(name), **polling)
        if provider is not None:
            built[name] = provider
    if "pattern" in names:
        verifier = next((built[n] for n in config.chain(Field.VERIFY) if n in built), None)
        built["pattern"] = build_provider("pattern", client_for("pattern"), env, verifier=verifier)  # type: ignore[assignment]
    return built


def run_enrichment(
    con: duckdb.DuckDBPyConnection,
    icp_name: str,
    config: WaterfallConfig | None = None,
    *,
    env: Mapping[str, str] = NO_KEYS,
    base_urls: Mapping[str, str] | None = None,
    now: datetime | None = None,
    run_id: str | None = None,
    progress: Progress | None = None,
    http_timeout: float = 60.0,
    plan: AuthorityPlan | None = None,
    resolver: MxResolver | None = None,
) -> EnrichReport:
    """Synchronous entry point for the Dagster asset and the CLI: builds the providers from the
    keys in `env` (`FIRMO_<NAME>_API_KEY` -> key, given by the caller: the providers resource)
    inside the event loop, then runs `enrich_leads`.

    Each provider gets its own HTTP client sized to its configured concurrency: one big shared
    pool costs httpcore O(connections) work per request and was the bottleneck in the benchmark.
    """
    config = config or load_config(env=env)

    async def main() -> EnrichReport:
        async with contextlib.AsyncExitStack() as stack:

            def client_for(name: str) -> httpx.AsyncClient:
                size = config.provider(name).concurrency
                client = httpx.AsyncClient(
                    timeout=http_timeout, limits=httpx.Limits(max_connections=size, max_keepalive_connections=size)
                )
                stack.push_async_callback(client.aclose)
                return client

            providers = build_providers(config, client_for, env, base_urls)
            company = build_company_providers(config, client_for, env, base_urls)
            return await enrich_leads(
                con,
                icp_name,
                config,
                providers,
                now=now,
                run_id=run_id,
                progress=progress,
                plan=plan,
                company_providers=company,
                resolver=resolver,
            )

    return asyncio.run(main())
