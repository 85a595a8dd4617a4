"""Bring your own list: a user's accounts (a CSV, or a CRM's accounts read back) matched to SIRENs,
then scored and tiered with an ICP's rules (`firmo score`).

Matching, per row, the first that answers:
  1. its SIREN, or the first 9 digits of its SIRET, when it passes Luhn (firmo.identifiers): 1.0;
     an identifier that fails the check is reported and the row falls through to 2 and 3;
  2. and 3. its domain, else its normalised name + postal code, through the CRM read-back's
     `firmo.crm.readback.Matcher` (the same confidences: 0.9, 0.8, 0.7), so a list and a CRM
     account are matched alike; when several units share the name at that postal code and not
     exactly one of them is active, the row is `ambiguous` and lists them.
A CRM account read back keeps the SIREN, method and confidence the read-back stored.

A matched SIREN is then screened as the export screens a lead (`firmo.crm.export.registry_refusals`:
SIRENE `P`, RNE opposition, closed or unknown unit, a CRM hold; the suppression and customer lists),
and the rest are scored by the ICP's own query (firmo/sql/icp/scored.sql + leads.sql, restricted to
the list by its `listed` gate): the score, tier and reasons are the ones leads.<icp> gives that
company for the same day. A company the ICP's criteria leave out is `outside_icp`.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, cast

import duckdb
import polars as pl

from firmo import db
from firmo.compliance import prospecting
from firmo.compliance.suppression import SuppressionIndex
from firmo.crm import readback
from firmo.crm.csvfile import format_cell, write_atomically
from firmo.crm.export import registry_refusals
from firmo.crm.layouts import CRMS
from firmo.db import registered
from firmo.errors import InputError, reading
from firmo.icp.leads import leads_table
from firmo.icp.score import leads_statement, prepare
from firmo.icp.validate import ResolvedIcp
from firmo.identifiers import is_valid_siren, is_valid_siret
from firmo.sqlfiles import load_sql, quote_ident

# status of an output row, in the order the summary lists them
STATUSES = ("scored", "outside_icp", "not_prospectable", "inactive", "ambiguous", "unmatched")
# column -> the header names it is recognised by (folded: lower case, no accents, '_' '-' '.' as spaces)
HEADERS = {
    "siren": ("siren", "numero siren", "n siren", "no siren", "siren number"),
    "siret": ("siret", "numero siret", "n siret", "no siret", "siret number"),
    "domain": ("domain", "website", "domaine", "site", "site web", "site internet", "url", "web", "website domain"),
    "name": (
        "name",
        "raison sociale",
        "company",
        "company name",
        "nom",
        "entreprise",
        "societe",
        "denomination",
        "account name",
        "organization",
        "organisation",
    ),
    "postal_code": ("postal code", "code postal", "zip", "zip code", "zipcode", "postcode", "post code", "cp"),
}
OUTPUT_COLUMNS = (
    "input_row",
    "input_name",
    "input_siren",
    "input_domain",
    "input_postal_code",
    "status",
    "siren",
    "match_method",
    "match_confidence",
    "company_name",
    "postal_code",
    "naf_code",
    "headcount_band",
    "rank",
    "score",
    "tier",
    "fit_score",
    "intent_score",
    "score_reasons",
    "reason",
    "candidates",
)
SEPARATORS = (";", ",", "\t")
LIST_JOIN = " | "  # a spreadsheet cannot hold a list (as the lead CSVs)


@dataclass(frozen=True)
class AccountInput:
    """One row of the user's list, as read."""

    row: str  # the CSV line number, or '<crm>:<crm id>'
    siren: str | None = None
    siret: str | None = None
    domain: str | None = None
    name: str | None = None
    postal_code: str | None = None
    # a CRM account read back: the SIREN, method and confidence the read-back stored
    known: tuple[str, str, float] | None = None


