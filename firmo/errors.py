"""Refused inputs: the one error type a loader raises for a file, value or warehouse it cannot
use, and how a refused input becomes the one line `firmo` prints.

A refused input is not a bug: the user can fix it (another file, both files, stop the other
process), so the CLI prints `firmo: <what and where>` and exits 1, without a traceback
(`--debug` or FIRMO_DEBUG=1 shows it). Anything else that escapes a command is a bug, and keeps
its traceback (pipelines/cli.py).

`InputError` is a ValueError so that callers which already catch ValueError from the loaders
keep working.
"""

from __future__ import annotations

import contextlib
import csv
import gzip
import re
import tarfile
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path
from xml.etree.ElementTree import ParseError

import duckdb

MAX_MESSAGE = 1000


class InputError(ValueError):
    """An input a command refuses; the message says what and where, on one line."""


# What reading a damaged or foreign file raises, in the standard library and DuckDB: inside
# `reading(path)` each becomes an InputError naming the file.
READ_ERRORS: tuple[type[BaseException], ...] = (
    zipfile.BadZipFile, zipfile.LargeZipFile, tarfile.TarError, gzip.BadGzipFile, EOFError, zlib.error,
    UnicodeDecodeError, RecursionError, csv.Error, ParseError, duckdb.InvalidInputException,
)  # fmt: skip


def one_line(text: object) -> str:
    """Whitespace (newlines included) collapsed, capped at MAX_MESSAGE characters."""
    text = " ".join(str(text).split())
    return text if len(text) <= MAX_MESSAGE else text[: MAX_MESSAGE - 1] + "…"


def describe(exc: BaseException) -> str:
    """What a standard read/open error means for the user, in words, on one line."""
    if isinstance(exc, UnicodeDecodeError):
        return f"not {exc.encoding.upper().replace('-SIG', '')} text (byte {exc.start}: {exc.reason}); is it a binary file?"
    if isinstance(exc, RecursionError):
        return "nested too deeply to read (more levels than any registry file has)"
    if isinstance(exc, (EOFError, zlib.error)):
        return f"ends too early, truncated download? ({one_line(exc) or type(exc).__name__})"
    if isinstance(exc, zipfile.BadZipFile):
        return f"not a readable zip archive, truncated download? ({one_line(exc)})"
    if isinstance(exc, tarfile.TarError):
        return f"not a readable tar archive, truncated download? ({one_line(exc)})"
    if isinstance(exc, duckdb.Error):
        return one_line(str(exc).splitlines()[0] if str(exc) else type(exc).__name__)
    if isinstance(exc, OSError) and exc.strerror:
        where = f": {exc.filename}" if exc.filename else ""
        return f"{exc.strerror}{where}"
    return one_line(exc) or type(exc).__name__


@contextlib.contextmanager
def reading(path: str | Path) -> Iterator[None]:
    """Turn what a damaged file raises while it is read (READ_ERRORS, and OSError on that very
    file) into an InputError `<path>: <what is wrong>`. Use it around the reading of one input
    file, so the message names the file even when the error itself does not."""
    try:
        yield
    except InputError:
        raise
    except READ_ERRORS as exc:
        raise InputError(f"{path}: {describe(exc)}") from exc
    except OSError as exc:
        if exc.filename is None or Path(str(exc.filename)) != Path(str(path)):
            raise  # disk full while writing, another file: not this input's fault
        raise InputError(describe(exc)) from exc


_LOCK = re.compile(
    r'Could not set lock on file "(?P<file>[^"]+)": Conflicting lock is held in (?P<prog>\S+)(?: \(PID (?P<pid>\d+)\))?'
)


def warehouse_locked(exc: BaseException) -> str | None:
    """The message for DuckDB's lock conflict (another process has the warehouse open for
    writing), or None when `exc` is not that."""
    match = _LOCK.search(str(exc)) if isinstance(exc, duckdb.IOException) else None
    if match is None:
        return None
    who = f"process {match['pid']} ({Path(match['prog']).name})" if match["pid"] else Path(match["prog"]).name
    return (
        f"the warehouse {match['file']} is open for writing in {who}: "
        "wait for it to finish or stop it (make ui, firmo run, a notebook?), then try again"
    )
