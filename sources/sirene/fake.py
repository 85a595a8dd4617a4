"""A stand-in API Sirene 3.11 on loopback (sirene.md §API), for the poll tests and benchmark.

- `GET /siren` and `GET /siret` with the `X-INSEE-Api-Key-Integration` header (401 without the
  key); `q=dateDernierTraitementUniteLegale:[YYYY-MM-DDTHH:MM:SS TO *]` (resp.
  `…Etablissement`), `nombre` (≤ 1000) and `curseur` (`*` first, then `header.curseurSuivant`;
  the same cursor sent back means the end). Records are the API's nested JSON; 404 with
  `header.statut` 404 when nothing matches, as the real API answers.

`publish_unites_legales(records)` / `publish_etablissements(records)` add records between two polls.
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

_Q = re.compile(r"(dateDernierTraitement\w+):\[(\S+) TO \*\]")
KINDS = {
    "siren": ("unitesLegales", "dateDernierTraitementUniteLegale"),
    "siret": ("etablissements", "dateDernierTraitementEtablissement"),
}


class FakeSirene:
    def __init__(self, api_key: str) -> None:
        self._key = api_key
        self._lock = threading.Lock()
        self._records: dict[str, list[dict]] = {"siren": [], "siret": []}
        self.requests: list[dict[str, str]] = []
        self.app = Starlette(routes=[Route("/siren", self._search("siren")), Route("/siret", self._search("siret"))])

    def publish_unites_legales(self, records: Iterable[dict]) -> None:
        with self._lock:
            self._records["siren"].extend(records)

    def publish_etablissements(self, records: Iterable[dict]) -> None:
        with self._lock:
            self._records["siret"].extend(records)

    def _search(self, endpoint: str):
        list_key, field = KINDS[endpoint]

        async def search(request: Request) -> JSONResponse:
            if request.headers.get("x-insee-api-key-integration") != self._key:
                return JSONResponse({"fault": {"message": "Invalid Credentials"}}, status_code=401)
            q = request.query_params
            self.requests.append({"endpoint": endpoint, **q})
            found = _Q.fullmatch(q.get("q", ""))
            if not found or found.group(1) != field:
                return JSONResponse({"header": {"statut": 400, "message": "bad q"}}, status_code=400)
            since = found.group(2)
            with self._lock:
                rows = sorted((r for r in self._records[endpoint] if r[field] >= since), key=lambda r: r[endpoint])
            if not rows:
                return JSONResponse({"header": {"statut": 404, "message": "Aucun élément trouvé"}}, status_code=404)
            size, cursor = min(int(q.get("nombre", 20)), 1000), q.get("curseur", "*")
            start = 0 if cursor == "*" else int(cursor)
            page = rows[start : start + size]
            following = str(start + len(page)) if page else cursor
            header = {
                "statut": 200,
                "message": "OK",
                "total": len(rows),
                "debut": start,
                "nombre": len(page),
                "curseur": cursor,
                "curseurSuivant": following,
            }
            return JSONResponse({"header": header, list_key: page})

        return search

    def server(self) -> LoopbackServer:
        return LoopbackServer(self.app, name="fake-sirene")
