from __future__ import annotations

import httpx
import pytest

from waterfall.providers.base import Person

KEY = "sk-live-SECRET-key-0042"


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
async def client():
    async with httpx.AsyncClient() as c:
        yield c


@pytest.fixture
def person() -> Person:
    return Person("552100554", "Acme Conseil", "Marie", "Dupont", domain="acme.fr")


@pytest.fixture
def nodomain() -> Person:
    return Person("552100554", "Acme Conseil", "Marie", "Dupont")


def assert_no_key(exc: BaseException) -> None:
    """The key must appear nowhere: message, args, repr, chained cause."""
    texts = [str(exc), repr(exc), *map(str, exc.args), str(exc.__cause__), str(exc.__context__)]
    assert all(KEY not in t for t in texts), texts
