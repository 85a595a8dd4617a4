"""Read a `ratios_inpi_bce` export (CSV, gzip CSV, parquet, ODS JSON) into an all-text raw table.

The export comes in several dresses (shared/docs/inpi_bodacc.md §2.1): the data.gouv CSV
(`;`, UTF-8 with BOM, served gzip, capitalised names such as `Chiffre_d_affaires`), the ODS
export (lower-case names) and the parquet export (`use_labels=true`). Columns are found by
*name*, after folding case, accents and punctuation, never by position; a file lacking a
required column is refused as a whole (`RatiosFormatError`).

CSV is streamed in record batches (pyarrow, one block in memory at a time) into
`raw_table`, every value kept as text so that the SQL step decides what is a bad value and can
quote it in the rejects. Malformed lines (wrong number of fields) are returned for quarantine.
"""

from __future__ import annotations

import gzip
import json
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from firmo.errors import InputError
from firmo.sqlfiles import quote_ident

REQUIRED = ("siren", "date_cloture_exercice", "chiffre_d_affaires", "type_bilan", "confidentiality")
OPTIONAL = ("marge_brute", "ebe", "ebit", "resultat_net")
ALIASES = {
    "date_de_cloture_exercice": "date_cloture_exercice",
    "date_de_cloture_de_l_exercice": "date_cloture_exercice",
    "date_cloture": "date_cloture_exercice",
    "ca": "chiffre_d_affaires",
    "type_de_bilan": "type_bilan",
    "confidentialite": "confidentiality",
}
BLOCK_SIZE = 16 << 20


class RatiosFormatError(InputError):
    """The file is not a ratios export at all (no header, missing required columns)."""


@dataclass
class RawRead:
    fmt: str  # 'csv' | 'parquet' | 'json'
    rows: int = 0
    columns: dict[str, str] = field(default_factory=dict)  # canonical -> name in the file
    malformed: list[tuple[int | None, str]] = field(default_factory=list)  # (line, text)
    skipped_lines: list[int] = field(default_factory=list)  # physical lines not in the raw table

    def line_of(self, row_index: np.ndarray) -> np.ndarray:
        """Physical line (header = 1) of the raw rows, accounting for skipped malformed lines."""
        lines = np.asarray(row_index, dtype=np.int64) + 2
        if not self.skipped_lines:
            return lines
        skipped = np.sort(np.asarray(self.skipped_lines, dtype=np.int64))
        kept_before = skipped - 2 - np.arange(len(skipped))  # raw rows preceding each skipped line
        return lines + np.searchsorted(kept_before, row_index, side="right")


def canonical(name: str) -> str:
    """`Chiffre_d_affaires` / `Chiffre d'affaires` / `chiffre_d_affaires` -> `chiffre_d_affaires`."""
    text = unicodedata.normalize("NFKD", name.strip().lstrip("\ufeff")).encode("ascii", "ignore").decode()
    key = re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")
    return ALIASES.get(key, key)


