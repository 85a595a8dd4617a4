"""The France Travail client against the stand-in server on loopback: OAuth token cache and
refresh, range paging, the 1,150-result ceiling, rate limits, Retry-After, secrets kept out of logs."""

from __future__ import annotations

import logging
import time
from datetime import date

import httpx
import pytest

from sources.download import RetryPolicy
from sources.jobs.client import FranceTravailClient, FranceTravailError, NoHabilitation, content_range
from sources.jobs.fake import FakeConfig, FakeFranceTravail
from tests.jobs.conftest import offer

ID, SECRET = "firmo-demo-client", "firmo-demo-secret"


def client_for(fake: FakeFranceTravail, **kw) -> FranceTravailClient:
    kw.setdefault("offers_rate", 1000.0)
    kw.setdefault("lbb_rate", 1000.0)
    return FranceTravailClient(ID, SECRET, token_url=fake.token_url, api_url=fake.api_url, **kw)


def test_content_range():
    assert content_range("offres 0-149/847") == (0, 149, 847)
    assert content_range("bytes 0-1/2") is None
    assert content_range(None) is None


def test_range_paging_206_then_200_gives_every_offer_once(offers_847):
    with FakeFranceTravail(offers_847, config=FakeConfig(offers_rate=1000)) as fake, client_for(fake) as client:
        got = list(client.offers_created(date(2026, 11, 1), date(2026, 12, 1), departement="34"))
        stats = fake.stats()
    assert len(got) == 847
    assert len({o["id"] for o in got}) == 847
    assert (client.requests, client.token_requests) == (6, 1)
    assert (stats["search 206"], stats["search 200"]) == (5, 1)


def test_pages_of_the_search_and_the_last_one():
    with (
        FakeFranceTravail([offer(i) for i in range(160)], config=FakeConfig(offers_rate=1000)) as fake,
        client_for(fake) as client,
    ):
        first = client.search_page({"departement": "34"}, 0)
        last = client.search_page({"departement": "34"}, 150)
        none = client.search_page({"departement": "75"}, 0)
    assert (len(first.offers), first.start, first.end, first.total, first.last) == (150, 0, 149, 160, False)
    assert (len(last.offers), last.start, last.end, last.total, last.last) == (10, 150, 159, 160, True)
    assert (none.offers, none.total, none.last) == ([], 0, True)  # 204


def test_the_server_refuses_a_range_past_the_ceiling():
    with (
        FakeFranceTravail([offer(i) for i in range(10)], config=FakeConfig(offers_rate=1000)) as fake,
        client_for(fake) as client,
    ):
        token = client.token("api_offresdemploiv2 o2dsoffre")
        url = fake.api_url + "/offresdemploi/v2/offres/search"
        auth = {"Authorization": f"Bearer {token}"}
        assert httpx.get(url, params={"range": "1000-1149"}, headers=auth).status_code == 400  # past the results
        assert httpx.get(url, params={"range": "1001-1150"}, headers=auth).status_code == 400  # past the ceiling
        assert httpx.get(url, params={"range": "0-150"}, headers=auth).status_code == 400  # 151 at once
        assert httpx.get(url, params={"range": "0-149"}, headers={"Authorization": "Bearer nope"}).status_code == 401


def test_a_window_past_1150_results_is_split_by_creation_date():
    offers = [offer(i, day=1 + i % 30) for i in range(1500)]
    with FakeFranceTravail(offers, config=FakeConfig(offers_rate=1000)) as fake, client_for(fake) as client:
        got = list(client.offers_created(date(2026, 11, 1), date(2026, 12, 1), departement="34"))
        stats = fake.stats()
    assert len({o["id"] for o in got}) == 1500
    assert "search 400" not in stats


def test_token_cached_per_scope_set_until_expiry_minus_margin():
    now = [1000.0]
    with (
        FakeFranceTravail([offer(1)], config=FakeConfig(offers_rate=1000, expires_in=1499)) as fake,
        client_for(fake, clock=lambda: now[0]) as client,
    ):
        a = client.token("api_offresdemploiv2 o2dsoffre")
        assert client.token("o2dsoffre  api_offresdemploiv2") == a  # same set, other order
        b = client.token("api_labonneboitev2 search office")
        assert b != a and client.token_requests == 2
        now[0] += 1499 - 60 - 1  # still inside expires_in minus the 60 s margin
        assert client.token("api_offresdemploiv2 o2dsoffre") == a and client.token_requests == 2
        now[0] += 2
        assert client.token("api_offresdemploiv2 o2dsoffre") != a and client.token_requests == 3


