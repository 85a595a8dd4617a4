"""A stand-in RNE API on loopback, speaking the documented protocol (inpi_bodacc.md §1), for the
poll tests and the poll benchmark.

- `POST /api/sso/login` `{"username", "password"}` -> `{"token"}`; 401 for other credentials.
- `GET /api/companies/diff?from=&to=&pageSize=&searchAfter=`: bearer token (401 otherwise); the
  companies whose `updatedAt` day is in (from, to] (from excluded, to included), in SIREN order,
  after `searchAfter`, at most `pageSize` (≤ 100); the next cursor in the `pagination-search-after`
  header. The body is an array of `{"company": {...}}`.

`publish(items)` adds diff items between two polls (a later item of a SIREN replaces the earlier
one, as the registry keeps one current payload per company).
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Iterable
from datetime import date

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from firmo.loopback import LoopbackServer

MAX_PAGE_SIZE = 100


class FakeRne:
    def __init__(self, username: str = "me", password: str = "pw", items: Iterable[dict] = ()) -> None:
        self._credentials = {"username": username, "password": password}
        self._tokens: set[str] = set()
        self._lock = threading.Lock()
        self._companies: dict[str, dict] = {}
        self.requests: list[dict[str, str]] = []
        self.publish(items)
        self.app = Starlette(
            routes=[
                Route("/api/sso/login", self._login, methods=["POST"]),
                Route("/api/companies/diff", self._diff),
            ]
        )

    def publish(self, items: Iterable[dict]) -> None:
        with self._lock:
            for item in items:
                company = item.get("company", item)
                self._companies[str(company["siren"])] = {"company": company}

    async def _login(self, request: Request) -> JSONResponse:
        body = await request.json()
        if {k: body.get(k) for k in self._credentials} != self._credentials:
            return JSONResponse({"error": "Bad credentials"}, status_code=401)
        token = secrets.token_hex(8)
        self._tokens.add(token)
        return JSONResponse({"token": token})

    async def _diff(self, request: Request) -> JSONResponse:
        auth = request.headers.get("authorization", "")
        if not auth.startswith("Bearer ") or auth[7:] not in self._tokens:
            return JSONResponse({"error": "Unauthorized"}, status_code=401)
        q = request.query_params
        self.requests.append(dict(q))
        start, end = date.fromisoformat(q["from"]), date.fromisoformat(q["to"])
        size = min(int(q.get("pageSize", MAX_PAGE_SIZE)), MAX_PAGE_SIZE)
        after = q.get("searchAfter", "")
        with self._lock:
            rows = [
                item
                for siren, item in sorted(self._companies.items())
                if siren > after and start < date.fromisoformat(str(item["company"]["updatedAt"])[:10]) <= end
            ][:size]
        headers = {"pagination-search-after": rows[-1]["company"]["siren"]} if rows else {}
        return JSONResponse(rows, headers=headers)

    def server(self) -> LoopbackServer:
        return LoopbackServer(self.app, name="fake-rne")
