"""Robust file fetcher shared by every registry (SIRENE stocks, INPI, BODACC archives).

Why it exists: the registries publish multi-GB files behind redirecting links, on servers that
drop connections, rate-limit (429) and sometimes answer 5xx. A monthly run must survive that
without restarting 9 GB from zero (HTTP Range resume), must never leave a truncated file under the
final name where a later step would load it (``<name>.part`` then an atomic ``os.replace``), and
should not download at all when nothing changed (a ``<name>.meta.json`` sidecar holding the
validators, sent back as ``If-None-Match`` / ``If-Modified-Since``). Local paths and ``file://``
URLs go through the same entry point, so the offline demo and the tests use the real code path.

URLs are logged and reported without their query string, userinfo or fragment: some providers put
tokens there. The retry policy (``RetryPolicy``, ``raise_for_retryable``) is reused by the API
clients (API Sirene, INPI, BODACC) so that every HTTP caller honours ``Retry-After`` the same way.
"""

from __future__ import annotations

import email.utils
import json
import logging
import os
import re
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit, urlunsplit
from urllib.request import url2pathname

import httpx
from tenacity import RetryCallState, Retrying, retry_if_exception, stop_after_attempt

LOG = logging.getLogger(__name__)
PROGRESS_EVERY_BYTES = 100 << 20  # progress step when the server gives no size
META_SUFFIX = ".meta.json"
PART_SUFFIX = ".part"
PART_META_SUFFIX = ".part.meta.json"
DEFAULT_TIMEOUT = httpx.Timeout(30.0, read=120.0)
# Compressed transfer would make Range offsets and Content-Length refer to encoded bytes; the
# registries' files are already compressed (zip, parquet, taz), so ask for them as they are.
IDENTITY = {"Accept-Encoding": "identity"}


class FetchError(RuntimeError):
    """A download that cannot succeed (4xx, retries exhausted, wrong length). Never holds a query string."""


class RetryableHTTPError(FetchError):
    """A 429/5xx answer, or a transfer to restart; ``retry_after`` is the server's wish in seconds."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class _RedactHttpxUrls(logging.Filter):
    """httpx logs every request URL at INFO, query string included; strip it there too."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(redact_url(a) if isinstance(a, httpx.URL) else a for a in record.args)
        return True


if not any(isinstance(f, _RedactHttpxUrls) for f in logging.getLogger("httpx").filters):
    logging.getLogger("httpx").addFilter(_RedactHttpxUrls())


# --- retry policy (shared with the API clients) ------------------------------------------------


def redact_url(url: str | httpx.URL) -> str:
    """scheme://host[:port]/path: drops userinfo, query and fragment, where tokens can hide."""
    parts = urlsplit(str(url))
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path, "", ""))


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Retry-After is either delta-seconds or an HTTP-date (RFC 9110 §10.2.3)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def raise_for_retryable(response: httpx.Response, label: str) -> None:
    """Turn 429 and 5xx into RetryableHTTPError carrying the server's Retry-After."""
    status = response.status_code
    if status == 429 or 500 <= status < 600:
        raise RetryableHTTPError(f"HTTP {status} from {label}", parse_retry_after(response.headers.get("Retry-After")))


def is_retryable(exc: BaseException) -> bool:
    if isinstance(exc, httpx.UnsupportedProtocol):
        return False
    return isinstance(exc, (RetryableHTTPError, httpx.TransportError))


