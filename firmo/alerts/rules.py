"""The alert rules of an ICP file (`alerts:`, firmo.icp.config.AlertRule), evaluated on the ICP's
current leads (`leads.<icp>`), their previous state (`alerts.lead_state`) and `core.signals`.

An alert is keyed by (ICP, rule, SIREN, event): `enters_tier` events are the day the lead entered
the tier, `score_rise` events the two scores, signal events the signal (type, date, source
record), the digest its day. The key is what makes a re-run harmless: `alerts.events` holds every
key already seen (firmo/alerts/outbox.py records it with the outbox rows in one transaction), so an
event alerts once whatever the number of evaluations.

Why a baseline: the first evaluation of an ICP has no previous state, and every hot lead and every
recent signal would otherwise alert at once (thousands of messages the day alerting is switched
on). It records what it sees as `baseline` and sends nothing but the digest.

Why a screening: an alert is a prompt to prospect. SIRENE `P` units, units opposed at the RNE,
closed ones, suppressed companies, customers and what a CRM disqualified are refused exactly as
the export's last gate refuses them (firmo.crm.export.registry_refusals + the suppression lists).
A watched account still goes through the legal half of it (LEGAL_REASONS: SIRENE `P`, whose
natural persons' identity and address are not diffused; the RNE opposition; the suppression list,
a person's or a company's opposition): asking for an account by name does not lift what the law
forbids. Being watched lifts only the rest: the score and tier thresholds (the `watched: true`
rule alerts on any signal of the account), and the business refusals (closed, unknown to
core.companies, customer, disqualified in a CRM), which a team watching the account wants to hear about.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import duckdb
import polars as pl

from firmo import db
from firmo.alerts.tables import ensure_tables
from firmo.compliance import prospecting
from firmo.compliance.suppression import SuppressionIndex
from firmo.crm.export import registry_refusals
from firmo.icp.config import AlertRule, IcpConfig
from firmo.icp.leads import leads_table
from firmo.sqlfiles import load_sql, render_identifiers

TIER_RANK = {"cold": 0, "warm": 1, "hot": 2}
DIGEST_TOP = 5  # new hot leads and top signals listed in a digest
DEFAULT_SIGNAL_DAYS = 7
# The refusals of the registries that the law makes binding, whoever asked for the account.
LEGAL_REASONS = frozenset({prospecting.P_REASON, prospecting.OPPOSITION_REASON})


@dataclass(frozen=True)
class Alert:
    """One event a rule matched. `payload` is what every channel renders (JSON-safe)."""

    icp: str
    rule: str
    trigger: str
    siren: str | None
    event_key: str
    channels: tuple[str, ...]
    payload: dict[str, Any]

    @property
    def key(self) -> str:
        return alert_key(self.icp, self.rule, self.siren, self.event_key)


def alert_key(icp: str, rule: str, siren: str | None, event_key: str) -> str:
    return f"{icp}/{rule}/{siren or '-'}/{event_key}"


@dataclass
class Evaluation:
    """What one evaluation of an ICP found: the alerts to send, the events refused by the screening
    (alert, reason), and whether it was the ICP's first (baseline) evaluation."""

    icp: str
    alerts: list[Alert] = field(default_factory=list)
    refused: list[tuple[Alert, str]] = field(default_factory=list)
    baseline: bool = False
    as_of: date | None = None
    scope: list[str] | None = None  # the SIRENs evaluated (a poll's); None: every lead


def evidence_link(source: str | None, source_ref: str | None, siren: str) -> str:
    """Where a seller reads the record a signal comes from: the BODACC notice, the RNE file, or
    the company's public page (SIRENE and open data)."""
    if source == "bodacc" and source_ref:
        return f"https://www.bodacc.fr/pages/annonces-commerciales-detail/?q.id=id:{source_ref}"
    if source == "inpi":
        return f"https://data.inpi.fr/entreprises/{siren}"
    return f"https://annuaire-entreprises.data.gouv.fr/entreprise/{siren}"


def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: Mapping[str, Any]) -> list[dict[str, Any]]:
    used = set(re.findall(r"\$([a-z_]+)", sql))
    cursor = con.execute(sql, {k: v for k, v in params.items() if k in used})
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def watched_sirens(con: duckdb.DuckDBPyConnection) -> set[str]:
    ensure_tables(con)
    return {s for (s,) in con.execute("SELECT siren FROM alerts.watchlist").fetchall()}