@dataclass
class ScoredAccount:
    """One output row: the input, its match, then its score or why it has none."""

    input: AccountInput
    status: str = "unmatched"
    siren: str | None = None
    match_method: str | None = None
    match_confidence: float | None = None
    candidates: list[str] = field(default_factory=list)  # 'siren (active|closed)' when ambiguous
    reason: str | None = None
    lead: dict[str, Any] = field(default_factory=dict)  # the leads.<icp> row when scored

    def cells(self) -> dict[str, object]:
        lead = self.lead
        return {
            "input_row": self.input.row,
            "input_name": self.input.name,
            "input_siren": self.input.siren or self.input.siret,
            "input_domain": self.input.domain,
            "input_postal_code": self.input.postal_code,
            "status": self.status,
            "siren": self.siren,
            "match_method": self.match_method,
            "match_confidence": self.match_confidence,
            "company_name": lead.get("company_name"),
            "postal_code": lead.get("postal_code"),
            "naf_code": lead.get("naf_code"),
            "headcount_band": lead.get("headcount_band"),
            "rank": lead.get("rank"),
            "score": lead.get("score"),
            "tier": lead.get("tier"),
            "fit_score": lead.get("fit_score"),
            "intent_score": lead.get("intent_score"),
            "score_reasons": LIST_JOIN.join(lead.get("score_reasons") or []) or None,
            "reason": self.reason,
            "candidates": LIST_JOIN.join(self.candidates) or None,
        }


@dataclass
class ScoreResult:
    icp: str
    rows: list[ScoredAccount]
    # the scored rows as leads.<icp> rows (its very columns, ranked among them): what --enrich
    # publishes as a lead list and --push delivers; None when no row is scored
    leads: pl.DataFrame | None = None

    def counts(self) -> dict[str, int]:
        return {s: sum(1 for r in self.rows if r.status == s) for s in STATUSES}

    def tiers(self) -> dict[str, int]:
        found: dict[str, int] = {}
        for r in self.rows:
            if r.status == "scored":
                found[str(r.lead["tier"])] = found.get(str(r.lead["tier"]), 0) + 1
        return found


# --------------------------------------------------------------------------- reading


def fold_header(text: str) -> str:
    """'Code_Postal ' -> 'code postal', 'N° SIREN' -> 'n siren', 'Raison sociale' -> 'raison sociale'."""
    ascii_text = unicodedata.normalize("NFKD", text.replace("\ufeff", "")).encode("ascii", "ignore").decode()
    return " ".join(re.sub(r"[^a-z0-9]+", " ", ascii_text.lower()).split())


