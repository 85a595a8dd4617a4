"""Read-back: what the CRM already holds, pulled incrementally into `exports.crm_accounts`,
`exports.crm_contacts` and `exports.crm_deals`, so that the export

* never prospects a customer: an account with a won deal goes into `exports.customers` (source = the
  CRM's name), which the export's screening already refuses;
* leaves out, for `disqualified_days` (FIRMO_CRM_DISQUALIFIED_DAYS, default 90) after the CRM first
  showed it disqualified, an account or a contact whose lead status is disqualified / unqualified,
  with the reason in exports.rejects (`holds`, read by `firmo.crm.export.registry_refusals`);
* tags what sales validated (`crm_validated` on both tables, the `exports.crm_validated` view);
* keeps the owner: the owner is read, never written (the push never sends `hubspot_owner_id`),
  with the owner's name and email from the CRM's users (firmo/crm/owners.py: `owner_name`,
  `owner_email`), shown in the hold's reason;
* stops pointing at what sales deleted, archived or merged away (firmo/crm/deletions.py:
  `deleted_at`, `merged_into`): the push neither PATCHes a dead id nor trusts it as held.

The tables are CRM-independent: `store` takes plain rows (`AccountRow`, `ContactRow`, `DealRow`),
the cursors and the CRM's own rules of what a disqualified or a validated status is (HubSpot's by
default); `pull_hubspot` is HubSpot's reader (search API, crm_sync.md §1.7), Salesforce's and
Pipedrive's are `readback_salesforce.py` and `readback_pipedrive.py`.

Matching an account to a SIREN, in this order (the first that answers wins):
  1. its own SIREN property (`siren`), 9 digits: confidence 1.0;
  2. its domain, when exactly one SIREN holds that website domain in firmo's lead lists
     (`leads.*.website_domain`): 0.9;
  3. its normalised name (upper case, no accents or punctuation, legal-form words dropped) and postal
     code against core.companies (head office): one unit -> 0.8; several of which exactly one is
     active -> 0.7; otherwise unmatched (siren NULL), never a guess.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import duckdb
import polars as pl
from polars.datatypes import DataTypeClass

from firmo import db
from firmo.compliance.normalise import InvalidIdentifier, normalise_domain, normalise_email
from firmo.crm import deletions, owners
from firmo.crm.deletions import Gone
from firmo.crm.hubspot_api import HubSpotClient, epoch_ms
from firmo.crm.owners import Owner
from firmo.crm.tables import ensure_tables
from firmo.db import registered, transaction, utc_now
from firmo.sqlfiles import load_sql, quote_ident

HUBSPOT = "hubspot"
DEFAULT_DISQUALIFIED_DAYS = 90
DISQUALIFIED_STATUSES = frozenset({"UNQUALIFIED", "DISQUALIFIED"})
VALIDATED_STATUSES = frozenset({"IN_PROGRESS", "OPEN_DEAL"})
VALIDATED_LIFECYCLES = frozenset({"salesqualifiedlead", "opportunity"})
CONFIDENCE = {"siren": 1.0, "domain": 0.9, "name_postcode": 0.8, "name_postcode_active": 0.7}
HOLD_PREFIX = "disqualified in "  # how the export recognises (and counts) a CRM hold among refusals

COMPANY_PROPERTIES = ("siren", "domain", "name", "zip", "hubspot_owner_id", "lifecyclestage", "hs_lead_status")
CONTACT_PROPERTIES = ("email", "hubspot_owner_id", "lifecyclestage", "hs_lead_status")
DEAL_PROPERTIES = ("dealstage", "pipeline", "hs_is_closed_won", "hs_is_closed")
# default pipeline stage ids (custom pipelines: hs_is_closed_won / hs_is_closed decide)
WON_STAGES, LOST_STAGES = frozenset({"closedwon"}), frozenset({"closedlost"})

_LEGAL_FORMS = frozenset(
    [
        "SA",
        "SAS",
        "SASU",
        "SARL",
        "EURL",
        "SCI",
        "SNC",
        "SCOP",
        "SCA",
        "SCS",
        "SELARL",
        "SELAS",
        "SELAFA",
        "SCP",
        "SCM",
        "EI",
        "EIRL",
        "GIE",
        "SOCIETE",
        "STE",
    ]
)
_SIREN = re.compile(r"^\d{9}$")


@dataclass(frozen=True)
class AccountRow:
    crm_id: str
    siren: str | None  # the CRM's own SIREN field, as read
    name: str | None
    domain: str | None
    postal_code: str | None
    owner: str | None
    lifecycle: str | None
    lead_status: str | None
    modified_at: datetime | None


@dataclass(frozen=True)
class ContactRow:
    crm_id: str
    email: str | None
    account_crm_id: str | None
    owner: str | None
    lifecycle: str | None
    lead_status: str | None
    modified_at: datetime | None


@dataclass(frozen=True)
class DealRow:
    crm_id: str
    account_crm_id: str | None
    stage: str | None
    outcome: str  # 'open' | 'won' | 'lost'
    modified_at: datetime | None


@dataclass
class PullReport:
    crm: str
    accounts: int = 0  # records read this pull (the boundary record of the last cursor included)
    contacts: int = 0
    deals: int = 0
    matched: dict[str, int] = field(default_factory=dict)  # match_method -> accounts read this pull
    unmatched: int = 0
    customers: int = 0  # won accounts with a SIREN (all pulls), now in exports.customers
    disqualified: int = 0  # accounts + contacts held out of the exports now
    validated: int = 0  # accounts + contacts tagged crm_validated
    deleted: int = 0  # accounts + contacts the CRM listed deleted / archived this pull
    cursors: dict[str, int] = field(default_factory=dict)


# --------------------------------------------------------------------------- rules


def is_disqualified(lead_status: str | None) -> bool:
    return (lead_status or "").upper() in DISQUALIFIED_STATUSES


def is_validated(lead_status: str | None, lifecycle: str | None) -> bool:
    """Sales work it: lead status in progress / open deal, or lifecycle SQL / opportunity."""
    return (lead_status or "").upper() in VALIDATED_STATUSES or (lifecycle or "").lower() in VALIDATED_LIFECYCLES


def normalise_name(name: str | None) -> str:
    """'Société Acme, S.A.S.' -> 'ACME': upper case, accents and punctuation removed, '&' read as
    'ET', legal-form words dropped (SIRENE names rarely carry them, CRM names often do)."""
    text = unicodedata.normalize("NFKD", name or "").encode("ascii", "ignore").decode().upper().replace("&", " ET ")
    text = re.sub(r"\b([A-Z])\.(?=[A-Z]\b\.?)", r"\1", text)  # S.A.S. -> SAS
    words = re.sub(r"[^A-Z0-9]+", " ", text.replace(".", "")).split()
    return " ".join(w for w in words if w not in _LEGAL_FORMS)


def _domain(value: str | None) -> str | None:
    if not value:
        return None
    try:
        return normalise_domain(value)
    except InvalidIdentifier:
        return None


def _email(value: str | None) -> str | None:
    if not value:
        return None
    try:
        return normalise_email(value)
    except InvalidIdentifier:
        return None


class Matcher:
    """SIREN of a CRM account without one: by domain, else by normalised name + postal code."""

    def __init__(self, domains: Mapping[str, str], names: Mapping[tuple[str, str], list[tuple[str, bool]]]):
        self._domains = dict(domains)
        self._names = {k: list(v) for k, v in names.items()}

    @classmethod
    def load(cls, con: duckdb.DuckDBPyConnection, accounts: Sequence[AccountRow]) -> Matcher:
        return cls(_domain_index(con), _name_index(con, {a.postal_code for a in accounts if a.postal_code}))

    def match(self, account: AccountRow) -> tuple[str | None, str | None, float | None]:
        """(siren, match_method, match_confidence); all None when nothing matches for sure."""
        siren = re.sub(r"\s", "", account.siren or "")
        if _SIREN.match(siren):
            return siren, "siren", CONFIDENCE["siren"]
        domain = _domain(account.domain)
        if domain and domain in self._domains:
            return self._domains[domain], "domain", CONFIDENCE["domain"]
        candidates = self.candidates(account.name, account.postal_code)
        if len(candidates) == 1:
            return candidates[0][0], "name_postcode", CONFIDENCE["name_postcode"]
        active = [s for s, is_active in candidates if is_active]
        if len(active) == 1:
            return active[0], "name_postcode", CONFIDENCE["name_postcode_active"]
        return None, None, None

    def candidates(self, name: str | None, postal_code: str | None) -> list[tuple[str, bool]]:
        """[(siren, active)] of the head offices with this normalised name at this postal code:
        what `match` chose from, and what `firmo score` lists when it could not choose."""
        key = (normalise_name(name), (postal_code or "").strip())
        return list(self._names.get(key, [])) if key[0] and key[1] else []


def _domain_index(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """Website domain -> SIREN over firmo's lead lists, keeping only domains one SIREN holds."""
    owners: dict[str, set[str]] = {}
    for table in db.tables_in_schema(con, "leads"):
        if not {"siren", "website_domain"} <= set(db.columns_of(con, table)):
            continue
        rows = con.execute(
            f"SELECT DISTINCT siren, website_domain FROM {quote_ident(table)} WHERE website_domain IS NOT NULL"
        ).fetchall()  # table: read from the catalog, quoted
        for siren, raw in rows:
            domain = _domain(raw)
            if domain and siren:
                owners.setdefault(domain, set()).add(str(siren))
    return {d: next(iter(s)) for d, s in owners.items() if len(s) == 1}


