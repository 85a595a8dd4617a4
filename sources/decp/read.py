"""Read the consolidated DECP (parquet or CSV) or tabular-API rows into an all-text work table.

Why all text: every value reaches the cleaning SQL (firmo/sql/decp/normalise.sql) as published, so
"NC", a timezone-suffixed date or a sentinel amount is repaired there with a note, and a bad value
can be quoted in a reject. Columns are found by header name; a file lacking a required column is
refused as a whole (`DecpFormatError`); columns the list does not know are left out with a warning
(decp-processing appends unexpected columns at the end, `sort_columns`); optional columns absent
from the file are NULL.

CSV (Polars `sink_csv` defaults: comma, `"` quote, UTF-8, header) is read by DuckDB with an
explicit VARCHAR schema; records it cannot read (wrong number of fields, unterminated quote,
invalid UTF-8) come back from DuckDB's reject store with their byte position, turned here into the
physical line (header = line 1, quoted newlines counted) for the quarantine.
"""

from __future__ import annotations

import csv
import gzip
import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from firmo.errors import InputError
from sources.decp.columns import NAMES, REQUIRED

log = logging.getLogger(__name__)
RAW_MAX = 2000


class DecpFormatError(InputError):
    """The file is not the consolidated tabular DECP (no header, required columns missing)."""


@dataclass
class Malformed:
    line: int | None
    reason: str
    raw: str


@dataclass
class TextRead:
    """What reading one source gave: its format, rows, and what did not fit."""

    fmt: str  # 'parquet' | 'csv' | 'api'
    rows: int = 0
    extra_columns: list[str] = field(default_factory=list)
    missing_columns: list[str] = field(default_factory=list)
    malformed: list[Malformed] = field(default_factory=list)


def quote(name: str) -> str:
    """A column name as found in a file, double-quoted (decp names hold capitals)."""
    return '"' + name.replace('"', '""') + '"'


def check_header(header: Iterable[str], source: str) -> tuple[list[str], list[str]]:
    """(extra, missing optional) columns; raises DecpFormatError when a required one is absent."""
    names = list(header)
    missing = [c for c in REQUIRED if c not in names]
    if missing:
        shown = ", ".join(names[:6]) or "nothing"
        raise DecpFormatError(
            f"{source} is not the consolidated DECP: no column {', '.join(missing)} (header starts with {shown})"
        )
    extra = [n for n in names if n not in NAMES and n != "__id"]
    if extra:
        log.warning("%s: %d column(s) not in the DECP schema left out: %s", source, len(extra), ", ".join(extra))
    return extra, [c for c in NAMES if c not in names]


def is_parquet(path: Path) -> bool:
    with path.open("rb") as handle:
        return handle.read(4) == b"PAR1"


def _is_gzip(path: Path) -> bool:
    with path.open("rb") as handle:
        return handle.read(2) == b"\x1f\x8b"


def _open_text(path: Path):
    opener: Any = gzip.open if _is_gzip(path) else open
    return opener(path, "rt", encoding="utf-8-sig", newline="")


def csv_header(path: Path) -> list[str]:
    with _open_text(path) as handle:
        try:
            header = next(csv.reader(handle))
        except StopIteration:
            raise DecpFormatError(f"{path}: empty file, no header line") from None
        except (csv.Error, UnicodeDecodeError) as exc:
            raise DecpFormatError(f"{path}: unreadable header line ({exc})") from None
    return [h.strip() for h in header]


def _select(present: set[str], source: str) -> str:
    cols = [
        f"CAST({quote(n)} AS VARCHAR) AS {quote(n)}" if n in present else f"NULL::VARCHAR AS {quote(n)}" for n in NAMES
    ]
    return ", ".join(cols)


