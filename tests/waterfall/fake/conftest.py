from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from waterfall.fake import FakeConfig, build_app
from waterfall.fake.world import World
from waterfall.providers.base import Person
from waterfall.providers.registry import build_provider

FIRST = ["Marie", "Jean-Pierre", "Éloïse", "Luc", "Anne", "Paul", "Chloé", "Hugo", "Inès", "Théo"]
LAST = ["Dupont", "de La Fontaine", "Lefèvre", "Martin", "Dupont-Aignan", "Bernard", "N'Diaye", "Moreau"]
COMPANIES = ["Acme Conseil", "Boulangerie Lefèvre", "Garage du Centre", "Atelier Bois & Fer", "Boulangerie Martin"]


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def people() -> list[Person]:
    return [Person(f"{i:09d}", c, f, l, domain=World.company_domain(c))
            for i, (c, f, l) in enumerate((c, f, l) for c in COMPANIES for f in FIRST for l in LAST)]


def world_of(config: FakeConfig) -> World:
    return World(config.seed, config.catch_all_rate, config.invalid_rate, config.forgotten_rate)


def pick(config: FakeConfig, provider: str, want: Callable[[World, Person], bool]) -> Person:
    """The first test person matching `want` in the fake's deterministic world."""
    world = world_of(config)
    return next(p for p in people() if want(world, p))


def fake_client(config: FakeConfig) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=build_app(config)), base_url="http://fake")


def adapter(name: str, client: httpx.AsyncClient, config: FakeConfig, base: str = "http://fake", key: str | None = None):
    from waterfall.fake.vendor import base_path

    env = config.env() if key is None else {f"FIRMO_{name.upper()}_API_KEY": key}
    return build_provider(name, client, env, base_url=base + base_path(name), poll_interval=0, poll_timeout=1)
