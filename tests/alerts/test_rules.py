"""Alert rules on a lead list: the first evaluation is a silent baseline, then each rule fires once
per event (re-runs add nothing), P, opposed, suppressed and customer units stay silent, and a
watched account alerts below the thresholds but still goes through the legal screening (P,
RNE opposition, suppression list)."""

from __future__ import annotations

from datetime import timedelta

from firmo.alerts import watchlist
from firmo.alerts.outbox import record
from firmo.alerts.rules import evaluate
from firmo.compliance.suppression import add_customers, entry, insert_suppressions

from .conftest import AS_OF, NOW, icp, leads, signal

RULES = [
    {"enters_tier": "hot", "channels": ["slack", "webhook"]},
    {"score_rise": 10},
    {"signal_types": ["new_decision_maker"], "channels": ["email"]},
    {"watched": True},
]


def _run(con, config, day=AS_OF):
    ev = evaluate(con, config, as_of=day, now=NOW, signal_days=7)
    return ev, record(con, ev, now=NOW)


def _outbox(con):
    return con.execute("SELECT key, channel, state, attempts FROM alerts.outbox ORDER BY key, channel").fetchall()


def test_baseline_then_each_event_once(con):
    config = icp(RULES)
    leads(con, [("100000001", 72, "hot"), ("100000002", 50, "warm"), ("100000003", 30, "cold")])
    signal(con, "100000001", "new_decision_maker", AS_OF - timedelta(days=2), "A1")
    ev, rec = _run(con, config)
    assert ev.baseline and (rec.alerted, rec.baseline) == (0, 2)  # alpha enters hot, alpha's signal
    assert _outbox(con) == []

    # next day: beta becomes hot (+25), gamma rises 12 points, a new signal on gamma
    day = AS_OF + timedelta(days=1)
    leads(con, [("100000001", 72, "hot"), ("100000002", 75, "hot"), ("100000003", 42, "cold")])
    signal(con, "100000003", "new_decision_maker", day, "G1")
    ev, rec = _run(con, config, day)
    assert not ev.baseline
    assert rec.per_rule == {"enters_tier_hot": 1, "score_rise_10": 2, "signal_new_decision_maker": 1}
    assert rec.already_seen == 1  # alpha's signal, seen by the baseline
    assert _outbox(con) == [
        ("acme/enters_tier_hot/100000002/hot@2026-03-11", "slack", "pending", 0),
        ("acme/enters_tier_hot/100000002/hot@2026-03-11", "webhook", "pending", 0),
        ("acme/score_rise_10/100000002/score:50->75", "slack", "pending", 0),
        ("acme/score_rise_10/100000003/score:30->42", "slack", "pending", 0),
        ("acme/signal_new_decision_maker/100000003/new_decision_maker:2026-03-11:G1", "email", "pending", 0),
    ]
    payload = ev.alerts[-1].payload
    assert payload["signal"] == {
        "type": "new_decision_maker",
        "label": "new decision maker",
        "date": "2026-03-11",
        "evidence": "BODACC B n°G1",
        "link": "https://www.bodacc.fr/pages/annonces-commerciales-detail/?q.id=id:G1",
    }
    assert payload["decision_maker"] == {"name": "Jeanne Martin", "job_title": "Présidente"}
    assert (payload["company_name"], payload["score"], payload["tier"]) == ("GAMMA SA", 42.0, "cold")

    # a re-run of the same day: the state moved on and the keys are known, nothing new
    ev, rec = _run(con, config, day)
    assert (rec.alerted, rec.already_seen) == (0, 2) and len(_outbox(con)) == 5  # the two signals


def _oppose_and_suppress(con, *, opposed: str, suppressed: str) -> None:
    """`opposed` opposed at the RNE (diffusionCommerciale false), `suppressed` on the suppression list."""
    con.execute("CREATE SCHEMA IF NOT EXISTS inpi")
    con.execute("CREATE TABLE inpi.companies (siren VARCHAR, diffusion_commerciale BOOLEAN)")
    con.execute("INSERT INTO inpi.companies VALUES (?, false)", [opposed])
    insert_suppressions(con, [entry("siren", suppressed, "asked to be left alone")], NOW)