def read_file(con: duckdb.DuckDBPyConnection, path: Path, table: str) -> TextRead:
    """Create the TEMP table `table` (NAMES as VARCHAR, __row, __source) from a parquet or CSV file."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"DECP file not found: {path}")
    con.execute(f"DROP TABLE IF EXISTS {quote(table)}")
    if is_parquet(path):
        try:
            header = [r[0] for r in con.execute("DESCRIBE SELECT * FROM read_parquet(?)", [str(path)]).fetchall()]
        except duckdb.Error as exc:
            raise DecpFormatError(f"{path}: unreadable parquet file ({str(exc).splitlines()[0]})") from None
        read = TextRead("parquet")
        read.extra_columns, read.missing_columns = check_header(header, str(path))
        con.execute(
            f"CREATE TEMP TABLE {quote(table)} AS SELECT {_select(set(header), str(path))}, "
            "file_row_number AS __row, CAST(? AS VARCHAR) AS __source "
            "FROM read_parquet(?, file_row_number = true)",
            [str(path), str(path)],
        )
    else:
        read = TextRead("csv")
        header = csv_header(path)
        if len(set(header)) != len(header):
            raise DecpFormatError(f"{path}: the header repeats a column name")
        read.extra_columns, read.missing_columns = check_header(header, str(path))
        columns = "{" + ", ".join(f"'{h.replace(chr(39), chr(39) * 2)}': 'VARCHAR'" for h in header) + "}"
        con.execute("DROP TABLE IF EXISTS decp_csv_rejects")
        con.execute("DROP TABLE IF EXISTS decp_csv_scans")
        # one thread and insertion order kept: __row is then the record's rank in the file, which
        # the quarantine turns back into a physical line when a readable row is rejected
        con.execute("SET preserve_insertion_order = true")
        try:
            con.execute(
                f"CREATE TEMP TABLE {quote(table)} AS SELECT {_select(set(header), str(path))}, "
                "row_number() OVER () - 1 AS __row, CAST(? AS VARCHAR) AS __source FROM read_csv(?, "
                f"columns = {columns}, auto_detect = false, header = true, delim = ',', quote = '\"', "
                "escape = '\"', parallel = false, store_rejects = true, rejects_table = 'decp_csv_rejects', "
                "rejects_scan = 'decp_csv_scans', max_line_size = 20000000)",
                [str(path), str(path)],
            )
        except duckdb.Error as exc:
            raise DecpFormatError(f"{path}: unreadable CSV ({str(exc).splitlines()[0]})") from None
        finally:
            con.execute("RESET preserve_insertion_order")
        read.malformed = _csv_rejects(con, path)
    read.rows = int(con.execute(f"SELECT count(*) FROM {quote(table)}").fetchall()[0][0])
    return read


def _csv_rejects(con: duckdb.DuckDBPyConnection, path: Path) -> list[Malformed]:
    """Records DuckDB could not read, one per record (its errors joined), with the physical line."""
    rows = con.execute(
        "SELECT line_byte_position, string_agg(DISTINCT error_type || ': ' || error_message, '; '), "
        "any_value(csv_line) FROM decp_csv_rejects GROUP BY line_byte_position ORDER BY line_byte_position"
    ).fetchall()
    con.execute("DROP TABLE IF EXISTS decp_csv_rejects")
    con.execute("DROP TABLE IF EXISTS decp_csv_scans")
    if not rows:
        return []
    lines = physical_lines(path, [int(r[0]) for r in rows])
    return [Malformed(line, f"unreadable CSV record ({reason})", (raw or "")[:RAW_MAX])
            for line, (_, reason, raw) in zip(lines, rows, strict=True)]  # fmt: skip


def physical_lines(path: Path, positions: list[int]) -> list[int]:
    """1-based line of each byte position DuckDB reports (it counts from 1): the newlines before it + 1."""
    wanted = sorted(set(positions))
    found: dict[int, int] = {}
    newlines, offset, i = 0, 0, 0
    with path.open("rb") as handle:
        while i < len(wanted):
            chunk = handle.read(1 << 22)
            if not chunk:
                break
            while i < len(wanted) and wanted[i] - 1 < offset + len(chunk):
                found[wanted[i]] = newlines + chunk.count(b"\n", 0, max(wanted[i] - 1 - offset, 0)) + 1
                i += 1
            newlines += chunk.count(b"\n")
            offset += len(chunk)
    return [found.get(p, newlines + 1) for p in positions]


def record_lines(path: Path, records: list[int], skipped_lines: set[int]) -> dict[int, int]:
    """Physical first line of the readable records `records` (their rank among the records DuckDB
    read, 0-based); records starting on a `skipped_lines` line (quarantined) are not counted.
    A second pass over the file, run only when a readable row is rejected."""
    wanted = set(records)
    found: dict[int, int] = {}
    rank = -1
    with _open_text(path) as handle:
        reader = csv.reader(handle)
        next(reader, None)
        start = reader.line_num + 1
        for _ in reader:
            if start not in skipped_lines:
                rank += 1
                if rank in wanted:
                    found[rank] = start
                    if len(found) == len(wanted):
                        break
            start = reader.line_num + 1
    return found


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def read_records(
    con: duckdb.DuckDBPyConnection, records: Sequence[Mapping[str, Any]], table: str, source: str, *, first_row: int = 0
) -> TextRead:
    """Append tabular-API rows (JSON values: numbers, booleans, strings) to the TEMP text table
    `table` (created when absent); an integer id (the API types `acheteur_id` as a number) becomes
    its digits, which the SIRET cleaning pads back to 14."""
    read = TextRead("api", rows=len(records))
    keys = {k for r in records for k in r}
    if records:
        read.extra_columns, read.missing_columns = check_header(keys, source)
    data = {n: pa.array([_text(r.get(n)) for r in records], pa.string()) for n in NAMES}
    data["__row"] = pa.array(range(first_row, first_row + len(records)), pa.int64())
    data["__source"] = pa.array([source] * len(records), pa.string())
    batch = pa.table(data)
    con.register("__decp_api_batch", batch)
    try:
        exists = con.execute(
            "SELECT count(*) FROM duckdb_tables() WHERE temporary AND table_name = ?", [table]
        ).fetchall()[0][0]
        if exists:
            con.execute(f"INSERT INTO {quote(table)} SELECT * FROM __decp_api_batch")
        else:
            con.execute(f"CREATE TEMP TABLE {quote(table)} AS SELECT * FROM __decp_api_batch")
    finally:
        con.unregister("__decp_api_batch")
    return read
