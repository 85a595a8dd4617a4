"""SireneApiClient against respx mocks: exact queries, cursor loop, 404, retries, throttle, secrecy."""

from __future__ import annotations

import csv
import io
import logging
import zipfile
from datetime import datetime, timezone

import httpx
import pytest
import respx

from sirene_api_payloads import ETAB_00032517500024, UL_016750697, page
from sources.download import RetryPolicy
from sources.sirene.api import (
    MissingApiKeyError, SireneApiClient, SireneApiError, as_stock_value, flatten_etablissement,
    flatten_unite_legale, format_since,
)
from sources.sirene.schema import ETABLISSEMENTS_COLUMNS, UNITES_LEGALES_COLUMNS

BASE = "https://api.insee.fr/api-sirene/3.11"
KEY = "k3y-5ecr3t-0123456789"
SINCE = datetime(2026, 1, 15, 0, 0, 0)


@pytest.fixture()
def sleeps() -> list[float]:
    return []


@pytest.fixture()
def api(sleeps):
    with httpx.Client() as http:
        yield SireneApiClient(KEY, client=http, min_interval_s=0.0,
                              policy=RetryPolicy(attempts=3, sleep=sleeps.append))


def _stock_row(path, siren_or_siret: str, key: str, zipped: bool = False) -> dict[str, str | None]:
    if zipped:
        with zipfile.ZipFile(path) as zf:
            text = zf.read(zf.namelist()[0]).decode("utf-8")
    else:
        text = path.read_text(encoding="utf-8")
    row = next(r for r in csv.DictReader(io.StringIO(text)) if r[key] == siren_or_siret)
    return {k: (v if v != "" else None) for k, v in row.items()}


def test_cursor_pagination_with_exact_params_and_headers(api):
    with respx.mock(assert_all_called=True) as mock:
        route = mock.get(f"{BASE}/siren").mock(side_effect=[
            httpx.Response(200, json=page("unitesLegales", [UL_016750697], "*", "AoEpMDE2NzUwNjk3", 2)),
            httpx.Response(200, json=page("unitesLegales", [UL_016750697], "AoEpMDE2NzUwNjk3", "AoEpMDE3MDUxMTg2", 2)),
            httpx.Response(200, json=page("unitesLegales", [], "AoEpMDE3MDUxMTg2", "AoEpMDE3MDUxMTg2", 2)),
        ])
        rows = list(api.iter_unites_legales_since(SINCE))

    assert len(rows) == 2
    sent = [dict(call.request.url.params) for call in route.calls]
    query = "dateDernierTraitementUniteLegale:[2026-01-15T00:00:00 TO *]"
    assert sent == [
        {"q": query, "nombre": "1000", "curseur": "*"},
        {"q": query, "nombre": "1000", "curseur": "AoEpMDE2NzUwNjk3"},
        {"q": query, "nombre": "1000", "curseur": "AoEpMDE3MDUxMTg2"},
    ]
    headers = route.calls[0].request.headers
    assert (headers["X-INSEE-Api-Key-Integration"], headers["Accept"]) == (KEY, "application/json")


def test_loop_stops_when_cursor_repeats_on_a_full_page(api):
    with respx.mock() as mock:
        route = mock.get(f"{BASE}/siret").respond(
            200, json=page("etablissements", [ETAB_00032517500024], "*", "*", 1))
        rows = list(api.iter_etablissements_since(SINCE))

    assert route.call_count == 1
    assert [r["siret"] for r in rows] == ["00032517500024"]
    assert dict(route.calls[0].request.url.params)["q"] == (
        "dateDernierTraitementEtablissement:[2026-01-15T00:00:00 TO *]")


def test_404_means_no_result(api):
    with respx.mock() as mock:
        mock.get(f"{BASE}/siren").respond(404, json={"header": {"statut": 404, "message": "Aucun élément trouvé"}})
        assert list(api.iter_unites_legales_since(SINCE)) == []


def test_429_and_5xx_are_retried_honouring_retry_after(api, sleeps):
    with respx.mock() as mock:
        mock.get(f"{BASE}/siren").mock(side_effect=[
            httpx.Response(429, headers={"Retry-After": "1"}),
            httpx.Response(503),
            httpx.Response(200, json=page("unitesLegales", [UL_016750697], "*", "*", 1)),
        ])
        rows = list(api.iter_unites_legales_since(SINCE))

    assert [r["siren"] for r in rows] == ["016750697"]
    assert sleeps == [1.0, 4.0]  # Retry-After, then backoff of the 2nd attempt


