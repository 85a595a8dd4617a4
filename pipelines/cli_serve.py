"""`firmo serve`: the sales workspace (pipelines/workspace_app.py) on http://127.0.0.1:8080.

Loopback by default. Another host is refused unless FIRMO_UI_TOKEN is set: the workspace shows
leads and (on request, logged) personal data, so it is never open to a network without a token.
"""

from __future__ import annotations

import ipaddress
from pathlib import Path

import typer

from firmo.errors import InputError
from firmo.settings import Settings


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def serve_cmd(
    host: str = typer.Option("127.0.0.1", "--host", help="Address to bind (loopback unless FIRMO_UI_TOKEN is set)."),
    port: int = typer.Option(8080, "--port", min=0, max=65535, help="Port to listen on."),
    db_file: Path | None = typer.Option(None, "--db", help="DuckDB file (default: $FIRMO_DB or data/firmo.duckdb)."),
) -> None:
    """Serve the sales workspace: ICP preview, lead lists and company pages, and their JSON API."""
    import uvicorn

    from pipelines.workspace_app import create_app

    settings = Settings.from_env()
    if not _loopback(host) and settings.ui_token is None:
        raise InputError(
            f"firmo serve: {host} is not a loopback address; set FIRMO_UI_TOKEN to serve beyond this machine"
        )
    app = create_app(settings, db_path=db_file)
    typer.echo(f"firmo workspace on http://{host}:{port} ({'token required' if settings.ui_token else 'no token'})")
    uvicorn.run(app, host=host, port=port, log_level="info", access_log=True)
