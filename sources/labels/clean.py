"""Date cleaning of the label sources. The identifier cleaning every open-data source shares
(open_data.md "Common conventions") is `firmo.identifiers.clean_identifier`."""

from __future__ import annotations

from datetime import date, datetime

DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y")


def parse_date(value: object) -> date | None:
    """ISO or French dates, as one record of the DGEFP list mixes them ("01/01/2023" beside
    "2023-12-31"); a timestamp keeps its day; anything else is None."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()[:10]
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None
