"""A loopback Pipedrive (crm_sync.md §3, §4 items 19-24, 26), served over real HTTP.

Speaks what the push uses: the `x-api-token` header (or `?api_token=`), v2 organization/person
fields (40-hex `field_code`, cursor pages), v2 `itemSearch/field` (exact, case-sensitive),
v2 `persons/search`, v2 organisations and persons POST/PATCH (custom fields by key, emails and
phones arrays, v2's strict types), v1 leads (POST 201, PATCH, GET with start/limit pages) and v1
notes. Every response carries `x-ratelimit-*` headers; the first `rate_limit_first` requests
answer 429. `fail_sirens` / `fail_emails` make the creation of that organisation / person answer
400 with the error envelope. Every request is recorded as (method, path, query, body).

The read-back (§3.5): v2 `GET /api/v2/{organizations,persons,deals}` with `updated_since`
(records updated at or after it), `ids`, `sort_by=update_time`, cursor pages of `page_size`
(`additional_data.next_cursor`, null on the last); v1 `GET /v1/leads` and `/v1/leads/archived`
with `updated_since` and start/limit pages; `GET /v1/leadLabels`. Every record has an
`update_time`: `seed(..., updated=)` or the fake's clock (one second a write from
2026-03-01T00:00:00Z).

`GET /v1/users` lists `users` (the owners, §3.5). `delete(kind, id)` is what sales deleting (or
merging away) an organisation or person does: `is_deleted: true` and a new `update_time` (the v2
lists still return it, which the doc does not state: UNVERIFIED), gone from the searches, and a
PATCH on it answers 410.
"""

from __future__ import annotations

import calendar
import hashlib
import json
import threading
import time
import uuid
from collections import deque
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from firmo.loopback import LoopbackServer

TOKEN = "pd-test-token-8f3a1c"
PRESET_FIELD = {
    "field_name": "Secteur",
    "field_code": "5e1b9a0c4d7f2e3a6b8c9d0e1f2a3b4c5d6e7f80",
    "field_type": "varchar",
    "is_custom_field": True,
}
STANDARD_FIELDS = [
    {"field_name": n, "field_code": n.lower(), "field_type": "varchar", "is_custom_field": False}
    for n in ("Name", "Owner", "Address")
]


CLOCK_START = 1772323200  # 2026-03-01T00:00:00Z
LISTS = ("organizations", "persons", "deals")


def rfc3339(seconds: int) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(seconds))


