"""A loopback HubSpot: batch upsert and v4 default association, checking auth and body shape.

Every request is recorded; the first `rate_limit_first` upsert calls answer 429 with
Retry-After: 0. Unknown shapes answer 400 with a message, as HubSpot does.
"""

from __future__ import annotations

import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

TOKEN = "pat-eu1-test-token-123"


class FakeHubSpot:
    def __init__(self, *, rate_limit_first: int = 0, fail_emails: tuple[str, ...] = ()) -> None:
        self.requests: list[tuple[str, str, Any]] = []
        self.rate_limit_left = rate_limit_first
        self.fail_emails = set(fail_emails)
        self.objects: dict[str, dict[str, dict[str, str]]] = {"contacts": {}, "companies": {}}
        self.associations: list[tuple[str, str]] = []
        self._ids = 1000
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

    def _upsert(self, object_type: str, body: Any) -> tuple[int, dict[str, Any]]:
        inputs = body.get("inputs") if isinstance(body, dict) else None
        key = {"contacts": "email", "companies": "siren"}[object_type]
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
                store[item["id"]] = {"hs_object_id": str(self._ids)}
            store[item["id"]].update(props)
            results.append({"id": store[item["id"]]["hs_object_id"], "new": new,
                            "properties": {**props, key: item["id"]}})
        status = 207 if errors else 200
        return status, {"status": "COMPLETE", "results": results, "errors": errors, "numErrors": len(errors)}

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
                    if self.headers.get("Authorization") != f"Bearer {TOKEN}":
                        return self._reply(401, {"status": "error", "message": "Authentication credentials not found"})
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
                    return self._reply(404, {"status": "error", "message": f"no route {self.command} {self.path}"})

            do_POST = do_PUT = _handle

        return Handler
