"""How hard the engine may push each provider, and how much it may spend.

* `RateLimiter`: requests per second and/or per minute, as a token bucket in its GCRA form
  (a "theoretical arrival time" per bucket): each caller reserves its slot before sleeping, so
  waiters are served in order without a lock and the rate holds under any concurrency.
  `pause()` pushes every future slot back (a vendor's Retry-After applies to the whole account,
  not only to the request that got it).
* `CircuitBreaker`: one bad-key or no-credit answer, or N failed calls in a row counted across
  every concurrent question (a timeout, a 5xx, a malformed answer; a question that gave up on
  rate limits), and the provider is skipped for the rest of the run (with the reason), instead of
  every remaining lead paying a timeout to learn the same thing.
* `Gate`: one provider account's semaphore + limiter + breaker + timeout + tenacity retries around
  a single question. For an HTTP adapter the gate is also bound to the adapter's transport
  (`bind`), so *every* request of that account passes the same limiter and breaker: the chains'
  questions, the verifications `pattern` asks through that verifier, and async jobs' polls (the
  rate limit skips the polls a vendor documents as outside it: Enrow's GETs, Icypeas' reads). The
  breaker is checked before each request is sent (after waiting for its rate-limit slot too), so
  once it opens no request and no retry goes out: a bad key costs exactly the calls already in
  flight. Only polls of jobs already submitted (and paid for) still go out when the circuit
  opened for another reason than the key; they are counted in `breaker.after_open`.
* `CreditBudget`: per-run and per-lead credit caps with reservations, so concurrent leads can
  never jointly overshoot the run cap.
"""

from __future__ import annotations

import asyncio
import logging
import time
import traceback
from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TypeVar

from tenacity import AsyncRetrying, RetryCallState, retry_if_exception, stop_after_attempt

from waterfall.config import ProviderSettings
from waterfall.providers.base import (
    AuthFailed,
    BadAnswer,
    CircuitOpen,
    ProviderError,
    QuotaExhausted,
    RateLimited,
    Transient,
)

