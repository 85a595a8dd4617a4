"""How hard the engine may push each provider, and how much it may spend.

* `RateLimiter`: requests per second and/or per minute, as a token bucket in its GCRA form
  (a "theoretical arrival time" per bucket): each caller reserves its slot before sleeping, so
  waiters are served in order without a lock and the rate holds under any concurrency.
  `pause()` pushes every future slot back (a vendor's Retry-After applies to the whole account,
  not only to the request that got it).
* `CircuitBreaker`: N questions in a row that failed after their retries, or one
  QuotaExhausted/AuthFailed, and the provider is skipped for the rest of the run (with the
  reason), instead of every remaining lead paying a timeout to learn the same thing.
* `Gate`: one provider's semaphore + limiter + breaker + timeout + tenacity retries around a
  single question.
* `CreditBudget`: per-run and per-lead credit caps with reservations, so concurrent leads can
  never jointly overshoot the run cap.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TypeVar

from tenacity import AsyncRetrying, RetryCallState, retry_if_exception, stop_after_attempt

from waterfall.config import ProviderSettings
from waterfall.providers.base import AuthFailed, ProviderError, QuotaExhausted, RateLimited, Transient

T = TypeVar("T")
Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]


class _Bucket:
    """One GCRA bucket: `rate` per second, at most `burst` requests back to back."""

    def __init__(self, rate: float, burst: int = 1) -> None:
        self.interval = 1.0 / rate
        self.tolerance = (max(1, burst) - 1) * self.interval
        self.tat = float("-inf")  # theoretical arrival time of the next request

    def reserve(self, now: float) -> float:
        """Take the next slot; returns how long the caller must wait for it."""
        tat = max(self.tat, now)
        wait = max(0.0, tat - self.tolerance - now)
        self.tat = tat + self.interval
        return wait


class RateLimiter:
    """Per-provider limiter combining a per-second and a per-minute bucket (either may be None)."""

    def __init__(self, rps: float | None = None, rpm: float | None = None, *, burst: int = 1,
                 clock: Clock = time.monotonic, sleep: Sleep = asyncio.sleep) -> None:
        self._buckets = [_Bucket(r, burst) for r in (rps, rpm / 60.0 if rpm else None) if r]
        self._clock, self._sleep = clock, sleep
        self._paused_until = float("-inf")

    @property
    def max_rate(self) -> float | None:
        """The sustained requests per second this limiter allows (None: unlimited)."""
        return min((1.0 / b.interval for b in self._buckets), default=None)

    async def acquire(self) -> None:
        now = self._clock()
        wait = max([b.reserve(now) for b in self._buckets] + [self._paused_until - now, 0.0])
        if wait > 0:
            await self._sleep(wait)

    def pause(self, seconds: float) -> None:
        """Nobody calls this provider for `seconds` (a Retry-After), then the normal rate resumes."""
        until = self._clock() + seconds
        self._paused_until = max(self._paused_until, until)
        for bucket in self._buckets:
            bucket.tat = max(bucket.tat, until)


class CircuitBreaker:
    """Open for the rest of the run after `threshold` failures in a row or one fatal error."""

    def __init__(self, threshold: int) -> None:
        self.threshold = threshold
        self.failures = 0
        self.reason: str | None = None

    @property
    def open(self) -> bool:
        return self.reason is not None

    def success(self) -> None:
        self.failures = 0

    def failure(self, reason: str) -> None:
        self.failures += 1
        if self.failures >= self.threshold and self.reason is None:
            self.reason = f"{self.failures} failures in a row, last: {reason}"

    def trip(self, reason: str) -> None:
        if self.reason is None:
            self.reason = reason


class Gate:
    """Everything between the engine and one provider call: breaker, concurrency, rate, timeout,
    retries. Raises the provider's last ProviderError (timeouts become Transient)."""

    def __init__(self, name: str, settings: ProviderSettings, *, clock: Clock = time.monotonic,
                 sleep: Sleep = asyncio.sleep) -> None:
        self.name, self.settings = name, settings
        self.limiter = RateLimiter(settings.rps, settings.rpm, clock=clock, sleep=sleep)
        self.breaker = CircuitBreaker(settings.breaker_threshold)
        self.semaphore = asyncio.Semaphore(settings.concurrency)
        self.attempts = 0  # HTTP-level calls made, retries included
        self._sleep = sleep

    def _wait(self, state: RetryCallState) -> float:
        retries = self.settings.retries
        exc = state.outcome.exception() if state.outcome else None
        if isinstance(exc, RateLimited) and exc.retry_after is not None:
            wait = min(exc.retry_after, retries.max_retry_after_s)
            self.limiter.pause(wait)  # the limiter makes every caller (this one included) wait
            return 0.0
        return min(retries.backoff_s * 2 ** (state.attempt_number - 1), retries.max_backoff_s)

    async def _once(self, call: Callable[[], Awaitable[T]]) -> T:
        async with self.semaphore:
            await self.limiter.acquire()
            self.attempts += 1
            try:
                return await asyncio.wait_for(call(), self.settings.timeout_s)
            except TimeoutError:
                raise Transient(f"{self.name} timeout after {self.settings.timeout_s:g} s") from None

    async def call(self, call: Callable[[], Awaitable[T]]) -> T:
        retrying = AsyncRetrying(
            stop=stop_after_attempt(self.settings.retries.attempts),
            wait=self._wait,
            retry=retry_if_exception(lambda e: isinstance(e, ProviderError) and e.retryable),
            sleep=self._sleep,
            reraise=True,
        )
        try:
            result = await retrying(self._once, call)
        except (QuotaExhausted, AuthFailed) as exc:
            self.breaker.trip(f"{type(exc).__name__}: {exc}")
            raise
        except ProviderError as exc:
            if exc.retryable:
                self.breaker.failure(str(exc))
            raise
        self.breaker.success()
        return result


@dataclass
class CreditBudget:
    """Credits spent in one run, with the caps from the configuration (None = no cap).

    A paid question first `reserve`s its worst-case cost; `settle` replaces the reservation by what
    the provider actually charged. Free questions (ceiling 0) are always allowed.
    """

    per_run: float | None = None
    per_lead: float | None = None
    spent: float = 0.0
    reserved: float = 0.0
    by_provider: Counter[str] = field(default_factory=Counter)

    def reserve(self, ceiling: float, lead_spent: float) -> bool:
        if ceiling <= 0:
            return True
        if self.per_lead is not None and lead_spent + ceiling > self.per_lead + 1e-9:
            return False
        if self.per_run is not None and self.spent + self.reserved + ceiling > self.per_run + 1e-9:
            return False
        self.reserved += ceiling
        return True

    def settle(self, provider: str, ceiling: float, charged: float) -> None:
        if ceiling > 0:
            self.reserved = max(0.0, self.reserved - ceiling)
        if charged:
            self.spent += charged
            self.by_provider[provider] += charged
