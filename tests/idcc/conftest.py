"""Fixtures of the IDCC tests: an in-memory warehouse, and a loopback web server standing in for
the DARES site (static files, HEAD and GET, as sources.download.fetch asks them)."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import duckdb
import pytest

from firmo import db


@pytest.fixture()
def con():
    connection = duckdb.connect(":memory:")
    db.ensure_schemas(connection)
    yield connection
    connection.close()


class _Handler(BaseHTTPRequestHandler):
    files: dict[str, tuple[str, bytes]] = {}
    requests: list[str] = []

    def _answer(self, body: bool) -> None:
        self.requests.append(f"{self.command} {self.path}")
        found = self.files.get(self.path.split("?")[0])
        if found is None:
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        content_type, data = found
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if body:
            self.wfile.write(data)

    def do_GET(self) -> None:  # noqa: N802 (http.server's names)
        self._answer(True)

    def do_HEAD(self) -> None:  # noqa: N802
        self._answer(False)

    def log_message(self, *args) -> None:
        pass


class Site:
    def __init__(self, base: str, handler: type[_Handler]):
        self.base = base
        self.handler = handler

    def serve(self, path: str, data: bytes, content_type: str) -> str:
        self.handler.files[path] = (content_type, data)
        return self.base + path


@pytest.fixture()
def site():
    handler = type("Handler", (_Handler,), {"files": {}, "requests": []})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    try:
        yield Site(f"http://127.0.0.1:{httpd.server_address[1]}", handler)
    finally:
        httpd.shutdown()
        httpd.server_close()