log = logging.getLogger(__name__)

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

    def __init__(
        self,
        rps: float | None = None,
        rpm: float | None = None,
        *,
        burst: int = 1,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
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
    """Open for the rest of the run after `threshold` failed calls in a row (across concurrent
    questions: any call that worked resets the count) or one fatal answer (`trip`)."""

    def __init__(self, threshold: int) -> None:
        self.threshold = threshold
        self.failures = 0
        self.reason: str | None = None
        self.allow_polls = True  # False when the key itself is refused: even polls would fail
        self.after_open = 0  # requests still sent after it opened (polls of paid jobs)

    @property
    def open(self) -> bool:
        return self.reason is not None

    def success(self) -> None:
        if self.reason is None:
            self.failures = 0

    def failure(self, reason: str) -> None:
        self.failures += 1
        if self.failures >= self.threshold and self.reason is None:
            self.reason = f"{self.failures} failures in a row, last: {reason}"

    def trip(self, reason: str, *, allow_polls: bool = False) -> None:
        if self.reason is None:
            self.reason = reason
            self.allow_polls = allow_polls


class Gate:
    """Everything between the engine and one provider account: breaker, concurrency, rate,
    timeout, retries. Raises the provider's last ProviderError (timeouts become Transient, an
    unexpected exception a BadAnswer, an open circuit CircuitOpen)."""

    def __init__(
        self, name: str, settings: ProviderSettings, *, clock: Clock = time.monotonic, sleep: Sleep = asyncio.sleep
    ) -> None:
        self.name, self.settings = name, settings
        self.limiter = RateLimiter(settings.rps, settings.rpm, clock=clock, sleep=sleep)
        self.breaker = CircuitBreaker(settings.breaker_threshold)
        self.semaphore = asyncio.Semaphore(settings.concurrency)
        self.attempts = 0  # tries of a question (retries included)
        self.requests = 0  # requests sent: HTTP requests for a bound adapter (polls too), else tries
        self.paced = 0  # of which took a slot of the rate limit (polls of some vendors do not)
        self.unexpected = 0  # unexpected exceptions turned into BadAnswer (the first one is logged)
        self.bound = False
        self._redact: Callable[[str], str] = lambda text: text
        self._sleep = sleep

    def bind(self, provider: object) -> None:
        """Make every request of this provider's transport pass this gate (`HttpProvider.pace`)."""
        redact = getattr(provider, "redact", None)
        if callable(redact):
            self._redact = redact
        if hasattr(provider, "pace"):
            provider.pace = self.before_request
            self.bound = True

    def _refuse_if_open(self, poll: bool = False) -> None:
        b = self.breaker
        if b.open and not (poll and b.allow_polls):
            raise CircuitOpen(f"{self.name}: circuit open ({b.reason})")

    async def before_request(self, poll: bool = False, paced: bool = True) -> None:
        """Called by the adapter's transport before each HTTP request: breaker, then the rate limit
        (`paced=False`: a poll the vendor does not count against it)."""
        self._refuse_if_open(poll)
        if paced:
            await self.limiter.acquire()
            self._refuse_if_open(poll)  # it may have opened while this request waited for its slot
            self.paced += 1
        self.requests += 1
        if self.breaker.open:
            self.breaker.after_open += 1

    def _wait(self, state: RetryCallState) -> float:
        retries = self.settings.retries
        exc = state.outcome.exception() if state.outcome else None
        if isinstance(exc, RateLimited) and exc.retry_after is not None:
            wait = min(exc.retry_after, retries.max_retry_after_s)
            self.limiter.pause(wait)  # the limiter makes every caller (this one included) wait
            return 0.0
        return min(retries.backoff_s * 2 ** (state.attempt_number - 1), retries.max_backoff_s)

    def _unexpected(self, exc: Exception) -> BadAnswer:
        """The safety net: one question's unexpected exception is a failed answer, logged once."""
        self.unexpected += 1
        reason = self._redact(f"{self.name}: unexpected {type(exc).__name__}: {exc}")[:300]
        if self.unexpected == 1:
            text = self._redact("".join(traceback.format_exception(exc)))
            log.warning("%s (question failed; further ones are only counted)\n%s", reason, text)
        return BadAnswer(reason)

    async def _once(self, call: Callable[[], Awaitable[T]]) -> T:
        async with self.semaphore:
            self._refuse_if_open()
            if not self.bound:
                await self.limiter.acquire()
                self._refuse_if_open()
                self.requests += 1
                self.paced += 1
            self.attempts += 1
            try:
                result = await asyncio.wait_for(call(), self.settings.timeout_s)
            except TimeoutError:
                failure: ProviderError = Transient(f"{self.name} timeout after {self.settings.timeout_s:g} s")
            except CircuitOpen:
                raise
            except (QuotaExhausted, AuthFailed) as exc:
                self.breaker.trip(f"{type(exc).__name__}: {exc}", allow_polls=isinstance(exc, QuotaExhausted))
                raise
            except (Transient, BadAnswer) as exc:
                self.breaker.failure(str(exc))
                raise
            except ProviderError:
                raise  # rate limits (retried, counted if the question gives up), refusals, erasure
            except Exception as exc:  # noqa: BLE001 - the safety net: never let one answer end the run
                failure = self._unexpected(exc)
            else:
                self.breaker.success()
                return result
            self.breaker.failure(str(failure))
        raise failure  # outside the except block: no context chained

    async def call(self, call: Callable[[], Awaitable[T]]) -> T:
        retrying = AsyncRetrying(
            stop=stop_after_attempt(self.settings.retries.attempts),
            wait=self._wait,
            retry=retry_if_exception(lambda e: isinstance(e, ProviderError) and e.retryable),
            sleep=self._sleep,
            reraise=True,
        )
        try:
            return await retrying(self._once, call)
        except RateLimited as exc:
            self.breaker.failure(str(exc))
            raise


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
    by_provider: defaultdict[str, float] = field(default_factory=lambda: defaultdict(float))

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
