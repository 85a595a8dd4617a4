"""Client of data.gouv's tabular API for the daily DECP delta (recent awards).

`GET <api>/resources/<decp.csv resource>/data/?dateNotification__greater=YYYY-MM-DD&page_size=N`
answers `{"data": [...], "links": {"next": <url or null>, ...}, "meta": {"page", "page_size",
"total"}}` (datagouv/api-tabular: `__greater` is *inclusive*, `>=`; rows ordered by `__id`; the
default page is 20 rows and the documented maximum 50, so 50 is asked). Pages are followed through
`links.next` until it is null. 429 and 5xx are retried with the shared policy (Retry-After
honoured); any other error status is a `TabularApiError` naming the page, never a silent stop.
Values come typed by csv-detective (numbers, booleans, ISO dates as text); `read.read_records`
turns them back into text for the one cleaning path.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

import httpx

from sources.decp.columns import RESOURCE_CSV, TABULAR_API
from sources.download import DEFAULT_TIMEOUT, FetchError, RetryPolicy, raise_for_retryable, redact_url

log = logging.getLogger(__name__)
PAGE_SIZE = 50  # the API's documented maximum (api-tabular PAGE_SIZE_MAX)
MAX_PAGES = 100_000  # a runaway `next` loop stops here with an error


class TabularApiError(FetchError):
    """The API answered something that is not a page of rows (4xx, not JSON, wrong shape)."""


@dataclass(frozen=True)
class Page:
    url: str  # without its query string: what the rejects name
    number: int
    rows: list[dict[str, Any]]
    total: int | None


def data_url(api_url: str = TABULAR_API, resource: str = RESOURCE_CSV) -> str:
    return f"{api_url.rstrip('/')}/resources/{resource}/data/"


def delta_query(since: date, page_size: int = PAGE_SIZE) -> dict[str, str]:
    """Rows notified on or after `since` (the API's `__greater` is inclusive)."""
    return {"dateNotification__greater": since.isoformat(), "page_size": str(page_size)}


def iter_pages(
    since: date,
    *,
    api_url: str = TABULAR_API,
    resource: str = RESOURCE_CSV,
    page_size: int = PAGE_SIZE,
    client: httpx.Client | None = None,
    policy: RetryPolicy | None = None,
) -> Iterator[Page]:
    """Every page of rows notified since `since`, following links.next."""
    policy = policy or RetryPolicy()
    own = client is None
    http = client or httpx.Client(timeout=DEFAULT_TIMEOUT, follow_redirects=True)
    try:
        url: str | None = data_url(api_url, resource)
        params: dict[str, str] | None = delta_query(since, page_size)
        seen: set[str] = set()
        number = 0
        while url:
            number += 1
            if number > MAX_PAGES or (params is None and url in seen):
                raise TabularApiError(f"{redact_url(url)}: links.next loops (page {number}); stopped")
            seen.add(url)
            body = _get(http, url, params, policy)
            rows, next_url, total = _parse(body, url)
            yield Page(redact_url(url), number, rows, total)
            url, params = next_url, None  # `next` carries the whole query
    finally:
        if own:
            http.close()


def _get(http: httpx.Client, url: str, params: dict[str, str] | None, policy: RetryPolicy) -> Any:
    label = redact_url(url)
    for attempt in policy.retrying(log, f"tabular API {label}"):
        with attempt:
            response = http.get(url, params=params, headers={"Accept": "application/json"})
            raise_for_retryable(response, label)
            if response.status_code != 200:
                raise TabularApiError(f"HTTP {response.status_code} from {label}: {response.text[:200]}")
            try:
                return response.json()
            except ValueError:
                raise TabularApiError(f"{label}: the answer is not JSON ({response.text[:80]!r})") from None
    raise AssertionError("unreachable")  # pragma: no cover


def _parse(body: Any, url: str) -> tuple[list[dict[str, Any]], str | None, int | None]:
    if not isinstance(body, dict) or not isinstance(body.get("data"), list):
        raise TabularApiError(f"{redact_url(url)}: not a tabular API page (no 'data' list)")
    links = body.get("links") or {}
    meta = body.get("meta") or {}
    rows = [r for r in body["data"] if isinstance(r, dict)]
    total = meta.get("total") if isinstance(meta.get("total"), int) else None
    next_url = links.get("next") if isinstance(links, dict) else None
    return rows, next_url if isinstance(next_url, str) and next_url else None, total