def _name_index(
    con: duckdb.DuckDBPyConnection, postal_codes: Iterable[str]
) -> dict[tuple[str, str], list[tuple[str, bool]]]:
    """(normalised name, postal code) -> [(siren, active)] of core.companies in those postal codes."""
    codes = sorted({c.strip() for c in postal_codes if c and c.strip()})
    if not codes or not db.table_exists(con, "core.companies"):
        return {}
    if not {"siren", "name", "postal_code", "active"} <= set(db.columns_of(con, "core.companies")):
        return {}
    frame = pl.DataFrame({"postal_code": codes})
    with registered(con, "__crm_match_postcodes", frame):
        rows = con.execute(load_sql("crm/readback_name_candidates")).fetchall()
    out: dict[tuple[str, str], list[tuple[str, bool]]] = {}
    for siren, name, postal_code, active in rows:
        out.setdefault((normalise_name(name), postal_code), []).append((siren, bool(active)))
    return out


# --------------------------------------------------------------------------- storage (any CRM)


ACCOUNT_SCHEMA: dict[str, pl.DataType | DataTypeClass] = {
    "crm": pl.String,
    "crm_id": pl.String,
    "siren": pl.String,
    "match_method": pl.String,
    "match_confidence": pl.Float64,
    "name": pl.String,
    "domain": pl.String,
    "postal_code": pl.String,
    "owner": pl.String,
    "lifecycle": pl.String,
    "lead_status": pl.String,
    "crm_validated": pl.Boolean,
    "disqualified_since": pl.Datetime("us"),
    "modified_at": pl.Datetime("us"),
    "pulled_at": pl.Datetime("us"),
}
CONTACT_SCHEMA: dict[str, pl.DataType | DataTypeClass] = {
    "crm": pl.String,
    "crm_id": pl.String,
    "email": pl.String,
    "account_crm_id": pl.String,
    "owner": pl.String,
    "lifecycle": pl.String,
    "lead_status": pl.String,
    "crm_validated": pl.Boolean,
    "disqualified_since": pl.Datetime("us"),
    "modified_at": pl.Datetime("us"),
    "pulled_at": pl.Datetime("us"),
}
DEAL_SCHEMA: dict[str, pl.DataType | DataTypeClass] = {
    "crm": pl.String,
    "crm_id": pl.String,
    "account_crm_id": pl.String,
    "stage": pl.String,
    "outcome": pl.String,
    "modified_at": pl.Datetime("us"),
    "pulled_at": pl.Datetime("us"),
}


