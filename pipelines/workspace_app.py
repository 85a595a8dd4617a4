"""The sales workspace's web app (`firmo serve`): the JSON API and the server-rendered pages.

A thin Starlette layer over the plain functions of firmo/workspace (the same ones the tests call):
it reads the query string and the body, calls them in a worker thread (DuckDB blocks), and turns
their data into JSON or a Jinja2 page (templates shipped in pipelines/templates/). No Dagster here:
the workspace starts in a second and runs next to the Dagster UI, not inside it.

Access: with no token (`FIRMO_UI_TOKEN` unset) only a loopback bind is allowed (`firmo serve`
refuses another host). With a token, every request but the login page needs
`Authorization: Bearer <token>` or the cookie the login form sets (an HMAC of the token, so the
cookie is not the token); both compared in constant time. The token is never logged.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.middleware.base import BaseHTTPMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from firmo.icp import IcpError
from firmo.icp.config import MAX_FILE_BYTES
from firmo.settings import Settings
from firmo.workspace import actions, builder, privacy, queries
from firmo.workspace.snapshot import Reader, WarehouseBusy, WarehouseMissing
from pipelines.workspace_openapi import SCHEMA

log = logging.getLogger(__name__)
COOKIE = "firmo_ui"
OPEN_PATHS = ("/login",)
TEMPLATES = Path(__file__).resolve().parent / "templates"  # package data (pyproject.toml)
STATIC = Path(__file__).resolve().parent / "static"  # the builder's script, package data too
LEAD_COLUMNS = ("rank", "score", "fit", "intent", "name")  # sortable columns of the lead explorer


@dataclass(frozen=True)
class Workspace:
    """What the handlers need: where to read, the ICP folder, the reveal log, the access rule."""

    reader: Reader
    icp_dir: Path
    reveal_log: Path
    token: str | None
    token_label: str
    as_of: date | None = None  # pinned by tests; else today

    @property
    def who(self) -> str:
        return self.token_label if self.token else privacy.LOCAL

    def session(self) -> str:
        """The login cookie: an HMAC of the token, so a leaked cookie does not reveal it."""
        assert self.token is not None
        return hmac.new(self.token.encode(), b"firmo-ui-session", hashlib.sha256).hexdigest()

    def allowed(self, request: Request) -> bool:
        if self.token is None:
            return True
        header = request.headers.get("authorization", "")
        scheme, _, given = header.partition(" ")
        if scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), self.token.encode()):
            return True
        cookie = request.cookies.get(COOKIE, "")
        return hmac.compare_digest(cookie.encode(), self.session().encode())


def _json_request(request: Request) -> bool:
    """A write must come as JSON: a page of another site can post a form to the loopback port
    without asking, but not a JSON body (the browser asks first, and this server does not answer
    CORS), so the content type keeps other sites from saving ICPs or suppressing accounts."""
    return request.headers.get("content-type", "").split(";")[0].strip().lower() == "application/json"


def _json(data: object, status: int = 200) -> JSONResponse:
    return JSONResponse(data, status_code=status)


def _error(message: str, status: int) -> JSONResponse:
    return _json({"error": message}, status)


async def _guarded(call: Callable[[], Any]) -> Any:
    """Run a warehouse read in a thread; map the workspace's refusals to HTTP answers."""
    try:
        return await run_in_threadpool(call)
    except (WarehouseBusy, WarehouseMissing) as exc:
        return _error(str(exc), 503)
    except queries.NotFound as exc:
        return _error(str(exc), 404)
    except ValueError as exc:
        return _error(str(exc), 422)


def _as_of(request: Request, ws: Workspace) -> date:
    value = request.query_params.get("as_of")
    if value:
        return date.fromisoformat(value)  # ValueError: 422
    return ws.as_of or date.today()


def _optional_int(request: Request, name: str) -> int | None:
    value = request.query_params.get(name)
    if value in (None, ""):
        return None
    try:
        return int(value)
    except ValueError:
        raise ValueError(f"{name}: a whole number, got {value!r}") from None


def _optional_bool(request: Request, name: str) -> bool | None:
    value = request.query_params.get(name)
    if value in (None, ""):
        return None
    if value.lower() in ("true", "1", "yes"):
        return True
    if value.lower() in ("false", "0", "no"):
        return False
    raise ValueError(f"{name}: true or false, got {value!r}")


async def _body(request: Request) -> bytes:
    """The body, refused past the ICP file limit before it is all read."""
    out = bytearray()
    async for chunk in request.stream():
        out.extend(chunk)
        if len(out) > MAX_FILE_BYTES:
            raise ValueError(f"body is over {MAX_FILE_BYTES // 1024} KiB: not an ICP")
    return bytes(out)


