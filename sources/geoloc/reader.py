"""Open a geolocation file (CSV zip, plain or gzipped CSV, parquet) as a DuckDB scan, by column name.

The 19 columns are those of datagouvfr_data_pipelines `config_geoloc.json` (open_data.md §8.1). The
parquet has been seen with 14 of them (no qualite_qp24 ... qualite_qva) and INSEE may reorder or add
columns, so nothing is read by position: a column the file lacks comes out as NULL, a column it adds
is reported and ignored, and only `siret`, `y_latitude` and `x_longitude` are required.
Every value is read as VARCHAR, as published (`[ND]` included); the loader types what it derives.
The CSV is read by DuckDB directly (streaming, parallel, no pandas), its malformed lines go to
DuckDB's reject store with their physical line numbers.
"""

from __future__ import annotations

import logging
import zipfile
from dataclasses import dataclass
from pathlib import Path

from firmo.errors import InputError
from sources import table_file
from sources.geoloc.download import MEMBER
from sources.table_file import sql_literal

log = logging.getLogger(__name__)

COLUMNS: tuple[str, ...] = (
    "siret",
    "x",
    "y",
    "qualite_xy",
    "epsg",
    "plg_qp24",
    "plg_iris",
    "plg_zus",
    "plg_qp15",
    "plg_qva",
    "plg_code_commune",
    "distance_precision",
    "qualite_qp24",
    "qualite_iris",
    "qualite_zus",
    "qualite_qp15",
    "qualite_qva",
    "y_latitude",
    "x_longitude",
)
REQUIRED: tuple[str, ...] = ("siret", "y_latitude", "x_longitude")
DELIMITER = ";"


class GeolocFormatError(InputError):
    """Not a geolocation file (wrong file, no header, required columns missing)."""


@dataclass
class GeolocSource:
    """A file ready to be scanned: where, which format, which columns."""

    original: str  # what was given (path or URL), for reports and rejects
    path: Path  # readable file (the extracted CSV for a zip)
    fmt: str  # 'csv' or 'parquet'
    header: list[str]
    extracted: bool = False

    @property
    def missing_columns(self) -> list[str]:
        return [c for c in COLUMNS if c not in self.header]

    @property
    def unknown_columns(self) -> list[str]:
        return [c for c in self.header if c not in COLUMNS]

    def cleanup(self) -> None:
        if self.extracted:
            self.path.unlink(missing_ok=True)


def open_geoloc(path: Path, *, original: str | None = None, workdir: Path | None = None) -> GeolocSource:
    """Identify the format of `path` by its first bytes, read its header, extract a zip member."""
    if not path.is_file():
        raise FileNotFoundError(f"geolocation file not found: {path}")
    original = original or str(path)
    fmt = table_file.sniff(path)
    if fmt == "parquet":
        src = GeolocSource(original, path, "parquet", list(table_file.parquet_types(path)))
    elif fmt == "zip":
        target, header = table_file.extract_csv(
            path,
            original,
            workdir or path.parent,
            pick=_member,
            wanted=MEMBER,
            error=GeolocFormatError,
            delimiter=DELIMITER,
        )
        src = GeolocSource(original, target, "csv", header, extracted=True)
    else:
        src = GeolocSource(original, path, "csv", table_file.csv_header(path, GeolocFormatError, delimiter=DELIMITER))
    lacking = [c for c in REQUIRED if c not in src.header]
    if lacking:
        src.cleanup()
        raise GeolocFormatError(
            f"{original} is not the SIRENE geolocation file: header lacks {', '.join(lacking)} "
            f"(found {len(src.header)} columns starting with {', '.join(src.header[:4])})"
        )
    if src.unknown_columns:
        log.warning("%s: columns not in the known layout, ignored: %s", original, src.unknown_columns)
    return src


def _member(members: list[zipfile.ZipInfo]) -> list[zipfile.ZipInfo]:
    """The published member (MEMBER), else a `*_utf8.csv` one: the zip's CSV to read."""
    return [m for m in members if Path(m.filename).name == MEMBER] or [
        m for m in members if m.filename.lower().endswith("_utf8.csv")
    ]


def scan_sql(src: GeolocSource, rejects_table: str) -> str:
    """SELECT of the 19 known columns (VARCHAR, NULL when absent) and `__row` (parquet row number,
    1-based; NULL for CSV) over `$path`. CSV: every header column typed VARCHAR, nothing sniffed,
    malformed lines stored in `rejects_table` / `<rejects_table>_scan` (DuckDB's reject store)."""
    present = set(src.header)
    cols = ", ".join(f'"{c}"' if c in present else f'CAST(NULL AS VARCHAR) AS "{c}"' for c in COLUMNS)
    if src.fmt == "parquet":
        casts = ", ".join(
            f'CAST("{c}" AS VARCHAR) AS "{c}"' if c in present else f'CAST(NULL AS VARCHAR) AS "{c}"' for c in COLUMNS
        )
        return f"SELECT {casts}, file_row_number + 1 AS __row FROM read_parquet($path, file_row_number = true)"
    columns = "{" + ", ".join(f"'{sql_literal(n)}': 'VARCHAR'" for n in src.header) + "}"
    return (
        f"SELECT {cols}, CAST(NULL AS BIGINT) AS __row FROM read_csv($path, header = true, auto_detect = false, "
        f"delim = '{DELIMITER}', quote = '\"', escape = '\"', columns = {columns}, "
        f"store_rejects = true, rejects_table = '{rejects_table}', rejects_scan = '{rejects_table}_scan', "
        "rejects_limit = 0, strict_mode = true)"
    )
