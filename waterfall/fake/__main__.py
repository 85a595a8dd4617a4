"""`python -m waterfall.fake [--port 8765] [--config demo|plain]`: run the fake providers standalone,
printing each provider's base URL and the FIRMO_*_API_KEY values it accepts."""

from __future__ import annotations

import argparse

import uvicorn

from waterfall.fake.app import build_app
from waterfall.fake.config import FakeConfig
from waterfall.fake.vendor import base_path


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m waterfall.fake", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--config", choices=("demo", "plain"), default="demo")
    args = parser.parse_args(argv)
    config = FakeConfig.demo() if args.config == "demo" else FakeConfig()
    for name in config.providers:
        print(f"{name:12} http://{args.host}:{args.port}{base_path(name)}")
    for var, key in sorted(config.env().items()):
        print(f"export {var}={key}")
    print(f"stats: http://{args.host}:{args.port}/__fake/stats")
    uvicorn.run(build_app(config), host=args.host, port=args.port, log_level="warning")


if __name__ == "__main__":
    main()
