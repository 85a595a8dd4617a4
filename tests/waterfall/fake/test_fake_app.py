"""The fake app itself: credit accounting, stats and reset, rate limiting, injections, quirks."""

from __future__ import annotations

import time

import pytest

from .conftest import fake_client
from waterfall.fake import FakeConfig

pytestmark = pytest.mark.anyio
HUNTER_KEY = {"X-API-KEY": "fake-hunter-key"}
FINDER = "/hunter/v2/email-finder"


def finder_params(last):
    return {"first_name": "Marie", "last_name": last, "domain": "boulangerie-lefevre.fr"}


async def test_credits_stats_quota_and_reset():
    config = FakeConfig(catch_all_rate=0, invalid_rate=0).with_provider("hunter", hit_rate=1.0, credits=2)
    async with fake_client(config) as client:
        codes = [(await client.get(FINDER, params=finder_params(n), headers=HUNTER_KEY)).status_code
                 for n in ("Dupont", "Martin", "Moreau")]
        assert codes == [200, 200, 429]   # Hunter: 429 = monthly quota gone
        last = (await client.get(FINDER, params=finder_params("Roux"), headers=HUNTER_KEY)).json()
        assert last == {"errors": [{"id": "too_many_requests", "code": 429,
                                    "details": "You have reached your monthly usage limit"}]}
        stats = (await client.get("/__fake/stats")).json()
        assert stats["hunter"] == {"calls": {"GET /email-finder": 4}, "requests": 4, "credits_used": 2.0,
                                   "credits_left": 0.0, "hits": 2, "misses": 0, "errors": {"429": 2}}
        assert stats["lusha"]["requests"] == 0
        assert (await client.post("/__fake/reset")).json() == {"reset": True}
        stats = (await client.get("/__fake/stats")).json()["hunter"]
        assert (stats["requests"], stats["credits_left"], stats["errors"]) == (0, 2, {})
        assert (await client.get(FINDER, params=finder_params("Dupont"), headers=HUNTER_KEY)).status_code == 200
        await client.delete("/__fake/stats")
        assert (await client.get("/__fake/stats")).json()["hunter"]["requests"] == 0


async def test_rate_limit_uses_each_providers_own_error():
    config = FakeConfig().with_provider("hunter", rate_limit_rps=2).with_provider("prospeo", rate_limit_rps=1)
    async with fake_client(config) as client:
        codes = [(await client.get(FINDER, params=finder_params("Dupont"), headers=HUNTER_KEY)).status_code
                 for _ in range(3)]
        assert codes == [200, 200, 403]   # Hunter: 403 = rate limit
        body = {"data": {"first_name": "Marie", "last_name": "Dupont", "company_website": "acme.fr"}}
        answers = [await client.post("/prospeo/enrich-person", json=body, headers={"X-KEY": "fake-prospeo-key"})
                   for _ in range(2)]
        assert answers[1].status_code == 429
        assert answers[1].json() == {"error": True, "error_code": "RATE_LIMITED"}


async def test_auth_errors_in_each_dialect():
    async with fake_client(FakeConfig()) as client:
        prospeo = await client.post("/prospeo/enrich-person", json={}, headers={"X-KEY": "nope"})
        assert (prospeo.status_code, prospeo.json()) == (400, {"error": True, "error_code": "INVALID_API_KEY"})
        dc = await client.post("/dropcontact/v1/enrich/all", json={}, headers={"X-Access-Token": "nope"})
        assert (dc.status_code, dc.json()) == (401, {"error": True, "reason": "Invalid token", "success": False})
        fe = await client.get("/fullenrich/api/v2/contact/enrich/bulk/x", headers={"Authorization": "nope"})
        assert (fe.status_code, fe.json()["code"]) == (401, "error.api.key")


async def test_async_quirks_dropcontact_unknown_id_and_apollo_json_body():
    config = FakeConfig().with_provider("apollo", hit_rate=1.0)
    async with fake_client(config) as client:
        pending = await client.get("/dropcontact/v1/enrich/all/nope", headers={"X-Access-Token": "fake-dropcontact-key"})
        assert pending.json() == {"success": False, "reason": "Request not ready yet, try again in 30 seconds"}
        body = await client.post("/apollo/api/v1/people/match", headers={"x-api-key": "fake-apollo-key"},
                                 json={"first_name": "Marie", "last_name": "Dupont", "domain": "acme.fr"})
        assert body.json() == {"person": None}   # Apollo's silent failure when parameters are in the body
        query = await client.post("/apollo/api/v1/people/match", headers={"x-api-key": "fake-apollo-key"},
                                  params={"first_name": "Marie", "last_name": "Dupont", "domain": "acme.fr"})
        assert query.json()["person"]["email"] == "marie.dupont@acme.fr"


async def test_injected_errors_are_deterministic_and_latency_applies():
    config = FakeConfig().with_provider("hunter", error_rate_429=0.3, error_rate_5xx=0.2)

    async def run():
        async with fake_client(config) as client:
            return [(await client.get(FINDER, params=finder_params("Dupont"), headers=HUNTER_KEY)).status_code
                    for _ in range(30)]

    first = await run()
    assert first == await run()
    assert {200, 403, 500} <= set(first)
    slow = FakeConfig().with_provider("hunter", latency_ms=60)
    async with fake_client(slow) as client:
        started = time.perf_counter()
        await client.get(FINDER, params=finder_params("Dupont"), headers=HUNTER_KEY)
        assert time.perf_counter() - started >= 0.06


def test_demo_preset():
    demo = FakeConfig.demo()
    assert set(demo.providers) == {"hunter", "dropcontact", "apollo", "fullenrich", "lusha", "prospeo", "icypeas",
                                   "enrow", "findymail", "pdl", "kaspr", "datagma", "leadmagic", "rocketreach"}
    assert all(0.3 <= b.hit_rate <= 0.6 and b.latency_ms == 20 for b in demo.providers.values())
    assert demo.env()["FIRMO_HUNTER_API_KEY"] == "fake-hunter-key"
