"""What the workspace shows, as plain data (dicts of JSON-ready values): the ICP files, an ICP's
live preview, one page of a lead list, one company. The web app (pipelines/workspace_app.py) only
turns these into JSON or HTML; every email and phone leaves here masked (firmo.workspace.privacy)
unless the caller asked to reveal that field of that one company.

The preview goes through `firmo.icp.load_icp` on the text written to a temporary file, so the body
of `POST /api/icp/preview` meets exactly the checks of `firmo icp check` (size, UTF-8, YAML without
aliases, shape, reference lists), and then `firmo.icp.preview`, as `firmo icp preview` does.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import duckdb

from firmo import db
from firmo.compliance import prospecting
from firmo.icp import IcpError, ResolvedIcp, leads_table, load_icp, preview
from firmo.icp.config import NAME_RE
from firmo.icp.leads import CONTACT_COLUMNS
from firmo.icp.score import TIERS
from firmo.sqlfiles import load_sql, render_identifiers
from firmo.workspace.privacy import FIELDS, MASKS
from firmo.workspace.snapshot import Reader, WarehouseBusy, WarehouseMissing

TOP = 50
PAGE_MAX = 500
# sort key of GET /api/leads/{icp} -> column of the lead list
SORTS = {"rank": "rank", "score": "score", "fit": "fit_score", "intent": "intent_score", "name": "company_name"}
ENRICHED_SUFFIX = "_enriched"  # firmo.crm.leads / firmo.analytics: the waterfall's list with contacts
# where a signal's evidence can be read, by source (the reference is the notice id / the SIREN)
EVIDENCE_URLS = {
    "bodacc": "https://www.bodacc.fr/pages/annonces-commerciales-detail/?q.id=id:{ref}",
    "inpi": "https://data.inpi.fr/entreprises/{siren}",
    "sirene": "https://annuaire-entreprises.data.gouv.fr/entreprise/{siren}",
}
SIREN_RE = re.compile(r"^[0-9]{9}$")  # the format only: the warehouse says whether it exists
_FIELD = re.compile(r"^([a-z_][a-z0-9_]*(?:\.[a-z0-9_]+)*): (.*)$", re.S)


class NotFound(LookupError):
    """No such ICP list or company in the warehouse."""


def plain(value: object) -> object:
    """A DuckDB value as JSON: dates ISO 8601, decimals as floats, lists and structs through."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    return value


def _rows(cursor: duckdb.DuckDBPyConnection) -> list[dict[str, object]]:
    names = [d[0] for d in cursor.description or []]
    return [{n: plain(v) for n, v in zip(names, row, strict=True)} for row in cursor.fetchall()]


def mask(row: dict[str, object], reveal: Iterable[str] = ()) -> dict[str, object]:
    """`row` with its email and phone masked, except the fields in `reveal`."""
    out = dict(row)
    for field in FIELDS:
        value = out.get(field)
        if field not in reveal and isinstance(value, str):
            out[field] = MASKS[field](value)
    return out


def field_errors(exc: IcpError) -> list[dict[str, str]]:
    """The errors of `firmo icp check`, each split into the field it names and the message
    ('(file)' for a problem of the whole text), so a form shows it beside its control."""
    out: list[dict[str, str]] = []
    for error in exc.errors:
        found = _FIELD.match(error)
        out.append(
            {"field": found.group(1), "message": found.group(2)} if found else {"field": "(file)", "message": error}
        )
    return out


def icp_from_text(text: str, name: str = "preview") -> ResolvedIcp:
    """Check and resolve an ICP given as YAML (or JSON, which is YAML) text, with the checks of
    `firmo icp check`; raises IcpError. `name` is the default when the text has no `name:`."""
    if not NAME_RE.match(name):
        name = "preview"
    with tempfile.TemporaryDirectory(prefix="firmo-icp-") as folder:
        path = Path(folder) / f"{name}.yaml"
        path.write_text(text, encoding="utf-8")
        try:
            return load_icp(path)
        except IcpError as exc:
            raise IcpError("<body>", exc.errors) from None


def _counts(rows: list[tuple[str, int]]) -> list[dict[str, object]]:
    return [{"value": value, "count": n} for value, n in rows]


