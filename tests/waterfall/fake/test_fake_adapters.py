"""Every adapter against the fake app (in-process ASGI): hits, misses and each provider's own
auth, rate-limit, quota and server errors, exactly as the real dialects send them."""

from __future__ import annotations

import pytest

from .conftest import adapter, fake_client, pick, world_of
from waterfall.fake import FakeConfig
from waterfall.providers.base import (
    AuthFailed,
    Field,
    QuotaExhausted,
    RateLimited,
    Status,
    Transient,
)
from waterfall.providers.phones import to_e164
from waterfall.providers.registry import build_provider

pytestmark = pytest.mark.anyio
EMAIL = ["hunter", "dropcontact", "apollo", "fullenrich", "lusha", "prospeo", "icypeas", "enrow", "findymail"]
PHONE = ["dropcontact", "fullenrich", "lusha", "prospeo"]
RATE_CODE = {"hunter": "403", "prospeo": "429"}   # Hunter's rate limit is a 403
BASE = FakeConfig(catch_all_rate=0.0, invalid_rate=0.0)


def known(provider, config, phone=None):
    b = config.behaviour(provider)

    def want(world, p):
        if not world.knows(provider, p.first_name, p.last_name, p.domain, b.hit_rate):
            return False
        has = world.has_phone(provider, p.first_name, p.last_name, p.domain, b.phone_rate)
        return phone is None and not has or phone is not None and has and \
            world.phone_of(p.first_name, p.last_name, p.domain)[1] == phone
    return want


def unknown(provider, config):
    rate = config.behaviour(provider).hit_rate
    return lambda world, p: not world.knows(provider, p.first_name, p.last_name, p.domain, rate)


@pytest.mark.parametrize("name", EMAIL)
async def test_hit_and_miss(name):
    async with fake_client(BASE) as client:
        provider = adapter(name, client, BASE)
        person = pick(BASE, name, known(name, BASE))
        answer = await provider.find_email(person)
        expected = world_of(BASE).email_of(person.first_name, person.last_name, person.domain)
        assert (answer.provider, answer.field, answer.value, answer.status, answer.credits) == (
            name, Field.EMAIL, expected, Status.VALID, 1.0)
        miss = await provider.find_email(pick(BASE, name, unknown(name, BASE)))
        assert (miss.value, miss.found, miss.credits) == (None, False, 0.0)
        stats = (await client.get("/__fake/stats")).json()[name]
        no_match = {"400": 1} if name == "prospeo" else {}  # Prospeo's NO_MATCH is an HTTP 400
        assert (stats["credits_used"], stats["hits"], stats["misses"], stats["errors"]) == (1.0, 1, 1, no_match)


@pytest.mark.parametrize("name", PHONE)
async def test_mobile_phone_in_e164(name):
    config = BASE.with_provider(name, phone_rate=0.7)
    async with fake_client(config) as client:
        person = pick(config, name, known(name, config, phone="mobile"))
        answer = await adapter(name, client, config).find_phone(person)
        national, _ = world_of(config).phone_of(person.first_name, person.last_name, person.domain)
        assert (answer.value, answer.extra["phone_type"]) == (to_e164(national), "mobile")
        assert answer.value.startswith(("+336", "+337"))


@pytest.mark.parametrize("name", EMAIL)
async def test_wrong_key_is_auth_failed_and_never_echoed(name):
    async with fake_client(BASE) as client:
        provider = adapter(name, client, BASE, key="wrong-SECRET-123")
        with pytest.raises(AuthFailed) as info:
            await provider.find_email(pick(BASE, name, known(name, BASE)))
        assert "wrong-SECRET-123" not in str(info.value) + repr(info.value) + repr(provider)


@pytest.mark.parametrize("name", EMAIL)
async def test_rate_limit_answers_the_providers_own_error(name):
    config = BASE.with_provider(name, rate_limit_rps=1)
    async with fake_client(config) as client:
        provider = adapter(name, client, config)
        person = pick(config, name, known(name, config))
        with pytest.raises(RateLimited):
            for _ in range(2):  # async providers hit the limit on their first poll
                await provider.find_email(person)
        stats = (await client.get("/__fake/stats")).json()[name]
        assert stats["errors"] == {RATE_CODE.get(name, "429"): 1}


@pytest.mark.parametrize("name", EMAIL)
async def test_empty_balance_is_quota_exhausted(name):
    config = BASE.with_provider(name, credits=0)
    async with fake_client(config) as client:
        with pytest.raises(QuotaExhausted):
            await adapter(name, client, config).find_email(pick(config, name, known(name, config)))
        assert (await client.get("/__fake/stats")).json()[name]["credits_left"] == 0


@pytest.mark.parametrize("name", EMAIL)
async def test_injected_server_errors_are_transient(name):
    config = BASE.with_provider(name, error_rate_5xx=1.0)
    async with fake_client(config) as client:
        with pytest.raises(Transient, match="HTTP 500"):
            await adapter(name, client, config).find_email(pick(config, name, known(name, config)))


async def test_catch_all_and_bounces_in_each_vocabulary():
    names = ("hunter", "dropcontact", "fullenrich", "apollo", "icypeas", "enrow")
    for rates, expected in [
        ({"catch_all_rate": 1.0}, {"hunter": (Status.RISKY, "accept_all"), "dropcontact": (Status.RISKY, "catch_all@pro"),
                                   "fullenrich": (Status.RISKY, "CATCH_ALL"), "apollo": (Status.RISKY, "guessed"),
                                   "icypeas": (Status.RISKY, "probable"), "enrow": (Status.RISKY, "catch_all")}),
        ({"catch_all_rate": 0.0, "invalid_rate": 1.0},
         {"hunter": (Status.INVALID, "invalid"), "dropcontact": (Status.INVALID, "invalid@pro"),
          "fullenrich": (Status.UNKNOWN, None), "apollo": (Status.INVALID, "bounced"),
          "icypeas": (Status.INVALID, "undeliverable"), "enrow": (Status.INVALID, "invalid")}),
    ]:
        config = FakeConfig(**rates)
        for name in names:
            config = config.with_provider(name, hit_rate=1.0)
        async with fake_client(config) as client:
            person = pick(config, "any", lambda w, p: True)
            got = {}
            for name in names:
                answer = await adapter(name, client, config).find_email(person)
                got[name] = (answer.status, answer.raw_status)
                assert answer.found is (answer.status is Status.RISKY)
        assert got == expected  # FullEnrich drops bounced addresses: a miss


async def test_pattern_with_hunter_verifier_against_the_fake():
    async with fake_client(BASE) as client:
        hunter = adapter("hunter", client, BASE)
        pattern = build_provider("pattern", client, {}, verifier=hunter)
        person = pick(BASE, "pattern", lambda w, p: w.shape(p.domain) == "f.last")
        answer = await pattern.find_email(person)
        expected = world_of(BASE).email_of(person.first_name, person.last_name, person.domain)
        assert (answer.value, answer.status, answer.extra["candidate_rank"]) == (expected, Status.VALID, 1)
        assert answer.credits == 1.0  # two checks at 0.5
        assert (await client.get("/__fake/stats")).json()["hunter"]["calls"] == {"GET /email-verifier": 2}