def _previous_disqualified(con: duckdb.DuckDBPyConnection, table: str, crm: str) -> dict[str, datetime]:
    rows = con.execute(
        f"SELECT crm_id, disqualified_since FROM {table} WHERE crm = ? AND disqualified_since IS NOT NULL",
        [crm],
    ).fetchall()  # table: module constant
    return dict(rows)


def _since(
    previous: Mapping[str, datetime],
    crm_id: str,
    status: str | None,
    seen: datetime,
    disqualified: Callable[[str | None], bool] = is_disqualified,
) -> datetime | None:
    """When the hold started: kept from the last pull while the status stays disqualified."""
    if not disqualified(status):
        return None
    return previous.get(crm_id, seen)


def timestamp(value: Any) -> datetime | None:
    """A CRM's date-time (ISO 8601 with `Z` or an offset such as Salesforce's `+0000`, or epoch
    milliseconds) as a naive UTC datetime, like every stored time."""
    ms = epoch_ms(value)
    return None if ms is None else datetime.utcfromtimestamp(ms / 1000)  # noqa: DTZ004 (naive UTC)


def store(
    con: duckdb.DuckDBPyConnection,
    crm: str,
    accounts: Sequence[AccountRow],
    contacts: Sequence[ContactRow],
    deals: Sequence[DealRow],
    cursors: Mapping[str, int],
    *,
    now: datetime | None = None,
    disqualified: Callable[[str | None], bool] = is_disqualified,
    validated: Callable[[str | None, str | None], bool] = is_validated,
    owner_names: Mapping[str, Owner] | None = None,
    gone: Sequence[Gone] = (),
    id_map: str | None = None,
) -> PullReport:
    """Write one pull of `crm` (rows read since its cursors) in one transaction: upsert the rows,
    match the accounts, recount their deals, add the won ones to exports.customers, move the
    cursors. A crash leaves the previous state and cursors: the next pull reads the same records.
    `disqualified(lead_status)` and `validated(lead_status, lifecycle)` are the CRM's own rules
    (each CRM names its statuses differently); HubSpot's by default. `owner_names` (owner id ->
    name and email) names the owners of every account they hold; `gone` are the records the CRM
    listed deleted, marked after the upsert, with the survivors of accounts merged away; `id_map`
    is the exports.crm_ids name of a push without upsert whose ids to the dead records go."""
    ensure_tables(con)
    now = utc_now(now)
    report = PullReport(crm, len(accounts), len(contacts), len(deals), cursors=dict(cursors), deleted=len(gone))
    matcher = Matcher.load(con, accounts)
    with transaction(con):
        before_accounts = _previous_disqualified(con, "exports.crm_accounts", crm)
        before_contacts = _previous_disqualified(con, "exports.crm_contacts", crm)
        account_rows = []
        for a in accounts:
            siren, method, confidence = matcher.match(a)
            if method is None:
                report.unmatched += 1
            else:
                report.matched[method] = report.matched.get(method, 0) + 1
            account_rows.append(
                {
                    "crm": crm,
                    "crm_id": a.crm_id,
                    "siren": siren,
                    "match_method": method,
                    "match_confidence": confidence,
                    "name": a.name,
                    "domain": _domain(a.domain),
                    "postal_code": a.postal_code,
                    "owner": a.owner,
                    "lifecycle": a.lifecycle,
                    "lead_status": a.lead_status,
                    "crm_validated": validated(a.lead_status, a.lifecycle),
                    "disqualified_since": _since(
                        before_accounts, a.crm_id, a.lead_status, a.modified_at or now, disqualified
                    ),
                    "modified_at": a.modified_at,
                    "pulled_at": now,
                }
            )
        contact_rows = [
            {
                "crm": crm,
                "crm_id": c.crm_id,
                "email": _email(c.email),
                "account_crm_id": c.account_crm_id,
                "owner": c.owner,
                "lifecycle": c.lifecycle,
                "lead_status": c.lead_status,
                "crm_validated": validated(c.lead_status, c.lifecycle),
                "disqualified_since": _since(
                    before_contacts, c.crm_id, c.lead_status, c.modified_at or now, disqualified
                ),
                "modified_at": c.modified_at,
                "pulled_at": now,
            }
            for c in contacts
        ]
        deal_rows = [
            {
                "crm": crm,
                "crm_id": d.crm_id,
                "account_crm_id": d.account_crm_id,
                "stage": d.stage,
                "outcome": d.outcome,
                "modified_at": d.modified_at,
                "pulled_at": now,
            }
            for d in deals
        ]
        frames = {
            "__crm_account_rows": pl.DataFrame(account_rows, schema=ACCOUNT_SCHEMA),
            "__crm_contact_rows": pl.DataFrame(contact_rows, schema=CONTACT_SCHEMA),
            "__crm_deal_rows": pl.DataFrame(deal_rows, schema=DEAL_SCHEMA),
            "__crm_cursor_rows": pl.DataFrame(
                [{"crm": crm, "object_type": k, "modified_ms": v, "pulled_at": now} for k, v in cursors.items()],
                schema={
                    "crm": pl.String,
                    "object_type": pl.String,
                    "modified_ms": pl.Int64,
                    "pulled_at": pl.Datetime("us"),
                },
            ),
        }
        for name, frame in frames.items():
            con.register(name, frame)
        try:
            con.execute(load_sql("crm/readback_upsert"))
        finally:
            for name in frames:
                con.unregister(name)
        _mark_owners_and_gone(con, crm, owner_names or {}, gone, id_map, now)
        for step in ("readback_recount", "readback_contact_sirens"):
            con.execute(load_sql(f"crm/{step}"), {"crm": crm})
        con.execute(load_sql("crm/readback_customers"), {"crm": crm, "now": now})
        [(customers, held, tagged)] = con.execute(load_sql("crm/readback_counts"), {"crm": crm}).fetchall()
    report.customers, report.disqualified, report.validated = customers, held, tagged
    return report


