"""Where the monthly geolocation file of the SIRENE establishments comes from (open_data.md §8.1).

INSEE publishes it on data.gouv (dataset 61d5e2d372a52d9f9411ff88) as a CSV zip and as parquet; the
stable resource links below always redirect to the latest month (sirene.md §1.2; the ids are those of
datagouvfr_data_pipelines `config_geoloc.json`, used by search-infra under the key `geo_stats`).
The zip holds `GeolocalisationEtablissement_Sirene_pour_etudes_statistiques_utf8.csv`, `;`-separated.
The parquet is smaller and faster to read, but a third-party note lists 14 columns in it against 19 in
the CSV: the reader binds columns by name, so either loads.

`FIRMO_SOURCES=live` points the geoloc asset at the CSV zip (the format the column list was
documented from); FIRMO_GEOLOC_SOURCE replaces it (a path, a file:// or an http(s) URL, e.g. the
parquet link `geoloc_url("parquet")`).
"""

from __future__ import annotations

from typing import Literal

Format = Literal["csv_zip", "parquet"]

DATA_GOUV_RESOURCE_URL = "https://www.data.gouv.fr/datasets/r/{resource_id}"
DATASET_ID = "61d5e2d372a52d9f9411ff88"
RESOURCE_IDS: dict[str, str] = {
    "csv_zip": "ba6a4e4c-aac6-4764-bbd2-f80ae345afc5",
    "parquet": "672007af-0146-491f-835c-8314d63fa44e",
}
MEMBER = "GeolocalisationEtablissement_Sirene_pour_etudes_statistiques_utf8.csv"
# Fixed local names: the redirect target's name may change month to month, but the "unchanged?"
# sidecar (<name>.meta.json) and a partial download must be found again.
FILENAMES: dict[str, str] = {
    "csv_zip": "GeolocalisationEtablissement_Sirene_pour_etudes_statistiques_utf8.zip",
    "parquet": "GeolocalisationEtablissement_Sirene_pour_etudes_statistiques.parquet",
}


def geoloc_url(fmt: Format = "csv_zip") -> str:
    """The stable data.gouv link of the current geolocation file in `fmt`."""
    if fmt not in RESOURCE_IDS:
        raise ValueError(f"unknown geolocation format {fmt!r}; expected one of {sorted(RESOURCE_IDS)}")
    return DATA_GOUV_RESOURCE_URL.format(resource_id=RESOURCE_IDS[fmt])


def geoloc_filename(source: str) -> str | None:
    """The fixed local name when `source` is one of the stable links, else None (an overriding URL
    keeps the name its server gives; a local path is read in place)."""
    for fmt, resource_id in RESOURCE_IDS.items():
        if source in (
            DATA_GOUV_RESOURCE_URL.format(resource_id=resource_id),
            f"https://www.data.gouv.fr/api/1/datasets/r/{resource_id}",
        ):
            return FILENAMES[fmt]
    return None
