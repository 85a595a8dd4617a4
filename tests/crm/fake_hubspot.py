"""A loopback HubSpot speaking the documented API (crm_sync.md §1): batch upsert, v4 default
association (one, or in batch), CRM search (filterGroups, sorts, `after` paging, the 10,000-result
cap), v4 associations batch read (a note is read back from its company), batch read by id, object
PATCH and v3 notes, the owners list (`GET /crm/v3/owners/`, `owners`, `archived` true/false,
`after` paging) and the list of archived records (`GET /crm/v3/objects/<type>?archived=true`: what
`archive` removed, with `archivedAt`; search never returns them and PATCH answers 404), checking
auth and body shapes. `burst=(190, 10.0)` enforces the rolling burst
window (429 TEN_SECONDLY_ROLLING with the X-HubSpot-RateLimit-* headers, counted in `throttled`).

Every request is recorded; the first `rate_limit_first` upsert calls answer 429 with
Retry-After: 0. Unknown shapes answer 400 with a message, as HubSpot does. A fake clock stamps
every write (`lastmodifieddate` on contacts, `hs_lastmodifieddate` on the other objects): ISO
strings in responses, epoch milliseconds in filters, as HubSpot does. `search_cap` is the
result cap of one search query (10,000 at HubSpot; tests lower it).
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections import deque
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl

TOKEN = "pat-eu1-test-token-123"
SERVICE_KEY = "pat-eu1-service-key-456"  # a Service Key: the same Bearer header
START_MS = 1767225600000  # 2026-01-01T00:00:00Z
MODIFIED = {"contacts": "lastmodifieddate", "companies": "hs_lastmodifieddate", "deals": "hs_lastmodifieddate",
            "notes": "hs_lastmodifieddate"}
KEYS = {"contacts": "email", "companies": "siren"}
OPERATORS = {"EQ", "NEQ", "LT", "LTE", "GT", "GTE", "BETWEEN", "IN", "NOT_IN", "HAS_PROPERTY", "NOT_HAS_PROPERTY"}


def iso(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}Z"


class FakeHubSpot:
    def __init__(self, *, rate_limit_first: int = 0, fail_emails: tuple[str, ...] = (),
                 search_cap: int = 10_000, burst: tuple[int, float] | None = None) -> None:
        self.requests: list[tuple[str, str, Any]] = []
        # (requests, seconds): the rolling burst window HubSpot enforces (§1.8: 190 per 10 s on
        # Professional); beyond it 429 TEN_SECONDLY_ROLLING. Searches are not counted (own limit).
        self.burst = burst
        self.throttled = 0
        self._window: deque[float] = deque()
        self.rate_limit_left = rate_limit_first
        self.fail_emails = set(fail_emails)
        self.search_cap = search_cap
        # object type -> key (email / siren for upserted records, 'id:<id>' otherwise) -> properties
        self.objects: dict[str, dict[str, dict[str, str]]] = {"contacts": {}, "companies": {}, "deals": {},
                                                              "notes": {}}
        self.modified: dict[str, int] = {}  # object id -> last modification (epoch ms)
        self.associations: list[tuple[str, str]] = []  # (contact id, company id) set by the push
        self.links: dict[tuple[str, str], list[tuple[str, str]]] = {}  # (from, to) -> [(from id, to id)]
        self.notes: list[dict[str, Any]] = []  # note create bodies accepted
        self.owners: list[dict[str, Any]] = []  # GET /crm/v3/owners/ results (public owner shape)
        self.owners_forbidden = False  # True: the token lacks crm.objects.owners.read (403 MISSING_SCOPES)
        self.archived: dict[str, list[dict[str, Any]]] = {"companies": [], "contacts": []}  # archived records
        self.page_size = 100  # owners and archived-list pages (`limit` caps it)
        # custom property definitions the portal has (GET /crm/v3/properties/<type>/<name>: 200, else 404)
        self.properties: dict[str, set[str]] = {"contacts": set(), "companies": {"siren"}}
        self.clock = START_MS
        self._ids = 1000
        self._by_id: dict[tuple[str, str], dict[str, str]] = {}  # (type, id) -> record: see `get`
        self._lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.02},
                                        daemon=True)

    def __enter__(self) -> FakeHubSpot:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    # ------------------------------------------------------------------ state helpers (tests)

    def _touch(self, object_type: str, props: dict[str, str], modified_ms: int | None = None) -> None:
        if modified_ms is None:
            self.clock += 1000
            ms = self.clock
        else:
            ms, self.clock = modified_ms, max(self.clock, modified_ms)
        self.modified[props["hs_object_id"]] = ms
        props[MODIFIED[object_type]] = iso(ms)

    def seed(self, object_type: str, properties: dict[str, str], *, modified_ms: int | None = None) -> str:
        """A record sales created in HubSpot; returns its id."""
        with self._lock:
            self._ids += 1
            oid = str(self._ids)
            props = {"hs_object_id": oid, **properties}
            key = KEYS.get(object_type)
            self.objects[object_type][props[key] if key and props.get(key) else f"id:{oid}"] = props
            self._touch(object_type, props, modified_ms)
            return oid

    def edit(self, object_type: str, oid: str, properties: dict[str, str], *, modified_ms: int | None = None) -> None:
        """Sales change a record (its last-modified time moves)."""
        with self._lock:
            props = self.get(object_type, oid)
            props.update(properties)
            self._touch(object_type, props, modified_ms)

    def archive(self, object_type: str, oid: str, *, archived_ms: int | None = None) -> None:
        """Sales delete a record (HubSpot archives it: out of search, listed with archived=true)."""
        with self._lock:
            props = self.get(object_type, oid)
            store = self.objects[object_type]
            del store[next(k for k, p in store.items() if p is props)]
            ms = archived_ms if archived_ms is not None else self.clock + 1000
            self.clock = max(self.clock, ms)
            self.archived[object_type].append({"id": oid, "properties": dict(props), "createdAt": iso(START_MS),
                                               "updatedAt": iso(ms), "archived": True, "archivedAt": iso(ms)})

    def _paged(self, rows: list[dict[str, Any]], query: dict[str, str]) -> dict[str, Any]:
        after, limit = int(query.get("after") or 0), min(int(query.get("limit") or 100), self.page_size)
        out: dict[str, Any] = {"results": rows[after: after + limit]}
        if after + limit < len(rows):
            out["paging"] = {"next": {"after": str(after + limit), "link": f"?after={after + limit}"}}
        return out

    def link(self, from_type: str, from_id: str, to_type: str, to_id: str) -> None:
        self.links.setdefault((from_type, to_type), []).append((from_id, to_id))

    def get(self, object_type: str, oid: str) -> dict[str, str]:
        # an index id -> record, rebuilt when it misses or is stale (tests edit `objects` directly):
        # a scan per call made each note of a 10,000-company batch create cost the fake ~0.3 ms
        store, key = self.objects[object_type], KEYS.get(object_type)

        def current(p: dict[str, str]) -> bool:
            return store.get(p[key] if key and p.get(key) else f"id:{p['hs_object_id']}") is p

        props = self._by_id.get((object_type, oid))
        if props is None or not current(props):
            self._by_id = {k: v for k, v in self._by_id.items() if k[0] != object_type}
            self._by_id.update({(object_type, p["hs_object_id"]): p for p in store.values()})
            props = self._by_id.get((object_type, oid))
        if props is None:
            raise KeyError(oid)
        return props

    def searches(self, object_type: str) -> list[dict[str, Any]]:
        return [b for m, p, b in self.requests if m == "POST" and p == f"/crm/v3/objects/{object_type}/search"]

    # ------------------------------------------------------------------ endpoints

    def _upsert(self, object_type: str, body: Any) -> tuple[int, dict[str, Any]]:
        inputs = body.get("inputs") if isinstance(body, dict) else None
        key = KEYS[object_type]
        if not isinstance(inputs, list) or not 1 <= len(inputs) <= 100:
            return 400, {"status": "error", "message": "inputs must be a list of 1..100"}
        results, errors = [], []
        for item in inputs:
            props = item.get("properties")
            if item.get("idProperty") != key or not isinstance(props, dict) or not item.get("id"):
                return 400, {"status": "error", "message": f"bad input {item}"}
            if not all(isinstance(v, str) for v in props.values()):
                return 400, {"status": "error", "message": "property values must be strings"}
            if item["id"] in self.fail_emails:
                errors.append({"status": "error", "category": "VALIDATION_ERROR", "context": {"id": [item["id"]]}})
                continue
            store = self.objects[object_type]
            new = item["id"] not in store
            if new:
                self._ids += 1
                store[item["id"]] = {"hs_object_id": str(self._ids), key: item["id"]}
            store[item["id"]].update(props)
            self._touch(object_type, store[item["id"]])
            results.append({"id": store[item["id"]]["hs_object_id"], "new": new,
                            "properties": {**props, key: item["id"]}})
        status = 207 if errors else 200
        return status, {"status": "COMPLETE", "results": results, "errors": errors, "numErrors": len(errors)}

    def _value(self, object_type: str, props: dict[str, str], name: str) -> Any:
        if name == MODIFIED.get(object_type):
            return self.modified[props["hs_object_id"]]
        return props.get(name)

    def _matches(self, object_type: str, props: dict[str, str], f: dict[str, Any]) -> bool:
        value = self._value(object_type, props, f["propertyName"])
        op = f["operator"]
        if op == "HAS_PROPERTY":
            return value not in (None, "")
        if op == "NOT_HAS_PROPERTY":
            return value in (None, "")
        date = f["propertyName"] == MODIFIED.get(object_type)

        def cast(v: Any) -> Any:
            return int(v) if date else str(v).lower()

        if op in ("IN", "NOT_IN"):
            found = value is not None and cast(value) in {cast(v) for v in f.get("values", [])}
            return found if op == "IN" else not found
        if value is None:
            return op == "NEQ"
        a, b = cast(value), cast(f.get("value"))
        if op == "BETWEEN":
            return bool(b <= a <= cast(f.get("highValue")))
        return {"EQ": a == b, "NEQ": a != b, "LT": a < b, "LTE": a <= b, "GT": a > b, "GTE": a >= b}[op]

    def _search(self, object_type: str, body: Any) -> tuple[int, dict[str, Any]]:
        if not isinstance(body, dict):
            return 400, {"status": "error", "message": "body required"}
        groups, sorts = body.get("filterGroups", []), body.get("sorts", [])
        limit, after = int(body.get("limit", 10)), int(body.get("after", 0) or 0)
        if limit > 200 or len(groups) > 5 or len(sorts) > 1:
            return 400, {"status": "error", "category": "VALIDATION_ERROR", "message": "bad search shape"}
        for g in groups:
            if any(f.get("operator") not in OPERATORS or not f.get("propertyName") for f in g.get("filters", [])):
                return 400, {"status": "error", "category": "VALIDATION_ERROR", "message": "bad filter"}
        if after >= self.search_cap:
            return 400, {"status": "error", "category": "VALIDATION_ERROR",
                         "message": f"paging beyond {self.search_cap} results is not allowed"}
        records = [p for p in self.objects[object_type].values()
                   if not groups or any(all(self._matches(object_type, p, f) for f in g.get("filters", []))
                                        for g in groups)]
        records.sort(key=lambda p: int(p["hs_object_id"]))
        for s in sorts:
            records.sort(key=lambda p: (self._value(object_type, p, s["propertyName"]) is None,
                                        self._value(object_type, p, s["propertyName"]) or 0),
                         reverse=s.get("direction") == "DESCENDING")
        page = records[after: after + limit]
        wanted = set(body.get("properties", [])) | {"hs_object_id", MODIFIED[object_type]}
        results = [{"id": p["hs_object_id"], "properties": {k: v for k, v in p.items() if k in wanted},
                    "createdAt": iso(START_MS), "updatedAt": p[MODIFIED[object_type]], "archived": False}
                   for p in page]
        out: dict[str, Any] = {"total": len(records), "results": results}
        if after + limit < len(records):
            out["paging"] = {"next": {"after": str(after + limit), "link": f"?after={after + limit}"}}
        return 200, out

    def _associations_read(self, from_type: str, to_type: str, body: Any) -> tuple[int, dict[str, Any]]:
        inputs = body.get("inputs") if isinstance(body, dict) else None
        if not isinstance(inputs, list) or not 1 <= len(inputs) <= 1000:
            return 400, {"status": "error", "message": "inputs must be a list of 1..1000"}
        pairs = list(self.links.get((from_type, to_type), []))
        if (from_type, to_type) == ("contacts", "companies"):
            pairs += self.associations
        type_id = {("deals", "companies"): 341, ("contacts", "companies"): 279}.get((from_type, to_type), 0)
        results = []
        for item in inputs:
            to = sorted({t for f, t in pairs if f == str(item["id"])}, key=int)
            if to:
                results.append({"from": {"id": str(item["id"])}, "to": [
                    {"toObjectId": int(t), "associationTypes": [
                        {"category": "HUBSPOT_DEFINED", "typeId": type_id, "label": None}]} for t in to]})
        return 200, {"status": "COMPLETE", "results": results}

    def _patch(self, object_type: str, oid: str, body: Any) -> tuple[int, dict[str, Any]]:
        props = body.get("properties") if isinstance(body, dict) else None
        if not isinstance(props, dict):
            return 400, {"status": "error", "message": "properties required"}
        store = self.objects[object_type]
        old_key = next((k for k, p in store.items() if p["hs_object_id"] == oid), None)
        if old_key is None:
            return 404, {"status": "error", "category": "OBJECT_NOT_FOUND", "message": f"no {object_type} {oid}"}
        record = store.pop(old_key)
        record.update(props)
        key = KEYS.get(object_type)
        store[record[key] if key and record.get(key) else old_key] = record
        self._touch(object_type, record)
        return 200, {"id": oid, "properties": record}

    def _note(self, body: Any) -> tuple[int, dict[str, Any]]:
        props = body.get("properties") if isinstance(body, dict) else None
        if not isinstance(props, dict) or not props.get("hs_timestamp") or "hs_note_body" not in props:
            return 400, {"status": "error", "category": "VALIDATION_ERROR", "message": "hs_timestamp is required"}
        if len(props["hs_note_body"]) > 65536:
            return 400, {"status": "error", "category": "VALIDATION_ERROR", "message": "note body too long"}
        for assoc in body.get("associations", []):
            types = assoc.get("types", [])
            if types != [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 190}]:
                return 400, {"status": "error", "category": "VALIDATION_ERROR", "message": f"bad types {types}"}
            self.get("companies", str(assoc["to"]["id"]))
        self._ids += 1
        oid = str(self._ids)
        self.objects["notes"][f"id:{oid}"] = {"hs_object_id": oid, **props}
        self._touch("notes", self.objects["notes"][f"id:{oid}"])
        self.notes.append(body)
        for assoc in body.get("associations", []):  # readable back from the company (type 189)
            self.link("companies", str(assoc["to"]["id"]), "notes", oid)
        return 201, {"id": oid, "properties": props}

    def _notes_batch_create(self, body: Any) -> tuple[int, dict[str, Any]]:
        """`POST /crm/v3/objects/notes/batch/create`: 1..100 inputs, each checked as a single
        create; the refused ones listed in `errors` (207), the others created."""
        inputs = body.get("inputs") if isinstance(body, dict) else None
        if not isinstance(inputs, list) or not 1 <= len(inputs) <= 100:
            return 400, {"status": "error", "category": "VALIDATION_ERROR", "message": "1..100 inputs"}
        results, errors = [], []
        for item in inputs:
            status, out = self._note(item)
            if status == 201:
                results.append({"id": out["id"], "properties": out["properties"], "archived": False})
            else:
                errors.append({"status": "error", "category": out["category"], "message": out["message"]})
        results.reverse()  # HubSpot does not promise the input order: the client must not rely on it
        payload = {"status": "COMPLETE", "results": results}
        if errors:
            payload |= {"errors": errors, "numErrors": len(errors)}
        return (207 if errors else 201), payload

    def _batch_read(self, object_type: str, body: Any) -> tuple[int, dict[str, Any]]:
        inputs = body.get("inputs") if isinstance(body, dict) else None
        if not isinstance(inputs, list) or not 1 <= len(inputs) <= 100 or "properties" not in body:
            return 400, {"status": "error", "category": "VALIDATION_ERROR", "message": "1..100 inputs and properties"}
        wanted = set(body["properties"]) | {"hs_object_id"}
        by_id = {p["hs_object_id"]: p for p in self.objects[object_type].values()}
        results = [{"id": str(i["id"]), "properties": {k: v for k, v in by_id[str(i["id"])].items() if k in wanted}}
                   for i in inputs if str(i["id"]) in by_id]
        return 200, {"status": "COMPLETE", "results": results}

    def _batch_associate(self, body: Any) -> tuple[int, dict[str, Any]]:
        inputs = body.get("inputs") if isinstance(body, dict) else None
        if not isinstance(inputs, list) or not 1 <= len(inputs) <= 100:
            return 400, {"status": "error", "category": "VALIDATION_ERROR", "message": "1..100 inputs"}
        results = []
        for item in inputs:
            pair = (str(item["from"]["id"]), str(item["to"]["id"]))
            if pair not in self.associations:
                self.associations.append(pair)
            results.append({"from": {"id": pair[0]}, "to": {"id": pair[1]},
                            "associationSpec": {"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 279}})
        return 200, {"status": "COMPLETE", "results": results}

    def _over_burst(self) -> dict[str, str] | None:
        """The rate-limit headers of this response, and None while under the burst window."""
        if self.burst is None:
            return None
        limit, seconds = self.burst
        now = time.monotonic()
        while self._window and now - self._window[0] >= seconds:
            self._window.popleft()
        headers = {"X-HubSpot-RateLimit-Max": str(limit), "X-HubSpot-RateLimit-Interval-Milliseconds":
                   str(int(seconds * 1000)), "X-HubSpot-RateLimit-Remaining": str(max(limit - len(self._window) - 1, 0))}
        if len(self._window) >= limit:
            self.throttled += 1
            return {**headers, "X-HubSpot-RateLimit-Remaining": "0"}
        self._window.append(now)
        return None

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def _reply(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(data)

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                body = json.loads(raw) if raw else None
                with fake._lock:
                    fake.requests.append((self.command, self.path, body))
                    if self.headers.get("Authorization") not in (f"Bearer {TOKEN}", f"Bearer {SERVICE_KEY}"):
                        return self._reply(401, {"status": "error", "message": "Authentication credentials not found"})
                    if not self.path.endswith("/search") and (over := fake._over_burst()) is not None:
                        return self._reply(429, {"status": "error", "errorType": "RATE_LIMIT",
                                                 "message": "You have reached your ten_secondly_rolling limit.",
                                                 "policyName": "TEN_SECONDLY_ROLLING"}, over)
                    prop = re.fullmatch(r"/crm/v3/properties/(contacts|companies)/(\w+)", self.path)
                    if prop and self.command == "GET":
                        if prop.group(2) not in fake.properties[prop.group(1)]:
                            return self._reply(404, {"status": "error", "category": "OBJECT_NOT_FOUND",
                                                     "message": f"Unable to find property {prop.group(2)}"})
                        return self._reply(200, {"name": prop.group(2), "type": "string", "hasUniqueValue":
                                                 prop.group(2) == "siren"})
                    upsert = re.fullmatch(r"/crm/v3/objects/(contacts|companies)/batch/upsert", self.path)
                    if upsert and self.command == "POST":
                        if fake.rate_limit_left > 0:
                            fake.rate_limit_left -= 1
                            return self._reply(429, {"status": "error", "message": "rate limit"},
                                               {"Retry-After": "0", "X-HubSpot-RateLimit-Remaining": "0"})
                        return self._reply(*fake._upsert(upsert.group(1), body))
                    assoc = re.fullmatch(r"/crm/v4/objects/contacts/(\d+)/associations/default/companies/(\d+)",
                                         self.path)
                    if assoc and self.command == "PUT":
                        fake.associations.append((assoc.group(1), assoc.group(2)))
                        return self._reply(200, {"status": "COMPLETE", "results": []})
                    search = re.fullmatch(r"/crm/v3/objects/(contacts|companies|deals)/search", self.path)
                    if search and self.command == "POST":
                        return self._reply(*fake._search(search.group(1), body))
                    read = re.fullmatch(r"/crm/v4/associations/(\w+)/(\w+)/batch/read", self.path)
                    if read and self.command == "POST":
                        return self._reply(*fake._associations_read(read.group(1), read.group(2), body))
                    patch = re.fullmatch(r"/crm/v3/objects/(contacts|companies)/(\d+)", self.path)
                    if patch and self.command == "PATCH":
                        return self._reply(*fake._patch(patch.group(1), patch.group(2), body))
                    batch_read = re.fullmatch(r"/crm/v3/objects/(contacts|companies|notes)/batch/read", self.path)
                    if batch_read and self.command == "POST":
                        return self._reply(*fake._batch_read(batch_read.group(1), body))
                    if self.path == "/crm/v4/associations/contacts/companies/batch/associate/default" and \
                            self.command == "POST":
                        return self._reply(*fake._batch_associate(body))
                    if self.path == "/crm/v3/objects/notes/batch/create" and self.command == "POST":
                        return self._reply(*fake._notes_batch_create(body))
                    if self.path == "/crm/v3/objects/notes" and self.command == "POST":
                        return self._reply(*fake._note(body))
                    path, _, qs = self.path.partition("?")
                    query = dict(parse_qsl(qs))
                    if path == "/crm/v3/owners/" and self.command == "GET" and fake.owners_forbidden:
                        return self._reply(403, {"status": "error", "category": "MISSING_SCOPES",
                                                 "message": "This app hasn't been granted all required scopes "
                                                            "to make this call."})
                    if path == "/crm/v3/owners/" and self.command == "GET":
                        archived = query.get("archived", "false") == "true"
                        return self._reply(200, fake._paged([o for o in fake.owners
                                                             if bool(o.get("archived")) == archived], query))
                    listed = re.fullmatch(r"/crm/v3/objects/(contacts|companies)", path)
                    if listed and self.command == "GET" and query.get("archived") == "true":
                        return self._reply(200, fake._paged(fake.archived[listed.group(1)], query))
                    return self._reply(404, {"status": "error", "message": f"no route {self.command} {self.path}"})

            do_GET = do_POST = do_PUT = do_PATCH = _handle

        return Handler