def _mark_owners_and_gone(
    con: duckdb.DuckDBPyConnection,
    crm: str,
    owner_names: Mapping[str, Owner],
    gone: Sequence[Gone],
    id_map: str | None,
    now: datetime,
) -> None:
    """Inside `store`'s transaction, after the upsert: the owners' names, the deletions, the
    survivors (every pull: a survivor may get its SIREN after the merge), and the id map of a
    push without upsert cleared of dead ids."""
    if owner_names:
        frame = pl.DataFrame(
            [{"owner": k, "owner_name": o.name, "owner_email": o.email} for k, o in sorted(owner_names.items())],
            schema={"owner": pl.String, "owner_name": pl.String, "owner_email": pl.String},
        )
        with registered(con, "__crm_owner_rows", frame):
            con.execute(load_sql("crm/readback_owner_names"), {"crm": crm})
    if gone:
        frame = pl.DataFrame(
            [{"kind": g.kind, "crm_id": g.crm_id, "deleted_at": g.deleted_at} for g in gone],
            schema={"kind": pl.String, "crm_id": pl.String, "deleted_at": pl.Datetime("us")},
        )
        with registered(con, "__crm_gone_rows", frame):
            con.execute(load_sql("crm/readback_deleted_accounts"), {"crm": crm})
            con.execute(load_sql("crm/readback_deleted_contacts"), {"crm": crm})
    con.execute(load_sql("crm/readback_survivors"), {"crm": crm})
    if gone and id_map is not None and db.table_exists(con, "exports.crm_ids"):
        con.execute(load_sql("crm/crm_ids_to_survivors"), {"crm": crm, "map_crm": id_map, "now": now})
        con.execute(load_sql("crm/crm_ids_forget_gone"), {"crm": crm, "map_crm": id_map})


