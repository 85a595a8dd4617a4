"""`LoopbackServer(app)`: an ASGI app on a real loopback socket (uvicorn, port 0 = any free port)
in a background thread.

The stand-in vendors and registries (`waterfall/fake`, `sources/*/fake.py`) are served over real
HTTP so the clients' connection pools, timeouts and retries run as they would against the real
service; this is the one runner they share. It sits on the ground floor so both `sources/` and
`waterfall/` may use it.
"""

from __future__ import annotations

import threading
import time
from typing import Any, Self

import uvicorn


class LoopbackServer:
    """Serve `app` on `host:port` in a daemon thread; `start()` waits until the socket listens and
    reads back the port the OS gave (port 0), `stop()` asks uvicorn to exit and joins the thread."""

    def __init__(self, app: Any, *, host: str = "127.0.0.1", port: int = 0, name: str = "firmo-loopback") -> None:
        self.app = app
        self.host, self.port = host, port
        self.name = name
        self._server = uvicorn.Server(
            uvicorn.Config(app, host=host, port=port, log_level="warning", access_log=False, lifespan="off")
        )
        self._thread: threading.Thread | None = None

    def start(self, timeout: float = 10.0) -> Self:
        self._thread = threading.Thread(target=self._server.run, name=self.name, daemon=True)
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"{self.name} did not start on {self.host}:{self.port}")
            time.sleep(0.01)
        self.port = self._server.servers[0].sockets[0].getsockname()[1]  # port 0: what the OS gave
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        """The server's root, `http://host:port`."""
        return f"http://{self.host}:{self.port}"