def preview_payload(con: duckdb.DuckDBPyConnection, icp: ResolvedIcp, *, as_of: date, top: int = TOP) -> dict:
    """What `firmo icp preview` prints, as data: the matching count, the tier split, the counts
    by région, NAF division and headcount band, and the first `top` leads (masked)."""
    result = preview(con, icp, as_of=as_of, top=top)
    leads = [mask({k: plain(v) for k, v in row.items()}) for row in result.top.iter_rows(named=True)]
    return {
        "icp": result.icp,
        "as_of": as_of.isoformat(),
        "total": result.total,
        "tiers": result.tier_counts(),
        "by_region": _counts(result.counts["region"]),
        "by_naf_division": _counts(result.counts["naf_division"]),
        "by_headcount_band": _counts(result.counts["headcount_band"]),
        "top": leads,
        "warnings": result.warnings,
        "notices": list(icp.notices),
    }


def icp_files(icp_dir: Path) -> list[dict[str, object]]:
    """The ICP files of the folder (name, file, errors of `firmo icp check`), by name."""
    out: list[dict[str, object]] = []
    for path in sorted(icp_dir.glob("*.yaml")):
        try:
            icp = load_icp(path)
            out.append({"name": icp.name, "file": path.name, "errors": []})
        except IcpError as exc:
            out.append({"name": path.stem, "file": path.name, "errors": field_errors(exc)})
    return out


