"""Stand-ins for the three paged label APIs, on a real loopback socket, speaking their protocols.

For the tests (and a demo run against HTTP): the clients of `api.py` are exercised against the
rules the real services enforce, not against mocks of our own functions:
- RGE data-fair `GET /data-fair/api/v1/datasets/liste-des-entreprises-rge-2/lines`: `size`
  (default 12), `skip`, `after`; HTTP 400 when `size + skip > 10000`; `{"total", "results",
  "next"}` with `next` an absolute URL carrying the `after` cursor, and the same link in a
  `Link: <...>; rel="next"` header;
- Agence Bio `GET /api/gouv/operateurs/`: `nb`, `debut`; `{"nbTotal": "<string>", "items"}`,
  items empty past the end;
- marché de l'inclusion `GET /api/siae/`: 401 without `Authorization: Bearer <token>`;
  `limit`, `offset`; `{"count", "next", "previous", "results"}` (Django REST framework paging,
  capped at `max_limit` per page).
Every request is counted in `requests` so a test can assert how the client paged.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from firmo.loopback import LoopbackServer

RGE_PATH = "/data-fair/api/v1/datasets/liste-des-entreprises-rge-2/lines"
BIO_PATH = "/api/gouv/operateurs/"
SIAE_PATH = "/api/siae/"
RGE_WINDOW = 10_000


@dataclass
class FakeData:
    rge: list[dict] = field(default_factory=list)
    bio: list[dict] = field(default_factory=list)
    siae: list[dict] = field(default_factory=list)
    token: str = "fake-inclusion-token"
    siae_max_limit: int = 20_000
    requests: list[tuple[str, dict[str, str]]] = field(default_factory=list)


def _int(value: str | None, default: int) -> int:
    try:
        return int(value) if value is not None else default
    except ValueError:
        return -1


def build_app(data: FakeData) -> Starlette:
    def record(request: Request) -> dict[str, str]:
        params = dict(request.query_params)
        data.requests.append((request.url.path, params))
        return params

    async def rge_lines(request: Request) -> JSONResponse:
        params = record(request)
        size, skip = _int(params.get("size"), 12), _int(params.get("skip"), 0)
        if size < 0 or skip < 0 or size + skip > RGE_WINDOW:
            return JSONResponse(
                {"error": f"size + skip must be <= {RGE_WINDOW}, use the after cursor"}, status_code=400
            )
        start = _int(params.get("after"), -1) + 1 if "after" in params else skip
        page = data.rge[start : start + size]
        body: dict[str, Any] = {"total": len(data.rge), "results": page}
        headers = {}
        if start + size < len(data.rge):
            query = urlencode({"size": size, "after": start + size - 1})
            body["next"] = f"{request.base_url}{RGE_PATH.lstrip('/')}?{query}"
            headers["Link"] = f'<{body["next"]}>; rel="next"'
        return JSONResponse(body, headers=headers)

    async def bio(request: Request) -> JSONResponse:
        params = record(request)
        nb, debut = _int(params.get("nb"), 10), _int(params.get("debut"), 0)
        if nb <= 0 or debut < 0:
            return JSONResponse({"message": "bad nb/debut"}, status_code=400)
        return JSONResponse({"nbTotal": str(len(data.bio)), "items": data.bio[debut : debut + nb]})

    async def siae(request: Request) -> JSONResponse:
        params = record(request)
        if request.headers.get("authorization") != f"Bearer {data.token}":
            return JSONResponse({"detail": "Informations d'authentification non fournies."}, status_code=401)
        limit = min(_int(params.get("limit"), 100), data.siae_max_limit)
        offset = _int(params.get("offset"), 0)
        if limit <= 0 or offset < 0:
            return JSONResponse({"detail": "bad limit/offset"}, status_code=400)
        page = data.siae[offset : offset + limit]
        nxt = None
        if offset + limit < len(data.siae):
            nxt = f"{request.base_url}{SIAE_PATH.lstrip('/')}?{urlencode({'limit': limit, 'offset': offset + limit})}"
        return JSONResponse({"count": len(data.siae), "next": nxt, "previous": None, "results": page})

    return Starlette(
        routes=[Route(RGE_PATH, rge_lines), Route(BIO_PATH, bio), Route(SIAE_PATH, siae)],
    )


class FakeLabelApis(LoopbackServer):
    """The three fakes on 127.0.0.1 (port 0: the OS picks), in a background thread."""

    def __init__(self, data: FakeData | None = None, host: str = "127.0.0.1", port: int = 0) -> None:
        self.data = data or FakeData()
        super().__init__(build_app(self.data), host=host, port=port, name="firmo-fake-label-apis")

    @property
    def urls(self) -> dict[str, str]:
        """The endpoint of each API source, as the settings would give it."""
        return {"rge": self.url + RGE_PATH, "agence_bio": self.url + BIO_PATH, "siae": self.url + SIAE_PATH}
