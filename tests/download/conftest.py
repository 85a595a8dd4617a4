"""A real loopback HTTP server for the fetcher: Range, ETag/Last-Modified/304, redirects, and a
queue of injected failures (status codes, Retry-After, connection dropped mid-body)."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from sources.download import RetryPolicy


@dataclass
class Served:
    body: bytes
    etag: str | None = '"v1"'
    last_modified: str | None = "Wed, 01 Jul 2026 06:00:00 GMT"
    disposition: str | None = None


@dataclass
class ServerState:
    files: dict[str, Served] = field(default_factory=dict)
    redirects: dict[str, str] = field(default_factory=dict)
    # consumed one per GET: ("status", code, retry_after|None) or ("drop", bytes_sent_before_cut)
    failures: list[tuple] = field(default_factory=list)
    ignore_range: bool = False
    refuse_head: bool = False
    honour_conditional: bool = True
    requests: list[tuple[str, str, dict[str, str]]] = field(default_factory=list)


class _Handler(BaseHTTPRequestHandler):
    state: ServerState  # set on the subclass built by the fixture

    def log_message(self, *args) -> None:  # keep pytest output clean
        pass

    def do_HEAD(self) -> None:
        self._serve(head=True)

    def do_GET(self) -> None:
        self._serve(head=False)

    def _serve(self, head: bool) -> None:
        st = self.state
        st.requests.append((self.command, self.path, dict(self.headers.items())))
        path = self.path.split("?", 1)[0]
        if path in st.redirects:
            self.send_response(302)
            self.send_header("Location", st.redirects[path])
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if head and st.refuse_head:
            return self._empty(405)
        served = st.files.get(path)
        if served is None:
            return self._empty(404)
        if not head and st.failures:
            failure = st.failures.pop(0)
            if failure[0] == "status":
                return self._empty(failure[1], retry_after=failure[2])
        else:
            failure = None
        body, size = served.body, len(served.body)
        inm, ims = self.headers.get("If-None-Match"), self.headers.get("If-Modified-Since")
        if st.honour_conditional and ((inm and inm == served.etag) or (not inm and ims and ims == served.last_modified)):
            return self._empty(304, served=served)
        status, start = 200, 0
        rng = self.headers.get("Range")
        if_range = self.headers.get("If-Range")
        if rng and not st.ignore_range and (not if_range or if_range in (served.etag, served.last_modified)):
            start = int(rng.split("=")[1].split("-")[0])
            end = rng.split("-")[1]
            if start >= size:
                self.send_response(416)
                self.send_header("Content-Range", f"bytes */{size}")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            stop = min(int(end), size - 1) if end else size - 1
            body, status = body[start:stop + 1], 206
        self.send_response(status)
        self._validators(served)
        if status == 206:
            self.send_header("Content-Range", f"bytes {start}-{start + len(body) - 1}/{size}")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Accept-Ranges", "bytes")
        self.end_headers()
        if head:
            return
        if failure and failure[0] == "drop":
            self.wfile.write(body[: failure[1]])
            self.wfile.flush()
            self.close_connection = True
            return
        self.wfile.write(body)

    def _validators(self, served: Served) -> None:
        if served.etag:
            self.send_header("ETag", served.etag)
        if served.last_modified:
            self.send_header("Last-Modified", served.last_modified)
        if served.disposition:
            self.send_header("Content-Disposition", served.disposition)

    def _empty(self, code: int, retry_after: str | None = None, served: Served | None = None) -> None:
        self.send_response(code)
        if retry_after is not None:
            self.send_header("Retry-After", retry_after)
        if served is not None:
            self._validators(served)
        self.send_header("Content-Length", "0")
        self.end_headers()


@dataclass
class LoopbackServer:
    state: ServerState
    base: str

    def url(self, path: str) -> str:
        return f"{self.base}{path}"

    def serve(self, path: str, body: bytes, **kwargs) -> None:
        self.state.files[path] = Served(body, **kwargs)

    def gets(self) -> list[tuple[str, str, dict[str, str]]]:
        return [r for r in self.state.requests if r[0] == "GET"]


@pytest.fixture()
def server():
    state = ServerState()
    handler = type("Handler", (_Handler,), {"state": state})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    try:
        yield LoopbackServer(state, f"http://127.0.0.1:{httpd.server_address[1]}")
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture()
def sleeps() -> list[float]:
    return []


@pytest.fixture()
def policy(sleeps) -> RetryPolicy:
    """Four attempts, waits recorded instead of slept."""
    return RetryPolicy(attempts=4, sleep=sleeps.append)
