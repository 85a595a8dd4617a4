"""RneClient against a mocked RNE (respx): login, token refresh, paging, 500 fallback, 429."""

from __future__ import annotations

import datetime as dt
import json
import logging

import httpx
import pytest
import respx

from sources.inpi.rne_client import BASE_URL, RneAuthError, RneClient, RneError, RneServerError

SECRET = "s3cr3t-Passw0rd"


def _item(siren: str) -> dict:
    return {"company": {"siren": siren, "formality": {}}}


@pytest.fixture()
def sleeps():
    return []


@pytest.fixture()
def client(sleeps):
    with RneClient(username="bot@example.fr", password=SECRET, sleep=sleeps.append) as rne:
        yield rne


@pytest.fixture()
def api():
    with respx.mock(base_url=BASE_URL, assert_all_called=False) as mock:
        tokens = iter(["tok-1", "tok-2", "tok-3"])
        mock.post("/api/sso/login").mock(side_effect=lambda request: httpx.Response(200, json={"token": next(tokens)}))
        yield mock


def test_login_body_from_the_credentials_and_bearer(client, api):
    api.get("/api/companies/889924320").respond(200, json={"siren": "889924320"})
    assert client.company("889924320") == {"siren": "889924320"}
    assert json.loads(api.calls[0].request.content) == {"username": "bot@example.fr", "password": SECRET}
    assert api.calls[1].request.headers["Authorization"] == "Bearer tok-1"


def test_token_refresh_on_401_then_403(client, api):
    route = api.get("/api/companies/889924320")
    route.side_effect = [httpx.Response(401), httpx.Response(200, json={"n": 1}), httpx.Response(403),
                         httpx.Response(200, json={"n": 2})]  # fmt: skip
    assert client.company("889924320") == {"n": 1}
    assert client.company("889924320") == {"n": 2}
    assert [c.request.headers["Authorization"] for c in route.calls] == [
        "Bearer tok-1", "Bearer tok-2", "Bearer tok-2", "Bearer tok-3"]
    assert api.routes[0].call_count == 3


def test_refused_after_fresh_login_is_an_auth_error(client, api):
    api.get("/api/companies/889924320").respond(403)
    with pytest.raises(RneAuthError, match=r"right after a fresh login \(HTTP 403\)"):
        client.company("889924320")


def test_diff_pages_with_search_after_header(client, api):
    route = api.get("/api/companies/diff")
    route.side_effect = [
        httpx.Response(200, json=[_item("1"), _item("2")], headers={"pagination-search-after": "222"}),
        httpx.Response(200, json=[_item("3")], headers={"pagination-search-after": "333"}),
    ]
    items = list(client.iter_diff(dt.date(2026, 10, 1), dt.date(2026, 10, 2), page_size=2))
    assert [i["company"]["siren"] for i in items] == ["1", "2", "3"]
    params = [dict(c.request.url.params) for c in route.calls]
    assert params == [
        {"from": "2026-10-01", "to": "2026-10-02", "pageSize": "2"},
        {"from": "2026-10-01", "to": "2026-10-02", "searchAfter": "222", "pageSize": "2"},
    ]


def test_diff_cursor_falls_back_to_last_siren(client, api):
    route = api.get("/api/companies/diff")
    route.side_effect = [httpx.Response(200, json=[_item("111"), _item("222")]), httpx.Response(200, json=[])]
    assert len(list(client.iter_diff(dt.date(2026, 10, 1), dt.date(2026, 10, 2), page_size=2))) == 2
    assert route.calls[1].request.url.params["searchAfter"] == "222"


def test_http_500_halves_page_size_then_restores(client, api):
    route = api.get("/api/companies/diff")
    route.side_effect = [
        httpx.Response(500, text="Allowed memory size of 134217728 bytes exhausted"),
        httpx.Response(500),
        httpx.Response(200, json=[_item(str(i)) for i in range(25)], headers={"pagination-search-after": "24"}),
        httpx.Response(200, json=[_item("99")]),
    ]
    items = list(client.iter_diff(dt.date(2026, 10, 1), dt.date(2026, 10, 2)))
    assert len(items) == 26
    assert [c.request.url.params["pageSize"] for c in route.calls] == ["100", "50", "25", "100"]


def test_http_500_at_page_size_one_gives_up(client, api):
    api.get("/api/companies/diff").respond(500)
    with pytest.raises(RneServerError, match="pageSize=1"):
        list(client.iter_diff(dt.date(2026, 10, 1), dt.date(2026, 10, 2), page_size=4))
    assert api.routes[1].call_count == 3  # 4, 2, 1


def test_429_waits_retry_after_then_succeeds(client, api, sleeps):
    route = api.get("/api/companies/889924320")
    route.side_effect = [httpx.Response(429, headers={"Retry-After": "7"}), httpx.Response(503),
                         httpx.Response(200, json={"ok": True})]  # fmt: skip
    assert client.company("889924320") == {"ok": True}
    assert sleeps[0] == 7.0 and len(sleeps) == 2 and sleeps[1] >= 2
    assert client.calls == 4  # login + 3 GETs, for the daily quota


def test_429_forever_gives_a_clean_error(client, api, sleeps):
    api.get("/api/companies/889924320").respond(429, headers={"Retry-After": "1"})
    with pytest.raises(RneError, match=r"still failing after 6 attempts \(HTTP 429\)"):
        client.company("889924320")
    assert sleeps == [1.0] * 5


def test_siren_batches_and_500_split(client, api):
    route = api.get("/api/companies")
    route.side_effect = lambda request: (
        httpx.Response(500) if len(request.url.params.get_list("siren[]")) > 60
        else httpx.Response(200, json=[{"siren": s} for s in request.url.params.get_list("siren[]")])
    )  # fmt: skip
    sirens = [f"{i:09d}" for i in range(150)]
    got = [c["siren"] for c in client.iter_companies(sirens + sirens[:3])]
    assert got == sirens
    assert [len(c.request.url.params.get_list("siren[]")) for c in route.calls] == [100, 50, 50, 50]


def test_secrets_never_in_errors_logs_or_repr(caplog):
    caplog.set_level(logging.DEBUG)
    with respx.mock(base_url=BASE_URL) as mock:
        mock.post("/api/sso/login").respond(401, json={"message": f"bad password {SECRET}"})
        rne = RneClient(username="bot@example.fr", password=SECRET, sleep=lambda s: None)
        with pytest.raises(RneAuthError) as info:
            rne.company("889924320")
    assert str(info.value) == "INPI login refused (HTTP 401)"
    assert SECRET not in repr(rne) and SECRET not in caplog.text and SECRET not in repr(info.value)
    assert info.value.__cause__ is None


def test_missing_credentials(monkeypatch):
    """Credentials are arguments only: the ones in the environment are not read here."""
    monkeypatch.setenv("INPI_USERNAME", "bot@example.fr")
    monkeypatch.setenv("INPI_PASSWORD", SECRET)
    with pytest.raises(RneAuthError, match="INPI_USERNAME and INPI_PASSWORD must be set"):
        RneClient()
    with pytest.raises(RneAuthError, match="INPI_USERNAME and INPI_PASSWORD must be set"):
        RneClient(username="bot@example.fr", password="")
