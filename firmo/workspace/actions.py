"""The workspace's actions on one account, through the same functions as their CLI commands:
suppress the company (`firmo suppress siren X`: never enriched nor exported again) or its
enriched contact (`firmo suppress email X` / `phone X`), mark it as a
customer (`firmo customers`: the existing-customers list), watch it (`firmo watch add`: any signal
alerts through the `watched: true` rules) or stop watching it (`firmo watch remove`).

They write the working file, the one place these lists live. The workspace must never hold a run
up, so an action opens the file for its one statement and closes it; when a run holds the file
(DuckDB's lock), the action is refused with `WarehouseBusy` and nothing is written: the seller
retries once the run ends. What a page shows comes from the published snapshot, so a suppressed
company leaves the lead lists at the next run, as after `firmo suppress`.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

import duckdb

from firmo import db
from firmo.alerts import watchlist
from firmo.compliance import add_customers, suppress
from firmo.settings import Settings
from firmo.workspace.queries import SIREN_RE, NotFound, enriched_contacts
from firmo.workspace.snapshot import Reader, WarehouseBusy, WarehouseMissing

SOURCE = "firmo workspace"
ACTIONS = ("suppress", "suppress_contact", "customer", "watch", "unwatch")


@dataclass(frozen=True)
class Done:
    action: str
    siren: str
    changed: bool  # False: it was already so
    message: str


def run(reader: Reader, action: str, siren: str, *, who: str, reason: str | None = None) -> Done:
    """Do `action` on `siren` in the working file; raises ValueError, NotFound, WarehouseBusy."""
    if action not in ACTIONS:
        raise ValueError(f"action: one of {', '.join(ACTIONS)}, got {action!r}")
    if not SIREN_RE.match(siren):
        raise NotFound(f"{siren!r} is not a SIREN")
    con = _writable(reader, action)
    try:
        return _do(con, action, siren, who=who, reason=reason)
    finally:
        con.close()


def _writable(reader: Reader, what: str) -> duckdb.DuckDBPyConnection:
    """The working file for one write, or WarehouseBusy when a run holds it (nothing written)."""
    if not reader.db_path.exists():
        raise WarehouseMissing(f"no warehouse at {reader.db_path}: run `make run` or `firmo run` first")
    try:
        return db.connect(reader.db_path, settings=reader.settings)
    except duckdb.Error as exc:
        if "lock" in str(exc).lower():
            raise WarehouseBusy(f"a run is writing the warehouse: {what} not done, retry after it") from None
        raise


def _do(con: duckdb.DuckDBPyConnection, action: str, siren: str, *, who: str, reason: str | None) -> Done:
    source = f"{SOURCE} ({who})"
    if action == "suppress":
        added = suppress(con, "siren", siren, reason=reason or "suppressed from the workspace", source=source)
        return Done(action, siren, added, "on the suppression list" if added else "already on the suppression list")
    if action == "suppress_contact":
        # the person, not the company: the enriched email and phone of the company's contact in
        # every enriched list (`firmo suppress email X`, `firmo suppress phone X`)
        values = sorted(
            {(kind, str(c[kind])) for c in enriched_contacts(con, siren) for kind in ("email", "phone") if c.get(kind)}
        )
        if not values:
            return Done(action, siren, False, "no enriched contact to suppress")
        why = reason or "contact suppressed from the workspace"
        newly = sum(suppress(con, kind, value, reason=why, source=source) for kind, value in values)
        kinds = " and ".join(dict.fromkeys(kind for kind, _ in values))
        return Done(action, siren, newly > 0, f"contact's {kinds} on the suppression list")
    if action == "customer":
        written = add_customers(con, [("siren", siren, None)], source=source)
        return Done(action, siren, written > 0, "marked as a customer")
    if action == "watch":
        new = watchlist.add(con, [siren], source=source)
        return Done(action, siren, new > 0, "watched" if new else "already watched")
    gone = watchlist.remove(con, [siren])
    return Done(action, siren, gone > 0, "no longer watched" if gone else "was not watched")


def crms() -> tuple[str, ...]:
    """The CRMs an export writes files for (firmo.crm.layouts.CRMS)."""
    from firmo.crm.layouts import CRMS

    return CRMS


def export(reader: Reader, icp: str, *, crms: tuple[str, ...] = (), full: bool = False) -> dict[str, object]:
    """`firmo export --icp <icp> [--crm X] [--full]`: the incremental CRM import files of one
    lead list (new or changed leads, through exports.ledger, with every check of the export:
    suppression, customers, oppositions, disqualified in a CRM). Raises ValueError, NotFound,
    WarehouseBusy. The files go to the settings' exports folder; the answer names them."""
    from firmo.crm import export_leads
    from firmo.crm.layouts import CRMS
    from firmo.crm.leads import lead_frame

    unknown = sorted(set(crms) - set(CRMS))
    if unknown:
        raise ValueError(f"crm: one of {', '.join(CRMS)}, got {', '.join(unknown)}")
    settings = reader.settings
    con = _writable(reader, "export")
    try:
        try:
            leads = lead_frame(con, [icp])
        except LookupError as exc:
            raise NotFound(str(exc)) from None
        report = export_leads(
            leads,
            con=con,
            root=settings.exports_dir,
            crms=crms or CRMS,
            full=full,
            disqualified_days=settings.crm_disqualified_days,
        )
    finally:
        con.close()
    root = settings.exports_dir
    return {
        "icp": icp,
        "exported": dict(report.exported),
        "unchanged": dict(report.skipped_unchanged),
        "files": {
            crm: [str(p.relative_to(root)) if p.is_relative_to(root) else str(p) for p in files]
            for crm, files in report.files.items()
        },
        "not_exported": {
            "non_diffusible": report.skipped_p,
            "opposed": report.opposed,
            "inactive": report.inactive,
            "suppressed": report.suppressed,
            "customers": report.customers,
            "crm_disqualified": report.crm_disqualified,
            "duplicates": report.duplicates,
            "rejected": len(report.rejected),
            "retired": report.retired,
        },
    }


