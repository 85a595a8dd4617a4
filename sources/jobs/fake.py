"""A stand-in France Travail on loopback, speaking the documented protocol (open_data.md §9), for
the tests and the demo (`make run` serves the generated offers through it).

- `POST /connexion/oauth2/access_token?realm=/partenaire`: form body, client credentials; 401
  `invalid_client` for a wrong id or secret, 400 `invalid_scope` for a scope it does not know;
  tokens live `expires_in` seconds (1499 by default, the fixture's figure).
- `GET /partenaire/offresdemploi/v2/offres/search`: bearer token with `api_offresdemploiv2` (401
  otherwise); `range=start-end` (0-based, inclusive, at most 150; 400 past start 1000 / end 1149
  or past the last result); 206 for a partial page, 200 for the last one, `Content-Range: offres
  start-end/total`; 204 when nothing matches. Filters: departement, commune, codeROME,
  typeContrat, minCreationDate (included), maxCreationDate (excluded).
- `GET /partenaire/labonneboite/v2/recherche`: bearer with `api_labonneboitev2`; 403 when the
  account lacks the habilitation (`lbb_access=False`); rome, departement, page, page_size (≤ 100).
- Rate limits per client id: a token bucket of `offers_rate` (10/s) and `lbb_rate` (2/s)
  requests, 429 with `Retry-After` beyond; `force_429` makes the first N searches answer 429.
- `GET /__fake/stats`: requests and answers by status, tokens issued.

The offers it serves are given (API-shaped dicts, `contact` included, as the real API sends
them); `shift_days` moves every date so a demo generated for one day is fresh on another.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import parse_qs

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from firmo.loopback import LoopbackServer

TOKEN_PATH = "/connexion/oauth2/access_token"
API_ROOT = "/partenaire"
KNOWN_SCOPES = frozenset({"api_offresdemploiv2", "o2dsoffre", "api_labonneboitev2", "search", "office"})


@dataclass
class FakeConfig:
    client_id: str = "firmo-demo-client"
    client_secret: str = "firmo-demo-secret"
    expires_in: int = 1499
    offers_rate: float = 10.0
    lbb_rate: float = 2.0
    lbb_access: bool = True
    force_429: int = 0
    retry_after: int = 1
    shift_days: int = 0


@dataclass
class _Bucket:
    rate: float
    tokens: float
    updated: float

    def take(self, now: float) -> bool:
        self.tokens = min(self.rate, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        if self.tokens < 1:
            return False
        self.tokens -= 1
        return True


@dataclass
class FakeState:
    config: FakeConfig
    offers: list[dict[str, Any]]
    companies: list[dict[str, Any]]
    tokens: dict[str, tuple[frozenset[str], float]] = field(default_factory=dict)
    buckets: dict[str, _Bucket] = field(default_factory=dict)
    counts: Counter[str] = field(default_factory=Counter)
    forced: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def stats(self) -> dict[str, Any]:
        return dict(self.counts)

    def over_rate(self, key: str, rate: float) -> bool:
        now = time.monotonic()
        with self.lock:
            bucket = self.buckets.setdefault(key, _Bucket(rate, rate, now))
            return not bucket.take(now)


def _shift(offer: dict[str, Any], days: int) -> dict[str, Any]:
    if not days:
        return offer
    moved = dict(offer)
    for key in ("dateCreation", "dateActualisation"):
        value = moved.get(key)
        if isinstance(value, str) and value:
            when = datetime.fromisoformat(value.replace("Z", "+00:00")) + timedelta(days=days)
            moved[key] = when.strftime("%Y-%m-%dT%H:%M:%S.000Z")
    return moved


def _departement(commune: str | None) -> str | None:
    """Of an INSEE commune code (or, for an offer without one, its postal code)."""
    if not commune or len(commune) != 5:
        return None
    return commune[:3] if commune[:2] in ("97", "98") else commune[:2]


def _when(value: str | None) -> datetime | None:
    if not value:
        return None
    return datetime.fromisoformat(value.replace("Z", "+00:00")).replace(tzinfo=None)


def build_app(state: FakeState) -> Starlette:
    config = state.config

    def bearer(request: Request, scope: str) -> str | None:
        """The client id behind a valid token carrying `scope`, else None."""
        header = request.headers.get("authorization", "")
        value = header.removeprefix("Bearer ").strip() if header.startswith("Bearer ") else ""
        held = state.tokens.get(value)
        if held is None or held[1] < time.monotonic() or scope not in held[0]:
            return None
        return config.client_id

    def error(status: int, body: dict[str, Any], label: str, headers: dict[str, str] | None = None) -> Response:
        state.counts[f"{label} {status}"] += 1
        return JSONResponse(body, status, headers=headers)

    async def token(request: Request) -> Response:
        state.counts["token requests"] += 1
        # parsed by hand: Starlette's form parser needs python-multipart, not a dependency
        form = {k: v[0] for k, v in parse_qs((await request.body()).decode("utf-8")).items()}
        if request.query_params.get("realm") != "/partenaire":
            return error(400, {"error": "invalid_request", "error_description": "realm"}, "token")
        if form.get("grant_type") != "client_credentials":
            return error(400, {"error": "unsupported_grant_type"}, "token")
        if form.get("client_id") != config.client_id or form.get("client_secret") != config.client_secret:
            return error(401, {"error": "invalid_client", "error_description": "Client authentication failed"}, "token")
        scopes = frozenset(str(form.get("scope") or "").split())
        if not scopes or not scopes <= KNOWN_SCOPES:
            return error(400, {"error": "invalid_scope"}, "token")
        value = secrets.token_hex(16)
        state.tokens[value] = (scopes, time.monotonic() + config.expires_in)
        state.counts["tokens issued"] += 1
        return JSONResponse(
            {
                "scope": " ".join(sorted(scopes)),
                "expires_in": config.expires_in,
                "token_type": "Bearer",
                "access_token": value,
            }
        )

    async def search(request: Request) -> Response:
        label = "search"
        state.counts["search requests"] += 1
        client = bearer(request, "api_offresdemploiv2")
        if client is None:
            return error(401, {"message": "Unauthorized"}, label)
        if state.over_rate(f"{client}/offres", config.offers_rate):
            return error(429, {"message": "Too Many Requests"}, label, {"Retry-After": str(config.retry_after)})
        with state.lock:
            forced = state.forced < config.force_429
            state.forced += forced
        if forced:
            return error(429, {"message": "Too Many Requests"}, label, {"Retry-After": str(config.retry_after)})
        q = request.query_params
        try:
            start_s, end_s = (q.get("range") or "0-149").split("-")
            start, end = int(start_s), int(end_s)
            since, until = _when(q.get("minCreationDate")), _when(q.get("maxCreationDate"))
        except ValueError:
            return error(400, {"message": "Paramètre invalide"}, label)
        if start < 0 or end < start or end - start + 1 > 150 or start > 1000 or end > 1149:
            return error(400, {"message": f"La plage {start}-{end} est invalide"}, label)
        romes = set(q["codeROME"].split(",")) if q.get("codeROME") else None
        found = []
        for offer in state.offers:
            place = offer.get("lieuTravail") or {}
            created = _when(offer.get("dateCreation"))
            where = _departement(place.get("commune")) or _departement(place.get("codePostal"))
            if q.get("departement") and where != q["departement"]:
                continue
            if q.get("commune") and place.get("commune") != q["commune"]:
                continue
            if romes is not None and offer.get("romeCode") not in romes:
                continue
            if q.get("typeContrat") and offer.get("typeContrat") not in q["typeContrat"].split(","):
                continue
            if since is not None and (created is None or created < since):
                continue
            if until is not None and (created is None or created >= until):
                continue
            found.append(offer)
        total = len(found)
        if not total:
            state.counts[f"{label} 204"] += 1
            return Response(status_code=204)
        if start >= total:
            return error(400, {"message": f"La plage {start}-{end} dépasse les {total} résultats"}, label)
        found.sort(key=lambda o: (o.get("dateCreation") or "", o.get("id") or ""), reverse=True)
        last = min(end, total - 1)
        status = 200 if last == total - 1 else 206
        state.counts[f"{label} {status}"] += 1
        return JSONResponse(
            {"resultats": found[start : last + 1]},
            status,
            headers={"Content-Range": f"offres {start}-{last}/{total}", "Accept-Range": "offres 150"},
        )

    async def lbb(request: Request) -> Response:
        label = "labonneboite"
        state.counts["labonneboite requests"] += 1
        client = bearer(request, "api_labonneboitev2")
        if client is None:
            return error(401, {"message": "Unauthorized"}, label)
        if not config.lbb_access:
            return error(403, {"message": "Forbidden: habilitation required"}, label)
        if state.over_rate(f"{client}/lbb", config.lbb_rate):
            return error(429, {"message": "Too Many Requests"}, label, {"Retry-After": str(config.retry_after)})
        q = request.query_params
        try:
            page, size = int(q.get("page") or 1), int(q.get("page_size") or 20)
        except ValueError:
            return error(400, {"message": "invalid page"}, label)
        if page < 1 or not 1 <= size <= 100:
            return error(400, {"message": "page_size must be between 1 and 100"}, label)
        found = [
            c
            for c in state.companies
            if (not q.get("rome") or c.get("rome") == q["rome"])
            and (not q.get("departement") or c.get("department_number") == q["departement"])
        ]
        found.sort(key=lambda c: (-(c.get("hiring_potential") or 0), c.get("siret") or ""))
        state.counts[f"{label} 200"] += 1
        return JSONResponse({"hits": len(found), "items": found[(page - 1) * size : page * size]})

    async def stats(request: Request) -> Response:
        return JSONResponse(state.stats())

    return Starlette(
        routes=[
            Route(TOKEN_PATH, token, methods=["POST"]),
            Route(f"{API_ROOT}/offresdemploi/v2/offres/search", search, methods=["GET"]),
            Route(f"{API_ROOT}/labonneboite/v2/recherche", lbb, methods=["GET"]),
            Route("/__fake/stats", stats, methods=["GET"]),
        ]
    )


class FakeFranceTravail(LoopbackServer):
    """The fake on a real loopback socket (uvicorn, port 0) in a background thread."""

    def __init__(
        self,
        offers: Sequence[dict[str, Any]] = (),
        companies: Sequence[dict[str, Any]] = (),
        config: FakeConfig | None = None,
        host: str = "127.0.0.1",
    ) -> None:
        self.config = config or FakeConfig()
        self.state = FakeState(
            self.config, [_shift(o, self.config.shift_days) for o in offers], [dict(c) for c in companies]
        )
        super().__init__(build_app(self.state), host=host, name="firmo-fake-france-travail")

    @property
    def token_url(self) -> str:
        return f"{self.url}{TOKEN_PATH}?realm=%2Fpartenaire"

    @property
    def api_url(self) -> str:
        return f"{self.url}{API_ROOT}"

    def stats(self) -> dict[str, Any]:
        return self.state.stats()
