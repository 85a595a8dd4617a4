"""Job-change re-checks (doc §7): ask the vendors that return a person's current employer about the
people enriched (or read back from the CRM) more than `recheck_days` ago, within a monthly credit
budget of its own, cheapest vendor first, and turn what they say into dated outcomes with evidence.

Why a module of its own and not more questions in the waterfall: the waterfall finds data once per
lead list; a re-check asks again about people we already hold, on a schedule, on another budget,
and its answers are signals about two companies (the one they left, the one they joined) and a
retirement of the old contact data, not a contact value.

Outcomes (`waterfall.job_changes`, read by firmo/sql/signals/from_job_changes.sql):
  - job_change_left: the person is no longer at the company we hold (a seat to fill there);
  - job_change_joined: they are at another company, matched to a SIREN by domain, then by name and
    place; `relation` says it was a contact of a customer or of an open deal (a warm lead);
  - promotion: a new role at the same company: the vendor's title names another function or a
    higher seniority than the title we hold (`role_changed`); a rewording of the same role is none;
  - may_have_left: no vendor knew the person, and an address that verified `valid` now bounces (weak,
    doc §7.9: a departure is not claimed on it, nothing is retired).
A departure retires the old contact data (`firmo.compliance.retired`): the export never sends that
person or address again for the old company.

Who answers: every built provider whose class declares `returns_employer`
(`waterfall.providers.employment.EmployerCheck`), sorted by its `recheck_credits` (then name): a
new adapter slots in by declaring it. The first vendor that knows the person decides; an employer
the vendor lists among several current ones is still ours (an additional role, doc §7.1).
"""

from __future__ import annotations

import asyncio
import contextlib
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any

import duckdb
import httpx

from firmo import db, personas
from firmo.compliance.retired import PREFIX, Retirement, retire
from firmo.sqlfiles import load_sql
from waterfall.providers.base import AuthFailed, ProviderError, QuotaExhausted, Status
from waterfall.providers.employment import EmployerQuery, Employment, Job, registrable

KINDS = ("job_change_left", "job_change_joined", "promotion", "may_have_left")
_LEGAL = {"sas", "sa", "sarl", "sasu", "eurl", "sci", "snc", "groupe", "group", "the", "ste", "societe"}
_RANK = {"staff": 1, "manager": 2, "head": 3}  # firmo.personas seniorities, 'unknown' left out


def fold(text: str | None) -> str:
    """Lower case, no accents, punctuation as spaces: how names are compared."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    plain = "".join(c if c.isalnum() else " " for c in decomposed if not unicodedata.combining(c))
    return " ".join(plain.lower().split())


def company_key(name: str | None) -> str:
    """A company name without legal-form words: 'ACME SAS' and 'Acme' compare equal."""
    return " ".join(w for w in fold(name).split() if w not in _LEGAL)


@dataclass(frozen=True)
class Subject:
    """A person we hold at a company: what a re-check compares the vendor's answer with."""

    siren: str
    company_name: str | None
    first_name: str | None
    last_name: str | None
    domain: str | None
    email: str | None
    email_status: str | None  # what the waterfall (or the CRM) said about the address
    title: str | None
    enriched_at: datetime | None
    linkedin_url: str | None = None
    origin: str = "icp"  # 'icp:<name>' | 'crm'

    @property
    def key(self) -> str:
        if fold(self.first_name) and fold(self.last_name):
            return f"{self.siren}|{fold(self.first_name)}|{fold(self.last_name)}"
        return f"{self.siren}|{(self.email or '').lower()}"

    def query(self) -> EmployerQuery:
        return EmployerQuery(
            self.first_name,
            self.last_name,
            self.company_name,
            self.domain,
            self.email,
            self.linkedin_url,
            self.enriched_at.date() if self.enriched_at else None,
        )


@dataclass(frozen=True)
class Outcome:
    kind: str  # KINDS
    subject: Subject
    provider: str
    change_date: date
    evidence: str
    new: Job | None = None
    new_siren: str | None = None
    siren_match: str | None = None
    relation: str | None = None


@dataclass
class Asked:
    """One question of the ledger (waterfall.rechecks)."""

    subject: Subject
    provider: str
    outcome: str
    credits: float


