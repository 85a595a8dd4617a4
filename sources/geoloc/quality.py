"""Data-quality rules of the geolocation tables: the row-count guard on the raw table and on
core.establishment_locations (a truncated download must not replace 38M points by a few). Every
row-level fault (SIRET, coordinates, duplicates, malformed lines) is quarantined in geo.rejects by
the load itself, and the SIRET removal bound fails the load; no Great Expectations suite runs on
38M rows after it. GUARDED are the tables `firmo load geoloc` keeps from shrinking."""

from __future__ import annotations

from firmo.quality.guard import row_count_check
from firmo.quality.model import QualityCheck
from sources.geoloc.load import LOCATIONS, RAW

GUARDED = frozenset({RAW, LOCATIONS})
CHECKS: tuple[QualityCheck, ...] = (
    row_count_check("geolocalisation_row_count", "geo/geolocalisation", RAW),
    row_count_check("establishment_locations_row_count", "core/establishment_locations", LOCATIONS),
)