def lead_lists(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Lead lists built in the warehouse: ICP name -> rows (enriched copies not counted twice)."""
    tables = [t for t in db.tables_in_schema(con, "leads") if not t.endswith(ENRICHED_SUFFIX)]
    return {t.split(".", 1)[1]: db.row_count(con, t) for t in tables}


@dataclass(frozen=True)
class IcpOverview:
    """The index page's and GET /api/icps' data: the ICP files and the lead lists built."""

    files: list[dict[str, object]]
    built: dict[str, int]
    problem: str | None  # why the lead lists could not be read (a run writing, no warehouse yet)


def icp_overview(icp_dir: Path, reader: Reader) -> IcpOverview:
    """The ICP files of `icp_dir` and the lead lists of the warehouse `reader` reads. The files
    are listed even when the warehouse cannot be read (busy or missing): the lists are then
    empty and `problem` says why, so a seller can still open and save an ICP."""
    files = icp_files(icp_dir)
    try:
        with reader.read() as con:
            return IcpOverview(files, lead_lists(con), None)
    except (WarehouseBusy, WarehouseMissing) as exc:
        return IcpOverview(files, {}, str(exc))


def leads_page(
    con: duckdb.DuckDBPyConnection,
    icp_name: str,
    *,
    tier: str | None = None,
    min_score: int | None = None,
    signal_type: str | None = None,
    region: str | None = None,
    has_email: bool | None = None,
    sort: str = "rank",
    descending: bool = False,
    limit: int = 50,
    offset: int = 0,
) -> dict[str, object]:
    """One page of leads.<icp> (its enriched copy when there is one, for the email and phone),
    filtered and sorted; `total` counts the filtered rows. Raises NotFound, ValueError."""
    if not NAME_RE.match(icp_name):
        raise NotFound(f"no lead list {icp_name!r}")
    if tier is not None and tier not in TIERS:
        raise ValueError(f"tier: one of {', '.join(TIERS)}")
    if sort not in SORTS:
        raise ValueError(f"sort: one of {', '.join(SORTS)}")
    if not 1 <= limit <= PAGE_MAX or offset < 0:
        raise ValueError(f"limit: 1 to {PAGE_MAX}; offset: 0 or more")
    table = leads_table(icp_name)
    enriched = table + ENRICHED_SUFFIX
    source = enriched if db.table_exists(con, enriched) else table
    if not db.table_exists(con, source):
        raise NotFound(f"no lead list {icp_name!r}: build it (firmo icp build icps/{icp_name}.yaml)")
    columns = db.columns_of(con, source)
    sql = render_identifiers(load_sql("workspace/leads"), leads=source, sort=SORTS[sort])
    sql = sql.replace("__DIRECTION__", "DESC" if descending else "ASC")
    sql = sql.replace("__EMAIL__", "email" if "email" in columns else "CAST(NULL AS VARCHAR)")
    sql = sql.replace("__PHONE__", "phone" if "phone" in columns else "CAST(NULL AS VARCHAR)")
    sql = sql.replace("__NOT_OPPOSED__", prospecting.not_opposed(con))
    if not db.table_exists(con, "core.signals"):
        sql = sql.replace(
            "SELECT siren FROM core.signals WHERE signal_type = $signal_type", "SELECT NULL WHERE $signal_type IS NULL"
        )
    params = {
        "tier": tier,
        "min_score": min_score,
        "region": region,
        "signal_type": signal_type,
        "has_email": has_email,
        "limit": limit,
        "offset": offset,
    }
    rows = _rows(con.execute(sql, params))
    total = int(rows[0].pop("total")) if rows else 0  # type: ignore[call-overload]
    for row in rows[1:]:
        row.pop("total")
    return {
        "icp": icp_name,
        "table": source,
        "total": total,
        "limit": limit,
        "offset": offset,
        "leads": [mask(r) for r in rows],
    }


def _evidence_url(source: object, ref: object, siren: str) -> str | None:
    template = EVIDENCE_URLS.get(str(source))
    return template.format(ref=ref, siren=siren) if template and ref is not None else None


def _contacts(con: duckdb.DuckDBPyConnection, siren: str) -> list[dict[str, object]]:
    """The enriched contact of the company in each enriched lead list, each value with the provider
    that found it and when (the waterfall's columns)."""
    out: list[dict[str, object]] = []
    for table in db.tables_in_schema(con, "leads"):
        if table.endswith(ENRICHED_SUFFIX) and set(CONTACT_COLUMNS) <= db.columns_of(con, table):
            sql = render_identifiers(load_sql("workspace/contact"), leads=table)
            icp_name = table.split(".", 1)[1][: -len(ENRICHED_SUFFIX)]
            out.extend({"icp": icp_name, **row} for row in _rows(con.execute(sql, {"siren": siren})))
    return out


def enriched_contacts(con: duckdb.DuckDBPyConnection, siren: str) -> list[dict[str, object]]:
    """The company's enriched contacts unmasked, for the actions that suppress them (never shown)."""
    return _contacts(con, siren)


def company_page(con: duckdb.DuckDBPyConnection, siren: str, *, reveal: Iterable[str] = ()) -> dict[str, object]:
    """One company: registry facts (each with its source and date), officers, signals with a link
    to their evidence, its score in each lead list (fit, intent, BANT, reasons) and the enriched
    contacts, emails and phones masked except the fields in `reveal`. Raises NotFound."""
    if not SIREN_RE.match(siren):
        raise NotFound(f"{siren!r} is not a SIREN")
    found = (
        _rows(con.execute(load_sql("workspace/company"), {"siren": siren}))
        if db.table_exists(con, "core.companies")
        else []
    )
    if not found:
        raise NotFound(f"no company {siren} in the warehouse")
    c = found[0]
    # INSEE diffusion (P) and RNE opposition (diffusionCommerciale false): never shown, as in
    # analytics.* and the lead lists; the answer says why, without any of its data
    refused = prospecting.refusals(con, [siren], strict=False)
    if siren in refused:
        raise NotFound(f"{siren} is not shown: {refused[siren]}")
    sirene_date = c.get("sirene_updated_at")

    def fact(name: str, value: object, source: object = "sirene", as_of: object = sirene_date) -> dict[str, object]:
        return {"field": name, "value": value, "source": source, "as_of": as_of}

    facts = [
        fact("name", c.get("name")),
        fact("address", " ".join(str(x) for x in (c.get("street"), c.get("postal_code"), c.get("commune_name")) if x)),
        fact("region", c.get("region_name")),
        fact("naf_code", c.get("naf_code"), c.get("naf_source") or "sirene"),
        fact("naf2025_code", c.get("naf2025_code"), c.get("naf2025_source") or "sirene"),
        fact("headcount_band", c.get("headcount_band")),
        fact("legal_form", c.get("legal_form_label")),
        fact("creation_date", c.get("creation_date")),
        fact("active", c.get("active")),
    ]
    if c.get("revenue") is not None:
        facts.append(fact("revenue", c["revenue"], "inpi", c.get("fiscal_year_end")))
    officers = (
        _rows(con.execute(load_sql("workspace/officers"), {"siren": siren}))
        if db.table_exists(con, "inpi.officers")
        else []
    )
    signals = (
        _rows(con.execute(load_sql("workspace/signals"), {"siren": siren}))
        if db.table_exists(con, "core.signals")
        else []
    )
    for s in signals:
        s["evidence_url"] = _evidence_url(s["source"], s["source_ref"], siren)
    scores: list[dict[str, object]] = []
    for icp_name in lead_lists(con):
        sql = render_identifiers(load_sql("workspace/lead_score"), leads=leads_table(icp_name))
        scores.extend({"icp": icp_name, **r} for r in _rows(con.execute(sql, {"siren": siren})))
    contacts = [mask(r, reveal) for r in _contacts(con, siren)]
    return {
        "siren": siren,
        "name": c.get("name"),
        "facts": facts,
        "officers": officers,
        "signals": signals,
        "scores": scores,
        "contacts": contacts,
    }