def map_columns(header: list[str], source: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for name in header:
        key = canonical(name)
        if key in REQUIRED + OPTIONAL and key not in found:
            found[key] = name
    missing = [c for c in REQUIRED if c not in found]
    if missing:
        raise RatiosFormatError(
            f"{source} is not a ratios_inpi_bce export: no column {', '.join(missing)} "
            f"(header starts with {', '.join(header[:5]) or 'nothing'})"
        )
    return found


def _is_parquet(path: Path) -> bool:
    with path.open("rb") as handle:
        return handle.read(4) == b"PAR1"


def _is_json(path: Path) -> bool:
    with path.open("rb") as handle:
        return handle.read(64).lstrip(b"\xef\xbb\xbf \t\r\n")[:1] in (b"{", b"[")


def _json_records(path: Path) -> list[dict]:
    """Rows of an Opendatasoft answer: v1 `records[].fields`, v2.1 `results[]`, or a bare array
    (the JSON export). This is what the per-SIREN API of data.economie.gouv.fr returns."""
    document = json.loads(path.read_text(encoding="utf-8-sig"))
    if isinstance(document, dict):
        if "records" in document:
            return [r.get("fields", {}) for r in document["records"]]
        document = document.get("results", [])
    return [r for r in document if isinstance(r, dict)]


def _is_gzip(path: Path) -> bool:
    with path.open("rb") as handle:
        return handle.read(2) == b"\x1f\x8b"


def _csv_header(path: Path) -> list[str]:
    opener = gzip.open if _is_gzip(path) else open
    with opener(path, "rt", encoding="utf-8-sig", newline="") as handle:
        first = handle.readline().rstrip("\r\n")
    if not first:
        raise RatiosFormatError(f"{path}: empty file, no header line")
    return [col.strip().strip('"') for col in first.split(";")]


def _csv_batches(path: Path, read: RawRead) -> Iterator[pa.RecordBatch]:
    header = _csv_header(path)
    read.columns = map_columns(header, str(path))
    wanted = list(read.columns.values())

    def on_invalid(row: pacsv.InvalidRow) -> str:
        read.malformed.append((row.number, row.text))
        return "skip"

    stream = pa.input_stream(str(path), compression="gzip" if _is_gzip(path) else None)
    reader = pacsv.open_csv(
        stream,
        read_options=pacsv.ReadOptions(block_size=BLOCK_SIZE, encoding="utf8"),
        parse_options=pacsv.ParseOptions(delimiter=";", invalid_row_handler=on_invalid),
        convert_options=pacsv.ConvertOptions(
            include_columns=wanted, column_types={name: pa.string() for name in wanted}, strings_can_be_null=False
        ),
    )
    yield from reader


def _find_malformed_lines(path: Path, read: RawRead) -> None:
    """pyarrow reports a malformed row's text but not its line: find the lines in a second,
    plain scan. Runs only when the file had malformed rows, so normally never."""
    pending: dict[str, int] = {}
    for _, text in read.malformed:
        pending[text] = pending.get(text, 0) + 1
    opener = gzip.open if _is_gzip(path) else open
    found: list[tuple[int | None, str]] = []
    with opener(path, "rt", encoding="utf-8-sig", newline="") as handle:
        for number, line in enumerate(handle, start=1):
            text = line.rstrip("\r\n")
            if pending.get(text):
                pending[text] -= 1
                found.append((number, text))
    read.malformed = found + [(None, t) for t, n in pending.items() for _ in range(n)]
    read.skipped_lines = [n for n, _ in found if n is not None]


def load_raw(con: duckdb.DuckDBPyConnection, path: Path, raw_table: str) -> RawRead:
    """Create `raw_table` (canonical VARCHAR columns + row_index) from the export at `path`."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"ratios export not found: {path}")
    cols = REQUIRED + OPTIONAL
    target = quote_ident(raw_table)
    con.execute(f"DROP TABLE IF EXISTS {target}")
    # a TEMP table: a connection-private work table, three times faster to fill than a stored one
    con.execute(f"CREATE TEMP TABLE {target} ({', '.join(f'{c} VARCHAR' for c in cols)}, row_index BIGINT)")
    if _is_parquet(path):
        read = RawRead("parquet")
        schema = pq.read_schema(path)
        read.columns = map_columns(schema.names, str(path))
        numeric_siren = pa.types.is_integer(schema.field(read.columns["siren"]).type)
        select = []
        for col in cols:
            source = read.columns.get(col)
            value = f"CAST({quote_ident_any(source)} AS VARCHAR)" if source else "NULL"
            if col == "siren" and numeric_siren:  # an integer SIREN lost its leading zeros
                value = f"lpad({value}, 9, '0')"
            select.append(f"{value} AS {col}")
        con.execute(
            f"INSERT INTO {target} SELECT {', '.join(select)}, file_row_number "
            "FROM read_parquet(?, file_row_number = true)",
            [str(path)],
        )
    elif _is_json(path):
        read = RawRead("json")
        records = _json_records(path)
        read.columns = map_columns(sorted({k for r in records for k in r}) or [], str(path))
        data: dict[str, list[Any]] = {c: [None if r.get(read.columns[c]) is None else str(r.get(read.columns[c])) for r in records]
                if c in read.columns else [None] * len(records) for c in cols}  # fmt: skip
        data["row_index"] = list(range(len(records)))
        con.register(
            "__ratios_json",
            pa.table(
                data, schema=pa.schema([*(pa.field(c, pa.string()) for c in cols), pa.field("row_index", pa.int64())])
            ),
        )
        try:
            con.execute(f"INSERT INTO {target} SELECT * FROM __ratios_json")
        finally:
            con.unregister("__ratios_json")
    else:
        read = RawRead("csv")
        offset = 0
        for batch in _csv_batches(path, read):
            names = {v: k for k, v in read.columns.items()}
            arrays = {names[n]: batch.column(i) for i, n in enumerate(batch.schema.names)}
            columns = [arrays.get(c, pa.nulls(batch.num_rows, pa.string())) for c in cols]
            columns.append(pa.array(np.arange(offset, offset + batch.num_rows, dtype=np.int64)))
            con.register("__ratios_batch", pa.RecordBatch.from_arrays(columns, names=[*cols, "row_index"]))
            try:
                con.execute(f"INSERT INTO {target} SELECT * FROM __ratios_batch")
            finally:
                con.unregister("__ratios_batch")
            offset += batch.num_rows
        if read.malformed:
            _find_malformed_lines(path, read)
    read.rows = int(con.execute(f"SELECT count(*) FROM {target}").fetchall()[0][0])
    return read


def quote_ident_any(name: str) -> str:
    """Quote a column name as found in a file (labels may hold spaces, apostrophes, accents)."""
    return '"' + name.replace('"', '""') + '"'