async def _json_body(request: Request, what: str) -> object | Response:
    """A write's JSON body (`{}` when empty), or the refusal to send back: 415 when it is not sent
    as JSON (`_json_request`), 422 when it does not parse. The shape each route needs is its own check."""
    if not _json_request(request):
        return _error(f"send the {what} as JSON (Content-Type: application/json)", 415)
    try:
        return json.loads((await _body(request)).decode("utf-8") or "{}")
    except ValueError as exc:
        return _error(f"not JSON: {exc}", 422)


def create_app(
    settings: Settings,
    *,
    db_path: Path | None = None,
    as_of: date | None = None,
) -> Starlette:
    """The workspace app on the settings' warehouse, ICP folder and token."""
    token = settings.ui_token.get_secret_value() if settings.ui_token else None
    ws = Workspace(
        reader=Reader.from_settings(settings, db_path),
        icp_dir=settings.icp_dir,
        reveal_log=settings.data_dir / "workspace.duckdb",
        token=token or None,
        token_label=settings.ui_token_label,
        as_of=as_of,
    )
    pages = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape())

    def page(template: str, status: int = 200, **context: object) -> HTMLResponse:
        return HTMLResponse(pages.get_template(template).render(**context), status_code=status)

    async def api_icps(request: Request) -> Response:
        def run() -> Response:
            overview = queries.icp_overview(ws.icp_dir, ws.reader)
            return _json({"icps": overview.files, "lead_lists": overview.built})

        return await _guarded(run)

    async def api_preview(request: Request) -> Response:
        try:
            text = (await _body(request)).decode("utf-8")
            day = _as_of(request, ws)
        except (ValueError, UnicodeDecodeError) as exc:
            return _json({"errors": [{"field": "(file)", "message": str(exc)}]}, 422)

        def run() -> Response:
            try:
                icp = queries.icp_from_text(text, request.query_params.get("name", "preview"))
            except IcpError as exc:
                return _json({"errors": queries.field_errors(exc)}, 422)
            with ws.reader.read() as con:
                return _json(queries.preview_payload(con, icp, as_of=day))

        return await _guarded(run)

    def lead_filters(request: Request, limit: int) -> dict[str, Any]:
        """The filters and sort of a lead page, from the query string (the API's and the page's)."""
        sort = request.query_params.get("sort", "rank")
        return {
            "tier": request.query_params.get("tier") or None,
            "min_score": _optional_int(request, "min_score"),
            "signal_type": request.query_params.get("signal_type") or None,
            "region": request.query_params.get("region") or None,
            "has_email": _optional_bool(request, "has_email"),
            "sort": sort.lstrip("-"),
            "descending": sort.startswith("-"),
            "limit": _optional_int(request, "limit") or limit,
            "offset": _optional_int(request, "offset") or 0,
        }

    async def api_leads(request: Request) -> Response:
        def run() -> Response:
            with ws.reader.read() as con:
                return _json(queries.leads_page(con, request.path_params["icp"], **lead_filters(request, 50)))

        return await _guarded(run)

    def company_with_reveals(request: Request, siren: str, reveal: list[str]) -> dict[str, Any]:
        """The company page's data, each reveal logged before the value leaves: no unlogged reveal."""
        with ws.reader.read() as con:
            company = queries.company_page(con, siren, reveal=reveal)
        client = request.client.host if request.client else None
        for field in dict.fromkeys(reveal):
            privacy.log_reveal(ws.reveal_log, who=ws.who, siren=siren, field=field, client=client)
            log.info("reveal: %s of %s by %s", field, siren, ws.who)
        return company

    async def api_company(request: Request) -> Response:
        siren = request.path_params["siren"]
        reveal = request.query_params.getlist("reveal")
        unknown = sorted(set(reveal) - set(privacy.FIELDS))
        if unknown:
            return _error(f"reveal: one of {', '.join(privacy.FIELDS)}, got {', '.join(unknown)}", 422)

        def run() -> Response:
            return _json(company_with_reveals(request, siren, reveal))

        return await _guarded(run)

    async def openapi(request: Request) -> Response:
        return _json(SCHEMA)

    async def index(request: Request) -> Response:
        def run() -> Response:
            overview = queries.icp_overview(ws.icp_dir, ws.reader)
            return page("index.html", icps=overview.files, built=overview.built, problem=overview.problem)

        return await run_in_threadpool(run)

    async def leads_page(request: Request) -> Response:
        icp = request.path_params["icp"]
        query = dict(request.query_params)

        def run() -> Response:
            context: dict[str, Any] = {
                "icp": icp,
                "query": query,
                "columns": LEAD_COLUMNS,
                "data": None,
                "crms": actions.crms(),
                "push_crms": actions.push_crms(ws.reader.settings),
            }
            try:
                filters = lead_filters(request, 100)
                with ws.reader.read() as con:
                    data = queries.leads_page(con, icp, **filters)
            except (WarehouseBusy, WarehouseMissing) as exc:
                return page("leads.html", status=503, problem=str(exc), **context)
            except queries.NotFound as exc:
                return page("leads.html", status=404, problem=str(exc), **context)
            except ValueError as exc:
                return page("leads.html", status=422, problem=str(exc), **context)
            return page("leads.html", problem=None, **{**context, "data": data})

        return await run_in_threadpool(run)

    async def company_html(request: Request) -> Response:
        siren = request.path_params["siren"]
        reveal = [f for f in request.query_params.getlist("reveal") if f in privacy.FIELDS]

        def run() -> Response:
            try:
                company = company_with_reveals(request, siren, reveal)
            except (WarehouseBusy, WarehouseMissing) as exc:
                return page("company.html", status=503, siren=siren, problem=str(exc), c=None, reveal=reveal)
            except queries.NotFound as exc:
                return page("company.html", status=404, siren=siren, problem=str(exc), c=None, reveal=reveal)
            return page("company.html", siren=siren, problem=None, c=company, reveal=reveal)

        return await run_in_threadpool(run)

    async def builder_page(request: Request) -> Response:
        name = request.path_params.get("name", "")

        def run() -> Response:
            groups: dict[str, list[builder.Control]] = {}
            for control in builder.CONTROLS:
                groups.setdefault(control.group, []).append(control)
            context: dict[str, Any] = {"name": name, "groups": list(groups.items()), "exists": False, "problem": None}
            data: dict = {}
            if name:
                try:
                    text, data = builder.read_file(ws.icp_dir, name)
                    context["exists"] = bool(text)
                except ValueError as exc:  # a bad name, or a file the form cannot open (IcpError)
                    context["problem"] = str(exc)
            return page("builder.html", form=builder.to_form(data), **context)

        return await run_in_threadpool(run)

    async def api_action(request: Request) -> Response:
        siren, action = request.path_params["siren"], request.path_params["action"]
        body = await _json_body(request, "action")
        if isinstance(body, Response):
            return body
        reason = body.get("reason") if isinstance(body, dict) else None

        def run() -> Response:
            done = actions.run(ws.reader, action, siren, who=ws.who, reason=str(reason) if reason else None)
            log.info("workspace action %s on %s by %s: %s", action, siren, ws.who, done.message)
            return _json({"action": done.action, "siren": done.siren, "changed": done.changed, "message": done.message})

        return await _guarded(run)

    async def api_export(request: Request) -> Response:
        icp = request.path_params["icp"]
        body = await _json_body(request, "export")
        if isinstance(body, Response):
            return body
        if not isinstance(body, dict):
            return _error("the body must be a JSON object", 422)
        crms = body.get("crm") or []
        crms = [crms] if isinstance(crms, str) else crms

        def run() -> Response:
            if not isinstance(crms, list) or not all(isinstance(c, str) for c in crms):
                raise ValueError("crm: a CRM name or a list of them")
            if not queries.NAME_RE.match(icp):
                raise queries.NotFound(f"no lead list {icp!r}")
            report = actions.export(ws.reader, icp, crms=tuple(crms), full=bool(body.get("full")))
            log.info("workspace export of %s by %s: %s", icp, ws.who, report["exported"])
            return _json(report)

        return await _guarded(run)

    async def api_push(request: Request) -> Response:
        icp = request.path_params["icp"]
        body = await _json_body(request, "push")
        if isinstance(body, Response):
            return body
        if not isinstance(body, dict) or not isinstance(body.get("crm"), str):
            return _error("the body must be a JSON object with crm: hubspot, pipedrive or salesforce", 422)
        crm, dry_run, full = body["crm"], bool(body.get("dry_run")), bool(body.get("full"))

        def run() -> Response:
            if not queries.NAME_RE.match(icp):
                raise queries.NotFound(f"no lead list {icp!r}")
            try:
                report = actions.push(ws.reader, icp, crm, full=full, dry_run=dry_run)
            except actions.PushFailed as exc:
                return _error(str(exc), 502)
            log.info("workspace %s push of %s by %s (dry run: %s)", crm, icp, ws.who, dry_run)
            return _json(report)

        return await _guarded(run)

    async def api_naf(request: Request) -> Response:
        query = request.query_params.get("q", "")[:100]
        return _json({"q": query, "results": await run_in_threadpool(builder.naf_search, query)})

    async def api_save(request: Request) -> Response:
        name = request.path_params["name"]
        if not _json_request(request):
            return _error("send the ICP as JSON (Content-Type: application/json)", 415)
        write = _optional_bool(request, "write") or False
        try:
            data = json.loads((await _body(request)).decode("utf-8"))
            builder.icp_path(ws.icp_dir, name)
        except ValueError as exc:  # JSON, UTF-8 and the name alike
            field = "name" if "ICP name" in str(exc) else "(file)"
            return _json({"errors": [{"field": field, "message": str(exc)}]}, 422)
        if not isinstance(data, dict):
            return _json({"errors": [{"field": "(file)", "message": "the body must be a JSON object"}]}, 422)

        def run() -> Response:
            try:
                _, new, diff = builder.proposed(ws.icp_dir, name, data)
                queries.icp_from_text(new, name)  # the checks of `firmo icp check`, on the very text written
            except IcpError as exc:
                return _json({"errors": queries.field_errors(exc)}, 422)
            changed = bool(diff)
            if write and changed:
                builder.write_atomic(builder.icp_path(ws.icp_dir, name), new)
                log.info("ICP %s saved to %s", name, ws.icp_dir)
            return _json(
                {"file": f"{name}.yaml", "changed": changed, "written": write and changed, "diff": diff, "yaml": new}
            )

        return await _guarded(run)

    async def api_delete(request: Request) -> Response:
        name = request.path_params["name"]
        if not _json_request(request):
            return _error("send the delete as JSON (Content-Type: application/json)", 415)
        try:
            builder.icp_path(ws.icp_dir, name)
        except ValueError as exc:
            return _json({"errors": [{"field": "name", "message": str(exc)}]}, 422)

        def run() -> Response:
            try:
                moved = builder.delete_file(ws.icp_dir, name)
            except FileNotFoundError as exc:
                return _error(str(exc), 404)
            log.info("ICP %s deleted by %s: moved to %s", name, ws.who, moved)
            return _json(
                {"file": f"{name}.yaml", "deleted": True, "moved_to": moved.relative_to(ws.icp_dir).as_posix()}
            )

        return await _guarded(run)

    async def login(request: Request) -> Response:
        target = request.query_params.get("next", "/")
        if not target.startswith("/") or target.startswith("//"):
            target = "/"
        if request.method == "GET":
            return page("login.html", next=target, failed=False)
        form = parse_qs((await request.body()).decode("utf-8", "replace"))
        given = (form.get("token") or [""])[0]
        if ws.token is None:
            return RedirectResponse(target, status_code=303)
        if not hmac.compare_digest(given.encode(), ws.token.encode()):
            return page("login.html", status=401, next=target, failed=True)
        response = RedirectResponse(target, status_code=303)
        response.set_cookie(COOKIE, ws.session(), httponly=True, samesite="strict", path="/")
        return response

    class TokenGate(BaseHTTPMiddleware):
        async def dispatch(self, request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
            if request.url.path in OPEN_PATHS or ws.allowed(request):
                return await call_next(request)
            if request.url.path.startswith("/api/") or request.url.path == "/openapi.json":
                return _error("token required: Authorization: Bearer <FIRMO_UI_TOKEN>", 401)
            return RedirectResponse(f"/login?next={quote(request.url.path)}", status_code=303)

    routes = [
        Route("/", index, methods=["GET"]),
        Route("/leads/{icp}", leads_page, methods=["GET"]),
        Route("/companies/{siren}", company_html, methods=["GET"]),
        Route("/icp/new", builder_page, methods=["GET"]),
        Route("/icp/{name}", builder_page, methods=["GET"]),
        Route("/api/naf", api_naf, methods=["GET"]),
        Route("/api/icps/{name}", api_save, methods=["POST"]),
        Route("/api/icps/{name}", api_delete, methods=["DELETE"]),
        Route("/api/companies/{siren}/{action}", api_action, methods=["POST"]),
        Route("/api/leads/{icp}/export", api_export, methods=["POST"]),
        Route("/api/leads/{icp}/push", api_push, methods=["POST"]),
        Route("/login", login, methods=["GET", "POST"]),
        Route("/api/icps", api_icps, methods=["GET"]),
        Route("/api/icp/preview", api_preview, methods=["POST"]),
        Route("/api/leads/{icp}", api_leads, methods=["GET"]),
        Route("/api/companies/{siren}", api_company, methods=["GET"]),
        Route("/openapi.json", openapi, methods=["GET"]),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ]
    return Starlette(routes=routes, middleware=[Middleware(TokenGate)])
