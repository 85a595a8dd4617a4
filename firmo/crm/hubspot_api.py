"""Direct push to HubSpot through the v3 batch upsert API (doc §3.1), as an alternative to the
CSV import.

* Companies first, keyed on the custom unique property `siren` (HubSpot does not enforce
  uniqueness of `domain`, so it cannot be an idProperty); then contacts keyed on `email`;
  then each contact is associated with its company (v4 default association).
* 100 inputs per call (the v3 norm; the doc flags it unverified, so it is a parameter).
* 429 and 5xx are retried, honouring `Retry-After`, else exponential backoff; a client-side
  window keeps under the private-app burst limit (190 requests / 10 s).
* The token is an argument (the entry points and the Dagster `HubSpotResource` take it from
  `HUBSPOT_ACCESS_TOKEN`, firmo/settings.py) and only ever travels in the Authorization header:
  not in repr, logs, exceptions or results.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx

TOKEN_ENV = "HUBSPOT_ACCESS_TOKEN"  # named in the error when no token is given
BASE_URL = "https://api.hubapi.com"  # FIRMO_HUBSPOT_BASE_URL (settings) points elsewhere: a proxy, the tests' fake
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


class HubSpotError(RuntimeError):
    """A call HubSpot refused for good (message holds status and HubSpot's message only)."""


@dataclass
class UpsertResult:
    results: list[dict[str, Any]] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)


class HubSpotClient:
    def __init__(
        self,
        token: str | None = None,
        *,
        base_url: str = BASE_URL,
        batch_size: int = 100,
        max_retries: int = 5,
        requests_per_10s: int = 190,
        timeout: float = 30.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if not token:
            raise HubSpotError(f"no HubSpot token: set {TOKEN_ENV}")
        self.batch_size = batch_size
        self.max_retries = max_retries
        self._sleep = sleep
        self._window: deque[float] = deque()
        self._per_10s = requests_per_10s
        self._http = httpx.Client(
            base_url=base_url or BASE_URL, timeout=timeout, headers={"Authorization": f"Bearer {token}"}
        )

    def __repr__(self) -> str:
        return f"HubSpotClient(base_url={str(self._http.base_url)!r}, batch_size={self.batch_size})"

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> HubSpotClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ transport

    def _throttle(self) -> None:
        now = time.monotonic()
        while self._window and now - self._window[0] >= 10:
            self._window.popleft()
        if len(self._window) >= self._per_10s:
            self._sleep(10 - (now - self._window[0]))
        self._window.append(time.monotonic())

    def _request(self, method: str, path: str, body: Mapping[str, Any] | None = None) -> httpx.Response:
        for attempt in range(self.max_retries + 1):
            self._throttle()
            response = self._http.request(method, path, json=body)
            if response.status_code not in RETRY_STATUSES or attempt == self.max_retries:
                break
            self._sleep(_retry_after(response, attempt))
        if response.status_code >= 400:
            raise HubSpotError(f"HubSpot {method} {path} -> {response.status_code}: {_message(response)}")
        return response

    # ------------------------------------------------------------------ API

    def upsert(self, object_type: str, inputs: Sequence[Mapping[str, Any]]) -> UpsertResult:
        """`POST /crm/v3/objects/<type>/batch/upsert` in batches; 207 partial errors are collected."""
        out = UpsertResult()
        for start in range(0, len(inputs), self.batch_size):
            batch = list(inputs[start : start + self.batch_size])
            payload = self._request("POST", f"/crm/v3/objects/{object_type}/batch/upsert", {"inputs": batch}).json()
            out.results += payload.get("results", [])
            out.errors += payload.get("errors", [])
        return out

    def associate_contact_company(self, contact_id: str, company_id: str) -> None:
        self._request("PUT", f"/crm/v4/objects/contacts/{contact_id}/associations/default/companies/{company_id}")


def _retry_after(response: httpx.Response, attempt: int) -> float:
    value = response.headers.get("Retry-After")
    try:
        return max(0.0, float(value)) if value is not None else min(60.0, 2.0**attempt)
    except ValueError:
        return min(60.0, 2.0**attempt)


def _message(response: httpx.Response) -> str:
    try:
        return str(response.json().get("message", ""))[:300]
    except ValueError:
        return response.text[:300]