def cursors(con: duckdb.DuckDBPyConnection, crm: str) -> dict[str, int]:
    """object type -> last-modified time (epoch ms) read by the previous pull of `crm`."""
    ensure_tables(con)
    rows = con.execute("SELECT object_type, modified_ms FROM exports.crm_cursors WHERE crm = ?", [crm]).fetchall()
    return dict(rows)


def holds(
    con: duckdb.DuckDBPyConnection, *, now: datetime | None = None, days: int = DEFAULT_DISQUALIFIED_DAYS
) -> dict[str, str]:
    """What a CRM disqualified less than `days` ago: SIREN -> reason (accounts) and
    'email:<email>' -> reason (contacts). Read by the export's last gate (`registry_refusals`)."""
    if not db.table_exists(con, "exports.crm_accounts"):
        return {}
    now = utc_now(now)
    out: dict[str, str] = {}
    for key, crm, status, since, owner in con.execute(
        load_sql("crm/readback_holds"), {"since": now - timedelta(days=days)}
    ).fetchall():
        until = (since + timedelta(days=days)).date().isoformat()
        by = f", owned by {owner}" if owner else ""
        out.setdefault(
            key,
            f"{HOLD_PREFIX}{crm} (lead status {status}{by}) since {since.date().isoformat()}: left out until {until}",
        )
    return out


