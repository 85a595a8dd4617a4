"""INPI RNE API client: login, bearer token, `/api/companies/diff` paging, SIREN batches.

Behaviour taken from the INPI doc v2.5 and the production clients (search-infra `rne_api.py`,
api-proxy `auth.ts`), see shared/docs/inpi_bodacc.md §1:
- `POST /api/sso/login` with `{"username", "password"}` gives `{"token"}`, sent as
  `Authorization: Bearer`. No lifetime is documented, so a 401/403 triggers one re-login;
- `/diff` pages with `searchAfter`, the cursor coming from the `pagination-search-after`
  response header (last `company.siren` when the header is missing);
- HTTP 500 "Allowed memory size" on big pages: the same request is retried with half the
  pageSize, down to 1, then the page size goes back up for the next page;
- 429 (daily quota, 10 000 calls) and transient 502/503/504/network errors: retried with
  backoff, honouring `Retry-After`.
Credentials come from `INPI_USERNAME` / `INPI_PASSWORD` only and never appear in logs,
exception messages or reprs.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Iterator
from datetime import date
from email.utils import parsedate_to_datetime
from typing import Any

import httpx
from tenacity import RetryCallState, Retrying, retry_if_exception_type, stop_after_attempt, wait_exponential

log = logging.getLogger(__name__)

BASE_URL = "https://registre-national-entreprises.inpi.fr"
MAX_PAGE_SIZE = 100
CURSOR_HEADER = "pagination-search-after"


class RneError(RuntimeError):
    """An RNE API call that failed for good (messages never carry credentials or tokens)."""


class RneAuthError(RneError):
    """Login refused, or requests still refused right after a fresh login."""


class RneServerError(RneError):
    """HTTP 500 even at pageSize 1."""


class _Transient(Exception):
    def __init__(self, status: int | None, retry_after: float | None = None) -> None:
        super().__init__(f"transient RNE error (HTTP {status})")
        self.status, self.retry_after = status, retry_after


class _Http500(Exception):
    pass


def _retry_after(response: httpx.Response) -> float | None:
    """`Retry-After` as seconds (delta-seconds or HTTP date); None when absent or unreadable."""
    value = response.headers.get("retry-after")
    if not value:
        return None
    if value.strip().isdigit():
        return float(value)
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError):
        return None


class RneClient:
    """One authenticated session with the RNE API. Use as a context manager or call close()."""

    def __init__(
        self,
        base_url: str = BASE_URL,
        *,
        username: str | None = None,
        password: str | None = None,
        timeout: float = 60.0,
        max_attempts: int = 6,
        max_wait: float = 600.0,
        sleep: Callable[[float], None] = time.sleep,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        user, secret = username, password  # INPI_USERNAME / INPI_PASSWORD, read by the entry point (settings)
        if not user or not secret:
            raise RneAuthError("INPI_USERNAME and INPI_PASSWORD must be set")
        self._credentials = {"username": user, "password": secret}
        self._token: str | None = None
        self._http = httpx.Client(base_url=base_url, timeout=timeout, transport=transport)
        self._max_attempts, self._max_wait, self._sleep = max_attempts, max_wait, sleep
        self.calls = 0  # API calls made, to watch the daily quota

    def __repr__(self) -> str:
        return f"RneClient(base_url={str(self._http.base_url)!r})"

    def __enter__(self) -> RneClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    # -- authentication -------------------------------------------------------------------
    def login(self) -> None:
        """Get a fresh token. The response body is never logged nor quoted in errors."""
        self._retrying("/api/sso/login", self._login_once)

    def _login_once(self) -> None:
        self.calls += 1
        try:
            response = self._http.post("/api/sso/login", json=self._credentials)
        except httpx.TransportError as exc:
            raise _Transient(None) from exc
        if response.status_code == 429 or response.status_code >= 502:
            raise _Transient(response.status_code, _retry_after(response))
        if response.status_code != 200:
            raise RneAuthError(f"INPI login refused (HTTP {response.status_code})")
        token = (response.json() or {}).get("token")
        if not token:
            raise RneAuthError("INPI login answered without a token")
        self._token = token
        log.info("INPI RNE login ok")

    def _get_once(self, path: str, params: list[tuple[str, Any]]) -> httpx.Response:
        if self._token is None:
            self._login_once()
        for fresh_login in (False, True):
            if fresh_login:
                self._login_once()
            self.calls += 1
            try:
                response = self._http.get(path, params=params, headers={"Authorization": f"Bearer {self._token}"})
            except httpx.TransportError as exc:
                raise _Transient(None) from exc
            if response.status_code not in (401, 403):
                break
            log.info("INPI RNE token refused (HTTP %s), logging in again", response.status_code)
        else:
            raise RneAuthError(f"RNE refused {path} right after a fresh login (HTTP {response.status_code})")
        if response.status_code == 429 or response.status_code in (502, 503, 504):
            raise _Transient(response.status_code, _retry_after(response))
        if response.status_code == 500:
            raise _Http500()
        if response.status_code >= 400:
            raise RneError(f"RNE {path} answered HTTP {response.status_code}")
        return response

    def _wait(self, state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        if isinstance(exc, _Transient) and exc.retry_after is not None:
            return min(exc.retry_after, self._max_wait)
        return wait_exponential(multiplier=2, min=2, max=self._max_wait)(state)

    def get(self, path: str, params: list[tuple[str, Any]] | None = None) -> httpx.Response:
        """GET with auth refresh and backoff; raises `_Http500` for the caller's page-size logic."""
        return self._retrying(path, self._get_once, path, params or [])

    def _retrying(self, what: str, call: Callable[..., Any], *args: Any) -> Any:
        retrying = Retrying(
            stop=stop_after_attempt(self._max_attempts),
            wait=self._wait,
            retry=retry_if_exception_type(_Transient),
            sleep=self._sleep,
            reraise=True,
        )
        try:
            for attempt in retrying:
                with attempt:
                    return call(*args)
        except _Transient as exc:
            raise RneError(
                f"RNE {what} still failing after {self._max_attempts} attempts (HTTP {exc.status})"
            ) from None
        raise AssertionError("unreachable")

    def _get_shrinking(self, path: str, params: list[tuple[str, Any]], page_size: int) -> tuple[httpx.Response, int]:
        """GET, halving pageSize on HTTP 500 (RNE runs out of memory on pages of big companies)."""
        while True:
            try:
                return self.get(path, [*params, ("pageSize", page_size)]), page_size
            except _Http500:
                if page_size <= 1:
                    raise RneServerError(f"RNE {path} answered HTTP 500 even with pageSize=1") from None
                page_size = max(1, page_size // 2)
                log.warning("RNE %s answered HTTP 500, retrying with pageSize=%s", path, page_size)

    # -- endpoints --------------------------------------------------------------------------
    def company(self, siren: str) -> dict:
        """`GET /api/companies/{siren}`: the current payload of one company."""
        try:
            return self.get(f"/api/companies/{siren}").json()
        except _Http500:
            raise RneServerError(f"RNE /api/companies/{siren} answered HTTP 500") from None

    def iter_diff(
        self,
        date_from: date,
        date_to: date,
        *,
        page_size: int = MAX_PAGE_SIZE,
        search_after: str | None = None,
        filters: list[tuple[str, Any]] | None = None,
    ) -> Iterator[dict]:
        """`/api/companies/diff` items (`{"company": {...}}`) changed in (date_from, date_to].

        `from` is exclusive and `to` inclusive (INPI doc). Resume a broken run by passing the
        last SIREN seen as `search_after`.
        """
        base = [("from", date_from.isoformat()), ("to", date_to.isoformat()), *(filters or [])]
        cursor = search_after
        while True:
            params = base + ([("searchAfter", cursor)] if cursor else [])
            response, used = self._get_shrinking("/api/companies/diff", params, page_size)
            items = response.json() or []
            yield from items
            next_cursor = response.headers.get(CURSOR_HEADER) or (
                str(items[-1].get("company", items[-1]).get("siren")) if items else None
            )
            if len(items) < used or not next_cursor or next_cursor == cursor:
                return
            cursor = next_cursor

    def iter_companies(self, sirens: Iterable[str], *, batch_size: int = MAX_PAGE_SIZE) -> Iterator[dict]:
        """Payloads of the given SIRENs via `/api/companies?siren[]=…`, `batch_size` per call."""
        pending = list(dict.fromkeys(sirens))
        batch_size = max(1, min(batch_size, MAX_PAGE_SIZE))
        while pending:
            batch, pending = pending[:batch_size], pending[batch_size:]
            params: list[tuple[str, Any]] = [("siren[]", s) for s in batch]
            try:
                response = self.get("/api/companies", [*params, ("pageSize", len(batch))])
            except _Http500:
                if len(batch) == 1:
                    raise RneServerError(f"RNE /api/companies answered HTTP 500 for SIREN {batch[0]}") from None
                half = len(batch) // 2
                log.warning("RNE /api/companies answered HTTP 500, splitting a batch of %s", len(batch))
                pending = batch + pending
                batch_size = half
                continue
            yield from response.json() or []