def test_a_token_refused_by_the_api_is_fetched_again_once():
    with FakeFranceTravail([offer(1)], config=FakeConfig(offers_rate=1000)) as fake, client_for(fake) as client:
        client.search_page({}, 0)
        fake.state.tokens.clear()  # revoked (or expired) server-side before the client's deadline
        page = client.search_page({}, 0)
        stats = fake.stats()
    assert (len(page.offers), client.token_requests, stats["search 401"]) == (1, 2, 1)


def test_bad_credentials_fail_in_one_line_without_the_secret(caplog):
    with FakeFranceTravail([offer(1)]) as fake:
        client = FranceTravailClient(ID, "wrong-secret-value", token_url=fake.token_url, api_url=fake.api_url)
        with pytest.raises(FranceTravailError) as err:
            client.search_page({}, 0)
    assert "HTTP 401, invalid_client" in str(err.value)
    assert "wrong-secret-value" not in str(err.value) + caplog.text
    with pytest.raises(FranceTravailError, match="FIRMO_FRANCE_TRAVAIL_CLIENT_ID"):
        FranceTravailClient("", "")


def test_secrets_and_tokens_never_logged(caplog, offers_847):
    caplog.set_level(logging.DEBUG)
    with FakeFranceTravail(offers_847, config=FakeConfig(offers_rate=1000, force_429=1)) as fake:
        policy = RetryPolicy(attempts=3, sleep=lambda s: None)
        with client_for(fake, policy=policy) as client:
            list(client.offers_created(date(2026, 11, 1), date(2026, 12, 1), departement="34"))
            tokens = list(fake.state.tokens)
    assert "attempt 1/3 failed" in caplog.text  # the 429 was logged...
    for secret in (SECRET, *tokens):
        assert secret not in caplog.text  # ...never the secret or a token
    assert SECRET not in repr(client)


def test_429_retry_after_is_honoured():
    waits: list[float] = []
    config = FakeConfig(offers_rate=1000, force_429=2, retry_after=3)
    with (
        FakeFranceTravail([offer(1)], config=config) as fake,
        client_for(fake, policy=RetryPolicy(attempts=4, sleep=waits.append), sleep=waits.append) as client,
    ):
        page = client.search_page({}, 0)
        stats = fake.stats()
    assert len(page.offers) == 1
    assert [w for w in waits if w >= 1] == [3.0, 3.0]  # the server's Retry-After, twice
    assert (stats["search 429"], stats["search 200"]) == (2, 1)


def test_the_rate_limit_is_honoured_so_the_server_never_answers_429():
    offers = [offer(i) for i in range(25 * 150)]
    with (
        FakeFranceTravail(offers, config=FakeConfig(offers_rate=20)) as fake,
        client_for(fake, offers_rate=20) as client,
    ):
        started = time.monotonic()
        got, total = client.search({"departement": "34"})
        elapsed = time.monotonic() - started
        stats = fake.stats()
    assert (len(got), total, client.requests) == (1150, 3750, 8)  # the reachable ceiling, 8 pages
    assert elapsed >= 7 / 20  # 8 requests, one every 50 ms at least
    assert "search 429" not in stats


def test_a_client_faster_than_the_server_allows_gets_429_and_waits():
    offers = [offer(i) for i in range(1150)]
    with (
        FakeFranceTravail(offers, config=FakeConfig(offers_rate=4, retry_after=1)) as fake,
        client_for(fake, offers_rate=1000) as client,
    ):
        got, _ = client.search({})
        stats = fake.stats()
    assert len(got) == 1150
    assert stats["search 429"] >= 1 and stats["search 200"] == 1


def test_la_bonne_boite_403_without_habilitation():
    companies = [{"siret": "11111111100011", "rome": "M1805", "department_number": "34", "hiring_potential": 4.2}]
    with (
        FakeFranceTravail([], companies, FakeConfig(lbb_access=False, lbb_rate=1000)) as fake,
        client_for(fake) as client,
        pytest.raises(NoHabilitation),
    ):
        list(client.lbb_companies("M1805", "34"))
    with FakeFranceTravail([], companies, FakeConfig(lbb_rate=1000)) as fake, client_for(fake) as client:
        assert [c["siret"] for c in client.lbb_companies("M1805", "34")] == ["11111111100011"]
        assert list(client.lbb_companies("M1805", "75")) == []
