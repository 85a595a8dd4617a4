"""The waterfall: for each lead, ask providers one after the other until the stop rule is met.

Per lead, in this order: blocked? (suppression list, customers, P units: checked before any call,
so a blocked lead costs nothing) -> domain (only when the lead has none: most finders need it; the
company-level waterfall, `waterfall.company`, gives it through `company_domains` before the run,
this engine's own `domain` chain is the fallback)
-> people (when the ICP lists personas and the domain is known: the person holding the first
persona found becomes the contact, `_people`) -> email (not asked when `mail_check` says the
domain has no MX record, `waterfall.dns`) -> verification of a found-but-unverified email ->
phone. For each field the configured
chain is walked in order; an answer whose status is in `stop.stop_on` ends it, one in
`stop.fallback` is kept in case nothing better turns up, invalid ones are ignored.

Money rules: the cache is read before any call (a question already answered is never paid
again), and every answer goes to the cache (and its crash-safe journal) the moment it arrives;
a paid question is asked only if its worst-case cost fits both the per-lead and the per-run
budget. One gate per provider account (`limits.Gate`) paces every request to it, whoever asks:
the chains, the verify chain, and `pattern`, whose candidate checks are asked through the
verifier's own gate, cache and journal (`_delegated`), so a guessed address is never verified
twice and never faster than the verifier's limit.

Failure rules: a failure never loses a lead, nor ends the run (a malformed answer or an
unexpected exception in an adapter is one failed question with its reason); it ends as "not
found" with the reason, and failures are not cached so the next run asks again. A field whose
chain could not be walked to the end (a failure, an open circuit, the budget, no provider) is
marked `unsure`: the caller keeps the value found earlier rather than erasing it (see
`enrich.py`). A provider that answers 451 (`Forgotten`) makes the engine drop everything about
the person and call `on_forgotten`.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from firmo.personas import Persona
from waterfall.cache import AnswerCache, verify_key
from waterfall.config import WaterfallConfig
from waterfall.limits import Clock, CreditBudget, Gate, Sleep
from waterfall.providers.base import (
    Answer,
    AuthFailed,
    BadAnswer,
    CircuitOpen,
    Field,
    Forgotten,
    PeopleQuery,
    Person,
    Provider,
    ProviderError,
    QuotaExhausted,
    RateLimited,
    Rejected,
    Status,
)
from waterfall.providers.linkedin import profile_url
from waterfall.verdicts import chain_reading, says_accept_all

Blocker = Callable[[Person, Mapping[str, str]], "str | None"]  # (person, found so far) -> reason
ForgetHook = Callable[[Person, str], object]  # what it returns is ignored
Progress = Callable[[int, int], None]  # (leads done, leads total)
# domain -> None when mail may be sought there, else (reason, unsure: the check itself failed)
MailCheck = Callable[[str], Awaitable["tuple[str, bool] | None"]]

_ERROR_KIND = {
    RateLimited: "rate limited",
    QuotaExhausted: "quota exhausted",
    AuthFailed: "auth failed",
    Rejected: "rejected",
    BadAnswer: "bad answer",
    CircuitOpen: "skipped",
}


class _VerifierFailed(ProviderError):
    """A delegated verification failed after the verifier's own retries: not retried again by the
    caller's gate (that would multiply the verifier's calls), and counted on the verifier's breaker."""


@dataclass(frozen=True)
class Attempt:
    """One question asked (or answered from the cache): a waterfall.provenance row."""

    field: Field
    provider: str
    value: str | None
    email: str | None
    status: Status | None
    raw_status: str | None
    confidence: float | None
    credits: float
    from_cache: bool
    reason: str | None
    asked_at: datetime
    latency_ms: float | None = None  # a live answer: its last attempt's time to answer (rate-limit wait included)


@dataclass(frozen=True)
class Found:
    value: str
    status: Status
    source: str  # provider name, or 'lead' when the lead already had it
    found_at: datetime | None
    confidence: float | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)