def push_crms(settings: Settings) -> tuple[str, ...]:
    """The CRMs the settings give an API credential: the ones the lead explorer offers to push to."""
    from firmo.crm.api_push import configured

    return configured(settings)


class PushFailed(RuntimeError):
    """The CRM refused or the connection broke mid-push: what the ledger holds says what is retried."""


def push(reader: Reader, icp: str, crm: str, *, full: bool = False, dry_run: bool = False) -> dict[str, Any]:
    """`firmo export --icp <icp> --push <crm> [--dry-run]` without the import files: the new or
    changed leads of one list upserted through the CRM's API by firmo.crm.api_push (the client and
    the push the CLI uses, so the screening, suppression, customers, CRM disqualifications and the
    ledger are the same). A CRM the settings do not configure is refused before the warehouse is
    opened (NotConfigured, a ValueError: one line naming the variable), a dry run included: the
    workspace offers only the CRMs it can push to. The dry run makes no write call and records
    nothing; it answers what would change (emails masked). Raises ValueError, NotFound,
    WarehouseBusy, PushFailed."""
    import httpx

    from firmo.crm.api_push import API_CRMS, NotConfigured, api_client
    from firmo.crm.api_push import push as api_push
    from firmo.crm.hubspot_api import HubSpotError
    from firmo.crm.leads import lead_frame
    from firmo.crm.pipedrive_api import PipedriveError
    from firmo.crm.salesforce_api import SalesforceError

    if crm not in API_CRMS:
        raise ValueError(f"crm: one of {', '.join(API_CRMS)}, got {crm!r}")
    settings = reader.settings
    try:  # before the warehouse is opened: a missing setting writes nothing
        client = api_client(settings, crm)
    except NotConfigured as exc:  # the client's own message names the variable to set
        raise NotConfigured(f"{crm} is not configured: {exc}") from None
    with client:
        con = _writable(reader, f"{crm} push")
        try:
            try:
                leads = lead_frame(con, [icp])
            except LookupError as exc:
                raise NotFound(str(exc)) from None
            # HubSpot's and Salesforce's dry runs make no call at all (as the CLI's)
            dry_client = client if crm == "pipedrive" else None
            try:
                report = api_push(
                    crm,
                    leads,
                    con=con,
                    client=dry_client if dry_run else client,
                    settings=settings,
                    full=full,
                    dry_run=dry_run,
                )
            except (HubSpotError, PipedriveError, SalesforceError, httpx.HTTPError) as exc:
                raise PushFailed(
                    f"{crm} push stopped ({exc}); what the CRM had not accepted is not recorded in "
                    "exports.ledger, so the next push sends it again"
                ) from None
        finally:
            con.close()
    return {"icp": icp, "crm": crm, "dry_run": dry_run, **_push_counts(report)}


def _push_counts(report: Any) -> dict[str, Any]:
    """A push report as JSON: its counts, the CRM's refusals by code, and (dry run) what would
    change. No personal data beyond the masked emails of `planned`, no credential."""
    out: dict[str, Any] = {}
    for f in dataclasses.fields(report):
        value = getattr(report, f.name)
        if f.name == "errors":
            out["refused"] = len(value)
        elif f.name == "would":
            out["would"] = dict(sorted(value.items()))
        elif isinstance(value, int | str | list) or value is None:
            out[f.name] = value
    return out
