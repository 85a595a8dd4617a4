"""RFC 4180 CSV files for CRM importers: safe cells, size-bounded parts, atomic publication.

Formula injection (OWASP "CSV Injection"): a spreadsheet evaluates a cell starting with
`=`, `+`, `-`, `@`, TAB or CR. Such string cells are prefixed with a single quote. Two kinds of
cell are left alone because they cannot carry a formula and a quote would break the import:
  * integers written by us (`-1200` is a number, not a formula);
  * values of *phone* columns that are strict E.164 (`+33612345678`: '+' then digits only).
    The doc (§3.4) asks for E.164 phones in all three CRMs, and a leading quote would make the
    importers reject or store `'+336…`. A phone-column value that is not strict E.164 is
    neutralised like any other text.

Files are written to a temporary name in the target directory and renamed with `os.replace`
only when every part is complete, so a crash leaves either no file or whole files.
"""

from __future__ import annotations

import csv
import io
import os
import re
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
E164 = re.compile(r"^\+[1-9]\d{6,14}$")
_TRIGGER_SET = frozenset(FORMULA_TRIGGERS)


def neutralise(text: str) -> str:
    """Prefix a single quote when a spreadsheet would read `text` as a formula."""
    return "'" + text if text[:1] in _TRIGGER_SET else text


def format_cell(value: object, *, phone: bool = False) -> str:
    """One CSV cell: ISO dates, plain integers, '' for missing, neutralised text."""
    if type(value) is str:  # the common case first: millions of cells per export
        if phone and E164.match(value):
            return value
        return "'" + value if value[:1] in _TRIGGER_SET else value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else f"{value:f}".rstrip("0")
    if isinstance(value, datetime):
        return value.replace(microsecond=0).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return neutralise(str(value))


@dataclass(frozen=True)
class Limits:
    """Importer limits for one file: data rows (header excluded) and total bytes."""

    max_rows: int
    max_bytes: int


def _encode_row(cells: Sequence[str]) -> bytes:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerow(cells)
    return buf.getvalue().encode("utf-8")


def render_rows(
    columns: Sequence[str], rows: Iterable[Mapping[str, object]], phone_columns: frozenset[str] = frozenset()
) -> list[list[str]]:
    """Rows (dicts keyed by column) as lists of formatted, neutralised cells."""
    return [[format_cell(row.get(c), phone=c in phone_columns) for c in columns] for row in rows]


def split_parts(header: Sequence[str], cells: Sequence[Sequence[str]], limits: Limits) -> list[tuple[bytes, int, int]]:
    """Cut encoded rows into parts that respect `limits`; each part repeats the header.

    Returns (bytes, first_row_index, row_count) per part. A single row too big for a file is an
    error (it could never be imported), not something to drop silently.
    """
    head = _encode_row(header)
    parts: list[tuple[bytes, int, int]] = []
    chunk: list[bytes] = []
    size, start = len(head), 0
    for i, row in enumerate(cells):
        encoded = _encode_row(row)
        if len(head) + len(encoded) > limits.max_bytes:
            raise ValueError(f"row {i} alone is {len(encoded)} bytes, over the {limits.max_bytes}-byte file limit")
        if chunk and (len(chunk) >= limits.max_rows or size + len(encoded) > limits.max_bytes):
            parts.append((head + b"".join(chunk), start, len(chunk)))
            chunk, size, start = [], len(head), i
        chunk.append(encoded)
        size += len(encoded)
    if chunk:
        parts.append((head + b"".join(chunk), start, len(chunk)))
    return parts


def write_atomically(files: Mapping[Path, bytes]) -> None:
    """Write every file to a temp name beside it, then rename them all into place.

    Nothing is renamed until every temp file is fully written and fsynced; on any error the
    temp files are removed and no target file is created or altered.
    """
    temps: list[tuple[Path, Path]] = []
    try:
        for target, payload in files.items():
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
            temps.append((Path(tmp_name), target))
            with os.fdopen(fd, "wb") as fh:
                fh.write(payload)
                fh.flush()
                os.fsync(fh.fileno())
        for tmp, target in temps:
            os.replace(tmp, target)
    finally:
        for tmp, _ in temps:
            if tmp.exists():
                tmp.unlink()