def unkeyed_accounts(con: duckdb.DuckDBPyConnection, crm: str, sirens: Iterable[str]) -> dict[str, str]:
    """SIREN -> crm_id of the CRM accounts matched by domain or name (no SIREN field in the CRM yet):
    the push writes the SIREN onto them instead of creating a second record (crm_sync.md §1.9)."""
    wanted = sorted(set(sirens))
    if not wanted or not db.table_exists(con, "exports.crm_accounts"):
        return {}
    with registered(con, "__crm_push_sirens", pl.DataFrame({"siren": wanted})):
        rows = con.execute(load_sql("crm/readback_unkeyed"), {"crm": crm}).fetchall()
    return dict(rows)


def known_contacts(con: duckdb.DuckDBPyConnection, crm: str) -> set[str]:
    """Emails of the live contacts `crm` holds (read back): the push leaves their statuses to sales."""
    if not db.table_exists(con, "exports.crm_contacts"):
        return set()
    sql = "SELECT email FROM exports.crm_contacts WHERE crm = ? AND email IS NOT NULL AND deleted_at IS NULL"
    rows = con.execute(sql, [crm])
    return {email for (email,) in rows.fetchall()}


def contact_ids(con: duckdb.DuckDBPyConnection, crm: str) -> dict[str, str]:
    """Email -> crm_id of the live contacts `crm` holds (read back; the lowest id when several): a
    push without upsert (Pipedrive) updates that record instead of searching for it; one sales
    deleted is never updated (its id is dead)."""
    if not db.table_exists(con, "exports.crm_contacts"):
        return {}
    sql = (
        "SELECT email, min(crm_id) FROM exports.crm_contacts"
        " WHERE crm = ? AND email IS NOT NULL AND deleted_at IS NULL GROUP BY email"
    )
    return dict(con.execute(sql, [crm]).fetchall())


def known_sirens(con: duckdb.DuckDBPyConnection, crm: str) -> set[str]:
    """Every SIREN the last read-backs of `crm` matched a live account to (any method)."""
    if not db.table_exists(con, "exports.crm_accounts"):
        return set()
    return {s for (s,) in con.execute(load_sql("crm/readback_sirens"), {"crm": crm}).fetchall()}


def record_run(con: duckdb.DuckDBPyConnection, crm: str, kind: str, started_at: datetime) -> None:
    """Remember when the latest completed read-back ('pull') or push attempt ('push') of `crm`
    began (exports.crm_sync_runs)."""
    ensure_tables(con)
    con.execute(load_sql("crm/crm_sync_runs_record"), {"crm": crm, "kind": kind, "started_at": started_at})


def last_runs(con: duckdb.DuckDBPyConnection, crm: str) -> dict[str, datetime]:
    """kind ('pull' / 'push') -> when the latest completed read-back / push attempt of `crm` began."""
    ensure_tables(con)
    return dict(con.execute(load_sql("crm/crm_sync_runs_read"), {"crm": crm}).fetchall())


