"""A registry's table file as it arrives, told apart by its first bytes: parquet, a zip holding a
CSV, or a plain or gzipped CSV. Shared by the readers that bind columns by header name (the SIRENE
stocks, the geolocation file), which differ only in the zip member they want, the CSV delimiter
and the error they raise, so that the sniffing, the extraction and the header are written once.

Why extract a zip member: DuckDB reads gzip, not zip. The member is streamed next to the file
(`.<stem>.<member>.extracting`) and removed again if its header cannot be read; the reader removes
it after the load (`extracted`).
"""

from __future__ import annotations

import csv
import gzip
import io
import logging
import shutil
import zipfile
from collections.abc import Callable
from pathlib import Path

import duckdb

log = logging.getLogger(__name__)

Picker = Callable[[list[zipfile.ZipInfo]], list[zipfile.ZipInfo]]


def sniff(path: Path) -> str:
    """'parquet', 'zip' or 'csv' (plain or gzipped) from the first bytes of `path`."""
    with path.open("rb") as fh:
        magic = fh.read(4)
    if magic == b"PAR1":
        return "parquet"
    if magic[:2] == b"PK":
        return "zip"
    return "csv"


def parquet_types(path: Path) -> dict[str, str]:
    """Column -> DuckDB type of a parquet file, in the file's order."""
    rows = duckdb.execute("DESCRIBE SELECT * FROM read_parquet(?)", [str(path)]).fetchall()
    return {name: typ for name, typ, *_ in rows}


def csv_header(path: Path, error: type[Exception], *, delimiter: str = ",") -> list[str]:
    """The column names on the first line of a CSV (gzipped when its suffix is .gz), stripped of
    surrounding spaces; `error` when the file is empty."""
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8-sig", newline="") as fh:
        first = fh.readline()
    if not first.strip():
        raise error(f"{path}: empty file, no header line")
    return [name.strip() for name in next(csv.reader(io.StringIO(first), delimiter=delimiter))]


def extract_csv(
    path: Path,
    original: str,
    workdir: Path,
    *,
    pick: Picker,
    wanted: str,
    error: type[Exception],
    delimiter: str = ",",
) -> tuple[Path, list[str]]:
    """(extracted file, header) of the zip's CSV member: the first that `pick` returns, or the only
    one. A zip without a CSV member, or with several and none picked (`wanted` names what was
    looked for), raises `error`."""
    with zipfile.ZipFile(path) as zf:
        members = [m for m in zf.infolist() if m.filename.lower().endswith(".csv")]
        if not members:
            raise error(f"{original}: zip holds no .csv member ({zf.namelist()[:5]})")
        picked = pick(members)
        if len(members) > 1 and not picked:
            raise error(f"{original}: several CSV members and none named {wanted}")
        member = (picked or members)[0]
        workdir.mkdir(parents=True, exist_ok=True)
        target = workdir / f".{path.stem}.{member.filename.replace('/', '_')}.extracting"
        log.info("extracting %s from %s (%.1f MB uncompressed)", member.filename, original, member.file_size / 1e6)
        with zf.open(member) as src_fh, target.open("wb") as out:
            shutil.copyfileobj(src_fh, out, length=8 << 20)
    try:
        return target, csv_header(target, error, delimiter=delimiter)
    except BaseException:
        target.unlink(missing_ok=True)
        raise


def sql_literal(text: str) -> str:
    """A string escaped for a SQL literal (paths and column names of our own schemas only)."""
    return text.replace("'", "''")