def test_screened_units_stay_silent_watched_or_not(con):
    """The watched P unit (DELTA) is refused with the reason an unwatched one gets: until the
    legal screening applied to the watchlist, it alerted."""
    config = icp(RULES)
    leads(con, [("100000001", 40, "warm"), ("100000005", 40, "warm")])
    _run(con, config)  # baseline
    _oppose_and_suppress(con, opposed="100000001", suppressed="100000005")
    day = AS_OF + timedelta(days=1)
    for siren in ("100000001", "100000005", "100000004", "100000006"):
        signal(con, siren, "new_decision_maker", day, f"S{siren[-1]}")
    watchlist.add(con, ["100000004", "100000006"], source="manual", now=NOW)  # a P unit, a non-lead
    ev, rec = _run(con, config, day)
    assert sorted((a.siren, why) for a, why in ev.refused) == [
        ("100000001", "opposition to commercial use (RNE)"),
        ("100000004", "non-diffusible unit (SIRENE statut P)"),
        ("100000005", "suppressed: asked to be left alone"),
    ]
    assert sorted((a.rule, a.siren) for a in ev.alerts) == [("watched", "100000006")]
    zeta = next(a for a in ev.alerts if a.siren == "100000006").payload
    assert (zeta["company_name"], zeta["score"], zeta["tier"]) == ("ZETA SAS", None, None)
    assert (rec.alerted, rec.refused) == (1, 3)
    outcomes = con.execute(
        "SELECT siren, outcome FROM alerts.events WHERE seen_at = ? AND outcome <> 'baseline' ORDER BY siren", [NOW]
    ).fetchall()
    assert outcomes == [
        ("100000001", "refused: opposition to commercial use (RNE)"),
        ("100000004", "refused: non-diffusible unit (SIRENE statut P)"),
        ("100000005", "refused: suppressed: asked to be left alone"),
        ("100000006", "alerted"),
    ]


SOLE_TRADER = "100000007"  # a natural person, SIRENE statut P: identity and address not diffused


def test_watched_accounts_keep_the_legal_screening(con):
    """Watching lifts the thresholds and the business refusals, never the legal ones: a watched P
    sole trader is refused with the reason an unwatched P lead gets, and so are a watched opposed
    and a watched suppressed unit; a watched customer and a watched cold lead alert."""
    con.execute("INSERT INTO core.companies VALUES (?, 'MARTIN JEANNE', false, true)", [SOLE_TRADER])
    config = icp([{"enters_tier": "hot"}, {"signal_types": ["new_decision_maker"]}, {"watched": True}])
    leads(con, [("100000001", 20, "cold"), ("100000004", 40, "warm")])
    _run(con, config)  # baseline
    _oppose_and_suppress(con, opposed="100000002", suppressed="100000003")
    add_customers(con, [("siren", "100000005", "EPSILON SAS")], now=NOW)
    day = AS_OF + timedelta(days=1)
    for siren in ("100000001", "100000002", "100000003", "100000004", "100000005", SOLE_TRADER):
        signal(con, siren, "new_decision_maker", day, f"S{siren[-1]}")
    watched = ["100000001", "100000002", "100000003", "100000005", SOLE_TRADER]  # not DELTA, the P lead
    watchlist.add(con, watched, source="manual", now=NOW)
    ev, rec = _run(con, config, day)
    assert sorted((a.rule, a.siren, why) for a, why in ev.refused) == [
        ("signal_new_decision_maker", "100000004", "non-diffusible unit (SIRENE statut P)"),  # unwatched P
        ("watched", "100000002", "opposition to commercial use (RNE)"),
        ("watched", "100000003", "suppressed: asked to be left alone"),
        ("watched", SOLE_TRADER, "non-diffusible unit (SIRENE statut P)"),  # watched P: the same refusal
    ]
    assert sorted((a.rule, a.siren) for a in ev.alerts) == [
        ("signal_new_decision_maker", "100000001"),  # a cold lead: signal rules have no tier threshold
        ("watched", "100000001"),  # cold, score 20: watched, so below every threshold
        ("watched", "100000005"),  # a customer: a business refusal, which watching lifts
    ]
    assert (rec.alerted, rec.refused) == (3, 4)
    assert con.execute(
        "SELECT rule, siren, outcome FROM alerts.events WHERE seen_at = ? AND outcome LIKE 'refused%' ORDER BY siren",
        [NOW],
    ).fetchall() == [
        ("watched", "100000002", "refused: opposition to commercial use (RNE)"),
        ("watched", "100000003", "refused: suppressed: asked to be left alone"),
        ("signal_new_decision_maker", "100000004", "refused: non-diffusible unit (SIRENE statut P)"),
        ("watched", SOLE_TRADER, "refused: non-diffusible unit (SIRENE statut P)"),
    ]


