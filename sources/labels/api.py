"""Download the label sources: the bulk files through `sources.download.fetch`, the three paged APIs
(RGE data-fair, Agence Bio, marché de l'inclusion) page by page into a folder of JSON pages.

Why pages on disk: the loader then reads the publisher's own responses, exactly as saved (a
rejected row names its page and position), a load can be re-run without calling the API again,
and the demo writes the same pages. A folder is built as `<name>.part/` and renamed when every
page is in, so a crash never leaves half a snapshot under the final name. Each protocol's rule:
- RGE (data-fair `lines`): `size` at most 10,000 and `size + skip <= 10,000` (HTTP 400 beyond),
  so it never sends `skip`: it follows the `next` URL (an `after` cursor) until there is none;
- Agence Bio: `nb` and `debut` (offset) until a page has no item; `nbTotal` is a string;
- marché de l'inclusion: `Authorization: Bearer <token>` (a secret, never logged), one page of
  `limit` structures, asked again with `limit = count` when `count` is larger, and `next`
  followed if the server pages anyway.
Retries (429/5xx, Retry-After) are `sources.download`'s policy, shared with every client.
"""

from __future__ import annotations

import json
import logging
import shutil
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from sources.download import DEFAULT_TIMEOUT, FetchError, RetryPolicy, local_path, raise_for_retryable, redact_url
from sources.labels import agence_bio, rge, siae
from sources.labels.catalog import SOURCES

LOG = logging.getLogger(__name__)


@dataclass(frozen=True)
class Pages:
    folder: Path
    pages: int
    items: int
    total: int | None  # what the API said it holds


def _get(client: httpx.Client, url: str, params: dict[str, Any] | None, headers: dict[str, str],
         policy: RetryPolicy, what: str) -> Any:  # fmt: skip
    label = redact_url(url)
    for attempt in policy.retrying(LOG, f"{what} {label}"):
        with attempt:
            resp = client.get(url, params=params, headers=headers)
            raise_for_retryable(resp, label)
            if resp.status_code in (401, 403):
                raise FetchError(f"HTTP {resp.status_code} from {label}: the token was refused (check it is current)")
            if resp.status_code >= 400:
                raise FetchError(f"HTTP {resp.status_code} from {label}: {resp.text[:200]}")
            return resp.json()
    raise AssertionError("unreachable")  # pragma: no cover


def _save_pages(folder: Path, pages: Iterator[tuple[Any, int]], total: Callable[[], int | None]) -> Pages:
    part = folder.with_name(folder.name + ".part")
    shutil.rmtree(part, ignore_errors=True)
    part.mkdir(parents=True)
    count = items = 0
    for body, n in pages:
        count += 1
        (part / f"page-{count:05d}.json").write_text(json.dumps(body, ensure_ascii=False), encoding="utf-8")
        items += n
    shutil.rmtree(folder, ignore_errors=True)
    part.rename(folder)
    return Pages(folder, count, items, total())


def fetch_rge(url: str, folder: Path, *, client: httpx.Client, page_size: int = rge.PAGE_SIZE,
              policy: RetryPolicy | None = None) -> Pages:  # fmt: skip
    """Every line of the RGE list, following `next` (never `skip`)."""
    policy = policy or RetryPolicy()
    seen: dict[str, int | None] = {"total": None}

    def pages() -> Iterator[tuple[Any, int]]:
        next_url: str | None = url
        params: dict[str, Any] | None = {"size": min(page_size, rge.PAGE_SIZE)}
        while next_url:
            body = _get(client, next_url, params, {}, policy, "RGE")
            results = body.get("results") or []
            seen["total"] = body.get("total", seen["total"])
            if not results:
                return
            yield body, len(results)
            next_url, params = body.get("next"), None  # the cursor URL carries size and after

    return _save_pages(folder, pages(), lambda: seen["total"])


def fetch_agence_bio(url: str, folder: Path, *, client: httpx.Client, page_size: int = agence_bio.PAGE_SIZE,
                     pause_s: float = 0.5, policy: RetryPolicy | None = None,
                     sleep: Callable[[float], None] = time.sleep) -> Pages:  # fmt: skip
    """Every operator, `nb` at a time from `debut` = 0, pausing between pages as search-infra does."""
    policy = policy or RetryPolicy()
    seen: dict[str, int | None] = {"total": None}

    def pages() -> Iterator[tuple[Any, int]]:
        start = 0
        while True:
            body = _get(client, url, {"nb": page_size, "debut": start}, {}, policy, "Agence Bio")
            total = str(body.get("nbTotal") or "").strip()
            seen["total"] = int(total) if total.isdigit() else seen["total"]
            items = body.get("items") or []
            if not items:
                return
            yield body, len(items)
            start += page_size
            sleep(pause_s)

    return _save_pages(folder, pages(), lambda: seen["total"])


def fetch_siae(url: str, folder: Path, *, token: str, client: httpx.Client, limit: int = siae.PAGE_SIZE,
               policy: RetryPolicy | None = None) -> Pages:  # fmt: skip
    """Every structure of the marketplace's API, with the Bearer token."""
    if not token:
        raise FetchError("no token for the marché de l'inclusion API: set FIRMO_MARCHE_INCLUSION_TOKEN")
    policy = policy or RetryPolicy()
    headers = {"Authorization": f"Bearer {token}"}
    seen: dict[str, int | None] = {"total": None}

    def pages() -> Iterator[tuple[Any, int]]:
        body = _get(client, url, {"limit": limit}, headers, policy, "marché de l'inclusion")
        count = body.get("count")
        if isinstance(count, int) and count > limit:
            body = _get(client, url, {"limit": count}, headers, policy, "marché de l'inclusion")
        seen["total"] = body.get("count")
        while True:
            results = body.get("results") or []
            if results:
                yield body, len(results)
            if not body.get("next") or not results:
                return
            body = _get(client, body["next"], None, headers, policy, "marché de l'inclusion")

    return _save_pages(folder, pages(), lambda: seen["total"])


def fetch_label_source(
    name: str,
    source: str,
    raw_dir: Path,
    *,
    token: str | None = None,
    client: httpx.Client | None = None,
    log: Any = LOG,
) -> list[Path]:
    """The local files of one label source: a local path (file or folder of pages) as is, a URL
    downloaded (bulk file) or paged (API) under `raw_dir/labels/`."""
    from sources.download import fetch

    spec = SOURCES[name]
    here = local_path(source)
    if here is not None:
        if not here.exists():
            raise FileNotFoundError(f"source file not found: {here}")
        return [here]
    dest = raw_dir / "labels"
    own = client is None
    http = client or httpx.Client(timeout=DEFAULT_TIMEOUT, follow_redirects=True)
    try:
        if spec.fmt != "pages":
            suffix = "xlsx" if spec.fmt == "xlsx" else "csv"
            return [fetch(source, dest, filename=f"{name}.{suffix}", client=http, log=log).path]
        folder = dest / name
        if name == "rge":
            pages = fetch_rge(source, folder, client=http)
        elif name == "agence_bio":
            pages = fetch_agence_bio(source, folder, client=http)
        else:
            pages = fetch_siae(source, folder, token=token or "", client=http)
        log.info("%s: %d items in %d pages (the API says %s)", name, pages.items, pages.pages, pages.total)
        return [folder]
    finally:
        if own:
            http.close()
