"""The daily DECP delta: recent awards from the tabular API upserted into decp.marches.

The consolidated file is a full snapshot published every weekday morning (no delta file), 1.5M
rows; between two stock loads the tabular API gives the rows notified since the cursor (the last
dateNotification loaded). Fetched pages go into the loader's text table, then `apply_delta` does
the same cleaning and dedupe as the stock and replaces the rows of every uid seen, in one
transaction with the cursor: a crash leaves the previous tables and cursor, and a re-run of the
same window is idempotent.
"""

from __future__ import annotations

import logging
from datetime import date

import duckdb
import httpx

from sources.decp.columns import RESOURCE_CSV, TABULAR_API
from sources.decp.load import MAX_REJECT_SHARE, TEXT, DecpLoadReport, apply_delta, default_since, ensure_tables
from sources.decp.read import TextRead, quote, read_records
from sources.decp.tabular_api import PAGE_SIZE, data_url, iter_pages
from sources.download import RetryPolicy

log = logging.getLogger(__name__)


def run_delta(
    con: duckdb.DuckDBPyConnection,
    *,
    since: date | None = None,
    today: date | None = None,
    api_url: str = TABULAR_API,
    resource: str = RESOURCE_CSV,
    page_size: int = PAGE_SIZE,
    client: httpx.Client | None = None,
    policy: RetryPolicy | None = None,
    max_reject_share: float = MAX_REJECT_SHARE,
) -> DecpLoadReport:
    """Fetch the rows notified on or after `since` (default: the cursor) and upsert them."""
    today = today or date.today()
    ensure_tables(con)
    since = since or default_since(con, today)
    source = f"{data_url(api_url, resource)}?dateNotification__greater={since.isoformat()}"
    con.execute(f"DROP TABLE IF EXISTS {quote(TEXT)}")
    total = TextRead("api")
    pages = 0
    for page in iter_pages(since, api_url=api_url, resource=resource, page_size=page_size, client=client,
                           policy=policy):  # fmt: skip
        read = read_records(con, page.rows, TEXT, source, first_row=total.rows)
        total.rows += read.rows
        total.extra_columns = sorted(set(total.extra_columns) | set(read.extra_columns))
        pages += 1
    if pages == 0 or not total.rows:
        read_records(con, [], TEXT, source)  # an empty window still moves nothing, cleanly
    log.info("DECP delta since %s: %d rows in %d page(s)", since, total.rows, pages)
    report = apply_delta(con, total, source=source, today=today, max_reject_share=max_reject_share)
    report.extra_columns = total.extra_columns
    return report
