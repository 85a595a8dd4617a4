"""Where the daily notices come from: the Opendatasoft export of `annonces-commerciales`.

The export endpoint streams without the 10,000-row window of `/records` (inpi_bodacc.md §3.1);
filtering by publication date server-side keeps one Dagster partition to one day of notices.
"""

from __future__ import annotations

from datetime import date
from urllib.parse import urlencode

BASE = "https://bodacc-datadila.opendatasoft.com/api/explore/v2.1/catalog/datasets/annonces-commerciales/exports"


def export_url(start: date, end: date, fmt: str = "json") -> str:
    """Export of the notices published in [start, end) (end exclusive), Paris time."""
    where = f"dateparution >= date'{start.isoformat()}' AND dateparution < date'{end.isoformat()}'"
    return f"{BASE}/{fmt}?" + urlencode({"where": where, "timezone": "Europe/Paris"})


def export_filename(start: date, end: date, fmt: str = "json") -> str:
    return f"annonces-commerciales_{start.isoformat()}_{end.isoformat()}.{fmt}"


def poll_url(day: date, last_id: str, fmt: str = "json", base: str = BASE) -> str:
    """Export of the notices after the poll cursor (day of publication, then notice id), in that
    order: the records since the last poll, without the 10,000-row cap of `/records`."""
    where = f"dateparution > date'{day.isoformat()}' OR (dateparution = date'{day.isoformat()}' AND id > \"{last_id}\")"
    query = {"where": where, "order_by": "dateparution, id", "timezone": "Europe/Paris"}
    return f"{base}/{fmt}?" + urlencode(query)
