"""Pipedrive API client for the push (crm_sync.md §3): API token, v2 where v2 exists, v1 for leads
and notes (v2 has no leads CRUD nor notes; v1 persons/organizations are sunset).

Why it looks the way it does:
* Auth is the personal API token of a dedicated integration user in the `x-api-token` header
  (never `?api_token=`, which would put it in URLs and access logs). The token is an argument and
  only ever travels in that header: not in repr, logs, exceptions or results.
* Pipedrive has no upsert and no unique constraint: the push searches (organisation by its SIREN
  custom field through `itemSearch/field`, exact and case-sensitive; person by email through
  `persons/search`), then creates (POST) or updates (PATCH). This client offers the calls; the
  sequence and the id map are `firmo.crm.push_pipedrive`.
* Custom field keys are random 40-character hashes that differ per company: listed (cursor-paged)
  and created through `/api/v2/organizationFields` / `/api/v2/personFields`.
* Rate limits: a client-side window keeps under the burst limit (the doc's advice: at most 10
  requests/s and 5 searches / 2 s); a 429 is retried after `Retry-After`, else `x-ratelimit-reset`
  (seconds left in the 2-s window), else exponential backoff; `x-ratelimit-remaining: 0` waits for
  the reset before the next call. Every call's token cost (vendor OpenAPI `x-token-cost`) is
  counted in `tokens_spent`; with `token_budget`, a call that would pass it raises
  `PipedriveBudgetExhausted` before it is sent (the company's daily budget is shared with every
  other integration, and the header of the daily budget is not documented).
* Errors: the envelope `{"success": false, "error": ...}`. A 400/404/409/410/422 concerns one
  record (`PipedriveRecordError`: the push records it and moves on, retried next run); 401, 403,
  a 429 or 5xx that outlasts the retries stop the push (`PipedriveError`).
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import httpx

TOKEN_ENV = "FIRMO_PIPEDRIVE_API_TOKEN"  # named in the error when no token is given
BASE_URL = "https://api.pipedrive.com"  # FIRMO_PIPEDRIVE_API_URL points elsewhere: a company host, the tests' fake
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
RECORD_STATUSES = frozenset({400, 404, 409, 410, 422})
WRITE_METHODS = frozenset({"POST", "PATCH", "PUT", "DELETE"})
# Pipedrive's rolling burst window, 2 s (§3.6). No margin: the client stamps each request when its
# response is back (`_sent`), never earlier than Pipedrive counted it, so the request a full window
# lets go reaches Pipedrive at least 2 s after the one it replaces. (Stamped when it left, with a
# 2.1 s window, 4 of 40,000 calls still drew a 429.)
WINDOW_SECONDS = 2.0
ENTITY_PATHS = {"organization": "organizations", "person": "persons"}
FIELD_PATHS = {"organization": "organizationFields", "person": "personFields"}

# Token cost per call (crm_sync.md §3.6, from the vendor OpenAPI `x-token-cost`).
COST = {
    "fields_list": 10,
    "field_create": 5,
    "search": 20,
    "entity_write": 5,
    "lead_write": 10,
    "lead_list": 20,
    "note_create": 10,
    "list": 10,  # v2 persons / organizations / deals list (read-back)
    "archived_lead_list": 40,
    "lead_labels": 20,  # a v1 list (its cost is not in crm_sync.md: the v1 list price is assumed)
    "users": 20,  # v1 users list (§3.6)
}
LIST_PATHS = {"organization": "organizations", "person": "persons", "deal": "deals"}
LIST_LIMIT = 500  # v2 lists: default 100, max 500 (§3.5)


class PipedriveError(RuntimeError):
    """A call Pipedrive refused for good (message holds method, path, status and Pipedrive's
    error text only)."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class PipedriveRecordError(PipedriveError):
    """Pipedrive refused this one record (validation, not found, conflict): the others go on."""


class PipedriveBudgetExhausted(PipedriveError):
    """The next call would spend more tokens than this push may."""


