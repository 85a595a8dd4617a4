"""`FakeServer(config)`: the fake app on a real loopback socket (uvicorn, 127.0.0.1, port 0) in a
background thread, for tests and benchmarks that want real HTTP (connection pools, timeouts)."""

from __future__ import annotations

import threading
import time
from typing import Any

import uvicorn

from waterfall.fake.app import build_app
from waterfall.fake.config import FakeConfig
from waterfall.fake.state import FakeState
from waterfall.fake.vendor import base_path


class FakeServer:
    def __init__(self, config: FakeConfig | None = None, host: str = "127.0.0.1", port: int = 0) -> None:
        self.config = config or FakeConfig()
        self.app = build_app(self.config)
        self._server = uvicorn.Server(
            uvicorn.Config(self.app, host=host, port=port, log_level="warning", access_log=False, lifespan="off")
        )
        self._thread: threading.Thread | None = None
        self.host, self.port = host, port

    @property
    def state(self) -> FakeState:
        return self.app.state.fake

    def start(self, timeout: float = 10.0) -> FakeServer:
        self._thread = threading.Thread(target=self._server.run, name="firmo-fake-providers", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("fake provider server did not start")
            time.sleep(0.01)
        sock = self._server.servers[0].sockets[0]
        self.port = sock.getsockname()[1]  # port 0: read back what the OS gave us
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)

    def __enter__(self) -> FakeServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def base_url(self, provider: str) -> str:
        """What to pass as `base_url=` to that provider's adapter."""
        return self.url + base_path(provider)

    def stats(self) -> dict[str, Any]:
        return self.state.stats()

    def reset(self) -> None:
        self.state.reset()
