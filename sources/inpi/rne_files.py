"""Read RNE payloads out of every file shape the pipeline meets, one payload at a time.

- API responses saved as `.json`: one company, a bare array (search), `[{"company": …}]` (diff);
- the daily flux dumps (`rne_flux_<date>.json.gz`): NDJSON, one `{"company": …}` per line;
- the bulk stock (`stock_RNE_formalites_*.zip`, ~15 GB): a zip of JSON array files of ~70 MB.
  Members are read one at a time straight from the archive, so memory holds one member, never
  the whole zip, and nothing is extracted to disk.

Undecodable content does not stop the read: it comes out as a `Bad` item carrying the reason,
which the loader quarantines, and the next member / line is read.
"""

from __future__ import annotations

import gzip
import json
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from firmo.errors import reading
from sources.inpi.rne_parse import iter_payloads

JSON_SUFFIXES = (".json", ".ndjson", ".jsonl")


@dataclass(frozen=True)
class Payload:
    source: str
    line: int | None  # NDJSON line; None inside a JSON document
    data: Any


@dataclass(frozen=True)
class Bad:
    source: str
    line: int | None
    reason: str
    raw: str


def _decode(blob: bytes, source: str) -> Iterator[Payload | Bad]:
    """A JSON document (object or array) or NDJSON, told apart by trying the former first."""
    try:
        text = blob.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        yield Bad(source, None, f"not UTF-8 text: {exc.reason} at byte {exc.start}", blob[:2000].decode("latin-1"))
        return
    if not text.strip():
        yield Bad(source, None, "empty JSON file", "")
        return
    try:
        document = json.loads(text)
    except RecursionError:
        yield Bad(source, None, "JSON nested too deeply (more levels than any RNE payload has)", text[:2000])
        return
    except json.JSONDecodeError as exc:
        if not exc.msg.startswith("Extra data"):
            yield Bad(source, None, f"unparsable JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})", text[:2000])
            return
        yield from _ndjson(text, source)
        return
    for payload in iter_payloads(document):
        yield Payload(source, None, payload)


def _ndjson(text: str, source: str) -> Iterator[Payload | Bad]:
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            document = json.loads(line)
        except RecursionError:
            yield Bad(source, number, "JSON line nested too deeply (more levels than any RNE payload has)", line[:2000])
            continue
        except json.JSONDecodeError as exc:
            yield Bad(source, number, f"unparsable JSON line: {exc.msg} (column {exc.colno})", line[:2000])
            continue
        for payload in iter_payloads(document):
            yield Payload(source, number, payload)


def _zip_members(path: Path) -> Iterator[Payload | Bad]:
    with zipfile.ZipFile(path) as archive:
        for info in archive.infolist():
            if info.is_dir():
                continue
            source = f"{path}::{info.filename}"
            name = info.filename.lower()
            if not name.endswith(JSON_SUFFIXES + tuple(s + ".gz" for s in JSON_SUFFIXES)):
                yield Bad(source, None, "zip member is not a JSON file", info.filename)
                continue
            with archive.open(info) as member:
                blob = (gzip.GzipFile(fileobj=member) if name.endswith(".gz") else member).read()
            yield from _decode(blob, source)


def iter_file(path: Path) -> Iterator[Payload | Bad]:
    """Payloads (and undecodable pieces) of one RNE file, whatever its shape."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"RNE file not found: {path}")
    if zipfile.is_zipfile(path):
        with reading(path):  # a member cut short: the stock download is broken, not one payload
            yield from _zip_members(path)
        return
    with path.open("rb") as raw:
        magic = raw.read(2)
        raw.seek(0)
        try:
            blob = (gzip.GzipFile(fileobj=raw) if magic == b"\x1f\x8b" else raw).read()
        except (OSError, EOFError) as exc:
            yield Bad(str(path), None, f"corrupt gzip file: {exc}", "")
            return
    yield from _decode(blob, str(path))
