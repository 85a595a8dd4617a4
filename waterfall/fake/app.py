"""`build_app(config)`: one Starlette app speaking every adapted provider's API under
`/<provider>/<real base path>/...`, plus `GET /__fake/stats` and `POST /__fake/reset`.

Each request goes through the same gate, in the order a real vendor applies them: latency,
auth (the vendor's own auth error), rate limit (its own rate-limit error, e.g. Hunter 403),
deterministic error injection, then the handler; running out of credits inside a handler gives
the vendor's own quota error (Hunter 429, Dropcontact 403, Prospeo 400 INSUFFICIENT_CREDITS...).
"""

from __future__ import annotations

import asyncio

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from waterfall.fake.async_vendors import FakeDropcontact, FakeEnrow, FakeFullEnrich, FakeIcypeas
from waterfall.fake.company_vendors import COMPANY_VENDORS
from waterfall.fake.config import FakeConfig
from waterfall.fake.secondary_vendors import SECONDARY_VENDORS
from waterfall.fake.state import FakeState, OutOfCredits
from waterfall.fake.sync_vendors import FakeApollo, FakeFindymail, FakeHunter, FakeLusha, FakePdl, FakeProspeo
from waterfall.fake.vendor import Handler, Vendor, base_path
from waterfall.fake.world import World

VENDORS: tuple[type[Vendor], ...] = (
    FakeHunter,
    FakeDropcontact,
    FakeApollo,
    FakeFullEnrich,
    FakeLusha,
    FakeProspeo,
    FakeIcypeas,
    FakeEnrow,
    FakeFindymail,
    FakePdl,
    *SECONDARY_VENDORS,  # Kaspr, Datagma, LeadMagic, RocketReach (doc §2.10)
    *COMPANY_VENDORS,  # the company-level endpoints of Hunter, Apollo, Lusha and PDL (doc §7.10)
)


def _gated(vendor: Vendor, label: str, handler: Handler) -> Handler:
    state, world, name = vendor.state, vendor.world, vendor.name

    async def endpoint(request: Request) -> Response:
        b = vendor.behaviour
        state.count(name, label)
        if b.latency_ms:
            await asyncio.sleep(b.latency_ms / 1000)
        if not vendor.authorized(request):
            resp = vendor.auth_error()
        elif state.over_rate(name, b.rate_limit_rps):
            resp = vendor.rate_error()
        else:
            n = state.next_injection(name)
            if world.h(name, "inject429", n) < b.error_rate_429:
                resp = vendor.rate_error()
            elif world.h(name, "inject5xx", n) < b.error_rate_5xx:
                resp = vendor.server_error()
            else:
                try:
                    resp = await handler(request)
                except OutOfCredits:
                    resp = vendor.quota_error()
        if resp.status_code >= 400:
            state.count_error(name, resp.status_code)
        return resp

    return endpoint


def build_app(config: FakeConfig) -> Starlette:
    state = FakeState(config)
    world = World(config.seed, config.catch_all_rate, config.invalid_rate, config.forgotten_rate, config.careers)
    routes = []
    for cls in VENDORS:
        vendor = cls(config, state, world)
        prefix = base_path(vendor.name)
        for method, path, handler in vendor.routes():
            label = f"{method} {path}"
            routes.append(Route(prefix + path, _gated(vendor, label, handler), methods=[method]))

    async def stats(request: Request) -> Response:
        return JSONResponse(state.stats())

    async def reset(request: Request) -> Response:
        state.reset()
        return JSONResponse({"reset": True})

    routes += [
        Route("/__fake/stats", stats, methods=["GET"]),
        Route("/__fake/stats", reset, methods=["DELETE"]),
        Route("/__fake/reset", reset, methods=["POST"]),
    ]
    app = Starlette(routes=routes)
    app.state.fake = state
    return app
