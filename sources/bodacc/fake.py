"""A stand-in Opendatasoft export of `annonces-commerciales` on loopback (inpi_bodacc.md §3.1), for
the poll tests and the poll benchmark.

`GET <base>/json?where=…&order_by=dateparution, id&timezone=Europe/Paris`: the JSON array of the
records matching the where clause. It understands the two clauses firmo sends: the day window of
the nightly export (`dateparution >= date'D1' AND dateparution < date'D2'`, `ods_export.export_url`)
and the poll's cursor (`ods_export.poll_url`); anything else is a 400 `ODSQLError`, as the real
service answers a clause it cannot parse. `publish(records)` adds notices between two polls.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from firmo.loopback import LoopbackServer

PATH = "/api/explore/v2.1/catalog/datasets/annonces-commerciales/exports"
_POLL = re.compile(r"dateparution > date'(\S+)' OR \(dateparution = date'(\S+)' AND id > \"(.*)\"\)")
_WINDOW = re.compile(r"dateparution >= date'(\S+)' AND dateparution < date'(\S+)'")


class FakeBodacc:
    def __init__(self, records: Iterable[dict] = ()) -> None:
        self._lock = threading.Lock()
        self._records: list[dict] = []
        self.requests: list[str] = []
        self.publish(records)
        self.app = Starlette(routes=[Route(PATH + "/json", self._export)])

    def publish(self, records: Iterable[dict]) -> None:
        with self._lock:
            self._records.extend(records)

    async def _export(self, request: Request) -> JSONResponse:
        where = request.query_params.get("where", "")
        self.requests.append(where)
        with self._lock:
            records = list(self._records)
        if found := _POLL.fullmatch(where):
            day, _, last = found.groups()
            rows = [r for r in records if r["dateparution"] > day or (r["dateparution"] == day and r["id"] > last)]
        elif found := _WINDOW.fullmatch(where):
            start, end = found.groups()
            rows = [r for r in records if start <= r["dateparution"] < end]
        else:
            return JSONResponse({"error_code": "ODSQLError", "message": f"cannot parse {where!r}"}, status_code=400)
        return JSONResponse(sorted(rows, key=lambda r: (r["dateparution"], r["id"])))

    def server(self) -> LoopbackServer:
        return LoopbackServer(self.app, name="fake-bodacc")

    @staticmethod
    def base(server: LoopbackServer) -> str:
        """The export base URL to give `poll_bodacc` (the real one is ods_export.BASE)."""
        return server.url + PATH