@dataclass(frozen=True)
class RetryPolicy:
    """Bounded attempts; Retry-After honoured (capped) else exponential backoff.

    ``sleep`` is injectable so tests record the waits instead of sleeping.
    """

    attempts: int = 6
    backoff_initial_s: float = 2.0
    backoff_max_s: float = 120.0
    retry_after_cap_s: float = 300.0
    sleep: Callable[[float], None] = time.sleep

    def wait_seconds(self, attempt_number: int, exc: BaseException | None) -> float:
        if isinstance(exc, RetryableHTTPError) and exc.retry_after is not None:
            return min(exc.retry_after, self.retry_after_cap_s)
        return min(self.backoff_initial_s * 2 ** (attempt_number - 1), self.backoff_max_s)

    def retrying(self, log: Any, label: str, scrub: Callable[[str], str] = str) -> Retrying:
        """A tenacity loop logging each failure; ``scrub`` cleans the message (e.g. of an API key)."""

        def wait(state: RetryCallState) -> float:
            return self.wait_seconds(state.attempt_number, state.outcome.exception() if state.outcome else None)

        def before_sleep(state: RetryCallState) -> None:
            exc = state.outcome.exception() if state.outcome else None
            delay = state.next_action.sleep if state.next_action else 0.0
            log.warning(
                scrub(
                    f"{label}: attempt {state.attempt_number}/{self.attempts} failed "
                    f"({type(exc).__name__}: {exc}); retrying in {delay:.1f}s"
                )
            )

        return Retrying(
            stop=stop_after_attempt(self.attempts),
            wait=wait,
            retry=retry_if_exception(is_retryable),
            sleep=self.sleep,
            before_sleep=before_sleep,
            reraise=True,
        )


# --- stamps and results ------------------------------------------------------------------------


@dataclass(frozen=True)
class RemoteStamp:
    """What identifies one version of a remote file without downloading it."""

    etag: str | None
    last_modified: str | None
    size: int | None

    @classmethod
    def from_headers(cls, headers: httpx.Headers, size: int | None) -> RemoteStamp:
        return cls(headers.get("ETag"), headers.get("Last-Modified"), size)

    def same_version(self, other: RemoteStamp | None) -> bool:
        """Equal ETags (else equal Last-Modified) and no size contradiction; unknown = changed."""
        if other is None:
            return False
        if self.size is not None and other.size is not None and self.size != other.size:
            return False
        if self.etag and other.etag:
            return _strong(self.etag) == _strong(other.etag)
        if self.last_modified and other.last_modified:
            return self.last_modified == other.last_modified
        return False


@dataclass(frozen=True)
class FetchResult:
    path: Path
    changed: bool
    bytes_downloaded: int
    resumed: bool
    etag: str | None
    last_modified: str | None
    source: str  # the local path, or the URL without its query string


def _strong(etag: str) -> str:
    return etag[2:] if etag.startswith("W/") else etag


def local_path(source: str | os.PathLike[str]) -> Path | None:
    """The file behind a local path or file:// URL; None for http(s)."""
    text = os.fspath(source)
    scheme = urlsplit(text).scheme.lower()
    if scheme in ("http", "https"):
        return None
    if scheme == "file":
        return Path(url2pathname(urlsplit(text).path))
    if len(scheme) > 1:  # one letter = a Windows drive
        raise ValueError(f"unsupported source scheme {scheme!r} in {redact_url(text)}")
    return Path(text)


def _local_stamp(path: Path) -> RemoteStamp:
    st = path.stat()
    return RemoteStamp(
        etag=f'"{st.st_mtime_ns:x}-{st.st_size:x}"',
        last_modified=email.utils.formatdate(st.st_mtime, usegmt=True),
        size=st.st_size,
    )


def _read_json(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None  # absent or corrupt state means "unknown": download again
    return data if isinstance(data, dict) else None


def _write_json(path: Path, data: dict[str, Any]) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(data, indent=2, sort_keys=True), encoding="utf-8")
    os.replace(tmp, path)


def _stamp_from(data: dict[str, Any] | None) -> RemoteStamp | None:
    if data is None:
        return None
    return RemoteStamp(data.get("etag"), data.get("last_modified"), data.get("size"))


