"""Where the monthly SIRENE stock files come from, and fetching them.

The stock files moved twice in a year (files.data.gouv.fr/insee-sirene, then the data.gouv S3
bucket; sirene.md §1.2). The only addresses that survived are data.gouv's *stable resource links*
``https://www.data.gouv.fr/api/1/datasets/r/<resource id>``, which redirect to the latest month.
Parquet is preferred: INSEE announced the end of the CSV deliverables in H2 2027, and it reads far
faster (sirene.md §1.1, §7).

Overrides (offline demo, tests, a mirror): ``FIRMO_SIRENE_UL_SOURCE`` and
``FIRMO_SIRENE_ETAB_SOURCE`` hold a local path, a file:// URL or an http(s) URL; they replace the
data.gouv link for unités légales and établissements respectively. An explicit
``source_override`` argument wins over both.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any, Literal

import httpx

from firmo import settings
from sources.download import FetchResult, RetryPolicy, fetch, local_path, redact_url

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

SOURCE_ENV: dict[str, str] = {
    "unites_legales": "FIRMO_SIRENE_UL_SOURCE",
    "etablissements": "FIRMO_SIRENE_ETAB_SOURCE",
}

LOG = logging.getLogger(__name__)


def _check(kind: str, fmt: str) -> tuple[str, str]:
    if kind not in SOURCE_ENV:
        raise ValueError(f"unknown SIRENE stock kind {kind!r}; expected one of {sorted(SOURCE_ENV)}")
    if fmt not in ("parquet", "csv_zip"):
        raise ValueError(f"unknown SIRENE stock format {fmt!r}; expected 'parquet' or 'csv_zip'")
    return kind, fmt


def stock_urls(kind: Kind, fmt: Format = "parquet") -> str:
    """The stable data.gouv link of the current stock file of ``kind`` in ``fmt``."""
    return DATA_GOUV_RESOURCE_URL.format(resource_id=RESOURCE_IDS[_check(kind, fmt)])


def stock_source(kind: Kind, fmt: Format = "parquet", source_override: str | None = None) -> str:
    """Where the stock comes from: the argument, else $FIRMO_SIRENE_UL_SOURCE / $FIRMO_SIRENE_ETAB_SOURCE,
    else the data.gouv link."""
    _check(kind, fmt)
    return source_override or os.environ.get(SOURCE_ENV[kind], "").strip() or stock_urls(kind, fmt)


def default_dest_dir() -> Path:
    return settings.raw_dir() / "sirene"


def fetch_stock(
    kind: Kind,
    dest_dir: Path | None = None,
    fmt: Format = "parquet",
    source_override: str | None = None,
    *,
    client: httpx.Client | None = None,
    policy: RetryPolicy | None = None,
    log: Any = LOG,
) -> FetchResult:
    """Make the current stock file of ``kind`` available locally (``dest_dir`` defaults to
    ``<FIRMO_DATA_DIR>/raw/sirene``). ``result.changed`` is False when the remote (or local
    override) file is the one already fetched, so callers can skip a reload.

    The data.gouv link is saved under a fixed name (``FILENAMES``); an overriding URL keeps the
    name the server gives; an overriding local path is used in place, never copied.
    """
    source = stock_source(kind, fmt, source_override)
    overridden = source != stock_urls(kind, fmt)
    filename = None if overridden else FILENAMES[(kind, fmt)]
    log.info(f"SIRENE {kind} stock ({fmt}) from {'override ' if overridden else ''}{_shown(source)}")
    return fetch(source, dest_dir or default_dest_dir(), filename=filename, client=client, log=log, policy=policy)


def _shown(source: str) -> str:
    return source if local_path(source) is not None else redact_url(source)
