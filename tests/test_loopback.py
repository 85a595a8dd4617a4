"""The shared loopback runner: a real socket on a port the OS picks, answered, then closed."""

import httpx
import pytest
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from firmo.loopback import LoopbackServer


def _app() -> Starlette:
    return Starlette(routes=[Route("/ping", lambda request: PlainTextResponse("pong"))])


def test_serves_on_the_port_the_os_gave_then_closes() -> None:
    with LoopbackServer(_app(), name="test-loopback") as server:
        assert server.port != 0
        assert server.url == f"http://127.0.0.1:{server.port}"
        assert httpx.get(server.url + "/ping").text == "pong"
        url = server.url
    with pytest.raises(httpx.ConnectError):
        httpx.get(url + "/ping", timeout=2)
