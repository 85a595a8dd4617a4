"""`FakeServer(config)`: the fake app on a real loopback socket (uvicorn, 127.0.0.1, port 0) in a
background thread, for tests and benchmarks that want real HTTP (connection pools, timeouts)."""

from __future__ import annotations

from typing import Any

from firmo.loopback import LoopbackServer
from waterfall.fake.app import build_app
from waterfall.fake.config import FakeConfig
from waterfall.fake.state import FakeState
from waterfall.fake.vendor import base_path


class FakeServer(LoopbackServer):
    def __init__(self, config: FakeConfig | None = None, host: str = "127.0.0.1", port: int = 0) -> None:
        self.config = config or FakeConfig()
        super().__init__(build_app(self.config), host=host, port=port, name="firmo-fake-providers")

    @property
    def state(self) -> FakeState:
        return self.app.state.fake

    def base_url(self, provider: str) -> str:
        """What to pass as `base_url=` to that provider's adapter."""
        return self.url + base_path(provider)

    def stats(self) -> dict[str, Any]:
        return self.state.stats()

    def reset(self) -> None:
        self.state.reset()
