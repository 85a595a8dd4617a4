"""The fake's mutable side: credit balances, call counts, sliding rate-limit windows, async jobs
and the deterministic error-injection counters. Thread-safe because tests read it from the
thread that started the server while uvicorn's loop writes it."""

from __future__ import annotations

import threading
import time
from collections import defaultdict, deque
from typing import Any

from waterfall.fake.config import FakeConfig


class OutOfCredits(Exception):
    """Raised by `charge`/`require`; the app answers with the provider's own quota error."""


class FakeState:
    def __init__(self, config: FakeConfig) -> None:
        self.config = config
        self._lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        with self._lock:
            self.balance: dict[str, float | None] = {n: b.credits for n, b in self.config.providers.items()}
            self.calls: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
            self.errors: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
            self.used: dict[str, float] = defaultdict(float)
            self.hits: dict[str, int] = defaultdict(int)
            self.misses: dict[str, int] = defaultdict(int)
            self.windows: dict[str, deque[float]] = defaultdict(deque)
            self.injections: dict[str, int] = defaultdict(int)
            self.jobs: dict[str, dict[str, Any]] = {}
            self._ids = 0

    # -- accounting -------------------------------------------------------------------------------
    def count(self, provider: str, endpoint: str) -> None:
        with self._lock:
            self.calls[provider][endpoint] += 1

    def count_error(self, provider: str, status: int) -> None:
        with self._lock:
            self.errors[provider][str(status)] += 1

    def record(self, provider: str, hit: bool) -> None:
        with self._lock:
            (self.hits if hit else self.misses)[provider] += 1

    def require(self, provider: str, amount: float = 1.0) -> None:
        """Refuse upfront when the balance cannot cover `amount` (vendors refuse at 0 credits)."""
        with self._lock:
            left = self.balance.get(provider)
            if left is not None and left < amount:
                raise OutOfCredits(provider)

    def charge(self, provider: str, amount: float) -> None:
        if amount <= 0:
            return
        with self._lock:
            left = self.balance.get(provider)
            if left is not None:
                if left < amount:
                    raise OutOfCredits(provider)
                self.balance[provider] = left - amount
            self.used[provider] += amount

    # -- traffic shaping --------------------------------------------------------------------------
    def over_rate(self, provider: str, rps: float | None) -> bool:
        """Sliding 1 s window; refused requests do not count (as Prospeo documents)."""
        if rps is None:
            return False
        now = time.monotonic()
        with self._lock:
            window = self.windows[provider]
            while window and now - window[0] >= 1.0:
                window.popleft()
            if len(window) >= rps:
                return True
            window.append(now)
            return False

    def next_injection(self, provider: str) -> int:
        with self._lock:
            self.injections[provider] += 1
            return self.injections[provider]

    # -- async jobs -------------------------------------------------------------------------------
    def new_job(self, provider: str, result: Any, polls: int) -> str:
        with self._lock:
            self._ids += 1
            job_id = f"{provider[:3]}{self._ids:08d}"
            self.jobs[job_id] = {"provider": provider, "result": result, "polls_left": polls}
            return job_id

    def poll_job(self, provider: str, job_id: str) -> tuple[bool, Any]:
        """(known, result or None while not ready). Each poll of a pending job counts down."""
        with self._lock:
            job = self.jobs.get(job_id)
            if job is None or job["provider"] != provider:
                return False, None
            if job["polls_left"] > 0:
                job["polls_left"] -= 1
                return True, None
            return True, job["result"]

    def stats(self) -> dict[str, Any]:
        with self._lock:
            names = sorted(set(self.config.providers) | set(self.calls))
            return {
                n: {
                    "calls": dict(self.calls.get(n, {})),
                    "requests": sum(self.calls.get(n, {}).values()),
                    "credits_used": self.used.get(n, 0.0),
                    "credits_left": self.balance.get(n),
                    "hits": self.hits.get(n, 0),
                    "misses": self.misses.get(n, 0),
                    "errors": dict(self.errors.get(n, {})),
                }
                for n in names
            }