def refusals(
    con: duckdb.DuckDBPyConnection,
    sirens: Sequence[str],
    *,
    watched: set[str],
    disqualified_days: int,
    now: datetime,
) -> dict[str, str]:
    """SIREN -> why it may not alert (the export's last gate and suppression lists, read now);
    a watched SIREN only for a legal reason (LEGAL_REASONS, the suppression list), the same
    reason an unwatched one gets. Without core.companies nothing may alert (RegistryMissing)."""
    wanted = sorted(set(sirens))
    if not wanted:
        return {}
    asked = [s for s in wanted if s not in watched]
    mine = [s for s in wanted if s in watched]
    registry: dict[str, str] = {}
    if asked:
        frame = pl.DataFrame(
            {"siren": asked, "email": [None] * len(asked), "first_name": [None] * len(asked)},
            schema={"siren": pl.String, "email": pl.String, "first_name": pl.String},
        ).with_columns(last_name=pl.lit(None, pl.String))
        registry = registry_refusals(con, frame, disqualified_days=disqualified_days, now=now)
    # P and the opposition come first in the registry's precedence, so filtering keeps them whole
    legal = {s: why for s, why in prospecting.refusals(con, mine, strict=True).items() if why in LEGAL_REASONS}
    index = SuppressionIndex.load(con)
    out = {}
    for siren in asked:
        reason = registry.get(siren) or index.reason({"siren": siren})
        if reason:
            out[siren] = reason
    for siren in mine:
        reason = legal.get(siren) or index.suppression({"siren": siren})
        if reason:
            out[siren] = reason
    return out


def _lead_payload(lead: Mapping[str, Any]) -> dict[str, Any]:
    name = " ".join(p for p in (lead.get("first_name"), lead.get("last_name")) if p)
    return {
        "siren": lead["siren"],
        "company_name": lead.get("company_name"),
        "city": lead.get("city"),
        "score": lead.get("score"),
        "tier": lead.get("tier"),
        "previous_score": lead.get("previous_score"),
        "previous_tier": lead.get("previous_tier"),
        "decision_maker": {"name": name, "job_title": lead.get("job_title")} if name else None,
        "why": list(lead.get("score_reasons") or [])[:3],
    }


def _signal_payload(signal: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "type": signal["signal_type"],
        "label": signal["label"],
        "date": signal["signal_date"].isoformat(),
        "evidence": signal["evidence"],
        "link": evidence_link(signal["source"], signal["source_ref"], signal["siren"]),
    }


def _enters(rule: AlertRule, lead: Mapping[str, Any]) -> bool:
    target = TIER_RANK[str(rule.enters_tier)]
    now_rank = TIER_RANK.get(str(lead["tier"]), -1)
    before = TIER_RANK.get(str(lead["previous_tier"]), -1) if lead["known"] else -1
    return now_rank == target and before < target


def _rule_alerts(
    icp: str, rule: AlertRule, leads: list[dict[str, Any]], signals: list[dict[str, Any]], as_of: date
) -> list[Alert]:
    by_siren = {lead["siren"]: lead for lead in leads}
    channels = tuple(rule.channels)
    name, trigger = rule.rule_name, rule.trigger
    out: list[Alert] = []

    def alert(siren: str, event_key: str, payload: dict[str, Any], summary: str) -> None:
        body = {"icp": icp, "rule": name, "trigger": trigger, "event_key": event_key, "summary": summary, **payload}
        out.append(Alert(icp, name, trigger, siren, event_key, channels, body))

    if rule.enters_tier:
        for lead in leads:
            if _enters(rule, lead):
                summary = f"{lead['company_name']} is now {lead['tier']} (score {lead['score']:g})"
                alert(lead["siren"], f"{rule.enters_tier}@{as_of.isoformat()}", _lead_payload(lead), summary)
    elif rule.score_rise is not None:
        for lead in leads:
            before, now_score = lead["previous_score"], lead["score"]
            if lead["known"] and before is not None and now_score is not None and now_score - before >= rule.score_rise:
                summary = f"{lead['company_name']}: score {before:g} -> {now_score:g}"
                alert(lead["siren"], f"score:{before:g}->{now_score:g}", _lead_payload(lead), summary)
    else:  # signal_types / watched
        for sig in signals:
            wanted = (
                sig["watched"] if rule.watched else (sig["is_lead"] and sig["signal_type"] in (rule.signal_types or []))
            )
            if not wanted:
                continue
            lead = by_siren.get(sig["siren"]) or {"siren": sig["siren"], "company_name": sig["registry_name"]}
            payload = {**_lead_payload(lead), "signal": _signal_payload(sig)}
            event = f"{sig['signal_type']}:{sig['signal_date'].isoformat()}:{sig['source_ref'] or ''}"
            summary = f"{payload['company_name'] or sig['siren']}: {sig['label']}"
            alert(sig["siren"], event, payload, summary)
    return out