def mark_keyed(con: duckdb.DuckDBPyConnection, crm: str, crm_id: str) -> None:
    """The CRM accepted the SIREN firmo wrote onto an account matched by domain or name: from now
    on it is a SIREN match (the next pull reads the same)."""
    con.execute(
        "UPDATE exports.crm_accounts SET match_method = 'siren', match_confidence = 1.0 WHERE crm = ? AND crm_id = ?",
        [crm, crm_id],
    )


# --------------------------------------------------------------------------- HubSpot


_ts = timestamp


def deal_outcome(props: Mapping[str, Any]) -> str:
    """won / lost / open from HubSpot's calculated flags, else the default pipeline's stage ids."""
    stage = str(props.get("dealstage") or "")
    if str(props.get("hs_is_closed_won") or "").lower() == "true" or stage in WON_STAGES:
        return "won"
    if str(props.get("hs_is_closed") or "").lower() == "true" or stage in LOST_STAGES:
        return "lost"
    return "open"


def pull_hubspot(con: duckdb.DuckDBPyConnection, client: HubSpotClient, *, now: datetime | None = None) -> PullReport:
    """Companies, contacts and deals modified since the last pull (all of them the first time),
    with their company associations, the owners' names and the companies and contacts archived
    since (firmo/crm/owners.py, deletions.py), stored by `store` under crm 'hubspot'."""
    since = cursors(con, HUBSPOT)
    read: dict[str, list[dict[str, Any]]] = {}
    props = {"companies": COMPANY_PROPERTIES, "contacts": CONTACT_PROPERTIES, "deals": DEAL_PROPERTIES}
    new_cursors = dict(since)
    for object_type, properties in props.items():
        read[object_type] = list(client.search_modified(object_type, properties, since_ms=since.get(object_type)))
        prop = "lastmodifieddate" if object_type == "contacts" else "hs_lastmodifieddate"
        times = [t for r in read[object_type] if (t := epoch_ms(r["properties"].get(prop))) is not None]
        if times:
            new_cursors[object_type] = max([*times, since.get(object_type, 0)])
    owner_ids = {str(o) for r in read["companies"] if (o := r.get("properties", {}).get("hubspot_owner_id"))}
    names = owners.hubspot_owners(client, owner_ids)
    gone, gone_cursors = deletions.hubspot_gone(client, since)  # search never returns archived records
    new_cursors.update(gone_cursors)
    deal_company = client.associations("deals", "companies", [r["id"] for r in read["deals"]])
    contact_company = client.associations("contacts", "companies", [r["id"] for r in read["contacts"]])

    def first(links: Mapping[str, list[str]], crm_id: str) -> str | None:
        ids = links.get(str(crm_id)) or []
        return sorted(ids, key=int)[0] if ids else None

    accounts = [
        AccountRow(
            str(r["id"]),
            p.get("siren"),
            p.get("name"),
            p.get("domain"),
            p.get("zip"),
            p.get("hubspot_owner_id"),
            p.get("lifecyclestage"),
            p.get("hs_lead_status"),
            _ts(p.get("hs_lastmodifieddate")),
        )
        for r in read["companies"]
        for p in [r.get("properties", {})]
    ]
    contacts = [
        ContactRow(
            str(r["id"]),
            p.get("email"),
            first(contact_company, r["id"]),
            p.get("hubspot_owner_id"),
            p.get("lifecyclestage"),
            p.get("hs_lead_status"),
            _ts(p.get("lastmodifieddate")),
        )
        for r in read["contacts"]
        for p in [r.get("properties", {})]
    ]
    deals = [
        DealRow(
            str(r["id"]),
            first(deal_company, r["id"]),
            p.get("dealstage"),
            deal_outcome(p),
            _ts(p.get("hs_lastmodifieddate")),
        )
        for r in read["deals"]
        for p in [r.get("properties", {})]
    ]
    return store(con, HUBSPOT, accounts, contacts, deals, new_cursors, now=now, owner_names=names, gone=gone)