def test_digest(con):
    config = icp([{"digest": "daily", "channels": ["email"]}])
    leads(con, [("100000001", 72, "hot"), ("100000002", 50, "warm"), ("100000003", 30, "cold")])
    signal(con, "100000002", "capital_increase", AS_OF, "C1")
    signal(con, "100000003", "new_establishment", AS_OF - timedelta(days=3), "E1")  # older than yesterday
    ev, rec = _run(con, config)
    assert rec.alerted == 1  # the digest is not held back by the baseline
    [digest] = ev.alerts
    assert digest.key == "acme/digest_daily/-/2026-03-10"
    p = digest.payload
    assert (p["leads"], p["tiers"], p["new_hot_count"]) == (3, {"hot": 1, "warm": 1, "cold": 1}, 1)
    assert p["new_hot"] == [{"siren": "100000001", "company_name": "ALPHA SAS", "score": 72.0}]
    assert [(s["siren"], s["type"]) for s in p["top_signals"]] == [("100000002", "capital_increase")]
    _, again = _run(con, config)
    assert (again.alerted, again.already_seen) == (0, 1)


def test_watchlist_file_and_crm(con, tmp_path):
    csv = tmp_path / "accounts.csv"
    csv.write_text("name,siret\nAlpha,10000000100012\nBeta,100000002\n", encoding="utf-8")
    assert watchlist.add(con, watchlist.read_csv_sirens(csv), source="file:accounts.csv", now=NOW) == 2
    assert watchlist.add(con, ["100000001", "100000003"], source="manual", now=NOW) == 1
    assert watchlist.remove(con, ["100000002"]) == 1
    assert watchlist.entries(con) == [("100000001", "file:accounts.csv", NOW), ("100000003", "manual", NOW)]


def test_forget_reaches_the_alerts(con):
    from firmo.compliance.forget import forget

    config = icp([{"watched": True}])
    leads(con, [("100000001", 40, "warm")])
    _run(con, config)
    watchlist.add(con, ["100000001"], source="manual", now=NOW)
    signal(con, "100000001", "capital_increase", AS_OF, "K1")
    _run(con, config, AS_OF)  # the state exists now: not a baseline
    assert len(_outbox(con)) == 1
    result = forget(con, "100000001", now=NOW)
    assert {k: v for k, v in result.erased.items() if k.startswith("alerts.")} == {
        "alerts.outbox.siren": 1,
        "alerts.events.siren": 1,
        "alerts.lead_state.siren": 1,
        "alerts.watchlist.siren": 1,
    }
    ev, _ = _run(con, config, AS_OF)
    assert (ev.alerts, ev.refused) == ([], [])  # no longer watched, and suppressed
    assert watchlist.entries(con) == []


def test_retention_purges_old_outbox_rows(con):
    from datetime import datetime

    from firmo.alerts.tables import ensure_tables
    from firmo.compliance.retention import purge_expired

    ensure_tables(con)
    for key, created in (("old", datetime(2022, 3, 1)), ("recent", datetime(2025, 3, 1))):
        con.execute(
            "INSERT INTO alerts.outbox VALUES (?, 'slack', 'acme', 'watched', '100000001', '{}', 'sent', 1, NULL, ?, ?)",
            [key, created, created],
        )
    assert purge_expired(con, now=NOW)["alerts.outbox[row]"] == 1
    assert con.execute("SELECT key FROM alerts.outbox").fetchall() == [("recent",)]


