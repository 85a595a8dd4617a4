"""The paged API clients against stand-ins speaking each protocol on loopback (sources/labels/fake.py)."""

from __future__ import annotations

import json

import httpx
import pytest

from sources.download import FetchError, RetryPolicy
from sources.labels.api import fetch_agence_bio, fetch_label_source, fetch_rge, fetch_siae
from sources.labels.fake import RGE_PATH, FakeData, FakeLabelApis
from sources.labels.load import load_labels
from tests.labels.conftest import FIXTURES

SIRETS = ["84370107900017", "35600000000048", "30247464801571", "53374499100035", "80032984900023"]
NO_WAIT = RetryPolicy(attempts=1, sleep=lambda s: None)


@pytest.fixture(scope="module")
def apis():
    page = json.loads((FIXTURES / "rge/rge_data_fair_lines_response.json").read_text())["results"][0]
    bio = json.loads((FIXTURES / "agence_bio/agence_bio_api_operateurs_siret30247464801571.json").read_text())["items"][
        0
    ]
    siae = json.loads((FIXTURES / "siae/marche_inclusion_api_siae_siren533744991.json").read_text())[0]
    data = FakeData(
        rge=[{**page, "siret": SIRETS[i % 5], "code_qualification": f"Q{i}"} for i in range(23)],
        bio=[{**bio, "id": i, "siret": SIRETS[i % 5]} for i in range(7)],
        siae=[{**siae, "id": i, "siret": SIRETS[i % 5]} for i in range(5)],
        siae_max_limit=2,
    )
    with FakeLabelApis(data) as server:
        yield server


def test_rge_follows_the_next_cursor_never_skip(apis, tmp_path, con):
    apis.data.requests.clear()
    with httpx.Client() as client:
        pages = fetch_rge(apis.urls["rge"], tmp_path / "rge", client=client, page_size=10)
    assert (pages.pages, pages.items, pages.total) == (3, 23, 23)
    assert [p for _, p in apis.data.requests] == [
        {"size": "10"},
        {"size": "10", "after": "9"},
        {"size": "10", "after": "19"},
    ]
    assert sorted(p.name for p in (tmp_path / "rge").iterdir()) == [
        "page-00001.json",
        "page-00002.json",
        "page-00003.json",
    ]
    report = load_labels(con, {"rge": [tmp_path / "rge"]})
    assert report.loaded == {"labels.rge": 23, "core.labels": 5}  # one per SIRET x domaine x qualification


def test_rge_window_limit_is_the_servers(apis):
    with httpx.Client() as client:
        resp = client.get(apis.url + RGE_PATH, params={"size": 10_000, "skip": 1})
    assert resp.status_code == 400


def test_agence_bio_pages_with_nb_debut_until_empty(apis, tmp_path):
    apis.data.requests.clear()
    with httpx.Client() as client:
        pages = fetch_agence_bio(apis.urls["agence_bio"], tmp_path / "bio", client=client, page_size=3,
                                 sleep=lambda s: None)  # fmt: skip
    assert (pages.pages, pages.items, pages.total) == (3, 7, 7)
    assert [p for _, p in apis.data.requests] == [
        {"nb": "3", "debut": "0"}, {"nb": "3", "debut": "3"}, {"nb": "3", "debut": "6"}, {"nb": "3", "debut": "9"}
    ]  # fmt: skip
    first = json.loads((tmp_path / "bio/page-00001.json").read_text())
    assert first["nbTotal"] == "7"


def test_siae_needs_the_token_and_follows_next(apis, tmp_path):
    with httpx.Client() as client:
        with pytest.raises(FetchError, match="HTTP 401") as refused:
            fetch_siae(apis.urls["siae"], tmp_path / "siae", token="wrong-token", client=client, policy=NO_WAIT)
        assert "wrong-token" not in str(refused.value)
        apis.data.requests.clear()
        pages = fetch_siae(apis.urls["siae"], tmp_path / "siae", token=apis.data.token, client=client, limit=20_000)
    assert (pages.pages, pages.items, pages.total) == (3, 5, 5)
    assert [p for _, p in apis.data.requests] == [
        {"limit": "20000"}, {"limit": "2", "offset": "2"}, {"limit": "2", "offset": "4"}
    ]  # fmt: skip
    assert not (tmp_path / "siae.part").exists()


def test_fetch_label_source_pages_an_api_url_and_reads_a_folder_in_place(apis, tmp_path):
    folder = fetch_label_source("agence_bio", apis.urls["agence_bio"], tmp_path)
    assert folder == [tmp_path / "labels" / "agence_bio"]
    assert fetch_label_source("agence_bio", str(folder[0]), tmp_path) == folder
