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

import csv
import gzip
import io
import logging
import shutil
import zipfile
from dataclasses import dataclass
from pathlib import Path

import duckdb

from firmo.errors import InputError
from sources.geoloc.download import MEMBER

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
    with path.open("rb") as fh:
        magic = fh.read(4)
    if magic == b"PAR1":
        rows = duckdb.execute("DESCRIBE SELECT * FROM read_parquet(?)", [str(path)]).fetchall()
        src = GeolocSource(original, path, "parquet", [r[0] for r in rows])
    elif magic[:2] == b"PK":
        src = _extract(path, original, workdir or path.parent)
    else:
        src = GeolocSource(original, path, "csv", _csv_header(path))
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


def _extract(path: Path, original: str, workdir: Path) -> GeolocSource:
    """Stream the CSV member out of the zip (DuckDB reads gzip, not zip)."""
    with zipfile.ZipFile(path) as zf:
        members = [m for m in zf.infolist() if m.filename.lower().endswith(".csv")]
        if not members:
            raise GeolocFormatError(f"{original}: zip holds no .csv member ({zf.namelist()[:5]})")
        named = [m for m in members if Path(m.filename).name == MEMBER] or [
            m for m in members if m.filename.lower().endswith("_utf8.csv")
        ]
        if len(members) > 1 and not named:
            raise GeolocFormatError(f"{original}: several CSV members and none named {MEMBER}")
        member = (named or members)[0]
        workdir.mkdir(parents=True, exist_ok=True)
        target = workdir / f".{path.stem}.{Path(member.filename).name}.extracting"
        log.info("extracting %s from %s (%.1f MB uncompressed)", member.filename, original, member.file_size / 1e6)
        with zf.open(member) as src_fh, target.open("wb") as out:
            shutil.copyfileobj(src_fh, out, length=8 << 20)
    try:
        header = _csv_header(target)
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    return GeolocSource(original, target, "csv", header, extracted=True)


def _csv_header(path: Path) -> list[str]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8-sig", newline="") as fh:
        first = fh.readline()
    if not first.strip():
        raise GeolocFormatError(f"{path}: empty file, no header line")
    return [name.strip() for name in next(csv.reader(io.StringIO(first), delimiter=DELIMITER))]


def _lit(text: str) -> str:
    return text.replace("'", "''")


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
    columns = "{" + ", ".join(f"'{_lit(n)}': 'VARCHAR'" for n in src.header) + "}"
    return (
        f"SELECT {cols}, CAST(NULL AS BIGINT) AS __row FROM read_csv($path, header = true, auto_detect = false, "
        f"delim = '{DELIMITER}', quote = '\"', escape = '\"', columns = {columns}, "
        f"store_rejects = true, rejects_table = '{rejects_table}', rejects_scan = '{rejects_table}_scan', "
        "rejects_limit = 0, strict_mode = true)"
    )