def test_a_poll_evaluates_its_touched_sirens_only(con):
    config = icp([*RULES, {"digest": "daily", "channels": ["email"]}])
    leads(con, [("100000001", 50, "warm"), ("100000002", 50, "warm")])
    # the first evaluation is whole even when scoped: a baseline of only the touched SIRENs would
    # make the next pass alert on every other lead
    ev, rec = _run_scoped(con, config, ["100000001"])
    assert (ev.baseline, ev.scope) == (True, None)
    day = AS_OF + timedelta(days=1)
    leads(con, [("100000001", 75, "hot"), ("100000002", 75, "hot")])
    signal(con, "100000002", "new_decision_maker", day, "B1")
    ev, rec = _run_scoped(con, config, ["100000001"], day)
    assert ev.scope == ["100000001"]
    assert sorted(a.key for a in ev.alerts) == [  # no digest, nothing about beta
        "acme/enters_tier_hot/100000001/hot@2026-03-11",
        "acme/score_rise_10/100000001/score:50->75",
    ]
    # beta's state is the one its last evaluation saw, so the next full pass still sees its rise
    assert con.execute("SELECT siren, score, tier FROM alerts.lead_state ORDER BY siren").fetchall() == [
        ("100000001", 75.0, "hot"),
        ("100000002", 50.0, "warm"),
    ]
    ev, rec = _run(con, config, day)
    assert rec.per_rule == {"enters_tier_hot": 1, "score_rise_10": 1, "signal_new_decision_maker": 1, "digest_daily": 1}


def _run_scoped(con, config, sirens, day=AS_OF):
    ev = evaluate(con, config, as_of=day, now=NOW, signal_days=7, sirens=sirens)
    return ev, record(con, ev, now=NOW)


def test_retention_purges_old_events_and_lead_state_with_their_outbox(con):
    """Events go on the outbox's horizon (seen_at = the outbox rows' created_at), lead_state on its
    last update; a row exactly 3 years old (the cutoff, 2023-03-10 09:00) is kept."""
    from datetime import datetime

    from firmo.alerts.tables import ensure_tables
    from firmo.compliance.retention import purge_expired

    ensure_tables(con)
    old, edge, recent = datetime(2023, 3, 10, 8, 59), datetime(2023, 3, 10, 9, 0), datetime(2025, 3, 1)
    for key, seen, outcome in (
        ("acme/r/1/a", old, "alerted"),
        ("acme/r/2/b", edge, "baseline"),
        ("acme/r/3/c", recent, "refused: P"),
    ):
        con.execute(
            "INSERT INTO alerts.events VALUES (?, 'acme', 'r', ?, ?, ?, ?)",
            [key, key.split("/")[2], key[-1], outcome, seen],
        )
    con.execute(
        "INSERT INTO alerts.outbox VALUES ('acme/r/1/a', 'slack', 'acme', 'r', '1', '{}', 'sent', 1, NULL, ?, ?)",
        [old, old],
    )
    for siren, updated in (("100000001", old), ("100000002", edge), ("100000003", recent)):
        con.execute(
            "INSERT INTO alerts.lead_state VALUES ('acme', ?, 50.0, 'warm', DATE '2023-01-01', ?)", [siren, updated]
        )
    done = purge_expired(con, now=NOW)
    assert (done["alerts.outbox[row]"], done["alerts.events[row]"], done["alerts.lead_state[row]"]) == (1, 1, 1)
    assert con.execute("SELECT key, outcome FROM alerts.events ORDER BY key").fetchall() == [
        ("acme/r/2/b", "baseline"),
        ("acme/r/3/c", "refused: P"),
    ]
    assert con.execute("SELECT count(*) FROM alerts.outbox").fetchall() == [(0,)]
    assert con.execute("SELECT siren FROM alerts.lead_state ORDER BY siren").fetchall() == [
        ("100000002",),
        ("100000003",),
    ]
