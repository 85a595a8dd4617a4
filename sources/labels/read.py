"""Read one label source's files into records by header name, every value as text.

Three shapes, one output: (file, line, record) where `record` maps the publisher's column names to
their text (None when empty or absent), or (file, line, reason) for a row that cannot be read. A
CSV line is its physical line (header = 1), an XLSX row its sheet row, a saved API page the
item's position in the page. A missing required column refuses the whole file (InputError): a
renamed column would otherwise load as NULLs and pass every row count.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator, Sequence
from pathlib import Path

from firmo.errors import InputError
from firmo.xlsx import iter_text_rows
from sources.labels.spec import Source

Record = dict[str, str | None]
Row = tuple[str, int | None, Record | None, str | None]  # file, line, record, reason


def as_text(value: object) -> str | None:
    """The text of a JSON value: lists and objects as JSON (kept whole in the raw table)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    text = str(value)
    return text if text.strip() else None


def _check_header(source: Source, header: Sequence[str], path: Path) -> None:
    missing = [c for c in source.required_columns if c not in header]
    if missing:
        raise InputError(
            f"{path}: not the {source.title} format: column(s) {', '.join(repr(c) for c in missing)} missing "
            f"(header: {', '.join(header[:12])}{'...' if len(header) > 12 else ''})"
        )


def header_of(source: Source, paths: Sequence[Path]) -> list[str]:
    """The raw table's columns: the file's header (CSV, XLSX; first file), or the declared item
    fields (API pages)."""
    if source.fmt == "pages":
        return list(source.columns)
    path = paths[0]
    if source.fmt == "xlsx":
        for _, cells in iter_text_rows(path):
            header = [(c or "").strip() for c in cells]
            _check_header(source, header, path)
            return header
        raise InputError(f"{path}: empty workbook")
    with path.open(encoding=source.encoding, newline="") as handle:
        first = next(csv.reader(handle, delimiter=source.delimiter), None)
    if not first:
        raise InputError(f"{path}: empty file, no header")
    header = [c.strip() for c in first]
    _check_header(source, header, path)
    return header


def iter_rows(source: Source, paths: Sequence[Path], header: Sequence[str]) -> Iterator[Row]:
    for path in paths:
        if source.fmt == "csv":
            yield from _csv_rows(source, path, header)
        elif source.fmt == "xlsx":
            yield from _xlsx_rows(source, path, header)
        else:
            yield from _page_rows(source, path, header)


def _csv_rows(source: Source, path: Path, header: Sequence[str]) -> Iterator[Row]:
    with path.open(encoding=source.encoding, newline="") as handle:
        reader = csv.reader(handle, delimiter=source.delimiter)
        file_header = [c.strip() for c in next(reader, [])]
        if list(file_header) != list(header):
            _check_header(source, file_header, path)
        line = reader.line_num + 1
        for fields in reader:
            start, line = line, reader.line_num + 1
            if not fields or all(not f.strip() for f in fields):
                continue
            if len(fields) != len(file_header):
                yield (str(path), start, None, f"malformed line ({len(fields)} fields, header has {len(file_header)})")
                continue
            by_name = dict(zip(file_header, fields, strict=True))
            yield str(path), start, {c: (by_name.get(c) or None) for c in header}, None


def _xlsx_rows(source: Source, path: Path, header: Sequence[str]) -> Iterator[Row]:
    rows = iter_text_rows(path)
    file_header: list[str] = []
    for number, cells in rows:
        if not file_header:
            file_header = [(c or "").strip() for c in cells]
            _check_header(source, file_header, path)
            continue
        if all(c is None or not str(c).strip() for c in cells):
            continue
        if len(cells) > len(file_header) and any(c for c in cells[len(file_header) :]):
            yield str(path), number, None, f"malformed row ({len(cells)} cells, header has {len(file_header)})"
            continue
        by_name = dict(zip(file_header, list(cells) + [None] * (len(file_header) - len(cells)), strict=False))
        yield str(path), number, {c: as_text(by_name.get(c)) for c in header}, None


def _page_rows(source: Source, path: Path, header: Sequence[str]) -> Iterator[Row]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except ValueError as exc:
        raise InputError(f"{path}: not a JSON page of {source.title} ({exc})") from None
    items = data.get(source.items_key) if source.items_key and isinstance(data, dict) else data
    if not isinstance(items, list):
        raise InputError(f"{path}: no '{source.items_key}' list in this page of {source.title}")
    for position, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            yield str(path), position, None, "item is not an object"
            continue
        missing = [c for c in source.required_columns if c not in item]
        if missing:
            yield str(path), position, None, f"field(s) missing: {', '.join(missing)}"
            continue
        yield str(path), position, {c: as_text(item.get(c)) for c in header}, None


def page_files(paths: Sequence[Path]) -> list[Path]:
    """A folder of saved pages stands for its `*.json` files, in name order."""
    out: list[Path] = []
    for path in paths:
        out += sorted(path.glob("*.json")) if path.is_dir() else [path]
    return out
