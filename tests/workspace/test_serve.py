"""`firmo serve` for real: the installed entry point on a free loopback port, fetched over HTTP."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

FIRMO = Path(sys.executable).parent / "firmo"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _env(root: Path, **extra: str) -> dict[str, str]:
    keep = {k: v for k, v in os.environ.items() if not k.startswith("FIRMO_")}
    return {**keep, "FIRMO_DATA_DIR": str(root / "data"), "FIRMO_ICP_DIR": str(root / "icps"), **extra}


def test_firmo_serve_answers_the_api_over_http(warehouse):
    port = _free_port()
    server = subprocess.Popen([str(FIRMO), "serve", "--port", str(port)], env=_env(warehouse),
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                answer = httpx.get(f"{base}/api/leads/tech", timeout=5)
                break
            except httpx.TransportError:
                assert server.poll() is None, server.stdout.read() if server.stdout else ""
                assert time.monotonic() < deadline, "firmo serve did not answer within 60 s"
                time.sleep(0.3)
        assert answer.status_code == 200
        assert [(x["siren"], x["email"]) for x in answer.json()["leads"]] == [
            ("000000001", "j***@acme.fr"), ("000000002", None)]
        preview = httpx.post(f"{base}/api/icp/preview?as_of=2025-06-30", content="criteria:\n  naf:\n    include: ['62']\n",
                             timeout=30)
        assert (preview.status_code, preview.json()["total"], preview.json()["tiers"]) == (
            200, 2, {"hot": 0, "warm": 2, "cold": 0})
        assert httpx.get(f"{base}/openapi.json", timeout=5).json()["openapi"] == "3.1.0"
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_firmo_serve_refuses_a_network_bind_without_a_token(warehouse):
    out = subprocess.run([str(FIRMO), "serve", "--host", "0.0.0.0", "--port", str(_free_port())], env=_env(warehouse),
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 1
    assert out.stderr.strip() == (
        "firmo: firmo serve: 0.0.0.0 is not a loopback address; set FIRMO_UI_TOKEN to serve beyond this machine")