def _error(status: int, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    body = {
        "success": False,
        "error": message,
        "error_info": "Please check developers.pipedrive.com for more information about Pipedrive API.",
        "data": None,
        "additional_data": None,
    }
    return JSONResponse(body, status_code=status, headers=headers)


class FakePipedrive:
    def __init__(
        self,
        *,
        rate_limit_first: int = 0,
        fail_sirens: tuple[str, ...] = (),
        fail_emails: tuple[str, ...] = (),
        page_size: int = 2,
        burst: tuple[int, int] | None = None,
        search_lag: int = 0,
    ) -> None:
        self.requests: list[tuple[str, str, dict[str, str], Any]] = []
        self.rate_limit_left = rate_limit_first
        self.fail_sirens, self.fail_emails = set(fail_sirens), set(fail_emails)
        self.page_size = page_size
        # (requests, searches) allowed per rolling 2-s window, as Pipedrive enforces them (§3.6)
        self.burst = burst
        self._windows: dict[str, deque[float]] = {"all": deque(), "search": deque()}
        self.throttled = 0
        # eventual consistency: a created record shows in search only after `search_lag` searches
        self.search_lag = search_lag
        self._searches = 0
        self._visible_from: dict[int, int] = {}
        self.fields: dict[str, list[dict[str, Any]]] = {
            "organizationFields": [*STANDARD_FIELDS, PRESET_FIELD],
            "personFields": list(STANDARD_FIELDS),
        }
        self.organizations: dict[int, dict[str, Any]] = {}
        self.persons: dict[int, dict[str, Any]] = {}
        self.leads: dict[str, dict[str, Any]] = {}
        self.notes: dict[int, dict[str, Any]] = {}
        self.deals: dict[int, dict[str, Any]] = {}
        self.lead_labels: list[dict[str, Any]] = []
        self.users: list[dict[str, Any]] = []  # GET /v1/users data (the owners)
        self.update_times: dict[tuple[str, Any], int] = {}  # (store, id) -> update_time (epoch s)
        self.clock = CLOCK_START
        self._ids = 100
        self._lock = threading.Lock()
        routes = [
            Route("/api/v2/{kind:str}Fields", self.fields_route, methods=["GET", "POST"]),
            Route("/api/v2/itemSearch/field", self.item_search_field, methods=["GET"]),
            Route("/api/v2/persons/search", self.persons_search, methods=["GET"]),
            Route("/api/v2/{entity:str}", self.entity_create, methods=["POST"]),
            Route("/api/v2/{entity:str}", self.entity_list, methods=["GET"]),
            Route("/v1/leads/archived", self.leads_route, methods=["GET"]),
            Route("/v1/leadLabels", self.labels_route, methods=["GET"]),
            Route("/api/v2/{entity:str}/{id:int}", self.entity_update, methods=["PATCH"]),
            Route("/v1/leads", self.leads_route, methods=["GET", "POST"]),
            Route("/v1/leads/{id:str}", self.lead_update, methods=["PATCH"]),
            Route("/v1/notes", self.notes_route, methods=["GET", "POST"]),
            Route("/v1/users", self.users_route, methods=["GET"]),
        ]
        self.server = LoopbackServer(self._guard(Starlette(routes=routes)), name="fake-pipedrive")

    # ------------------------------------------------------------------ lifecycle, helpers

    def __enter__(self) -> FakePipedrive:
        self.server.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.stop()

    @property
    def url(self) -> str:
        return self.server.url

    def writes(self) -> list[tuple[str, str, dict[str, str], Any]]:
        return [r for r in self.requests if r[0] in ("POST", "PATCH", "PUT", "DELETE")]

    def calls(self, method: str, path: str) -> list[Any]:
        return [body for m, p, _, body in self.requests if m == method and p == path]

    def _next_id(self) -> int:
        self._ids += 1
        return self._ids

    def _touch(self, kind: str, record_id: Any, updated: int | None = None) -> None:
        self.clock += 1
        self.update_times[(kind, record_id)] = self.clock if updated is None else updated

    def seed(self, kind: str, record: dict[str, Any], *, updated: int | None = None) -> Any:
        """A record sales already have (kind: organizations, persons, deals, leads), updated at
        `updated` (epoch seconds) or now on the fake's clock; returns its id."""
        with self._lock:
            store = self._store(kind)
            record_id: Any = str(uuid.UUID(int=self._next_id())) if kind == "leads" else self._next_id()
            base = {"is_archived": False, "label_ids": []} if kind == "leads" else {}
            store[record_id] = {**base, **record, "id": record_id}
            self._visible_from[record_id] = self._searches if kind != "leads" else 0
            self._touch(kind, record_id, updated)
        return record_id

    def edit(self, kind: str, record_id: Any, changes: dict[str, Any], *, updated: int | None = None) -> None:
        """What sales change in the UI: the record's update_time moves."""
        with self._lock:
            self._store(kind)[record_id].update(changes)
            self._touch(kind, record_id, updated)

    def delete(self, kind: str, record_id: Any, *, updated: int | None = None) -> None:
        """Sales delete an organisation or person (or merge it into another)."""
        self.edit(kind, record_id, {"is_deleted": True}, updated=updated)

    async def users_route(self, request: Request) -> JSONResponse:
        return JSONResponse({"success": True, "data": self.users})

    def _store(self, kind: str) -> dict[Any, dict[str, Any]]:
        return {"organizations": self.organizations, "persons": self.persons, "deals": self.deals, "leads": self.leads}[
            kind
        ]

    def _with_time(self, kind: str, record: dict[str, Any]) -> dict[str, Any]:
        return {**record, "update_time": rfc3339(self.update_times.get((kind, record["id"]), self.clock))}

    def _updated_since(self, kind: str, record: dict[str, Any], since: str | None) -> bool:
        if not since:
            return True
        limit = calendar.timegm(time.strptime(since, "%Y-%m-%dT%H:%M:%SZ"))
        return self.update_times.get((kind, record["id"]), self.clock) >= limit

    def custom_key(self, kind: str, name: str) -> str | None:
        return next((f["field_code"] for f in self.fields[kind] if f["field_name"] == name), None)

    def _visible(self, record_id: int) -> bool:
        return self._searches > self._visible_from.get(record_id, 0)

    def _spend(self, path: str) -> float | None:
        """Count one request in the rolling windows; the seconds until room, when there is none."""
        assert self.burst is not None
        now = time.monotonic()
        names = ("all", "search") if "search" in path.lower() else ("all",)
        for name, limit in zip(("all", "search"), self.burst, strict=True):
            window = self._windows[name]
            while window and now - window[0] >= 2:
                window.popleft()
            if name in names and len(window) >= limit:
                return 2 - (now - window[0])
        for name in names:
            self._windows[name].append(now)
        return None

    def _guard(self, app: Any) -> Any:
        """ASGI wrapper: record, check the token, apply the rate limit, add the rate headers."""
        fake = self

        async def guarded(scope: dict[str, Any], receive: Any, send: Any) -> None:
            request = Request(scope, receive)
            raw = await request.body()
            body = json.loads(raw) if raw else None
            query = dict(request.query_params)
            headers = {"x-ratelimit-limit": "40", "x-ratelimit-remaining": "39", "x-ratelimit-reset": "2"}
            with fake._lock:
                fake.requests.append((request.method, request.url.path, query, body))
                denied = None
                if request.headers.get("x-api-token") != TOKEN and query.get("api_token") != TOKEN:
                    denied = _error(401, "You need to be authorized to make this request.")
                elif fake.rate_limit_left > 0:
                    fake.rate_limit_left -= 1
                    denied = _error(
                        429, "Too many requests", {**headers, "x-ratelimit-remaining": "0", "x-ratelimit-reset": "0"}
                    )
                elif fake.burst is not None and (reset := fake._spend(request.url.path)) is not None:
                    fake.throttled += 1
                    spent = {**headers, "x-ratelimit-remaining": "0", "x-ratelimit-reset": f"{reset:.3f}"}
                    denied = _error(429, "Too many requests", spent)
            if denied is not None:
                await denied(scope, receive, send)
                return

            async def replay() -> dict[str, Any]:
                return {"type": "http.request", "body": raw, "more_body": False}

            async def send_with_headers(message: dict[str, Any]) -> None:
                if message["type"] == "http.response.start":
                    message["headers"] = [
                        *message.get("headers", []),
                        *[(k.encode(), v.encode()) for k, v in headers.items()],
                    ]
                await send(message)

            await app(scope, replay, send_with_headers)

        return guarded

    # ------------------------------------------------------------------ fields (v2, cursor pages)

    async def fields_route(self, request: Request) -> JSONResponse:
        kind = request.path_params["kind"] + "Fields"
        if kind not in self.fields:
            return _error(404, "Unknown method .")
        if request.method == "POST":
            body = await request.json()
            if not body.get("field_name") or not body.get("field_type"):
                return _error(400, '"field_name" and "field_type" are required.')
            with self._lock:
                code = hashlib.sha1(f"{kind}:{body['field_name']}:{len(self.fields[kind])}".encode()).hexdigest()
                item = {
                    "field_name": body["field_name"],
                    "field_code": code,
                    "field_type": body["field_type"],
                    "options": None,
                    "subfields": None,
                    "is_custom_field": True,
                }
                self.fields[kind].append(item)
            return JSONResponse({"success": True, "data": item})
        start = int(request.query_params.get("cursor") or 0)
        size = min(int(request.query_params.get("limit") or 100), self.page_size)
        page = self.fields[kind][start : start + size]
        more = start + size < len(self.fields[kind])
        return JSONResponse(
            {"success": True, "data": page, "additional_data": {"next_cursor": str(start + size) if more else None}}
        )

    # ------------------------------------------------------------------ search (v2)

    async def item_search_field(self, request: Request) -> JSONResponse:
        q = request.query_params
        if q.get("entity_type") != "organization" or q.get("match") != "exact" or not q.get("field"):
            return _error(400, "entity_type, field and match are required")
        code, term = q["field"], q.get("term", "")
        self._searches += 1
        hits = [
            {"id": i, "name": o["name"]}
            for i, o in sorted(self.organizations.items())
            if o.get("custom_fields", {}).get(code) == term and self._visible(i) and not o.get("is_deleted")
        ]  # exact and case-sensitive
        return JSONResponse({"success": True, "data": hits, "additional_data": {"next_cursor": None}})

    async def persons_search(self, request: Request) -> JSONResponse:
        q = request.query_params
        term, fields = q.get("term", "").lower(), q.get("fields")
        if q.get("exact_match") != "true" or fields not in ("email", "name"):
            return _error(400, "this fake answers exact email or name searches only")
        org = int(q["organization_id"]) if q.get("organization_id") else None
        self._searches += 1
        items = []
        for i, p in sorted(self.persons.items()):
            values = [e["value"].lower() for e in p.get("emails", [])] if fields == "email" else [p["name"].lower()]
            live = self._visible(i) and not p.get("is_deleted")
            if term in values and (org is None or p.get("org_id") == org) and live:
                items.append(
                    {
                        "result_score": 1.0,
                        "item": {
                            "id": i,
                            "type": "person",
                            "name": p["name"],
                            "emails": [e["value"] for e in p.get("emails", [])],
                            "organization": {"id": p.get("org_id")},
                        },
                    }
                )
        return JSONResponse({"success": True, "data": {"items": items}, "additional_data": {"next_cursor": None}})

    # ------------------------------------------------------------------ organizations, persons (v2)

    def _check(self, entity: str, body: Any, creating: bool) -> str | None:
        if not isinstance(body, dict):
            return "body must be an object"
        if creating and not body.get("name"):
            return '"name" is required.'
        kind = {"organizations": "organizationFields", "persons": "personFields"}[entity]
        codes = {f["field_code"] for f in self.fields[kind] if f["is_custom_field"]}
        unknown = set(body.get("custom_fields", {})) - codes
        if unknown:
            return f"unknown custom field {sorted(unknown)[0]}"
        if entity == "persons":
            for key in ("emails", "phones"):
                if key in body and not all(isinstance(x, dict) and "value" in x for x in body[key]):
                    return f'"{key}" must be an array of objects'
            if "org_id" in body and body["org_id"] not in self.organizations:
                return "Organization not found."
        return None

    async def entity_create(self, request: Request) -> JSONResponse:
        entity = request.path_params["entity"]
        if entity not in ("organizations", "persons"):
            return _error(404, "Unknown method .")
        body = await request.json()
        with self._lock:
            problem = self._check(entity, body, creating=True)
            if problem:
                return _error(400, problem)
            siren_code = self.custom_key("organizationFields", "SIREN")
            if entity == "organizations" and body.get("custom_fields", {}).get(siren_code) in self.fail_sirens:
                return _error(400, "Organization could not be saved.")
            emails = {e["value"] for e in body.get("emails", [])}
            if entity == "persons" and emails & self.fail_emails:
                return _error(400, "Person could not be saved.")
            store = self.organizations if entity == "organizations" else self.persons
            record_id = self._next_id()
            store[record_id] = {**body, "id": record_id}
            self._visible_from[record_id] = self._searches + self.search_lag
            self._touch(entity, record_id)
        return JSONResponse({"success": True, "data": store[record_id]})

    async def entity_update(self, request: Request) -> JSONResponse:
        entity, record_id = request.path_params["entity"], request.path_params["id"]
        store = {"organizations": self.organizations, "persons": self.persons}.get(entity)
        body = await request.json()
        with self._lock:
            if store is None or record_id not in store:
                return _error(404, "A resource required for this operation was not found.")
            if store[record_id].get("is_deleted"):
                return _error(410, "The requested entity has been deleted.")
            problem = self._check(entity, body, creating=False)
            if problem:
                return _error(400, problem)
            custom = {**store[record_id].get("custom_fields", {}), **body.get("custom_fields", {})}
            store[record_id].update({**body, "custom_fields": custom})
            self._touch(entity, record_id)
        return JSONResponse({"success": True, "data": store[record_id]})

    # ------------------------------------------------------------------ leads, notes (v1)

    async def leads_route(self, request: Request) -> JSONResponse:
        if request.method == "GET":
            q = request.query_params
            start, limit = int(q.get("start") or 0), min(int(q.get("limit") or 100), self.page_size)
            archived = request.url.path.endswith("/archived")
            rows = [
                self._with_time("leads", x)
                for x in sorted(self.leads.values(), key=lambda x: self.update_times.get(("leads", x["id"]), 0))
                if bool(x["is_archived"]) == archived
                and self._updated_since("leads", x, q.get("updated_since"))
                and ("person_id" not in q or x.get("person_id") == int(q["person_id"]))
                and ("organization_id" not in q or x.get("organization_id") == int(q["organization_id"]))
            ]
            page, more = rows[start : start + limit], start + limit < len(rows)
            pagination = {"start": start, "limit": limit, "more_items_in_collection": more}
            if more:
                pagination["next_start"] = start + limit
            return JSONResponse({"success": True, "data": page, "additional_data": {"pagination": pagination}})
        body = await request.json()
        with self._lock:
            if not body.get("title"):
                return _error(400, '"title" is required.')
            if body.get("person_id") not in self.persons and body.get("organization_id") not in self.organizations:
                return _error(400, "A lead must be linked to an existing person_id or organization_id.")
            lead_id = str(uuid.UUID(int=self._next_id()))
            self.leads[lead_id] = {
                "id": lead_id,
                "source_name": "API",
                "origin": "API",
                "is_archived": False,
                "origin_id": None,
                **body,
            }
            self._touch("leads", lead_id)
        return JSONResponse({"success": True, "data": self.leads[lead_id]}, status_code=201)

    async def labels_route(self, request: Request) -> JSONResponse:
        return JSONResponse({"success": True, "data": self.lead_labels})

    async def entity_list(self, request: Request) -> JSONResponse:
        """v2 lists, oldest update first (`sort_by=update_time&sort_direction=asc`), cursor pages."""
        entity, q = request.path_params["entity"], request.query_params
        if entity not in LISTS:
            return _error(404, "Unknown method .")
        if q.get("sort_by", "id") != "update_time" or q.get("sort_direction", "asc") != "asc":
            return _error(400, "this fake sorts by update_time ascending only")
        limit = int(q.get("limit") or 100)
        if not 1 <= limit <= 500:
            return _error(400, '"limit" must be between 1 and 500')
        ids = {int(i) for i in q["ids"].split(",")} if q.get("ids") else None
        if ids is not None and len(ids) > 100:
            return _error(400, '"ids" takes at most 100 ids')
        with self._lock:
            rows = sorted(
                (
                    self._with_time(entity, r)
                    for r in self._store(entity).values()
                    if (ids is None or r["id"] in ids) and self._updated_since(entity, r, q.get("updated_since"))
                ),
                key=lambda r: (r["update_time"], r["id"]),
            )
        start = int(q.get("cursor") or 0)
        size = min(limit, self.page_size)
        more = start + size < len(rows)
        return JSONResponse(
            {
                "success": True,
                "data": rows[start : start + size],
                "additional_data": {"next_cursor": str(start + size) if more else None},
            }
        )

    async def lead_update(self, request: Request) -> JSONResponse:
        lead_id = request.path_params["id"]
        body = await request.json()
        with self._lock:
            if lead_id not in self.leads:
                return _error(404, "Lead not found")
            self.leads[lead_id].update(body)
            self._touch("leads", lead_id)
        return JSONResponse({"success": True, "data": self.leads[lead_id]})

    async def notes_route(self, request: Request) -> JSONResponse:
        if request.method == "GET":
            q = request.query_params
            start, limit = int(q.get("start") or 0), min(int(q.get("limit") or 100), self.page_size)
            rows = [x for x in self.notes.values() if "lead_id" not in q or x.get("lead_id") == q["lead_id"]]
            page, more = rows[start : start + limit], start + limit < len(rows)
            pagination = {"start": start, "limit": limit, "more_items_in_collection": more}
            if more:
                pagination["next_start"] = start + limit
            return JSONResponse({"success": True, "data": page, "additional_data": {"pagination": pagination}})
        body = await request.json()
        with self._lock:
            if not body.get("content"):
                return _error(400, '"content" is required.')
            if not any(body.get(k) for k in ("lead_id", "deal_id", "person_id", "org_id", "project_id")):
                return _error(400, "One of lead_id, deal_id, person_id, org_id, project_id is required.")
            if body.get("lead_id") and body["lead_id"] not in self.leads:
                return _error(404, "Lead not found")
            note_id = self._next_id()
            self.notes[note_id] = {"id": note_id, **body, "add_time": "2026-03-02 09:30:00"}
        return JSONResponse({"success": True, "data": self.notes[note_id]})