def _decode(raw: bytes) -> str:
    """UTF-8 (with or without a BOM), else cp1252: what Excel writes on a French Windows."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252")


def read_accounts(path: str | Path) -> list[AccountInput]:
    """The rows of a user's CSV: header names recognised case- and accent-insensitively (HEADERS),
    `;`, `,` or tab separated, UTF-8 (a BOM tolerated) or cp1252. InputError when no column can
    identify a company."""
    path = Path(path)
    with reading(path):
        text = _decode(path.read_bytes())
    lines = text.splitlines()
    if not lines or not lines[0].strip():
        raise InputError(f"{path}: empty file, no header")
    delimiter = max(SEPARATORS, key=lambda s: lines[0].count(s))
    with reading(path):
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        header = next(reader)
        columns: dict[str, int] = {}
        for index, name in enumerate(header):
            folded = fold_header(name)
            for key, names in HEADERS.items():
                if folded in names and key not in columns:
                    columns[key] = index
        if not {"siren", "siret", "domain", "name"} & set(columns):
            accepted = "; ".join(f"{k}: {', '.join(v[:3])}" for k, v in HEADERS.items())
            raise InputError(f"{path}: no column to identify a company by (accepted headers, any case: {accepted})")
        out = []
        for cells in reader:
            if not any(c.strip() for c in cells):
                continue
            values = {k: (cells[i].strip() or None) if i < len(cells) else None for k, i in columns.items()}
            out.append(
                AccountInput(
                    str(reader.line_num),
                    siren=values.get("siren"),
                    siret=values.get("siret"),
                    domain=values.get("domain"),
                    name=values.get("name"),
                    postal_code=values.get("postal_code"),
                )
            )
    return out


def crm_accounts(con: duckdb.DuckDBPyConnection, crm: str) -> list[AccountInput]:
    """The accounts `crm` holds, as the read-back stored them (exports.crm_accounts)."""
    if crm not in CRMS:
        raise InputError(f"--from-crm: unknown CRM {crm!r}; one of {', '.join(CRMS)}")
    rows = []
    if db.table_exists(con, "exports.crm_accounts"):
        rows = con.execute(load_sql("icp/byol_crm_accounts"), {"crm": crm}).fetchall()
    if not rows:
        raise InputError(f"exports.crm_accounts holds no {crm} account: read the CRM back first (firmo crm pull {crm})")
    return [
        AccountInput(
            f"{crm}:{crm_id}",
            name=name,
            domain=domain,
            postal_code=postal_code,
            known=(siren, method, float(confidence)) if siren else None,
        )
        for crm_id, siren, method, confidence, name, domain, postal_code in rows
    ]


# --------------------------------------------------------------------------- matching


def _digits(value: str | None) -> str:
    return re.sub(r"[\s.\u00a0\u202f-]", "", value or "")


def checked_siren(account: AccountInput) -> tuple[str | None, str | None]:
    """(valid SIREN, None) from the SIREN or SIRET given, or (None, why the one given is not valid)."""
    siren, siret = _digits(account.siren), _digits(account.siret)
    if len(siren) == 14 and not siret:  # a SIRET in the SIREN column
        siren, siret = "", siren
    if siren and is_valid_siren(siren):
        return siren, None
    if siret and is_valid_siret(siret):
        return siret[:9], None
    if siren:
        return None, f"SIREN {account.siren} is not valid (9 digits passing Luhn)"
    if siret:
        return None, f"SIRET {account.siret} is not valid (14 digits passing Luhn)"
    return None, None


def match_accounts(con: duckdb.DuckDBPyConnection, accounts: Sequence[AccountInput]) -> list[ScoredAccount]:
    """Each account matched to a SIREN (module docstring), or unmatched / ambiguous with why."""
    as_crm = [
        readback.AccountRow(a.row, checked_siren(a)[0], a.name, a.domain, a.postal_code, None, None, None, None)
        for a in accounts
    ]
    matcher = readback.Matcher.load(con, as_crm)
    out = []
    for account, row in zip(accounts, as_crm, strict=True):
        result = ScoredAccount(account)
        if account.known is not None:
            result.siren, result.match_method, result.match_confidence = account.known
        else:
            result.siren, result.match_method, result.match_confidence = matcher.match(row)
        if result.siren is None:
            candidates = matcher.candidates(account.name, account.postal_code)
            invalid = checked_siren(account)[1]
            if len(candidates) > 1:
                result.status = "ambiguous"
                result.candidates = [f"{s} ({'active' if active else 'closed'})" for s, active in sorted(candidates)]
                actives = sum(1 for _, active in candidates if active)
                result.reason = (
                    f"{len(candidates)} units named {readback.normalise_name(account.name)} at {account.postal_code} "
                    f"({actives} active): give the SIREN"
                )
            else:
                result.reason = _why_unmatched(account)
            if invalid:
                result.reason = f"{invalid}; {result.reason}"
        out.append(result)
    return out


def _why_unmatched(account: AccountInput) -> str:
    tried = []
    if account.domain:
        tried.append(f"domain {account.domain} in no lead list")
    if account.name and account.postal_code:
        tried.append(f"no unit named {readback.normalise_name(account.name)} at {account.postal_code}")
    elif account.name:
        tried.append("a name without a postal code")
    return "no SIREN found" + (f" ({'; '.join(tried)})" if tried else " (no SIREN, SIRET, domain or name)")


# --------------------------------------------------------------------------- screening and scoring


def score_accounts(
    con: duckdb.DuckDBPyConnection,
    icp: ResolvedIcp,
    accounts: Sequence[AccountInput],
    *,
    as_of: date | None = None,
    now: datetime | None = None,
    disqualified_days: int = readback.DEFAULT_DISQUALIFIED_DAYS,
) -> ScoreResult:
    """Match, screen and score the accounts (module docstring); writes nothing to the warehouse."""
    as_of = as_of or date.today()
    prepare(con)
    rows = match_accounts(con, accounts)
    matched = [r for r in rows if r.siren is not None]
    sirens = sorted({str(r.siren) for r in matched})
    refused = registry_refusals(con, pl.DataFrame({"siren": sirens}, schema={"siren": pl.String}), now=now,
                                disqualified_days=disqualified_days) if sirens else {}  # fmt: skip
    index = SuppressionIndex.load(con)
    for r in matched:
        reason = refused.get(str(r.siren)) or index.reason({"siren": r.siren, "website_domain": r.input.domain})
        if reason is None:
            continue
        r.status = "inactive" if reason == prospecting.CLOSED_REASON else "not_prospectable"
        r.reason = reason
    wanted = sorted({str(r.siren) for r in matched if r.reason is None})
    frame = _leads(con, icp, wanted, as_of) if wanted else None
    leads = {row["siren"]: row for row in frame.iter_rows(named=True)} if frame is not None else {}
    for r in matched:
        if r.reason is not None:
            continue
        if str(r.siren) in leads:
            r.status, r.lead = "scored", leads[str(r.siren)]
        else:
            r.status, r.reason = "outside_icp", f"outside the criteria of ICP {icp.name}"
    return ScoreResult(icp.name, rows, frame if frame is not None and not frame.is_empty() else None)


def _leads(con: duckdb.DuckDBPyConnection, icp: ResolvedIcp, sirens: list[str], as_of: date) -> pl.DataFrame:
    """The leads.<icp> rows of the SIRENs the ICP selects (ranked among them)."""
    frame = pl.DataFrame({"siren": sirens}, schema={"siren": pl.String})
    with registered(con, "__byol_sirens", frame):
        sql, params = leads_statement(con, icp, as_of, limit=len(sirens), listed="__byol_sirens")
        return cast(pl.DataFrame, pl.from_arrow(con.sql(sql, params=params).to_arrow_table()))


def write_result(result: ScoreResult, path: str | Path) -> Path:
    """The list with scores and reasons as a CSV (formula-safe cells, written atomically)."""
    path = Path(path)
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(OUTPUT_COLUMNS)
    for row in result.rows:
        cells = row.cells()
        writer.writerow([format_cell(cells[c]) for c in OUTPUT_COLUMNS])
    write_atomically({path: buf.getvalue().encode("utf-8")})
    return path


def summary(result: ScoreResult) -> list[str]:
    """What the CLI prints: counts per status, the tiers of the scored ones."""
    counts = result.counts()
    tiers = result.tiers()
    lines = [f"{len(result.rows):,} accounts against ICP {result.icp}"]
    for status in STATUSES:
        if counts[status]:
            extra = f" ({', '.join(f'{t} {n}' for t, n in sorted(tiers.items()))})" if status == "scored" else ""
            lines.append(f"  {status:<17}{counts[status]:>7,}{extra}")
    return lines


def list_name(icp: str, stem: str) -> str:
    """The lead-list name a scored list is published under: `<icp>__<list stem>` (lower case,
    anything but letters and digits as `_`), so `leads.<that>` is a plain identifier and the
    waterfall enriches it as it enriches leads.<icp>."""
    slug = re.sub(r"[^a-z0-9]+", "_", fold_header(stem)).strip("_") or "list"
    return f"{icp}__{slug}"


def publish_list(con: duckdb.DuckDBPyConnection, result: ScoreResult, name: str) -> str:
    """Write the scored rows as the lead table leads.<name> (the leads.<icp> columns, built as
    staging then swapped), for the waterfall (`--enrich`) to read like any lead list; returns it."""
    if result.leads is None or result.leads.is_empty():
        raise InputError(f"{result.icp}: no scored row to publish")
    table = leads_table(name)
    con.execute("CREATE SCHEMA IF NOT EXISTS leads")
    db.drop_staging(con, table)
    with registered(con, "__byol_leads", result.leads):
        con.execute(f"CREATE TABLE {quote_ident(db.staging_name(table))} AS SELECT * FROM __byol_leads")
        db.publish(con, [table])
    return table
