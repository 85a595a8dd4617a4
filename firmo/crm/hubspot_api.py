"""Direct push to HubSpot through the v3 batch upsert API (doc §3.1), as an alternative to the
CSV import.

* Companies first, keyed on the custom unique property `siren` (HubSpot does not enforce
  uniqueness of `domain`, so it cannot be an idProperty); then contacts keyed on `email`;
  then each contact is associated with its company (v4 default association, in batches).
* 100 inputs per call (the v3 norm; the doc flags it unverified, so it is a parameter).
* 429 and 5xx are retried, honouring `Retry-After`, else exponential backoff; a client-side
  window keeps under the private-app burst limit (190 requests / 10 s).
* Read-back (`search_modified`, `associations`): the search API, sorted and filtered on the
  last-modified property, moving the cursor past its 10,000-result cap; notes (`create_note`) on
  the company record through the v3 notes API.
* The credential is a legacy private-app token or a Service Key (private apps can no longer be
  created since autumn 2026, crm_sync.md §1.1): both are sent as the same Bearer header.
* The token is an argument (the entry points and the Dagster `HubSpotResource` take it from
  `HUBSPOT_ACCESS_TOKEN`, firmo/settings.py) and only ever travels in the Authorization header:
  not in repr, logs, exceptions or results.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

import httpx

TOKEN_ENV = "HUBSPOT_ACCESS_TOKEN"  # named in the error when no token is given
BASE_URL = "https://api.hubapi.com"  # FIRMO_HUBSPOT_BASE_URL (settings) points elsewhere: a proxy, the tests' fake
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
# crm_sync.md §1.7: contacts carry `lastmodifieddate`, companies and deals `hs_lastmodifieddate`
MODIFIED_PROPERTY = {"contacts": "lastmodifieddate", "companies": "hs_lastmodifieddate", "deals": "hs_lastmodifieddate"}
SEARCH_RESULT_CAP = 10_000  # results one search query can page through (HTTP 400 beyond)
ASSOCIATION_BATCH = 1_000  # inputs per v4 associations batch/read (since 10 Feb 2025)
NOTE_TO_COMPANY = 190  # HUBSPOT_DEFINED association type id note -> company
NOTE_MAX_CHARS = 65_536  # hs_note_body
# the rolling burst window HubSpot counts (10 s, §1.8; `X-HubSpot-RateLimit-Interval-Milliseconds`
# 10000). No margin: the client stamps each request when its response is back (`_sent`), which is
# never earlier than HubSpot counted it, wherever between arrival and answer HubSpot does. So the
# request a full window lets go, sent at least 10 s after that stamp, reaches HubSpot at least 10 s
# after the request it replaces: the window is never overrun, whatever the latency.
BURST_WINDOW = 10.0


class HubSpotError(RuntimeError):
    """A call HubSpot refused for good (message holds status and HubSpot's message only)."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


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
        search_limit: int = 100,
        search_cap: int = SEARCH_RESULT_CAP,
        searches_per_second: float = 5.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if not token:
            raise HubSpotError(f"no HubSpot token: set {TOKEN_ENV}")
        self.batch_size = batch_size
        self.max_retries = max_retries
        self.search_limit = search_limit  # 100: the page size every source agrees on (§1.7)
        self.search_cap = search_cap
        # the search endpoint has its own limit, 5 requests/s, and no rate-limit headers (§1.7)
        self._search_gap = 1.0 / searches_per_second if searches_per_second > 0 else 0.0
        self._last_search = float("-inf")
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
        """Wait, when the window is full, until its oldest request is 10 s old."""
        now = time.monotonic()
        while self._window and now - self._window[0] >= BURST_WINDOW:
            self._window.popleft()
        if len(self._window) >= self._per_10s:
            self._sleep(BURST_WINDOW - (now - self._window[0]))
            self._window.popleft()

    def _sent(self) -> None:
        """Stamp the request just answered (or failed) into the window: after HubSpot counted it."""
        self._window.append(time.monotonic())

    def _send(self, method: str, path: str, body: Mapping[str, Any] | None = None) -> httpx.Response:
        self._throttle()
        try:
            return self._http.request(method, path, json=body)
        finally:
            self._sent()

    def _window_wait(self) -> float:
        """Until the oldest request of the client's window ages out: what a 429 without
        Retry-After (HubSpot sends none to API clients, §1.8) is waited, not a blind backoff."""
        return max(0.05, BURST_WINDOW - (time.monotonic() - self._window[0])) if self._window else 1.0

    def _request(self, method: str, path: str, body: Mapping[str, Any] | None = None) -> httpx.Response:
        for attempt in range(self.max_retries + 1):
            response = self._send(method, path, body)
            if response.status_code not in RETRY_STATUSES or attempt == self.max_retries:
                break
            rolling = response.status_code == 429 and "Retry-After" not in response.headers
            self._sleep(self._window_wait() if rolling else _retry_after(response, attempt))
        if response.status_code >= 400:
            raise HubSpotError(
                f"HubSpot {method} {path} -> {response.status_code}: {_message(response)}", response.status_code
            )
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

    def associate_contact_companies(self, pairs: Sequence[tuple[str, str]]) -> list[dict[str, Any]]:
        """`POST /crm/v4/associations/contacts/companies/batch/associate/default` (crm_sync.md
        §1.5), `batch_size` (contact id, company id) pairs a call instead of one PUT each: the
        errors HubSpot listed (207)."""
        errors: list[dict[str, Any]] = []
        for start in range(0, len(pairs), self.batch_size):
            inputs = [{"from": {"id": c}, "to": {"id": o}} for c, o in pairs[start : start + self.batch_size]]
            path = "/crm/v4/associations/contacts/companies/batch/associate/default"
            errors += self._request("POST", path, {"inputs": inputs}).json().get("errors", [])
        return errors

    def read(self, object_type: str, ids: Sequence[str], properties: Sequence[str]) -> dict[str, dict[str, Any]]:
        """`POST /crm/v3/objects/<type>/batch/read` by record id (§1.7), `batch_size` a call:
        id -> properties; an id HubSpot does not have is absent."""
        out: dict[str, dict[str, Any]] = {}
        for start in range(0, len(ids), self.batch_size):
            body = {
                "inputs": [{"id": i} for i in ids[start : start + self.batch_size]],
                "properties": list(properties),
                "propertiesWithHistory": [],
            }
            payload = self._request("POST", f"/crm/v3/objects/{object_type}/batch/read", body).json()
            out |= {str(r["id"]): r.get("properties", {}) for r in payload.get("results", [])}
        return out

    def has_property(self, object_type: str, name: str) -> bool:
        """`GET /crm/v3/properties/<type>/<name>` (crm_sync.md §1.3): 200 the portal has it, 404
        not (an upsert naming a property the portal lacks is refused)."""
        for attempt in range(self.max_retries + 1):
            response = self._send("GET", f"/crm/v3/properties/{object_type}/{name}")
            if response.status_code not in RETRY_STATUSES or attempt == self.max_retries:
                break
            self._sleep(_retry_after(response, attempt))
        if response.status_code == 404:
            return False
        if response.status_code >= 400:
            raise HubSpotError(f"HubSpot GET property {name} -> {response.status_code}: {_message(response)}")
        return True

    def update(self, object_type: str, object_id: str, properties: Mapping[str, str]) -> None:
        """`PATCH /crm/v3/objects/<type>/<id>`: e.g. write the SIREN onto a company found by domain."""
        self._request("PATCH", f"/crm/v3/objects/{object_type}/{object_id}", {"properties": dict(properties)})

    def search_modified(
        self, object_type: str, properties: Sequence[str], *, since_ms: int | None = None
    ) -> Iterator[dict[str, Any]]:
        """Every record of `object_type` modified at or after `since_ms` (epoch ms), oldest first:
        `POST /crm/v3/objects/<type>/search` sorted on the last-modified property, paged with `after`.

        The search API refuses to page past 10,000 results of one query (HTTP 400, crm_sync.md §1.7),
        so before the next page would cross it the query is re-issued from the last modification
        time seen (keyset pagination, GTE); records already yielded (same time) are dropped by id.
        """
        prop = MODIFIED_PROPERTY[object_type]
        seen: set[str] = set()
        cursor, last = since_ms, since_ms
        while True:
            after: str | None = None
            while True:
                body: dict[str, Any] = {
                    "filterGroups": (
                        [{"filters": [{"propertyName": prop, "operator": "GTE", "value": str(cursor)}]}]
                        if cursor is not None
                        else []
                    ),
                    "sorts": [{"propertyName": prop, "direction": "ASCENDING"}],
                    "properties": [*properties, prop],
                    "limit": self.search_limit,
                }
                if after is not None:
                    body["after"] = after
                wait = self._last_search + self._search_gap - time.monotonic()
                if wait > 0:
                    self._sleep(wait)
                self._last_search = time.monotonic()
                page = self._request("POST", f"/crm/v3/objects/{object_type}/search", body).json()
                for record in page.get("results", []):
                    last = epoch_ms(record.get("properties", {}).get(prop)) or last
                    if record["id"] not in seen:
                        seen.add(record["id"])
                        yield record
                after = page.get("paging", {}).get("next", {}).get("after")
                if after is None:
                    return
                if int(after) + self.search_limit > self.search_cap:
                    break  # the next page would cross the cap: restart from the last time seen
            if last == cursor:
                raise HubSpotError(
                    f"more than {self.search_cap:,} {object_type} modified at the same millisecond: "
                    "the search API cannot page through them"
                )
            cursor = last

    def associations(self, from_type: str, to_type: str, ids: Sequence[str]) -> dict[str, list[str]]:
        """`POST /crm/v4/associations/<from>/<to>/batch/read` (1,000 inputs per call): id -> the
        associated `to_type` ids (every page of each input)."""
        out: dict[str, list[str]] = {}
        todo = [(i, None) for i in ids]
        while todo:
            batch, todo = todo[:ASSOCIATION_BATCH], todo[ASSOCIATION_BATCH:]
            inputs = [{"id": i, **({"after": a} if a else {})} for i, a in batch]
            path = f"/crm/v4/associations/{from_type}/{to_type}/batch/read"
            payload = self._request("POST", path, {"inputs": inputs}).json()
            for result in payload.get("results", []):
                key = str(result["from"]["id"])
                out.setdefault(key, []).extend(str(t["toObjectId"]) for t in result.get("to", []))
                more = result.get("paging", {}).get("next", {}).get("after")
                if more:
                    todo.append((key, more))
        return out

    def _pages(self, path: str, params: Mapping[str, str]) -> Iterator[dict[str, Any]]:
        """Every result of a GET list with forward paging (`paging.next.after`)."""
        after: str | None = None
        while True:
            query = urlencode({**params, **({"after": after} if after else {})})
            page = self._request("GET", f"{path}?{query}").json()
            yield from page.get("results") or []
            after = ((page.get("paging") or {}).get("next") or {}).get("after")
            if not after:
                return

    def owners(self, *, archived: bool = False) -> Iterator[dict[str, Any]]:
        """`GET /crm/v3/owners/` (§1.7), 100 a page: the active owners, or the deactivated ones."""
        return self._pages("/crm/v3/owners/", {"limit": "100", "archived": "true" if archived else "false"})

    def archived(self, object_type: str) -> Iterator[dict[str, Any]]:
        """`GET /crm/v3/objects/<type>?archived=true` (§1.7), 100 a page: the records sales deleted
        (search never returns them), each with `archivedAt`; the list has no modified-since filter."""
        return self._pages(f"/crm/v3/objects/{object_type}", {"limit": "100", "archived": "true"})

    def create_note(self, company_id: str, body: str, timestamp: str) -> str:
        """`POST /crm/v3/objects/notes` associated with the company (HUBSPOT_DEFINED type 190,
        note -> company, crm_sync.md §1.5): the new note's id."""
        payload = {
            "properties": {"hs_timestamp": timestamp, "hs_note_body": body[:NOTE_MAX_CHARS]},
            "associations": [
                {
                    "to": {"id": company_id},
                    "types": [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": NOTE_TO_COMPANY}],
                }
            ],
        }
        return str(self._request("POST", "/crm/v3/objects/notes", payload).json()["id"])

    def create_notes(
        self, notes: Sequence[tuple[str, str]], timestamp: str
    ) -> tuple[dict[str, str], list[dict[str, Any]]]:
        """`POST /crm/v3/objects/notes/batch/create` (HubSpot's notes reference: inputs of
        `properties` + `associations`), `batch_size` (company id, body) pairs a call instead of one
        `POST` each, so the 10 s window, not each call's latency, bounds a push. Results come in no
        guaranteed order: they are matched back by their body (firmo's marker makes each unique).
        Returns body -> note id of the notes created, and the errors HubSpot listed (207), or one
        per batch it refused whole; a note absent from the first is not created."""
        created: dict[str, str] = {}
        errors: list[dict[str, Any]] = []
        for start in range(0, len(notes), self.batch_size):
            inputs = [
                {
                    "properties": {"hs_timestamp": timestamp, "hs_note_body": body[:NOTE_MAX_CHARS]},
                    "associations": [
                        {
                            "to": {"id": company_id},
                            "types": [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": NOTE_TO_COMPANY}],
                        }
                    ],
                }
                for company_id, body in notes[start : start + self.batch_size]
            ]
            try:
                payload = self._request("POST", "/crm/v3/objects/notes/batch/create", {"inputs": inputs}).json()
            except HubSpotError as exc:
                errors.append({"category": "NOTE_REFUSED", "message": str(exc)})
                continue
            for result in payload.get("results", []):
                created[str(result.get("properties", {}).get("hs_note_body", ""))] = str(result["id"])
            errors += payload.get("errors", [])
        return created, errors


def epoch_ms(value: Any) -> int | None:
    """A HubSpot date-time (ISO 8601 with `Z`, or epoch milliseconds as a string) as epoch ms."""
    if value in (None, ""):
        return None
    text = str(value)
    if text.isdigit():
        return int(text)
    return int(datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp() * 1000)


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
