"""What every fake vendor shares: its URL prefix (the real base path under `/<provider>`), its
behaviour, the person lookup against the `World`, and the hooks the app calls for the four
generic failures (bad key, rate limit, no credits, server error) in that vendor's own dialect."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, ClassVar
from urllib.parse import urlparse

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from waterfall.fake.config import FakeConfig, ProviderBehaviour
from waterfall.fake.state import FakeState
from waterfall.fake.world import StaffMember, World, staff
from waterfall.providers.registry import PROVIDERS

Handler = Callable[[Request], Awaitable[Response]]


def base_path(provider: str) -> str:
    """'/hunter/v2': the real base URL's path under the provider's own prefix."""
    return f"/{provider}{urlparse(PROVIDERS[provider].default_base_url or '').path.rstrip('/')}"


def clean_domain(value: str | None) -> str | None:
    if not value or not value.strip():
        return None
    host = urlparse(value if "//" in value else f"//{value}").hostname or ""
    host = host.lower().removeprefix("www.")
    return host if "." in host else None


async def json_body(request: Request) -> Any:
    try:
        return await request.json()
    except ValueError:
        return None


@dataclass(frozen=True)
class Found:
    """What a provider knows about one person."""

    email: str
    status: str  # world vocabulary: valid | catch_all | invalid
    phone: str | None  # national French format, or None
    phone_kind: str | None  # mobile | direct


class Vendor:
    name: ClassVar[str]

    def __init__(self, config: FakeConfig, state: FakeState, world: World) -> None:
        self.config, self.state, self.world = config, state, world

    @property
    def behaviour(self) -> ProviderBehaviour:
        return self.config.behaviour(self.name)

    @property
    def key(self) -> str:
        return self.config.api_keys.get(self.name, "")

    def routes(self) -> list[tuple[str, str, Handler]]:
        raise NotImplementedError

    def authorized(self, request: Request) -> bool:
        raise NotImplementedError

    def bearer_ok(self, request: Request) -> bool:
        return request.headers.get("authorization") == f"Bearer {self.key}"

    def auth_error(self) -> Response:
        return JSONResponse({"error": "Unauthorized"}, 401)

    def rate_error(self) -> Response:
        return JSONResponse({"error": "Too Many Requests"}, 429)

    def quota_error(self) -> Response:
        return JSONResponse({"error": "Insufficient credits"}, 402)

    def server_error(self) -> Response:
        return JSONResponse({"error": "Internal Server Error"}, 500)

    # -- the world seen by this vendor ------------------------------------------------------------
    def domain_for(self, domain: str | None, company: str | None) -> str | None:
        return clean_domain(domain) or (self.world.company_domain(company) if company else None)

    def known_staff(self, domain: str) -> list[StaffMember]:
        """The people of `domain` this vendor knows (stable hash against its hit rate)."""
        if not domain:
            return []
        rate = self.behaviour.hit_rate
        known = [
            m for m in staff(self.world, domain) if self.world.knows(self.name, m.first_name, m.last_name, domain, rate)
        ]
        self.state.record(self.name, bool(known))
        return known

    def lookup(self, first: str | None, last: str | None, domain: str | None) -> Found | None:
        """The person if this vendor knows them (stable hash against its hit rate), else None."""
        if not first or not last or not domain:
            return None
        b = self.behaviour
        if not self.world.knows(self.name, first, last, domain, b.hit_rate):
            self.state.record(self.name, False)
            return None
        self.state.record(self.name, True)
        email = self.world.email_of(first, last, domain)
        phone, kind = (
            self.world.phone_of(first, last, domain)
            if self.world.has_phone(self.name, first, last, domain, b.phone_rate)
            else (None, None)
        )
        return Found(email, self.world.email_status(email), phone, kind)
