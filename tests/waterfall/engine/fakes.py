"""In-memory providers for engine tests: scripted answers or errors per person, call counters,
optional latency. They honour `waterfall.providers.base.Provider` without any HTTP."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from waterfall.cache import AnswerCache
from waterfall.config import WaterfallConfig, from_mapping
from waterfall.engine import LeadResult, Waterfall
from waterfall.limits import CreditBudget
from waterfall.providers.base import Answer, Field, Person, Status

NOW = datetime(2026, 3, 2, 9, 0, 0)
Script = Answer | Exception | Sequence[Answer | Exception]


def hit(provider: str, field: Field, value: str, status: Status = Status.VALID, credits: float = 1.0,
        **extra: Any) -> Answer:
    return Answer(provider, field, value, status, confidence=0.9, credits=credits, raw_status=status.value,
                  extra=dict(extra))


def miss(provider: str, field: Field, credits: float = 0.0) -> Answer:
    return Answer(provider, field, None, Status.UNKNOWN, credits=credits, raw_status="not_found")


class FakeProvider:
    """Answers from `script[(field, subject)]` where subject is the SIREN (or the email for verify).
    A sequence is consumed one item per call (the last item repeats); unknown subjects miss."""

    def __init__(self, name: str, fields: set[Field], script: Mapping[tuple[Field, str], Script] | None = None,
                 latency: float = 0.0) -> None:
        self.name = name
        self.fields = frozenset(fields)
        self.script = dict(script or {})
        self.latency = latency
        self.calls: Counter[Field] = Counter()
        self.asked: list[tuple[Field, str]] = []

    @property
    def total(self) -> int:
        return sum(self.calls.values())

    async def _answer(self, what: Field, subject: str) -> Answer:
        self.calls[what] += 1
        self.asked.append((what, subject))
        if self.latency:
            await asyncio.sleep(self.latency)
        item: Any = self.script.get((what, subject), miss(self.name, what))
        if isinstance(item, Sequence):
            n = sum(1 for w, s in self.asked if (w, s) == (what, subject))
            item = item[min(n, len(item)) - 1]
        if isinstance(item, Exception):
            raise item
        return item

    async def find_domain(self, person: Person) -> Answer:
        return await self._answer(Field.DOMAIN, person.siren)

    async def find_email(self, person: Person) -> Answer:
        return await self._answer(Field.EMAIL, person.siren)

    async def find_phone(self, person: Person) -> Answer:
        return await self._answer(Field.PHONE, person.siren)

    async def verify_email(self, email: str) -> Answer:
        return await self._answer(Field.VERIFY, email)


def config(order: Mapping[str, list[str]], **overrides: Any) -> WaterfallConfig:
    """A test configuration: no rate limits, no backoff, only what the test names."""
    data: dict[str, Any] = {
        "order": order,
        "defaults": {"rps": None, "rpm": None, "concurrency": 4, "timeout_s": 5.0, "breaker_threshold": 3,
                     "retries": {"attempts": 3, "backoff_s": 0.0, "max_backoff_s": 0.0}},
        "lead_concurrency": 4,
        "budget": {"per_lead": None, "per_run": None},
    }
    data.update(overrides)
    return from_mapping(data, over_defaults=False)


async def run_waterfall(people: Sequence[Person], cfg: WaterfallConfig, providers: Mapping[str, Any],
                        cache: AnswerCache, *, now: datetime, budget: CreditBudget | None = None,
                        is_blocked: Any = lambda person, found: None, progress: Any = None,
                        **engine_kw: Any) -> list[LeadResult]:
    """The engine as waterfall.enrich drives it: one Waterfall over the run's budget (the config's
    caps unless given), run on `people`; results in input order."""
    budget = budget or CreditBudget(cfg.budget.per_run, cfg.budget.per_lead)
    engine = Waterfall(cfg, providers, cache, budget=budget, is_blocked=is_blocked, now=now, **engine_kw)
    return await engine.run(people, progress=progress)


def memory_cache(cfg: WaterfallConfig, now: datetime = NOW) -> AnswerCache:
    return AnswerCache(None, now, cfg.ttl)


def person(siren: str = "552100554", domain: str | None = "", first: str | None = "Marie",
           last: str | None = "Dupont") -> Person:
    """A lead; its domain defaults to acme.fr for the default SIREN, else one per SIREN, so that
    two test leads never ask the same (cached) question by accident."""
    if domain == "":
        domain = "acme.fr" if siren == "552100554" else f"s{siren}.fr"
    return Person(siren, f"Société {siren}", first, last, domain=domain)