def _digest(
    icp: str,
    rule: AlertRule,
    leads: list[dict[str, Any]],
    signals: list[dict[str, Any]],
    refused: Mapping[str, str],
    as_of: date,
) -> Alert:
    """The day's summary of an ICP: leads per tier, the leads that became hot since yesterday, the
    strongest positive signals of yesterday and today (refused units left out)."""
    tiers = {t: sum(1 for lead in leads if lead["tier"] == t) for t in ("hot", "warm", "cold")}
    yesterday = as_of - timedelta(days=1)
    new_hot = [
        lead
        for lead in leads
        if lead["tier"] == "hot"
        and lead["siren"] not in refused
        and (
            not lead["known"]
            or lead["previous_tier"] != "hot"
            or (lead["previous_tier_since"] is not None and lead["previous_tier_since"] >= yesterday)
        )
    ]
    new_hot.sort(key=lambda lead: (-(lead["score"] or 0), lead["siren"]))
    names = {lead["siren"]: lead["company_name"] for lead in leads}
    top = sorted(
        (
            s
            for s in signals
            if s["is_lead"]
            and s["polarity"] == "positive"
            and s["signal_date"] >= yesterday
            and s["siren"] not in refused
        ),
        key=lambda s: (-(s["strength"] or 0), -s["signal_date"].toordinal(), s["siren"], s["signal_type"]),
    )
    payload = {
        "icp": icp,
        "rule": rule.rule_name,
        "trigger": "digest",
        "event_key": as_of.isoformat(),
        "date": as_of.isoformat(),
        "leads": len(leads),
        "tiers": tiers,
        "new_hot": [
            {"siren": lead["siren"], "company_name": lead["company_name"], "score": lead["score"]}
            for lead in new_hot[:DIGEST_TOP]
        ],
        "new_hot_count": len(new_hot),
        "top_signals": [
            {"siren": s["siren"], "company_name": names.get(s["siren"]), **_signal_payload(s)} for s in top[:DIGEST_TOP]
        ],
        "summary": f"{icp}: {len(leads)} leads ({tiers['hot']} hot), {len(new_hot)} new hot",
    }
    return Alert(icp, rule.rule_name, "digest", None, as_of.isoformat(), tuple(rule.channels), payload)


def evaluate(
    con: duckdb.DuckDBPyConnection,
    config: IcpConfig,
    *,
    as_of: date,
    now: datetime,
    signal_days: int = DEFAULT_SIGNAL_DAYS,
    disqualified_days: int = 90,
    sirens: Sequence[str] | None = None,
) -> Evaluation:
    """Every alert the rules of `config` give now, screened; nothing is written (record() does).

    Signals count when dated in the last `signal_days` days up to `as_of` (older ones were seen by
    earlier evaluations, or are history the baseline stood for). `sirens` (a poll's touched
    SIRENs) restricts the evaluation to them, so a poll costs its own size and not the list's; it
    gives no digest (the scheduled full evaluation does). An ICP never evaluated is evaluated
    whole even then: its baseline must cover every lead, or the next pass would alert on all of them."""
    ensure_tables(con)
    table = leads_table(config.name)
    known = con.execute("SELECT count(*) FROM alerts.lead_state WHERE icp = ?", [config.name]).fetchone()
    baseline = not (known and known[0])
    scope = sorted(set(sirens)) if sirens is not None and not baseline else None
    result = Evaluation(icp=config.name, as_of=as_of, scope=scope)
    if not config.alerts or not db.table_exists(con, table):
        return result
    params = {
        "icp": config.name,
        "as_of": as_of,
        "since": as_of - timedelta(days=signal_days),
        "scoped": scope is not None,
        "sirens": scope or [],
    }
    leads = _rows(con, render_identifiers(load_sql("alerts/current_leads"), leads=table), params)
    signals: list[dict[str, Any]] = []
    if db.table_exists(con, "core.signals"):
        companies = prospecting.COMPANIES
        if not db.table_exists(con, companies):  # names of watched non-leads: none without SIRENE
            con.execute("CREATE OR REPLACE TEMP TABLE alerts_no_companies (siren VARCHAR, name VARCHAR)")
            companies = "alerts_no_companies"
        sql = render_identifiers(load_sql("alerts/recent_signals"), leads=table, companies=companies)
        signals = _rows(con, sql, params)
    result.baseline = baseline
    watched = watched_sirens(con)
    candidates = [
        a for rule in config.alerts if not rule.digest for a in _rule_alerts(config.name, rule, leads, signals, as_of)
    ]
    sirens = [a.siren for a in candidates if a.siren] + [lead["siren"] for lead in leads]
    refused = refusals(con, sirens, watched=watched, disqualified_days=disqualified_days, now=now)
    for a in candidates:
        if a.siren in refused:
            result.refused.append((a, refused[a.siren]))
        else:
            result.alerts.append(a)
    if scope is None:
        result.alerts += [_digest(config.name, r, leads, signals, refused, as_of) for r in config.alerts if r.digest]
    return result