@dataclass
class LeadResult:
    person: Person
    domain: Found | None = None
    email: Found | None = None
    phone: Found | None = None
    blocked: str | None = None  # why nothing was asked (or why found data was dropped)
    forgotten: str | None = None  # a provider said the person asked for erasure
    credits: float = 0.0
    notes: list[str] = field(default_factory=list)
    attempts: list[Attempt] = field(default_factory=list)
    unsure: set[Field] = field(default_factory=set)  # fields this run could not re-check (failures)
    persona: Found | None = None  # the person found holding one of the ICP's personas (people step)
    persona_priority: int | None = None  # which persona (1 = the ICP's first)
    linkedin: Found | None = None  # the person's LinkedIn profile: the lead's, else the first a vendor returned

    @property
    def reason(self) -> str | None:
        """Readable summary of what was not found and why (enrichment_reason)."""
        if self.forgotten:
            return f"forgotten: {self.forgotten}"
        if self.blocked:
            return f"blocked: {self.blocked}"
        return "; ".join(self.notes) or None

    def clear(self) -> None:
        self.domain = self.email = self.phone = self.linkedin = None


class _Erased(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass
class _Chain:
    """What one field's walk down its chain saw, for the lead's reason."""

    misses: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    failed: bool = False  # a question failed or was skipped: the walk is incomplete

    def note(self, text: str) -> None:
        if text not in self.problems:
            self.problems.append(text)

    def summary(self, what: str) -> str:
        parts = ([f"no match: {', '.join(self.misses)}"] if self.misses else []) + self.problems
        return f"{what}: not found" + (f" ({'; '.join(parts)})" if parts else "")


async def _ask(provider: Provider, what: Field, subject: Person | PeopleQuery | str) -> Answer:
    if what is Field.VERIFY:
        return await provider.verify_email(str(subject))
    if what is Field.PEOPLE:
        return await provider.find_people(subject)  # type: ignore[attr-defined]
    method = {Field.DOMAIN: provider.find_domain, Field.EMAIL: provider.find_email, Field.PHONE: provider.find_phone}
    return await method[what](subject)  # type: ignore[arg-type]


class Waterfall:
    """One run's state: gates (rate/concurrency/breaker) per provider, the budget, the cache."""

    def __init__(
        self,
        config: WaterfallConfig,
        providers: Mapping[str, Provider],
        cache: AnswerCache,
        *,
        budget: CreditBudget,
        is_blocked: Blocker,
        now: datetime,
        on_forgotten: ForgetHook | None = None,
        clock: Clock | None = None,
        sleep: Sleep | None = None,
        personas: Sequence[Persona] = (),
    ) -> None:
        self.config, self.cache, self.budget = config, cache, budget
        self.personas = tuple(personas)  # the ICP's, in priority order: the people step (`_people`)
        self.is_blocked, self.now, self.on_forgotten = is_blocked, now, on_forgotten
        timing: dict[str, Any] = {k: v for k, v in (("clock", clock), ("sleep", sleep)) if v is not None}
        self.providers: dict[str, Provider] = dict(providers)
        # the accounts a provider asks on its own behalf (pattern's verifier) get a gate too
        accounts = dict(self.providers)
        for provider in providers.values():
            verifier = getattr(provider, "verifier", None)
            if verifier is not None:
                accounts.setdefault(verifier.name, verifier)
        self._accounts = accounts
        self.gates = {name: Gate(name, config.provider(name), **timing) for name in accounts}
        # set by the caller after the company step (waterfall.company): SIREN -> the company's
        # domain, used when the lead has none; and the MX check asked before any email question
        self.company_domains: dict[str, Found] = {}
        self.mail_check: MailCheck | None = None
        for name, provider in accounts.items():
            self.gates[name].bind(provider)

    # -- one question ---------------------------------------------------------------------------
    def _for_lead(self, provider: Provider, res: LeadResult) -> Provider:
        """`pattern` with its verifier routed through the engine for this lead (`_delegated`)."""
        verifier = getattr(provider, "verifier", None)
        with_verifier = getattr(provider, "with_verifier", None)
        if verifier is None or with_verifier is None:
            return provider
        return with_verifier(_DelegatedVerifier(self, verifier.name, res))

    async def _question(
        self, res: LeadResult, chain: _Chain, name: str, what: Field, subject: Person | PeopleQuery | str
    ) -> Answer | None:
        """The answer of `name` (cache first), or None when it was skipped or failed (noted)."""
        provider, gate = self.providers.get(name), self.gates.get(name)
        if provider is None or gate is None or what not in provider.fields:
            return None  # not configured for this run (no key): the registry logged it
        if getattr(provider, "needs_linkedin", False) and isinstance(subject, Person) and not subject.linkedin_url:
            return None  # it asks by LinkedIn profile only (Kaspr): nothing to ask with, nothing to record
        key = verify_key(str(subject)) if what is Field.VERIFY else subject.key(what)  # type: ignore[union-attr]
        email = verify_key(str(subject)) if what is Field.VERIFY else None
        entry = self.cache.get(name, what, key)
        if entry is not None:  # free, even when the provider's circuit is open
            answer = entry.answer()
            self._record(res, answer, email, from_cache=True, asked_at=entry.fetched_at)
            return answer
        if gate.breaker.open:
            chain.failed = True
            chain.note(f"{name} skipped: {gate.breaker.reason}")
            return None
        ceiling = gate.settings.cost_ceiling(what)
        if not self.budget.reserve(ceiling, res.credits):
            chain.failed = True
            chain.note("budget exhausted")
            return None
        charged = 0.0
        asked = self._for_lead(provider, res)
        started = [0.0]

        async def timed() -> Answer:
            started[0] = time.perf_counter()  # each attempt restarts the clock: the answer's own latency
            return await _ask(asked, what, subject)

        try:
            answer = await gate.call(timed)
            charged = answer.credits
        except Forgotten as exc:
            raise _Erased(f"{name}: {exc}") from None
        except CircuitOpen as exc:  # opened while this question waited, or its verifier's (pattern)
            chain.failed = True
            chain.note(f"{name} skipped: {gate.breaker.reason or exc}")
            return None
        except ProviderError as exc:
            kind = _ERROR_KIND.get(type(exc), "transient")
            chain.failed = chain.failed or not isinstance(exc, Rejected)
            chain.note(f"{kind}: {exc}")
            res.attempts.append(
                Attempt(what, name, None, email, None, None, None, 0.0, False, f"{kind}: {exc}", self.now)
            )
            return None
        finally:
            self.budget.settle(name, ceiling, charged)
        res.credits += charged
        self.cache.put(answer, key, res.person.siren)
        latency = (time.perf_counter() - started[0]) * 1000
        self._record(res, answer, email, from_cache=False, asked_at=self.now, latency_ms=latency)
        return answer

    async def _delegated(self, res: LeadResult, name: str, email: str) -> Answer:
        """A verification `pattern` asks about one of its candidates: through the verifier's gate
        (its limiter and breaker), cache and journal, recorded as the verifier's question and paid
        to it (inside the pattern question's budget reservation). Returned with credits=0 so the
        pattern answer does not bill it a second time."""
        provider, gate, key = self._accounts[name], self.gates[name], verify_key(email)
        entry = self.cache.get(name, Field.VERIFY, key)
        if entry is not None:
            answer = entry.answer()
            self._record(res, answer, key, from_cache=True, asked_at=entry.fetched_at)
            return answer
        try:
            answer = await gate.call(lambda: provider.verify_email(email))
        except ProviderError as exc:
            if exc.retryable:
                raise _VerifierFailed(str(exc)) from None
            raise
        self.budget.settle(name, 0.0, answer.credits)
        res.credits += answer.credits
        self.cache.put(answer, key, res.person.siren)
        self._record(res, answer, key, from_cache=False, asked_at=self.now)
        return replace(answer, credits=0.0)

    def _record(
        self,
        res: LeadResult,
        answer: Answer,
        email: str | None,
        *,
        from_cache: bool,
        asked_at: datetime,
        latency_ms: float | None = None,
    ) -> None:
        if answer.field is Field.EMAIL and answer.value:
            email = answer.value.lower()
        reason = "do not call" if answer.extra.get("do_not_call") else None
        res.attempts.append(
            Attempt(
                answer.field,
                answer.provider,
                answer.value,
                email,
                answer.status,
                answer.raw_status,
                answer.confidence,
                answer.credits,
                from_cache,
                reason,
                asked_at,
                latency_ms,
            )
        )

    # -- one field --------------------------------------------------------------------------------
    def _usable(self, answer: Answer) -> bool:
        return answer.found and not answer.extra.get("do_not_call")

    def _found(self, res: LeadResult, answer: Answer) -> Found:
        cached = res.attempts[-1].from_cache
        return Found(
            answer.value or "",
            answer.status,
            answer.provider,
            res.attempts[-1].asked_at if cached else self.now,
            answer.confidence,
            answer.extra,
        )

    async def _field(self, res: LeadResult, what: Field, person: Person | PeopleQuery) -> list[Found]:
        """Walk the chain; returns the stopping answer alone, else the fallbacks in chain order."""
        chain, stop = _Chain(), self.config.stop_rule(what)
        fallbacks: list[Found] = []
        if not any(name in self.providers for name in self.config.chain(what)):
            chain.note("no provider available")
        for name in self.config.chain(what):
            answer = await self._question(res, chain, name, what, person)
            if answer is None:
                continue
            if isinstance(person, Person):  # the next vendors of the chain are asked with it
                person = self._linkedin(res, answer, person)
            if not self._usable(answer):
                chain.misses.append(name)
            elif answer.status in stop.stop_on:
                return [self._found(res, answer)]
            elif answer.status in stop.fallback:
                if all(f.value != answer.value for f in fallbacks):
                    fallbacks.append(self._found(res, answer))
            else:
                chain.note(f"{name}: {answer.status.value} answer ignored")
        if not fallbacks:
            res.notes.append(chain.summary(what.value))
            if chain.failed or not any(name in self.providers for name in self.config.chain(what)):
                res.unsure.add(what)
        return fallbacks

    async def _verify(self, res: LeadResult, candidates: list[Found]) -> Found | None:
        """Send risky emails to the verify chain: the first one verified valid wins; ones verified
        invalid are dropped; otherwise the first surviving candidate is kept as it was. A boolean
        verifier's "not verified" after accept-all evidence is no verdict (waterfall/verdicts.py); a
        verifier in `verify_skip_on_accept_all` is not asked at all after such evidence."""
        survivors, chain = [], _Chain()
        for candidate in candidates:
            verdict = None
            if candidate.status in self.config.stop_rule(Field.EMAIL).verify:
                heard: list[Answer] = []
                for name in self.config.chain(Field.VERIFY):
                    if name in self.config.verify_skip_on_accept_all and any(
                        says_accept_all(a) for a in [*heard, *self._cached_verdicts(name, candidate.value)]
                    ):
                        chain.note(f"{name}: not asked, the address is accept-all (verify_skip_on_accept_all)")
                        continue
                    answer = await self._question(res, chain, name, Field.VERIFY, candidate.value)
                    if answer is None:
                        continue
                    answer = self._read_verdict(res, chain, name, answer, heard, candidate.value)
                    heard.append(answer)
                    if answer.status in (Status.VALID, Status.INVALID):
                        verdict = answer
                        break
            if verdict is not None and verdict.status is Status.VALID:
                extra = {**candidate.extra, "verified_by": verdict.provider}
                return replace(
                    candidate, status=Status.VALID, confidence=verdict.confidence or candidate.confidence, extra=extra
                )
            if verdict is None:
                survivors.append(candidate)
            else:
                chain.note(f"{candidate.source}'s address verified invalid by {verdict.provider}")
        if not survivors:
            res.notes.append(chain.summary("email"))
            return None
        return survivors[0]

    def _read_verdict(
        self, res: LeadResult, chain: _Chain, name: str, answer: Answer, heard: list[Answer], email: str
    ) -> Answer:
        """`answer` as the chain reads it after `heard` and the other verifiers' cached answers about
        `email` (free to read). A reading that differs is what its provenance row says too (same
        raw status, credits unchanged), so `--suggest`'s replay sees what the engine decided."""
        boolean = getattr(self._accounts.get(name), "boolean_verdict", False)
        if not boolean or answer.status is not Status.INVALID:
            return answer
        status = chain_reading(answer, True, [*heard, *self._cached_verdicts(name, email)])
        if status is answer.status:
            return answer
        last = res.attempts[-1]  # the question's own row (`_question` records it last)
        res.attempts[-1] = replace(last, status=status)
        chain.note(f"{name}: {answer.raw_status or 'not verified'} on an accept-all address, no verdict")
        return replace(answer, status=status)

    def _cached_verdicts(self, name: str, email: str) -> list[Answer]:
        """The cached answers of the verify chain's other verifiers about `email` (free to read)."""
        key = verify_key(email)
        return [
            e.answer()
            for other in self.config.chain(Field.VERIFY)
            if other != name and (e := self.cache.get(other, Field.VERIFY, key)) is not None
        ]

    def _linkedin(self, res: LeadResult, answer: Answer, person: Person) -> Person:
        """`person` with the LinkedIn profile URL `answer` brought beside its email or phone, when
        the lead had none: the vendors asked after it that need one (Kaspr) or match better with it
        (PDL, RocketReach, Lusha, Apollo...) get it, and it is exported. Recorded as a provenance row
        of its own (field `linkedin`, the provider that gave it, no credits: the question paid)."""
        url = profile_url(answer.extra.get("linkedin_url"))
        if url is None or person.linkedin_url or res.linkedin is not None:
            return person
        last = res.attempts[-1]  # the question's own row (same date and cache flag: `_found` reads it)
        res.linkedin = Found(url, Status.VALID, answer.provider, last.asked_at)
        row = (Field.LINKEDIN, answer.provider, url, None, Status.VALID, None, None, 0.0, last.from_cache, None)
        res.attempts.append(Attempt(*row, last.asked_at))
        return replace(person, linkedin_url=url)

    def _with_linkedin(self, res: LeadResult, person: Person) -> Person:
        if res.linkedin is None or person.linkedin_url:
            return person
        return replace(person, linkedin_url=res.linkedin.value)

    # -- one lead -----------------------------------------------------------------------------------
    def _check(self, res: LeadResult, person: Person, found: Mapping[str, str]) -> bool:
        """False (and the lead blocked, its data dropped) when the predicate refuses it."""
        reason = self.is_blocked(person, found)
        if reason:
            res.blocked = reason if isinstance(reason, str) else "blocked"
            res.clear()
            return False
        return True

    async def enrich_one(self, person: Person) -> LeadResult:
        res = LeadResult(person)
        if person.linkedin_url:  # known on input: vendors are asked with it, in its canonical form
            url = profile_url(person.linkedin_url)
            person = replace(person, linkedin_url=url)
            res.linkedin = Found(url, Status.VALID, "lead", None) if url else None
        found: dict[str, str] = {}
        if not self._check(res, person, found):
            return res
        named = bool((person.first_name or "").strip() and (person.last_name or "").strip())
        try:
            if person.domain:
                res.domain = Found(person.domain, Status.VALID, "lead", None)
            elif person.siren in self.company_domains:
                res.domain = self.company_domains[person.siren]
                person = replace(person, domain=res.domain.value)
                found["website_domain"] = res.domain.value
                if not self._check(res, person, found):
                    return res
            elif self.config.chain(Field.DOMAIN):
                hits = await self._field(res, Field.DOMAIN, person)
                res.domain = hits[0] if hits else None
                if res.domain:
                    person = replace(person, domain=res.domain.value)
                    found["website_domain"] = res.domain.value
                    if not self._check(res, person, found):
                        return res
            if self.personas and self.config.chain(Field.PEOPLE):
                person = await self._people(res, person)
                named = named or res.persona is not None
                if res.email is not None and not self._check(res, person, {**found, "email": res.email.value}):
                    return res
            if self.config.chain(Field.EMAIL) and res.email is None:
                if not named:
                    res.notes.append("email: no contact name")
                elif self.config.email_requires_domain and not person.domain:
                    res.notes.append("email: no company domain")
                    if Field.DOMAIN in res.unsure:  # the domain could not be re-checked, so neither could this
                        res.unsure.add(Field.EMAIL)
                elif (
                    person.domain and self.mail_check is not None and (refused := await self.mail_check(person.domain))
                ):
                    res.notes.append(f"email: not asked ({refused[0]})")
                    if refused[1]:  # the MX lookup failed: not re-checked, the earlier address is kept
                        res.unsure.add(Field.EMAIL)
                else:
                    candidates = await self._field(res, Field.EMAIL, person)
                    person = self._with_linkedin(res, person)  # one the email chain found: the phone chain's too
                    res.email = await self._verify(res, candidates) if candidates else None
                    if res.email:
                        found["email"] = res.email.value
                        if not self._check(res, person, found):
                            return res
            if self.config.chain(Field.PHONE):
                if not named:
                    res.notes.append("phone: no contact name")
                else:
                    hits = await self._field(res, Field.PHONE, person)
                    res.phone = hits[0] if hits else None
                    if res.phone and not self._check(res, person, {**found, "phone": res.phone.value}):
                        return res
        except _Erased as erased:
            res.forgotten = erased.reason
            res.clear()
            res.attempts = []  # nothing about them is kept; the credits stay in the run's budget
            self.cache.discard_siren(person.siren)
            if self.on_forgotten is not None:
                self.on_forgotten(res.person, erased.reason)
        return res

    async def _people(self, res: LeadResult, person: Person) -> Person:
        """The people step: each persona in priority order, down the `people` chain, until one is
        found; that person becomes the lead's contact (the email and phone chains then look them
        up), with the verified address the search gave when it gave one (Hunter). Asked only with
        a company domain: every vendor searches by domain (doc §8). Without a hit the legal officer
        stays the contact."""
        if not person.domain:
            res.notes.append("people: no company domain")
            return person
        for priority, persona in enumerate(self.personas, 1):
            query = PeopleQuery(person.siren, person.company_name, person.domain, persona)
            hits = await self._field(res, Field.PEOPLE, query)
            if not hits:
                continue
            hit, extra = hits[0], hits[0].extra
            res.persona, res.persona_priority = hit, priority
            person = replace(
                person,
                first_name=extra.get("first_name"),
                last_name=extra.get("last_name"),
                job_title=extra.get("title"),
                linkedin_url=extra.get("linkedin_url"),
            )
            res.person = person
            url = profile_url(person.linkedin_url)  # another person now: their profile, or none
            res.linkedin = Found(url, Status.VALID, hit.source, hit.found_at) if url else None
            if extra.get("email") and extra.get("email_status") == Status.VALID.value:
                res.email = Found(str(extra["email"]), Status.VALID, hit.source, hit.found_at, extra={"via": "people"})
            break
        return person

    async def run(
        self, people: Sequence[Person], *, progress: Progress | None = None, progress_every: int = 500
    ) -> list[LeadResult]:
        """Every person's result, in input order; `lead_concurrency` leads in flight at once."""
        results: list[LeadResult | None] = [None] * len(people)
        queue = iter(range(len(people)))
        done = 0

        async def worker() -> None:
            nonlocal done
            for i in queue:  # a shared iterator: each index is taken by exactly one worker
                results[i] = await self.enrich_one(people[i])
                done += 1
                if progress is not None and (done % progress_every == 0 or done == len(people)):
                    progress(done, len(people))

        try:
            workers = min(self.config.lead_concurrency, len(people)) or 1
            await asyncio.gather(*(worker() for _ in range(workers)))
        finally:
            self.cache.flush()
        return [r for r in results if r is not None]

    def calls(self) -> dict[str, int]:
        """Requests sent per provider account: every HTTP request (retries, polls, pattern's
        verifications included) for an HTTP adapter, every try for an in-process provider."""
        return {name: gate.requests for name, gate in self.gates.items() if gate.requests}

    def paced_calls(self) -> dict[str, int]:
        """The requests per account that took a slot of its rate limit (what the limit bounds)."""
        return {name: gate.paced for name, gate in self.gates.items() if gate.paced}

    def breakers(self) -> dict[str, str]:
        return {name: gate.breaker.reason for name, gate in self.gates.items() if gate.breaker.reason}

    def breaker_report(self) -> dict[str, dict[str, Any]]:
        """Per opened circuit: why, and how many requests still went out after it opened."""
        return {
            name: {"reason": gate.breaker.reason, "calls_after_open": gate.breaker.after_open}
            for name, gate in self.gates.items()
            if gate.breaker.reason
        }


class _DelegatedVerifier:
    """What `pattern` is given as its verifier during one lead's question (see `_delegated`)."""

    fields = frozenset({Field.VERIFY})

    def __init__(self, engine: Waterfall, name: str, res: LeadResult) -> None:
        self.name, self._engine, self._res = name, engine, res

    async def verify_email(self, email: str) -> Answer:
        return await self._engine._delegated(self._res, self.name, email)

    async def find_domain(self, person: Person) -> Answer:
        raise NotImplementedError

    async def find_email(self, person: Person) -> Answer:
        raise NotImplementedError

    async def find_phone(self, person: Person) -> Answer:
        raise NotImplementedError
