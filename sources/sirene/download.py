"""Where the monthly SIRENE stock files come from.

The stock files moved twice in a year (files.data.gouv.fr/insee-sirene, then the data.gouv S3
bucket; sirene.md §1.2). The only addresses that survived are data.gouv's *stable resource links*
``https://www.data.gouv.fr/api/1/datasets/r/<resource id>``, which redirect to the latest month.
Parquet is preferred: INSEE announced the end of the CSV deliverables in H2 2027, and it reads far
faster (sirene.md §1.1, §7).

`FIRMO_SOURCES=live` points the SIRENE assets at these links; ``FIRMO_SIRENE_UL_SOURCE`` and
``FIRMO_SIRENE_ETAB_SOURCE`` (a local path, a file:// URL or an http(s) URL) replace them one by
one (assets/resources.py). The assets fetch with `sources.download.fetch`.
"""

from __future__ import annotations

from typing import Literal

Kind = Literal["unites_legales", "etablissements"]
Format = Literal["parquet", "csv_zip"]

DATA_GOUV_RESOURCE_URL = "https://www.data.gouv.fr/api/1/datasets/r/{resource_id}"

# data.gouv resource ids (dataset 5b7ffc618b4c4169d30727e0), from datagouvfr_data_pipelines
# config_stock.json, still used by search-infra in Aug 2026 (sirene.md §1.2).
RESOURCE_IDS: dict[tuple[str, str], str] = {
    ("unites_legales", "csv_zip"): "825f4199-cadd-486c-ac46-a65a8ea1a047",
    ("unites_legales", "parquet"): "350182c9-148a-46e0-8389-76c2ec1374a3",
    ("etablissements", "csv_zip"): "0651fb76-bcf3-4f6a-a38d-bc04fa708576",
    ("etablissements", "parquet"): "a29c1297-1f92-4e2a-8f6b-8c902ce96c5f",
}

# Fixed local names: the redirect target may change name from month to month, but the
# "unchanged?" state (<name>.meta.json) and any partial download must be found again.
FILENAMES: dict[tuple[str, str], str] = {
    ("unites_legales", "csv_zip"): "StockUniteLegale_utf8.zip",
    ("unites_legales", "parquet"): "StockUniteLegale_utf8.parquet",
    ("etablissements", "csv_zip"): "StockEtablissement_utf8.zip",
    ("etablissements", "parquet"): "StockEtablissement_utf8.parquet",
}

KINDS = ("unites_legales", "etablissements")


def _check(kind: str, fmt: str) -> tuple[str, str]:
    if kind not in KINDS:
        raise ValueError(f"unknown SIRENE stock kind {kind!r}; expected one of {sorted(KINDS)}")
    if fmt not in ("parquet", "csv_zip"):
        raise ValueError(f"unknown SIRENE stock format {fmt!r}; expected 'parquet' or 'csv_zip'")
    return kind, fmt


def stock_urls(kind: Kind, fmt: Format = "parquet") -> str:
    """The stable data.gouv link of the current stock file of ``kind`` in ``fmt``."""
    return DATA_GOUV_RESOURCE_URL.format(resource_id=RESOURCE_IDS[_check(kind, fmt)])


def stock_filename(source: str) -> str | None:
    """The fixed local name (`FILENAMES`) when `source` is one of the stable data.gouv links, else None
    (an overriding URL keeps the name its server gives; a local path is read in place)."""
    for key, resource_id in RESOURCE_IDS.items():
        if source == DATA_GOUV_RESOURCE_URL.format(resource_id=resource_id):
            return FILENAMES[key]
    return None