class PipedriveClient:
    def __init__(
        self,
        token: str | None = None,
        *,
        base_url: str = BASE_URL,
        max_retries: int = 5,
        requests_per_2s: int = 20,
        searches_per_2s: int = 5,
        token_budget: int | None = None,
        timeout: float = 30.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if not token:
            raise PipedriveError(f"no Pipedrive token: set {TOKEN_ENV}")
        self.max_retries = max_retries
        self.token_budget = token_budget
        self.tokens_spent = 0
        self.calls: dict[str, int] = {"read": 0, "write": 0}
        self._sleep = sleep
        self._limits: dict[str, tuple[int, deque[float]]] = {
            "all": (requests_per_2s, deque()),
            "search": (searches_per_2s, deque()),
        }
        self._wait_until = 0.0
        self._http = httpx.Client(
            base_url=(base_url or BASE_URL).rstrip("/"), timeout=timeout, headers={"x-api-token": token}
        )

    def __repr__(self) -> str:
        return f"PipedriveClient(base_url={str(self._http.base_url)!r}, tokens_spent={self.tokens_spent})"

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> PipedriveClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ transport

    def _throttle(self, search: bool) -> None:
        now = time.monotonic()
        if self._wait_until > now:  # the server said its window is spent
            self._sleep(self._wait_until - now)
        for name in ("all", "search") if search else ("all",):
            limit, window = self._limits[name]
            now = time.monotonic()
            while window and now - window[0] >= WINDOW_SECONDS:
                window.popleft()
            if len(window) >= limit:
                self._sleep(max(0.0, WINDOW_SECONDS - (now - window[0])))
                window.popleft()

    def _sent(self, search: bool) -> None:
        """Stamp the request just answered (or failed) into its windows: after Pipedrive counted it."""
        now = time.monotonic()
        for name in ("all", "search") if search else ("all",):
            self._limits[name][1].append(now)

    def _request(
        self,
        method: str,
        path: str,
        *,
        cost: int,
        params: Mapping[str, Any] | None = None,
        body: Mapping[str, Any] | None = None,
        search: bool = False,
    ) -> dict[str, Any]:
        if self.token_budget is not None and self.tokens_spent + cost > self.token_budget:
            raise PipedriveBudgetExhausted(
                f"Pipedrive token budget reached ({self.tokens_spent:,} of {self.token_budget:,} spent)"
            )
        for attempt in range(self.max_retries + 1):
            self._throttle(search)
            try:
                response = self._http.request(method, path, params=params, json=body)
            finally:
                self._sent(search)
            self.tokens_spent += cost
            self.calls["write" if method in WRITE_METHODS else "read"] += 1
            self._note_window(response)
            if response.status_code not in RETRY_STATUSES or attempt == self.max_retries:
                break
            self._sleep(retry_after(response, attempt))
        if response.status_code >= 400:
            kind = PipedriveRecordError if response.status_code in RECORD_STATUSES else PipedriveError
            raise kind(
                f"Pipedrive {method} {path} -> {response.status_code}: {_message(response)}", response.status_code
            )
        payload = response.json()
        if not isinstance(payload, dict) or payload.get("success") is False:
            raise PipedriveRecordError(f"Pipedrive {method} {path} -> success false: {_message(response)}")
        return payload

    def _note_window(self, response: httpx.Response) -> None:
        """`x-ratelimit-remaining: 0`: wait `x-ratelimit-reset` seconds before the next call."""
        if response.headers.get("x-ratelimit-remaining") == "0":
            reset = _seconds(response.headers.get("x-ratelimit-reset"))
            if reset:
                self._wait_until = time.monotonic() + reset

    # ------------------------------------------------------------------ custom fields

    def list_fields(self, entity: str) -> dict[str, str]:
        """field_name -> field_code of every field of `entity` (cursor-paged, 500 a page)."""
        out: dict[str, str] = {}
        cursor = None
        while True:
            params = {"limit": 500, **({"cursor": cursor} if cursor else {})}
            payload = self._request("GET", f"/api/v2/{FIELD_PATHS[entity]}", cost=COST["fields_list"], params=params)
            for item in payload.get("data") or []:
                out.setdefault(str(item["field_name"]), str(item["field_code"]))
            cursor = (payload.get("additional_data") or {}).get("next_cursor")
            if not cursor:
                return out

    def add_field(self, entity: str, name: str, field_type: str) -> str:
        """Create a custom field; returns its 40-character key."""
        body = {"field_name": name, "field_type": field_type}
        payload = self._request("POST", f"/api/v2/{FIELD_PATHS[entity]}", cost=COST["field_create"], body=body)
        return str(payload["data"]["field_code"])

    # ------------------------------------------------------------------ search

    def find_by_field(self, entity: str, field_code: str, term: str) -> int | None:
        """Id of the first `entity` whose custom field equals `term` exactly (case-sensitive)."""
        params = {"entity_type": entity, "field": field_code, "term": term, "match": "exact", "limit": 100}
        payload = self._request("GET", "/api/v2/itemSearch/field", cost=COST["search"], params=params, search=True)
        hits = payload.get("data") or []
        return int(hits[0]["id"]) if hits else None

    def search_person(self, term: str, *, field: str = "email", organization_id: int | None = None) -> int | None:
        """Id of the first person whose `field` (email, name) matches `term` exactly."""
        params: dict[str, Any] = {"term": term, "fields": field, "exact_match": "true"}
        if organization_id is not None:
            params["organization_id"] = organization_id
        payload = self._request("GET", "/api/v2/persons/search", cost=COST["search"], params=params, search=True)
        items = (payload.get("data") or {}).get("items") or []
        return int(items[0]["item"]["id"]) if items else None

    # ------------------------------------------------------------------ organisations, persons (v2)

    def create(self, entity: str, body: Mapping[str, Any]) -> dict[str, Any]:
        return self._request("POST", f"/api/v2/{ENTITY_PATHS[entity]}", cost=COST["entity_write"], body=body)["data"]

    def update(self, entity: str, record_id: int | str, body: Mapping[str, Any]) -> dict[str, Any]:
        path = f"/api/v2/{ENTITY_PATHS[entity]}/{record_id}"
        return self._request("PATCH", path, cost=COST["entity_write"], body=body)["data"]

    # ------------------------------------------------------------------ leads, notes (v1)

    def leads_of(self, *, person_id: int | None = None, organization_id: int | None = None) -> list[dict[str, Any]]:
        """The (non-archived) leads of a person or organisation, start/limit paged."""
        out: list[dict[str, Any]] = []
        start = 0
        while True:
            params: dict[str, Any] = {"start": start, "limit": 500}
            if person_id is not None:
                params["person_id"] = person_id
            if organization_id is not None:
                params["organization_id"] = organization_id
            payload = self._request("GET", "/v1/leads", cost=COST["lead_list"], params=params)
            out += payload.get("data") or []
            page = (payload.get("additional_data") or {}).get("pagination") or {}
            if not page.get("more_items_in_collection"):
                return out
            start = int(page["next_start"])

    def notes_of(self, lead_id: str) -> list[dict[str, Any]]:
        """The notes of a lead (v1 `GET /notes?lead_id=`, start/limit paged; not in crm_sync.md, the
        public v1 reference): only read when a lead was found again by search, after a crash."""
        out: list[dict[str, Any]] = []
        start = 0
        while True:
            params = {"lead_id": lead_id, "start": start, "limit": 500}
            payload = self._request("GET", "/v1/notes", cost=COST["lead_list"], params=params)
            out += payload.get("data") or []
            page = (payload.get("additional_data") or {}).get("pagination") or {}
            if not page.get("more_items_in_collection"):
                return out
            start = int(page["next_start"])

    def add_lead(self, body: Mapping[str, Any]) -> dict[str, Any]:
        return self._request("POST", "/v1/leads", cost=COST["lead_write"], body=body)["data"]

    def update_lead(self, lead_id: str, body: Mapping[str, Any]) -> dict[str, Any]:
        return self._request("PATCH", f"/v1/leads/{lead_id}", cost=COST["lead_write"], body=body)["data"]

    def add_note(self, body: Mapping[str, Any]) -> dict[str, Any]:
        return self._request("POST", "/v1/notes", cost=COST["note_create"], body=body)["data"]

    # ------------------------------------------------------------------ read-back (§3.5)

    def list_updated(
        self, entity: str, *, updated_since: str | None = None, ids: list[int] | None = None
    ) -> Iterator[dict[str, Any]]:
        """v2 organizations / persons / deals updated since an RFC 3339 time (all of them without
        one), oldest first, or the records of `ids` (at most 100 a call); cursor-paged until
        `additional_data.next_cursor` is absent or null."""
        if ids is not None and not ids:
            return
        chunks: list[list[int] | None] = [ids[i : i + 100] for i in range(0, len(ids), 100)] if ids else [None]
        for chunk in chunks:
            cursor = None
            while True:
                params: dict[str, Any] = {"sort_by": "update_time", "sort_direction": "asc", "limit": LIST_LIMIT}
                if updated_since:
                    params["updated_since"] = updated_since
                if chunk:
                    params["ids"] = ",".join(str(i) for i in chunk)
                if cursor:
                    params["cursor"] = cursor
                payload = self._request("GET", f"/api/v2/{LIST_PATHS[entity]}", cost=COST["list"], params=params)
                yield from payload.get("data") or []
                cursor = (payload.get("additional_data") or {}).get("next_cursor")
                if not cursor:
                    break

    def leads_updated(self, *, archived: bool, updated_since: str | None = None) -> Iterator[dict[str, Any]]:
        """v1 leads (`/v1/leads`, or `/v1/leads/archived`: archived leads are not in the first),
        updated since an RFC 3339 time, oldest first, start/limit paged."""
        path, cost = (
            ("/v1/leads/archived", COST["archived_lead_list"]) if archived else ("/v1/leads", COST["lead_list"])
        )
        start = 0
        while True:
            params: dict[str, Any] = {"start": start, "limit": 500, "sort": "update_time ASC"}
            if updated_since:
                params["updated_since"] = updated_since
            payload = self._request("GET", path, cost=cost, params=params)
            yield from payload.get("data") or []
            page = (payload.get("additional_data") or {}).get("pagination") or {}
            if not page.get("more_items_in_collection"):
                return
            start = int(page["next_start"])

    def lead_labels(self) -> dict[str, str]:
        """label id -> name (`GET /v1/leadLabels`)."""
        payload = self._request("GET", "/v1/leadLabels", cost=COST["lead_labels"])
        return {str(x["id"]): str(x["name"]) for x in payload.get("data") or []}

    def users(self) -> list[dict[str, Any]]:
        """The company's users, who own its records (`GET /v1/users`, §3.5): id, name, email, ..."""
        payload = self._request("GET", "/v1/users", cost=COST["users"])
        return [u for u in payload.get("data") or [] if isinstance(u, dict)]


def _seconds(value: str | None) -> float | None:
    try:
        return max(0.0, float(value)) if value is not None else None
    except ValueError:
        return None


def retry_after(response: httpx.Response, attempt: int) -> float:
    """Seconds to wait before retrying: `Retry-After`, else `x-ratelimit-reset`, else 1, 2, 4... (≤ 60)."""
    for header in ("Retry-After", "x-ratelimit-reset"):
        seconds = _seconds(response.headers.get(header))
        if seconds is not None:
            return seconds
    return min(60.0, 2.0**attempt)


def _message(response: httpx.Response) -> str:
    try:
        payload = response.json()
    except ValueError:
        return response.text[:300]
    if isinstance(payload, dict):
        return str(payload.get("error") or payload.get("message") or "")[:300]
    return str(payload)[:300]
