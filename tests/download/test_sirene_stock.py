"""sources.sirene.download: the stable data.gouv links, env overrides, and fetch_stock end to end."""

from __future__ import annotations

import pytest

from sources.sirene.download import FILENAMES, fetch_stock, stock_source, stock_urls


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


def test_source_precedence_argument_then_env_then_link(monkeypatch):
    monkeypatch.delenv("FIRMO_SIRENE_UL_SOURCE", raising=False)
    monkeypatch.setenv("FIRMO_SIRENE_ETAB_SOURCE", "/mirror/etab.parquet")

    assert stock_source("unites_legales") == stock_urls("unites_legales")
    assert stock_source("etablissements") == "/mirror/etab.parquet"
    assert stock_source("etablissements", source_override="/x.zip") == "/x.zip"


def test_fetch_stock_local_override_uses_real_sample_in_place(samples_dir, data_env, monkeypatch):
    sample = samples_dir / "sirene" / "StockUniteLegale_sample_2026_35cols.csv"
    monkeypatch.setenv("FIRMO_SIRENE_UL_SOURCE", str(sample))

    first = fetch_stock("unites_legales")
    again = fetch_stock("unites_legales")

    assert (first.path, first.changed, again.changed) == (sample, True, False)
    assert (data_env / "raw" / "sirene" / f"{sample.name}.meta.json").is_file()


def test_fetch_stock_url_override_downloads_over_http(server, tmp_path, policy):
    server.serve("/siren/stock/StockEtablissement_utf8.zip", b"PK-zip-bytes")

    result = fetch_stock("etablissements", tmp_path, "csv_zip",
                         source_override=server.url("/siren/stock/StockEtablissement_utf8.zip"), policy=policy)

    assert result.path == tmp_path / FILENAMES[("etablissements", "csv_zip")]
    assert result.path.read_bytes() == b"PK-zip-bytes"


def test_fetch_stock_default_link_saved_under_fixed_name(tmp_path, policy, monkeypatch):
    import httpx
    import respx

    monkeypatch.delenv("FIRMO_SIRENE_UL_SOURCE", raising=False)
    with respx.mock(assert_all_called=True) as mock:
        mock.get(stock_urls("unites_legales")).respond(
            302, headers={"Location": "https://object.files.data.gouv.fr/siren/StockUniteLegale_2026-07.parquet"})
        mock.get("https://object.files.data.gouv.fr/siren/StockUniteLegale_2026-07.parquet").respond(
            200, content=b"PAR1...PAR1", headers={"ETag": '"m7"'})
        with httpx.Client() as client:
            result = fetch_stock("unites_legales", tmp_path, client=client, policy=policy)

    assert result.path == tmp_path / "StockUniteLegale_utf8.parquet"
    assert (result.path.read_bytes(), result.etag, result.changed) == (b"PAR1...PAR1", '"m7"', True)