def test_client_side_rate_limit_spaces_requests(sleeps):
    clock = iter([100.0, 100.5, 102.0, 104.5, 104.5])  # set, check+set, check+set
    with httpx.Client() as http, respx.mock() as mock:
        mock.get(f"{BASE}/siren").mock(side_effect=[
            httpx.Response(200, json=page("unitesLegales", [UL_016750697], "*", "c1", 3)),
            httpx.Response(200, json=page("unitesLegales", [UL_016750697], "c1", "c2", 3)),
            httpx.Response(200, json=page("unitesLegales", [UL_016750697], "c2", "c2", 3)),
        ])
        api = SireneApiClient(KEY, client=http, clock=lambda: next(clock),
                              policy=RetryPolicy(sleep=sleeps.append))
        assert len(list(api.iter_unites_legales_since(SINCE))) == 3

    assert sleeps == [1.5]  # 2nd call 0.5 s after the 1st waits 1.5 s; 3rd came 2.5 s later


def test_flattened_unite_legale_equals_the_published_stock_row(samples_dir):
    stock = _stock_row(samples_dir / "sirene" / "StockUniteLegale_sample_2026_35cols.csv", "016750697", "siren")

    flat = flatten_unite_legale(UL_016750697)

    assert list(flat) == UNITES_LEGALES_COLUMNS
    assert flat == stock


def test_flattened_etablissement_equals_the_published_stock_row(samples_dir):
    stock = _stock_row(samples_dir / "sirene" / "StockEtablissement_utf8_sample_2024-04.zip", "00032517500024",
                       "siret", zipped=True)

    flat = flatten_etablissement(ETAB_00032517500024)

    assert list(flat) == ETABLISSEMENTS_COLUMNS
    # the April 2024 sample predates the NAF 2025 column
    assert flat == {**stock, "activitePrincipaleNAF25Etablissement": None}
    assert flat["etablissementSiege"] == "false"


def test_stock_value_conversion():
    assert [as_stock_value(v) for v in (True, False, "True", None, 7, 650123.0, "2024-03-22T15:40:57.000",
                                        "2024-03-22T15:40:57.123", "[ND]")] == [
        "true", "false", "true", None, "7", "650123", "2024-03-22T15:40:57", "2024-03-22T15:40:57.123", "[ND]"]


def test_since_is_expressed_in_paris_time():
    assert format_since(datetime(2026, 7, 1, 4, 30, tzinfo=timezone.utc)) == "2026-07-01T06:30:00"
    assert format_since(datetime(2026, 1, 15, 7, 5, 9, 999)) == "2026-01-15T07:05:09"


def test_informations_returns_last_update_dates(api):
    body = {
        "etatService": "UP",
        "datesDernieresMisesAJourDesDonnees": [
            {"collection": "Unités Légales", "dateDerniereMiseADisposition": "2026-07-02T06:05:12.000",
             "dateDernierTraitementMaximum": "2026-07-01T23:59:01.000", "dateDernierTraitementDeMasse": "2026-06-05"},
            {"collection": "Établissements", "dateDerniereMiseADisposition": "2026-07-02T06:05:12.000"},
        ],
    }
    with respx.mock() as mock:
        mock.get(f"{BASE}/informations").respond(200, json=body)
        info = api.informations()

    assert info == {
        "Unités Légales": {"dateDerniereMiseADisposition": "2026-07-02T06:05:12.000",
                           "dateDernierTraitementMaximum": "2026-07-01T23:59:01.000",
                           "dateDernierTraitementDeMasse": "2026-06-05"},
        "Établissements": {"dateDerniereMiseADisposition": "2026-07-02T06:05:12.000"},
    }


def test_from_settings_requires_the_variable():
    from firmo.settings import Settings

    with pytest.raises(MissingApiKeyError, match="INSEE_API_KEY is not set"):
        SireneApiClient.from_settings(Settings.from_env({}))
    client = SireneApiClient.from_settings(Settings.from_env({"INSEE_API_KEY": KEY, "FIRMO_SIRENE_API_URL": BASE}))
    assert KEY not in repr(client) and client.base_url == BASE
    client.close()


def test_key_never_in_logs_or_exceptions(api, caplog):
    caplog.set_level(logging.DEBUG)
    with respx.mock() as mock:
        mock.get(f"{BASE}/siren").respond(500, json={"header": {"message": f"bad key {KEY}"}})
        mock.get(f"{BASE}/siret").respond(403, json={"header": {"message": f"key {KEY} not subscribed"}})
        mock.get(f"{BASE}/informations").mock(side_effect=httpx.ConnectError(f"refused for {KEY}"))
        errors = []
        for call in (lambda: list(api.iter_unites_legales_since(SINCE)),
                     lambda: list(api.iter_etablissements_since(SINCE)), api.informations):
            with pytest.raises(SireneApiError) as info:
                call()
            errors.append(info.value)

    assert "HTTP 500" in str(errors[0]) and "HTTP 403" in str(errors[1]) and "ConnectError" in str(errors[2])
    assert "***" in str(errors[1]) and "***" in str(errors[2])
    for exc in errors:
        assert KEY not in str(exc) and KEY not in repr(exc)
        assert exc.__cause__ is None
    assert caplog.records, "retries must have been logged"
    assert KEY not in caplog.text
