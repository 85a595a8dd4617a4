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

from dataclasses import dataclass

import duckdb

from firmo import db
from firmo.alerts import watchlist
from firmo.compliance import add_customers, suppress
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
    if not reader.db_path.exists():
        raise WarehouseMissing(f"no warehouse at {reader.db_path}: run `make run` or `firmo run` first")
    try:
        con = db.connect(reader.db_path, settings=reader.settings)
    except duckdb.Error as exc:
        if "lock" in str(exc).lower():
            raise WarehouseBusy(f"a run is writing the warehouse: {action} not done, retry after it") from None
        raise
    try:
        return _do(con, action, siren, who=who, reason=reason)
    finally:
        con.close()


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
    if not reader.db_path.exists():
        raise WarehouseMissing(f"no warehouse at {reader.db_path}: run `make run` or `firmo run` first")
    settings = reader.settings
    try:
        con = db.connect(reader.db_path, settings=settings)
    except duckdb.Error as exc:
        if "lock" in str(exc).lower():
            raise WarehouseBusy("a run is writing the warehouse: export not done, retry after it") from None
        raise
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