@dataclass
class RecheckReport:
    due: int = 0  # people due (enriched or last checked more than recheck_days ago)
    checked: int = 0  # people at least one vendor was asked about
    not_reached: int = 0  # due, not asked: the month's budget was spent
    budget: float = 0.0
    spent_before: float = 0.0  # this month, before this run
    credits: float = 0.0  # this run
    credits_by_provider: dict[str, float] = field(default_factory=dict)
    outcomes: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    retired: int = 0
    providers: list[str] = field(default_factory=list)  # the re-check order used
    skipped_providers: dict[str, str] = field(default_factory=dict)  # provider -> why dropped this run

    def metadata(self) -> dict[str, Any]:
        return {
            "due": self.due,
            "checked": self.checked,
            "not reached (budget)": self.not_reached,
            "monthly budget": self.budget,
            "spent this month before the run": round(self.spent_before, 2),
            "credits": round(self.credits, 2),
            "order": ", ".join(self.providers) or "none",
            **{k: v for k, v in self.outcomes.items()},
            "retired contacts": self.retired,
        }


def ensure_tables(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("CREATE SCHEMA IF NOT EXISTS waterfall")
    con.execute(load_sql("waterfall/create_recheck_tables"))


def employer_order(providers: Mapping[str, Any]) -> list[Any]:
    """The providers that return a person's current employer, cheapest re-check first."""
    able = [p for p in providers.values() if getattr(p, "returns_employer", False)]
    return sorted(able, key=lambda p: (float(p.recheck_credits), p.name))


# -- who is due ------------------------------------------------------------------------------------
def due(
    con: duckdb.DuckDBPyConnection, subjects: Iterable[Subject], *, as_of: datetime, recheck_days: int
) -> list[Subject]:
    """The subjects enriched and last re-checked more than `recheck_days` before `as_of`, oldest
    first (the budget goes to the stalest data), one per person."""
    ensure_tables(con)
    last = dict(con.execute(load_sql("waterfall/recheck_last_checked")).fetchall())
    cutoff = as_of - timedelta(days=recheck_days)
    seen: dict[str, Subject] = {}
    for s in subjects:
        stamp = max([t for t in (s.enriched_at, last.get(s.key)) if t is not None], default=None)
        if stamp is not None and stamp > cutoff:
            continue
        if s.key not in seen:
            seen[s.key] = s
    return sorted(seen.values(), key=lambda s: (s.enriched_at or datetime.min, s.key))


def subjects_from_leads(con: duckdb.DuckDBPyConnection, table: str, origin: str) -> list[Subject]:
    """The people of an enriched lead list (leads.<icp>_enriched) with a name or an address."""
    if not db.table_exists(con, table):
        return []
    cols = db.columns_of(con, table)
    rows = con.execute(f"SELECT * FROM {table}").fetchall()  # noqa: S608 - table validated by table_exists
    names = [d[0] for d in con.description or []]
    out = []
    for raw in rows:
        r = dict(zip(names, raw, strict=True))
        if not r.get("siren") or not (r.get("email") or (r.get("first_name") and r.get("last_name"))):
            continue
        out.append(
            Subject(
                str(r["siren"]),
                r.get("company_name"),
                r.get("first_name"),
                r.get("last_name"),
                registrable(r.get("website_domain")) or registrable(r.get("email")),
                r.get("email"),
                r.get("email_status"),
                r.get("job_title") if "job_title" in cols else None,
                r.get("email_found_at") or r.get("lead_updated_at"),
                r.get("linkedin_url"),
                origin,
            )
        )
    return out


def subjects_from_crm(con: duckdb.DuckDBPyConnection, known: Sequence[Subject] = ()) -> list[Subject]:
    """The contacts read back from the CRMs (exports.crm_contacts): an address and a SIREN; name,
    title and company from the enriched lead that had the same address, when there was one."""
    if not db.table_exists(con, "exports.crm_contacts"):
        return []
    by_email = {(s.email or "").lower(): s for s in known if s.email}
    out = []
    for email, siren, stamp in con.execute(load_sql("waterfall/recheck_crm_contacts")).fetchall():
        lead = by_email.get(email.lower())
        if lead is not None and lead.siren == siren:
            out.append(replace(lead, enriched_at=min(t for t in (lead.enriched_at, stamp) if t), origin="crm"))
        else:
            out.append(Subject(siren, None, None, None, registrable(email), email, None, None, stamp, origin="crm"))
    return out


# -- what an answer means --------------------------------------------------------------------------
def role_changed(held: str | None, now: str | None) -> bool:
    """Whether the title a vendor gives now names another role than the one we hold: a promotion.

    Why not "the titles differ": vendors write the same role their own way. The title we hold
    often comes from the registry ("Gérant", "Président"), the vendor's from a profile ("GERANT",
    "CEO", "Managing Director", "Directrice générale"), and a text comparison counted each such
    rewording as a promotion (a signal, a re-score and an alert about nothing). So both titles are
    read with `firmo.personas.classify`, the mapping the people search and the scoring use (French
    and English, abbreviations, feminine forms), and a role changed when:
      - both name functions and the sets differ ("Gérant" -> "Directeur commercial", "DAF" ->
        "DAF et DRH": a new responsibility), or
      - the seniority rose (staff < manager < head: "Responsable commercial" -> "Directeur
        commercial").
    Not a promotion: the same function and seniority in other words ("Gérant" -> "Directeur
    général", "CEO" -> "Président", "DAF" -> "Directrice financière"); a lower seniority in the
    same function (a vendor's shorter or stale title, "Directeur commercial" -> "Responsable",
    is no new decision maker); a title the rules cannot read at all (no function, no seniority:
    a rewording cannot be told from a change, so none is claimed). A side without functions
    ("Responsable") compares on seniority alone."""
    if not held or not now or fold(held) == fold(now):
        return False
    was, new = personas.classify(held), personas.classify(now)
    if not (was.functions or was.seniority in _RANK) or not (new.functions or new.seniority in _RANK):
        return False  # unreadable: a rewording cannot be told from a change
    if was.functions and new.functions and set(was.functions) != set(new.functions):
        return True
    return _RANK.get(new.seniority, 0) > _RANK.get(was.seniority, 0) > 0


def _same_employer(subject: Subject, job: Job) -> bool:
    held, theirs = registrable(subject.domain), registrable(job.domain)
    if theirs and held:
        return theirs == held
    return bool(company_key(job.company_name)) and company_key(job.company_name) == company_key(subject.company_name)


def classify(subject: Subject, answer: Employment, today: date) -> list[Outcome]:
    """Outcomes of one vendor's answer about `subject` (empty: no change, or the vendor cannot tell)."""
    ours = next((j for j in answer.current if _same_employer(subject, j)), None)
    if ours is not None:  # still there (perhaps among several current roles: no departure)
        if role_changed(subject.title, ours.title):
            evidence = f"{answer.evidence}; title {subject.title!r} -> {ours.title!r}"
            return [Outcome("promotion", subject, answer.provider, ours.since or today, evidence, ours)]
        return []
    ended = next((j for j in answer.past if _same_employer(subject, j)), None)
    new = answer.primary
    if new is None and ended is None:
        return []  # no current employer and ours not listed as ended: unknown, not a change
    left_on = (ended.until if ended else None) or (new.since if new else None) or today
    evidence = answer.evidence + (f"; {subject.company_name or subject.domain} ended {left_on:%Y-%m}" if ended else "")
    out = [Outcome("job_change_left", subject, answer.provider, left_on, evidence, new)]
    if new is not None:
        out.append(Outcome("job_change_joined", subject, answer.provider, new.since or left_on, evidence, new))
    return out


# -- the questions ---------------------------------------------------------------------------------
class _Budget:
    """What is left of the month's credits, shared by the questions in flight. A question reserves
    the most it can cost; when that is more than what is left while others are in flight, it waits
    for their answers (a miss is often free, so their reservation comes back) instead of giving up."""

    def __init__(self, left: float) -> None:
        self.left = left
        self.outstanding = 0
        self._changed = asyncio.Condition()

    async def reserve(self, amount: float) -> bool:
        async with self._changed:
            while self.left + 1e-9 < amount:
                if self.outstanding == 0:
                    return False
                await self._changed.wait()
            self.left -= amount
            self.outstanding += 1
            return True

    async def settle(self, reserved: float, spent: float) -> None:
        async with self._changed:
            self.left += reserved - spent
            self.outstanding -= 1
            self._changed.notify_all()


async def ask_all(
    subjects: Sequence[Subject],
    providers: Mapping[str, Any],
    *,
    budget: float,
    today: date,
    verifier: Any | None = None,
    concurrency: int = 16,
    report: RecheckReport | None = None,
) -> tuple[list[Outcome], list[Asked], RecheckReport]:
    """Ask about each subject, vendor after vendor (cheapest first) until one knows the person,
    never past `budget`; then, for a person no vendor knew whose address was `valid`, the verifier
    (the weak 'may have left'). A vendor out of credits or with a bad key is dropped for the run."""
    report = report or RecheckReport()
    order = employer_order(providers)
    report.providers = [p.name for p in order]
    wallet, dropped = _Budget(budget), report.skipped_providers
    outcomes: list[Outcome] = []
    asked: list[Asked] = []
    gate = asyncio.Semaphore(concurrency)

    async def one(subject: Subject) -> None:
        async with gate:
            reached, knew = False, False
            for provider in order:
                if provider.name in dropped:
                    continue
                cost = float(provider.recheck_credits)
                if not await wallet.reserve(cost):
                    break
                reached = True
                try:
                    answer: Employment = await provider.current_employer(subject.query())
                except (QuotaExhausted, AuthFailed) as exc:
                    await wallet.settle(cost, 0.0)
                    dropped.setdefault(provider.name, str(exc))
                    continue
                except ProviderError as exc:
                    await wallet.settle(cost, 0.0)
                    asked.append(Asked(subject, provider.name, f"failed: {type(exc).__name__}", 0.0))
                    continue
                await wallet.settle(cost, answer.credits)
                if not answer.known:
                    asked.append(Asked(subject, provider.name, "unknown", answer.credits))
                    continue
                knew = True
                found = classify(subject, answer, today)
                outcomes.extend(found)
                asked.append(Asked(subject, provider.name, found[0].kind if found else "no_change", answer.credits))
                break
            if not knew and verifier is not None and subject.email and subject.email_status == Status.VALID.value:
                cost = 0.5  # doc §7.9: Hunter's verifier, unified credits
                if await wallet.reserve(cost):
                    reached = True
                    try:
                        verdict = await verifier.verify_email(subject.email)
                    except ProviderError as exc:
                        await wallet.settle(cost, 0.0)
                        asked.append(Asked(subject, verifier.name, f"failed: {type(exc).__name__}", 0.0))
                    else:
                        await wallet.settle(cost, verdict.credits)
                        bounced = verdict.status is Status.INVALID
                        asked.append(
                            Asked(subject, verifier.name, "may_have_left" if bounced else "unknown", verdict.credits)
                        )
                        if bounced:
                            evidence = (
                                f"{verifier.name} verifier: {subject.email} was valid, now "
                                f"{verdict.raw_status or 'invalid'}"
                            )
                            outcomes.append(Outcome("may_have_left", subject, verifier.name, today, evidence))
            if reached:
                report.checked += 1
            else:
                report.not_reached += 1

    await asyncio.gather(*(one(s) for s in subjects))
    return outcomes, asked, report


# -- what it means for the warehouse ---------------------------------------------------------------
def match_siren(con: duckdb.DuckDBPyConnection, job: Job, city: str | None = None) -> tuple[str | None, str | None]:
    """The new employer's SIREN: by domain (the domains the waterfall found, the CRM accounts),
    then by name and place (core.companies in `city`, same name without legal-form words)."""
    domain = registrable(job.domain)
    if domain:
        for sql, table in (
            ("recheck_siren_by_cache", "waterfall.cache"),
            ("recheck_siren_by_account", "exports.crm_accounts"),
        ):
            if db.table_exists(con, table):
                row = con.execute(load_sql(f"waterfall/{sql}"), {"domain": domain}).fetchone()
                if row:
                    return str(row[0]), "domain"
    if city and job.company_name and db.table_exists(con, "core.companies"):
        wanted = company_key(job.company_name)
        rows = con.execute(load_sql("waterfall/recheck_siren_by_name"), {"city": city.upper()}).fetchall()
        hits = sorted({str(s) for s, name in rows if company_key(name) == wanted})
        if len(hits) == 1:  # two units of that name in the city: not a match
            return hits[0], "name_place"
    return None, None


def relation(con: duckdb.DuckDBPyConnection, subject: Subject) -> str | None:
    """'customer' when the old employer is a customer, 'open_deal' when a CRM account of it has an
    open deal, else None: what makes the person a warm lead at the new company."""
    if db.table_exists(con, "exports.customers"):
        params = {"siren": subject.siren, "domain": registrable(subject.domain) or ""}
        if con.execute(load_sql("waterfall/recheck_relations"), params).fetchone():
            return "customer"
    open_deal = "waterfall/recheck_open_deal"
    if (
        db.table_exists(con, "exports.crm_accounts")
        and con.execute(load_sql(open_deal), {"siren": subject.siren}).fetchone()
    ):
        return "open_deal"
    return None


def resolve(con: duckdb.DuckDBPyConnection, outcomes: Iterable[Outcome]) -> list[Outcome]:
    """Joined outcomes with the new employer's SIREN and the old one's relation to us."""
    out = []
    for o in outcomes:
        if o.kind == "job_change_joined" and o.new is not None:
            siren, how = match_siren(con, o.new, o.new.city)
            o = replace(o, new_siren=siren, siren_match=how, relation=relation(con, o.subject))
        out.append(o)
    return out


def record(con: duckdb.DuckDBPyConnection, outcomes: Sequence[Outcome], asked: Sequence[Asked], now: datetime) -> int:
    """Write the ledger and the outcomes, and retire the old contact data of each departure, in one
    transaction. Returns how many (company, person) pairs were retired."""
    ensure_tables(con)
    retirements = [
        Retirement(
            o.subject.siren,
            o.subject.first_name,
            o.subject.last_name,
            o.subject.email,
            f"{PREFIX} left {o.subject.company_name or o.subject.siren} on {o.change_date:%Y-%m-%d} ({o.provider})",
        )
        for o in outcomes
        if o.kind == "job_change_left"
    ]
    with db.transaction(con):
        if asked:
            con.executemany(
                "INSERT INTO waterfall.rechecks VALUES (?, ?, ?, ?, ?, ?, ?)",
                [
                    (a.subject.key, a.subject.siren, a.subject.email, a.provider, a.outcome, a.credits, now)
                    for a in asked
                ],
            )
        rows = []
        for o in outcomes:
            s, new = o.subject, o.new
            siren = o.new_siren if o.kind == "job_change_joined" else s.siren
            rows.append((
                o.kind, siren, s.key, s.first_name, s.last_name, s.email, s.siren, s.company_name, s.title,
                new.company_name if new else None, new.domain if new else None, new.title if new else None,
                o.siren_match, o.relation, o.change_date, now, o.provider, o.evidence,
            ))  # fmt: skip
        if rows:
            con.executemany(
                "INSERT OR IGNORE INTO waterfall.job_changes VALUES "
                "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                rows,
            )
        retired = retire(con, retirements, now)
    return retired


def spent_this_month(con: duckdb.DuckDBPyConnection, as_of: datetime) -> float:
    ensure_tables(con)
    row = con.execute(load_sql("waterfall/recheck_spent"), {"as_of": as_of}).fetchone()
    return float(row[0]) if row else 0.0


async def recheck(
    con: duckdb.DuckDBPyConnection,
    subjects: Sequence[Subject],
    providers: Mapping[str, Any],
    *,
    recheck_days: int,
    monthly_budget: float,
    now: datetime,
    verifier: Any | None = None,
) -> RecheckReport:
    """The whole re-check of `subjects`: who is due, the questions within what is left of this
    month's budget, the outcomes resolved to SIRENs and written with the ledger."""
    todo = due(con, subjects, as_of=now, recheck_days=recheck_days)
    spent = spent_this_month(con, now)
    report = RecheckReport(due=len(todo), budget=monthly_budget, spent_before=spent)
    outcomes, asked, report = await ask_all(
        todo, providers, budget=max(0.0, monthly_budget - spent), today=now.date(), verifier=verifier, report=report
    )
    outcomes = resolve(con, outcomes)
    report.retired = record(con, outcomes, asked, now)
    for a in asked:
        report.credits += a.credits
        report.credits_by_provider[a.provider] = report.credits_by_provider.get(a.provider, 0.0) + a.credits
    for o in outcomes:
        report.outcomes[o.kind] += 1
    return report


def run_recheck(
    con: duckdb.DuckDBPyConnection,
    subjects: Sequence[Subject],
    *,
    config: Any,
    env: Mapping[str, str],
    base_urls: Mapping[str, str] | None = None,
    recheck_days: int,
    monthly_budget: float,
    now: datetime,
    http_timeout: float = 60.0,
) -> RecheckReport:
    """Synchronous entry point (the Dagster assets): builds the providers whose keys are set, and
    the verify chain's first provider as the weak-signal verifier, then runs `recheck`."""
    from waterfall.enrich import build_providers
    from waterfall.providers.base import Field
    from waterfall.providers.registry import PROVIDERS, build_provider

    async def main() -> RecheckReport:
        async with contextlib.AsyncExitStack() as stack:
            client = await stack.enter_async_context(httpx.AsyncClient(timeout=http_timeout))
            built = build_providers(config, client, env, base_urls)
            for name, spec in PROVIDERS.items():  # employer vendors outside every chain are asked too
                if spec.returns_employer and name not in built:
                    provider = build_provider(name, client, env, (base_urls or {}).get(name))
                    if provider is not None:
                        built[name] = provider
            verifier = next((built[n] for n in config.chain(Field.VERIFY) if n in built), None)
            return await recheck(
                con,
                subjects,
                built,
                recheck_days=recheck_days,
                monthly_budget=monthly_budget,
                now=now,
                verifier=verifier,
            )

    return asyncio.run(main())