def _state(stamp: RemoteStamp, source: str) -> dict[str, Any]:
    return {
        "etag": stamp.etag,
        "last_modified": stamp.last_modified,
        "size": stamp.size,
        "url": source,
        "fetched_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }


# --- public entry points -----------------------------------------------------------------------


def fetch(
    source: str | os.PathLike[str],
    dest_dir: Path,
    *,
    filename: str | None = None,
    client: httpx.Client | None = None,
    log: Any = LOG,
    policy: RetryPolicy | None = None,
) -> FetchResult:
    """Make the current version of ``source`` available as a local file.

    Local path / file:// URL: returned as is (never copied); ``changed`` compares size+mtime with
    the state kept in ``dest_dir/<name>.meta.json``. http(s): downloaded into ``dest_dir`` (name:
    ``filename``, else Content-Disposition, else the final URL's last segment; found by a HEAD
    probe, which also skips the download when the sidecar's ETag/Last-Modified/size match).
    Raises FetchError (4xx, retries exhausted) with any partial ``.part`` kept for the next call.
    """
    dest_dir = Path(dest_dir)
    path = local_path(source)
    if path is not None:
        return _fetch_local(path, dest_dir, filename)
    with _client(client) as http:
        return _Download(os.fspath(source), dest_dir, filename, http, log, policy or RetryPolicy()).run()


def head(
    source: str | os.PathLike[str],
    *,
    client: httpx.Client | None = None,
    policy: RetryPolicy | None = None,
    log: Any = LOG,
) -> RemoteStamp:
    """Identify the current remote version without downloading it (for a 'new monthly file' sensor).

    HEAD, falling back to ``GET Range: bytes=0-0`` when HEAD is refused. Local path: mtime+size.
    """
    path = local_path(source)
    if path is not None:
        return _local_stamp(path)
    with _client(client) as http:
        return _probe(os.fspath(source), http, policy or RetryPolicy(), log)[0]


@contextmanager
def _client(client: httpx.Client | None) -> Iterator[httpx.Client]:
    """The caller's client (left open), else a private one closed afterwards."""
    if client is not None:
        yield client
        return
    with httpx.Client(timeout=DEFAULT_TIMEOUT, follow_redirects=True) as own:
        yield own


def _fetch_local(path: Path, dest_dir: Path, filename: str | None) -> FetchResult:
    if not path.is_file():
        raise FileNotFoundError(f"source file not found: {path}")
    stamp = _local_stamp(path)
    dest_dir.mkdir(parents=True, exist_ok=True)
    meta_path = dest_dir / f"{filename or path.name}{META_SUFFIX}"
    previous = _read_json(meta_path)
    changed = not (previous and previous.get("url") == str(path) and stamp.same_version(_stamp_from(previous)))
    if changed:
        _write_json(meta_path, _state(stamp, str(path)))
    return FetchResult(path, changed, 0, False, stamp.etag, stamp.last_modified, str(path))


# --- HTTP ---------------------------------------------------------------------------------------


def _probe(url: str, client: httpx.Client, policy: RetryPolicy, log: Any) -> tuple[RemoteStamp, httpx.Response]:
    """HEAD (or GET bytes=0-0 when HEAD is refused); returns the stamp and the final response."""
    label = redact_url(url)
    for attempt in policy.retrying(log, f"probe {label}"):
        with attempt:
            resp = client.head(url, headers=IDENTITY, follow_redirects=True)
            if resp.status_code != 501:
                raise_for_retryable(resp, label)
            if resp.is_success:
                return RemoteStamp.from_headers(resp.headers, _int(resp.headers.get("Content-Length"))), resp
            if resp.status_code in (404, 410):
                raise FetchError(f"HTTP {resp.status_code} for {label}")
            with client.stream("GET", url, headers={**IDENTITY, "Range": "bytes=0-0"}, follow_redirects=True) as resp:
                raise_for_retryable(resp, label)
                if resp.status_code == 206:
                    size = _content_range(resp.headers.get("Content-Range"))[1]
                elif resp.status_code == 200:
                    size = _int(resp.headers.get("Content-Length"))
                else:
                    raise FetchError(f"HTTP {resp.status_code} for {label} (HEAD and ranged GET)")
                return RemoteStamp.from_headers(resp.headers, size), resp
    raise AssertionError("unreachable")  # pragma: no cover


def _int(value: str | None) -> int | None:
    return int(value) if value and value.strip().isdigit() else None


def _content_range(value: str | None) -> tuple[int | None, int | None]:
    """'bytes 100-199/1000' -> (100, 1000); 'bytes */1000' -> (None, 1000)."""
    m = re.match(r"\s*bytes\s+(?:(\d+)-\d+|\*)/(\d+|\*)", value or "")
    if not m:
        return None, None
    return _int(m.group(1)), _int(m.group(2))


def _safe_name(name: str | None) -> str | None:
    name = (name or "").replace("\\", "/").rsplit("/", 1)[-1].strip()
    return None if name in ("", ".", "..") else name


def filename_from(disposition: str | None, url: str | httpx.URL) -> str | None:
    """Content-Disposition filename* / filename, else the URL's last path segment."""
    if disposition:
        m = re.search(r"filename\*\s*=\s*([\w-]*)'[^']*'([^;]+)", disposition, re.I)
        if m:
            return _safe_name(unquote(m.group(2).strip(), encoding=m.group(1) or "utf-8"))
        m = re.search(r'filename\s*=\s*(?:"([^"]+)"|([^;\s]+))', disposition, re.I)
        if m:
            return _safe_name(m.group(1) or m.group(2))
    return _safe_name(unquote(urlsplit(str(url)).path))


class _Progress:
    """Logs every 10 % (or every PROGRESS_EVERY_BYTES when the size is unknown) with MB/s."""

    def __init__(self, log: Any, name: str, start: int, total: int | None) -> None:
        self.log, self.name, self.start, self.total = log, name, start, total
        self.received = 0
        self.t0 = time.monotonic()
        self.next_mark = self._mark_after(start)

    def _mark_after(self, done: int) -> int:
        if self.total:
            return (done * 10 // self.total + 1) * self.total // 10 or 1
        return self.received + PROGRESS_EVERY_BYTES

    def update(self, n: int) -> None:
        self.received += n
        done = self.start + self.received
        if (done if self.total else self.received) >= self.next_mark:
            self.report()
            self.next_mark = self._mark_after(done)

    def report(self) -> None:
        done = self.start + self.received
        rate = self.received / max(time.monotonic() - self.t0, 1e-6) / 1e6
        of = f" / {self.total / 1e6:.1f} MB ({done * 100 // self.total}%)" if self.total else " MB"
        self.log.info(f"{self.name}: {done / 1e6:.1f}{of} at {rate:.1f} MB/s")


class _Download:
    """One fetch() of an http(s) URL; attempts share the .part file and the byte counters."""

    def __init__(
        self, url: str, dest_dir: Path, filename: str | None, client: httpx.Client, log: Any, policy: RetryPolicy
    ) -> None:
        self.url, self.label, self.client, self.log, self.policy = url, redact_url(url), client, log, policy
        self.dest_dir, self.filename = dest_dir, _safe_name(filename) if filename else None
        self.bytes_downloaded = 0
        self.resumed = False

    def run(self) -> FetchResult:
        probed: RemoteStamp | None = None
        if self.filename is None:
            probed, resp = _probe(self.url, self.client, self.policy, self.log)
            self.filename = filename_from(resp.headers.get("Content-Disposition"), resp.url) or filename_from(
                None, self.url
            )
            if not self.filename:
                raise FetchError(f"cannot derive a file name from {self.label}; pass filename=")
        self.dest_dir.mkdir(parents=True, exist_ok=True)
        self.final = self.dest_dir / self.filename
        self.part = self.dest_dir / f"{self.filename}{PART_SUFFIX}"
        self.meta = self.dest_dir / f"{self.filename}{META_SUFFIX}"
        self.part_meta = self.dest_dir / f"{self.filename}{PART_META_SUFFIX}"
        self.previous = _stamp_from(_read_json(self.meta)) if self.final.is_file() else None
        if probed is not None and probed.same_version(self.previous):
            return self._unchanged()
        try:
            for attempt in self.policy.retrying(self.log, f"download {self.label}"):
                with attempt:
                    return self._attempt()
        except httpx.TransportError as exc:
            raise FetchError(f"download of {self.label} failed: {type(exc).__name__}: {exc}") from exc
        raise AssertionError("unreachable")  # pragma: no cover

    def _unchanged(self) -> FetchResult:
        assert self.previous is not None
        self.part.unlink(missing_ok=True)
        self.part_meta.unlink(missing_ok=True)
        self.log.info(f"{self.final.name}: unchanged at {self.label}, keeping the local file")
        return FetchResult(
            self.final,
            False,
            self.bytes_downloaded,
            self.resumed,
            self.previous.etag,
            self.previous.last_modified,
            self.label,
        )

    def _restart(self, why: str) -> None:
        self.part.unlink(missing_ok=True)
        self.part_meta.unlink(missing_ok=True)
        raise RetryableHTTPError(f"{self.label}: {why}; restarting from zero", retry_after=0)

    def _attempt(self) -> FetchResult:
        offset = self.part.stat().st_size if self.part.is_file() else 0
        part_stamp = _stamp_from(_read_json(self.part_meta))
        headers = dict(IDENTITY)
        if offset:
            headers["Range"] = f"bytes={offset}-"
            validator = part_stamp and (
                part_stamp.etag
                if part_stamp.etag and not part_stamp.etag.startswith("W/")
                else part_stamp.last_modified
            )
            if validator:
                headers["If-Range"] = validator  # server sends the whole new file if it changed
        elif self.previous is not None:
            if self.previous.etag:
                headers["If-None-Match"] = self.previous.etag
            if self.previous.last_modified:
                headers["If-Modified-Since"] = self.previous.last_modified
        with self.client.stream("GET", self.url, headers=headers, follow_redirects=True) as resp:
            raise_for_retryable(resp, self.label)
            status = resp.status_code
            if status == 304 and self.previous is not None:
                return self._unchanged()
            if status == 416 and offset:
                total = _content_range(resp.headers.get("Content-Range"))[1]
                total = total if total is not None else (part_stamp.size if part_stamp else None)
                if total != offset:
                    self._restart(f"range not satisfiable ({offset} bytes held, remote {total})")
                return self._complete(part_stamp or RemoteStamp(None, None, offset))
            if status == 206 and offset:
                start, total = _content_range(resp.headers.get("Content-Range"))
                stamp = RemoteStamp.from_headers(resp.headers, total)
                if start != offset or (
                    part_stamp and part_stamp.etag and stamp.etag and _strong(stamp.etag) != _strong(part_stamp.etag)
                ):
                    self._restart("partial answer does not continue the file held")
                self.resumed = True
                self.log.info(f"{self.filename}: resuming {self.label} at byte {offset}")
            elif status == 200:
                stamp = RemoteStamp.from_headers(resp.headers, _int(resp.headers.get("Content-Length")))
                if stamp.same_version(self.previous):  # server ignored the conditional headers
                    return self._unchanged()
                if offset:
                    self.log.info(f"{self.filename}: server ignored Range, restarting from zero")
                offset = 0
                _write_json(self.part_meta, _state(stamp, self.label))
                self.log.info(
                    f"{self.filename}: downloading {self.label}"
                    + (f" ({stamp.size / 1e6:.1f} MB)" if stamp.size is not None else "")
                )
            else:
                raise FetchError(f"HTTP {status} for {self.label}")
            self._stream(resp, "ab" if offset else "wb", offset, stamp.size)
        held = self.part.stat().st_size
        if stamp.size is not None and held != stamp.size:
            if held > stamp.size:
                self._restart(f"got {held} bytes, more than the announced {stamp.size}")
            raise RetryableHTTPError(f"{self.label}: transfer ended at {held} of {stamp.size} bytes")
        return self._complete(stamp)

    def _stream(self, resp: httpx.Response, mode: str, offset: int, total: int | None) -> None:
        progress = _Progress(self.log, self.filename or "", offset, total)
        with open(self.part, mode) as out:
            try:
                for chunk in resp.iter_raw():  # unbuffered: a chunker would lose its buffer on a cut
                    out.write(chunk)
                    self.bytes_downloaded += len(chunk)
                    progress.update(len(chunk))
            finally:  # what arrived before a cut stays on disk for the resume
                out.flush()
                os.fsync(out.fileno())
        if progress.received and progress.total is None:
            progress.report()

    def _complete(self, stamp: RemoteStamp) -> FetchResult:
        size = self.part.stat().st_size
        stamp = RemoteStamp(stamp.etag, stamp.last_modified, size)
        os.replace(self.part, self.final)
        _write_json(self.meta, _state(stamp, self.label))
        self.part_meta.unlink(missing_ok=True)
        self.log.info(f"{self.final.name}: complete, {size / 1e6:.1f} MB ({self.bytes_downloaded} bytes fetched)")
        return FetchResult(
            self.final, True, self.bytes_downloaded, self.resumed, stamp.etag, stamp.last_modified, self.label
        )
