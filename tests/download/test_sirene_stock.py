"""The SIRENE stock files as the live pipeline fetches them: the stable data.gouv links, the
environment overrides, and the raw assets downloading under a fixed name."""

from __future__ import annotations

import pytest
import respx

from sources.sirene.download import stock_filename, stock_urls

MONTHLY = "https://object.files.data.gouv.fr/siren/StockUniteLegale_{month}.parquet"


def test_stock_urls_are_the_stable_data_gouv_links():
    assert stock_urls("unites_legales") == (
        "https://www.data.gouv.fr/api/1/datasets/r/350182c9-148a-46e0-8389-76c2ec1374a3")
    assert stock_urls("unites_legales", "csv_zip") == (
        "https://www.data.gouv.fr/api/1/datasets/r/825f4199-cadd-486c-ac46-a65a8ea1a047")
    assert stock_urls("etablissements", "parquet") == (
        "https://www.data.gouv.fr/api/1/datasets/r/a29c1297-1f92-4e2a-8f6b-8c902ce96c5f")
    assert stock_urls("etablissements", "csv_zip") == (
        "https://www.data.gouv.fr/api/1/datasets/r/0651fb76-bcf3-4f6a-a38d-bc04fa708576")


def test_unknown_kind_or_format_is_refused():
    with pytest.raises(ValueError, match="unknown SIRENE stock kind 'liens'"):
        stock_urls("liens")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="format 'csv'"):
        stock_urls("unites_legales", "csv")  # type: ignore[arg-type]


def test_each_stable_link_has_its_fixed_name_and_nothing_else_has_one():
    assert stock_filename(stock_urls("unites_legales")) == "StockUniteLegale_utf8.parquet"
    assert stock_filename(stock_urls("etablissements", "csv_zip")) == "StockEtablissement_utf8.zip"
    assert stock_filename("https://mirror.example/StockUniteLegale_utf8.parquet") is None
    assert stock_filename("/data/StockUniteLegale_utf8.parquet") is None


def _live_sources(monkeypatch):
    """The registry_sources resource of the code location, built with FIRMO_SOURCES=live."""
    from pipelines.definitions import build_definitions

    monkeypatch.setenv("FIRMO_SOURCES", "live")
    return build_definitions().resources["registry_sources"]


def _fetch(asset, sources) -> str:
    from dagster import materialize

    from firmo.settings import Settings
    from assets.resources import PathsResource

    result = materialize([asset], resources={"registry_sources": sources,
                                             "paths": PathsResource.from_settings(Settings.from_env())})
    assert result.success
    return result.output_for_node(asset.op.name)


def test_live_sources_are_the_stable_links_unless_a_variable_replaces_one(monkeypatch):
    monkeypatch.delenv("FIRMO_SIRENE_UL_SOURCE", raising=False)
    monkeypatch.setenv("FIRMO_SIRENE_ETAB_SOURCE", "/mirror/etab.parquet")

    sources = _live_sources(monkeypatch)

    assert sources.sirene_unites_legales == stock_urls("unites_legales")
    assert sources.sirene_etablissements == "/mirror/etab.parquet"


def test_the_stable_link_is_downloaded_under_a_fixed_name_month_after_month(data_env, monkeypatch):
    """The link redirects to a file named after its month; it is saved as StockUniteLegale_utf8.parquet,
    so next month's file replaces it (not one more 2 GB file beside it)."""
    from assets.sirene import sirene_stock_unites_legales

    monkeypatch.delenv("FIRMO_SIRENE_UL_SOURCE", raising=False)
    sources = _live_sources(monkeypatch)
    paths = []
    for month, etag in (("2026-07", '"m7"'), ("2026-08", '"m8"')):
        target = MONTHLY.format(month=month)
        with respx.mock(assert_all_called=False) as mock:
            mock.route(url=stock_urls("unites_legales")).respond(302, headers={"Location": target})
            mock.head(target).respond(200, headers={"ETag": etag, "Content-Length": "11"})
            mock.get(target).respond(200, content=f"PAR1{month[-2:]}.PAR1".encode(), headers={"ETag": etag})
            paths.append(_fetch(sirene_stock_unites_legales, sources))

    folder = data_env / "raw" / "sirene"
    assert paths == [str(folder / "StockUniteLegale_utf8.parquet")] * 2
    assert (folder / "StockUniteLegale_utf8.parquet").read_bytes() == b"PAR108.PAR1"
    assert sorted(p.name for p in folder.iterdir()) == [
        "StockUniteLegale_utf8.parquet", "StockUniteLegale_utf8.parquet.meta.json"]


def test_an_overriding_url_keeps_the_name_its_server_gives(server, data_env, monkeypatch):
    from assets.sirene import sirene_stock_etablissements

    server.serve("/mirror/StockEtablissement_2026-08.zip", b"PK-zip-bytes")
    monkeypatch.setenv("FIRMO_SIRENE_ETAB_SOURCE", server.url("/mirror/StockEtablissement_2026-08.zip"))

    path = _fetch(sirene_stock_etablissements, _live_sources(monkeypatch))

    assert path == str(data_env / "raw" / "sirene" / "StockEtablissement_2026-08.zip")
    with open(path, "rb") as f:
        assert f.read() == b"PK-zip-bytes"
