"""One end-to-end pass through a real loopback socket (uvicorn in a thread)."""

from __future__ import annotations

import asyncio

import httpx

from waterfall.fake import FakeConfig, FakeServer
from waterfall.providers.base import Person, Status
from waterfall.providers.registry import build_provider


def test_adapters_through_the_loopback_server():
    config = FakeConfig(catch_all_rate=0, invalid_rate=0).with_provider("dropcontact", hit_rate=1.0, polls_until_ready=2)
    person = Person("552100554", "Boulangerie Lefèvre", "Jean-Pierre", "de La Fontaine")

    async def run(server: FakeServer):
        async with httpx.AsyncClient(timeout=5) as client:
            dc = build_provider("dropcontact", client, config.env(), base_url=server.base_url("dropcontact"),
                                poll_interval=0.01, poll_timeout=2)
            answer = await dc.find_email(person)
            raw = (await client.get(server.url + "/__fake/stats")).json()
            return answer, raw

    with FakeServer(config) as server:
        assert server.port != 0
        assert server.base_url("hunter") == f"http://127.0.0.1:{server.port}/hunter/v2"
        answer, raw = asyncio.run(run(server))
        assert (answer.value, answer.status, answer.credits) == (
            "jean-pierre.delafontaine@boulangerie-lefevre.fr", Status.VALID, 1.0)
        assert raw["dropcontact"]["calls"] == {"POST /enrich/all": 1, "GET /enrich/all/{request_id}": 3}
        assert server.stats()["dropcontact"]["credits_used"] == 1.0
        server.reset()
        assert server.stats()["dropcontact"]["requests"] == 0
    with httpx.Client() as client:  # stopped: the port is closed again
        try:
            client.get(server.url + "/__fake/stats", timeout=0.5)
            closed = False
        except httpx.TransportError:
            closed = True
    assert closed
