"""A stand-in for data.gouv's tabular API on loopback, serving DECP rows (tests, the demo).

It speaks the protocol of datagouv/api-tabular as far as the delta uses it:
`GET /api/resources/{rid}/data/` with `<column>__greater` (>=), `__strictly_greater`, `__less`
(<=), `__strictly_less`, `__exact`, `page`, `page_size` (default 20, above 50 refused with 400),
rows ordered by `__id`, and the body `{"data": [...], "links": {"profile", "swagger", "next",
"prev"}, "meta": {"page", "page_size", "total"}}` where `next` is an absolute URL carrying the
whole query, null on the last page. An unknown resource is a 404. `fail_next` answers that many
requests with 503 + Retry-After (to exercise the client's retries).

Rows are served typed the way csv-detective types the CSV: numbers as JSON numbers, booleans as
JSON booleans, dates as ISO text, and `acheteur_id` as an integer (the schema calls it "integer";
a SIRET with a leading zero then arrives with 13 digits, as it would live).

`python -m sources.decp.fake --parquet demo/decp/decp_delta.parquet --port 8765` serves a file.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from firmo.loopback import LoopbackServer
from sources.decp.columns import RESOURCE_CSV

PAGE_SIZE_DEFAULT = 20
PAGE_SIZE_MAX = 50
INTEGER_COLUMNS = ("acheteur_id",)


@dataclass
class FakeTabularState:
    rows: list[dict[str, Any]]
    resource: str = RESOURCE_CSV
    fail_next: int = 0
    requests: list[str] = field(default_factory=list)


def api_value(column: str, value: Any) -> Any:
    """A value as the tabular API returns it."""
    if isinstance(value, (date, datetime)):
        return value.isoformat()[:10]
    if column in INTEGER_COLUMNS and isinstance(value, str) and value.isdigit():
        return int(value)
    return value


def rows_from_parquet(path: Path) -> list[dict[str, Any]]:
    import polars as pl

    return [{k: api_value(k, v) for k, v in r.items()} for r in pl.read_parquet(path).to_dicts()]


def _matches(row: dict[str, Any], filters: list[tuple[str, str, str]]) -> bool:
    for column, op, wanted in filters:
        value = row.get(column)
        if op == "exact":
            text = str(value).lower() if isinstance(value, bool) else str(value)
            if text != wanted:
                return False
            continue
        if value is None:
            return False
        key: Any = value
        target: Any = wanted
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            target = float(wanted)
        else:
            key = str(value)
        if op == "greater" and not key >= target:
            return False
        if op == "strictly_greater" and not key > target:
            return False
        if op == "less" and not key <= target:
            return False
        if op == "strictly_less" and not key < target:
            return False
    return True


def build_app(state: FakeTabularState) -> Starlette:
    async def data(request: Request) -> JSONResponse:
        state.requests.append(str(request.url))
        if state.fail_next > 0:
            state.fail_next -= 1
            return JSONResponse({"errors": ["service unavailable"]}, status_code=503, headers={"Retry-After": "0"})
        rid = request.path_params["rid"]
        if rid != state.resource:
            return JSONResponse({"errors": [f"resource {rid} not found"]}, status_code=404)
        query = request.query_params
        try:
            page = int(query.get("page", "1"))
            page_size = int(query.get("page_size", str(PAGE_SIZE_DEFAULT)))
        except ValueError:
            return JSONResponse({"errors": ["page and page_size are integers"]}, status_code=400)
        if page < 1 or page_size < 1 or page_size > PAGE_SIZE_MAX:
            return JSONResponse({"errors": [f"page_size must be between 1 and {PAGE_SIZE_MAX}"]}, status_code=400)
        filters = []
        for name, value in query.multi_items():
            if name in ("page", "page_size", "columns"):
                continue
            column, _, op = name.rpartition("__")
            if op not in ("exact", "greater", "strictly_greater", "less", "strictly_less") or not column:
                return JSONResponse({"errors": [f"argument '{name}={value}' could not be parsed"]}, status_code=400)
            filters.append((column, op, value))
        selected = [(i, r) for i, r in enumerate(state.rows, start=1) if _matches(r, filters)]
        chunk = selected[(page - 1) * page_size : page * page_size]
        columns = query.get("columns")
        keep = columns.split(",") if columns else None
        body_rows = [{"__id": i, **({k: r.get(k) for k in keep} if keep else r)} for i, r in chunk]
        base = str(request.url).split("?")[0]

        def link(number: int) -> str:
            items = [(k, v) for k, v in query.multi_items() if k not in ("page", "page_size")]
            return f"{base}?{urlencode([*items, ('page', str(number)), ('page_size', str(page_size))])}"

        total = len(selected)
        return JSONResponse(
            {
                "data": body_rows,
                "links": {
                    "profile": base.replace("/data/", "/profile/"),
                    "swagger": base.replace("/data/", "/swagger/"),
                    "next": link(page + 1) if page * page_size < total else None,
                    "prev": link(page - 1) if page > 1 else None,
                },
                "meta": {"page": page, "page_size": page_size, "total": total},
            }
        )

    app = Starlette(routes=[Route("/api/resources/{rid}/data/", data)])
    app.state.fake = state
    return app


class FakeTabularServer(LoopbackServer):
    """The fake on a real loopback socket (uvicorn, port 0 = any free port) in a background thread."""

    def __init__(self, rows: list[dict[str, Any]], host: str = "127.0.0.1", port: int = 0) -> None:
        self.state = FakeTabularState(rows)
        super().__init__(build_app(self.state), host=host, port=port, name="firmo-fake-tabular-api")

    @property
    def api_url(self) -> str:
        """What FIRMO_DECP_API takes: the `/api` root."""
        return f"http://{self.host}:{self.port}/api"


def main() -> None:
    parser = argparse.ArgumentParser(description="Serve DECP rows as data.gouv's tabular API on loopback.")
    parser.add_argument("--parquet", type=Path, required=True, help="decp parquet file whose rows are served")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args()
    state = FakeTabularState(rows_from_parquet(args.parquet))
    uvicorn.run(build_app(state), host=args.host, port=args.port, log_level="warning")


if __name__ == "__main__":
    main()
