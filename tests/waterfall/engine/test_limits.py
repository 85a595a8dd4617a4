"""Rate limiter on a fake clock (exact slot times), circuit breaker and credit budget."""

from __future__ import annotations

import asyncio

import pytest

from waterfall.limits import CircuitBreaker, CreditBudget, RateLimiter


class FakeTime:
    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(round(seconds, 9))
        self.now += seconds


def starts(limiter: RateLimiter, t: FakeTime, n: int) -> list[float]:
    async def go() -> list[float]:
        out = []
        for _ in range(n):
            await limiter.acquire()
            out.append(round(t.now, 9))
        return out
    return asyncio.run(go())


def test_rps_spaces_requests_evenly():
    t = FakeTime()
    assert starts(RateLimiter(rps=5, clock=t.clock, sleep=t.sleep), t, 6) == [0.0, 0.2, 0.4, 0.6, 0.8, 1.0]


def test_rpm_binds_when_stricter_than_rps():
    t = FakeTime()
    limiter = RateLimiter(rps=10, rpm=30, clock=t.clock, sleep=t.sleep)
    assert limiter.max_rate == 0.5
    assert starts(limiter, t, 4) == [0.0, 2.0, 4.0, 6.0]


def test_concurrent_callers_get_successive_slots():
    waits: list[float] = []

    async def record(seconds: float) -> None:  # all callers arrive at t=0 and reserve at once
        waits.append(seconds)

    limiter = RateLimiter(rps=4, clock=lambda: 0.0, sleep=record)

    async def go() -> None:
        await asyncio.gather(*(limiter.acquire() for _ in range(5)))
    asyncio.run(go())
    assert sorted(waits) == [0.25, 0.5, 0.75, 1.0]  # the first caller does not wait


def test_burst_allows_back_to_back_requests_then_the_rate():
    t = FakeTime()
    assert starts(RateLimiter(rps=2, burst=3, clock=t.clock, sleep=t.sleep), t, 5) == [0.0, 0.0, 0.0, 0.5, 1.0]


def test_pause_holds_everybody_back():
    t = FakeTime()
    limiter = RateLimiter(rps=10, clock=t.clock, sleep=t.sleep)
    limiter.pause(3.0)
    assert starts(limiter, t, 2) == [3.0, 3.1]


def test_unlimited_limiter_never_sleeps():
    t = FakeTime()
    assert starts(RateLimiter(clock=t.clock, sleep=t.sleep), t, 3) == [0.0, 0.0, 0.0] and t.sleeps == []


def test_breaker_opens_after_consecutive_failures_only():
    b = CircuitBreaker(3)
    b.failure("a"), b.failure("b"), b.success(), b.failure("c"), b.failure("d")
    assert not b.open
    b.failure("e")
    assert b.reason == "3 failures in a row, last: e"
    b.trip("later")
    assert b.reason == "3 failures in a row, last: e"  # the first reason stays


def test_breaker_trips_at_once():
    b = CircuitBreaker(10)
    b.trip("QuotaExhausted: hunter: HTTP 429")
    assert b.open and b.reason == "QuotaExhausted: hunter: HTTP 429"


def test_budget_reserves_worst_case_and_settles_actual_cost():
    budget = CreditBudget(per_run=3.0, per_lead=2.0)
    assert budget.reserve(1.0, lead_spent=0.0) and budget.reserve(1.0, lead_spent=0.0)
    assert not budget.reserve(1.5, lead_spent=0.0)          # 2 reserved + 1.5 > 3
    assert not budget.reserve(1.0, lead_spent=1.5)          # the lead would exceed 2
    assert budget.reserve(0.0, lead_spent=99.0)             # free questions always pass
    budget.settle("hunter", 1.0, 0.0)                       # a free miss releases its reservation
    budget.settle("findymail", 1.0, 1.0)
    assert (budget.spent, budget.reserved, dict(budget.by_provider)) == (1.0, 0.0, {"findymail": 1.0})
    assert budget.reserve(2.0, lead_spent=0.0) and not budget.reserve(0.5, lead_spent=0.0)


@pytest.mark.parametrize("per_run", [None, 0.0])
def test_budget_without_cap_or_zero_cap(per_run):
    budget = CreditBudget(per_run=per_run)
    assert budget.reserve(5.0, 0.0) is (per_run is None)
