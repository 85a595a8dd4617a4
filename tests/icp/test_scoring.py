"""Fit, intent (decay arithmetic), tiers, reasons, BANT and the contact chosen, with exact values."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from firmo.icp import parse_icp, preview, resolve
from tests.icp.warehouse import AS_OF, build_warehouse, company, officer, signal


def leads(con, data: dict) -> dict[str, dict]:
    icp = resolve(parse_icp(data, default_name="t"))
    return {row["siren"]: row for row in preview(con, icp, as_of=AS_OF, top=100).top.iter_rows(named=True)}


def days(n: int) -> date:
    return AS_OF - timedelta(days=n)


SIGNAL_CASES = {  # siren -> (signals, expected intent with half-life 30 days, new_decision_maker weight 40)
    "000000001": ([("new_decision_maker", 30, 1.0, False)], 20),                  # one half-life: 40 / 2
    "000000002": ([("new_decision_maker", 60, 1.0, False)], 10),                  # two half-lives: 40 / 4
    "000000003": ([("new_decision_maker", 30, 1.0, False), ("new_decision_maker", 60, 1.0, False)], 30),
    "000000004": ([("new_decision_maker", 45, 1.0, False)], 14),                  # 40 * 0.5^1.5 = 14.14
    "000000005": ([("new_decision_maker", 0, 0.5, False)], 20),                   # strength halves it
    "000000006": ([("new_decision_maker", -5, 1.0, False)], 0),                   # after as_of: ignored
    "000000007": ([("new_decision_maker", 0, 1.0, False), ("headcount_down", 30, 1.0, True)], 30),  # 40 - 20/2
    "000000008": ([("headcount_down", 0, 1.0, True)], 0),                         # never below 0
    "000000009": ([("new_decision_maker", 0, 1.0, False), ("capital_increase", 0, 1.0, False),
                   ("headcount_up", 0, 1.0, False)], 100),                        # 40 + 40 + 30, capped
}
DECAY_ICP = {"criteria": {"decision_makers": []},
             "scoring": {"half_life_days": 30, "signal_weights": {"new_decision_maker": 40, "capital_increase": 40}}}


@pytest.fixture()
def signals_warehouse(con):
    rows = [signal(siren, kind, days(age), strength=strength, negative=neg)
            for siren, (sigs, _) in SIGNAL_CASES.items() for kind, age, strength, neg in sigs]
    build_warehouse(con, [company(s) for s in SIGNAL_CASES], signals=rows)
    return con


def test_intent_decays_by_half_life_and_negative_signals_subtract(signals_warehouse):
    got = leads(signals_warehouse, DECAY_ICP)
    assert {s: r["intent_score"] for s, r in got.items()} == {s: v for s, (_, v) in SIGNAL_CASES.items()}
    assert {r["fit_score"] for r in got.values()} == {100}  # no graded criterion set: fit is full


def test_combined_score_and_tiers(signals_warehouse):
    got = leads(signals_warehouse, DECAY_ICP)   # score = 0.6 * 100 + 0.4 * intent; hot >= 70, warm >= 45
    assert {s: (r["score"], r["tier"]) for s, r in got.items()} == {
        "000000001": (68, "warm"), "000000002": (64, "warm"), "000000003": (72, "hot"), "000000004": (66, "warm"),
        "000000005": (68, "warm"), "000000006": (60, "warm"), "000000007": (72, "hot"), "000000008": (60, "warm"),
        "000000009": (100, "hot"),
    }
    strict = {**DECAY_ICP, "scoring": {**DECAY_ICP["scoring"], "fit_share": 0.5, "tiers": {"hot": 65, "warm": 60}}}
    got = leads(signals_warehouse, strict)      # score = 50 + intent / 2
    assert {s: (r["score"], r["tier"]) for s, r in got.items() if s in ("000000001", "000000003", "000000002")} == {
        "000000001": (60, "warm"), "000000003": (65, "hot"), "000000002": (55, "cold"),
    }
    # rank: score, then fit, then intent, then siren
    assert [s for s, _ in sorted(got.items(), key=lambda kv: kv[1]["rank"])][:3] == ["000000009", "000000003", "000000007"]


def test_signal_reasons_are_the_three_strongest_with_their_age(signals_warehouse):
    got = leads(signals_warehouse, DECAY_ICP)
    assert got["000000003"]["score_reasons"] == ["new decision maker 4 weeks ago", "new decision maker 2 months ago"]
    assert got["000000007"]["score_reasons"] == ["new decision maker today", "headcount down 4 weeks ago (negative)"]
    assert got["000000009"]["score_reasons"] == ["capital increase today", "new decision maker today", "headcount up today"]
    assert got["000000007"]["bant_timing"] == "last signal today (intent 30/100)"
    assert got["000000008"]["bant_timing"] == "no recent signal (intent 0/100)"
    assert got["000000009"]["bant_need"] == "sector not targeted, 3 buying signals"


SAME_EVENT_CASES = {  # siren -> (signals as (age in days, source, label), expected intent: half-life 30, weight 40)
    "000000021": ([(30, "inpi", "new Gérant"), (16, "bodacc", "new Gérant")], 20),    # BODACC tells it again
    "000000022": ([(30, "bodacc", "new Gérant"), (30, "inpi", "new Gérant")], 20),    # same day: once
    "000000023": ([(90, "inpi", "new Gérant"), (30, "bodacc", "new Gérant")], 25),    # 60 days apart: two events
    "000000024": ([(30, "inpi", "new Président"), (30, "inpi", "new Directeur général")], 40),  # two people
}


def test_one_event_told_by_two_registries_counts_once(con):
    rows = [signal(siren, "new_decision_maker", days(age), source=source, label=label)
            for siren, (sigs, _) in SAME_EVENT_CASES.items() for age, source, label in sigs]
    build_warehouse(con, [company(s) for s in SAME_EVENT_CASES], signals=rows)
    got = leads(con, DECAY_ICP)
    assert {s: r["intent_score"] for s, r in got.items()} == {s: v for s, (_, v) in SAME_EVENT_CASES.items()}
    assert got["000000021"]["score_reasons"] == ["new Gérant 4 weeks ago"]
    assert got["000000023"]["score_reasons"] == ["new Gérant 4 weeks ago", "new Gérant 3 months ago"]
    # core.signals keeps both reports as evidence
    assert con.execute("SELECT count(*) FROM core.signals WHERE siren = '000000021'").fetchall()[0][0] == 2


@pytest.fixture()
def fit_warehouse(con):
    build_warehouse(
        con,
        [company("000000001"), company("000000002", naf="62.02A", band="11", commune="69123")],
        signals=[signal("000000001", "new_decision_maker", days(12), label="new Directeur Général")],
        officers=[officer("000000001", "53", "Directeur Général", given="Anne Sophie", family="NOIR"),
                  officer("000000001", "73", "Président de SAS", given="Paul", family="DURAND")],
        revenues={"000000001": 2_300_000},
    )
    return con


FIT_ICP = {"criteria": {"naf": {"include": ["62.01Z", "J"]}, "headcount": {"min": 15, "max": 100},
                        "revenue": {"min": 1_000_000}}}


def test_fit_is_the_weighted_mean_of_graded_criteria(fit_warehouse):
    got = leads(fit_warehouse, FIT_ICP)
    # 1: every criterion full: fit 100; intent 45 * 0.5^(12/90) = 41.03 -> 41; score 60 + 16.4 = 76 (hot)
    assert (got["000000001"]["fit_score"], got["000000001"]["intent_score"], got["000000001"]["score"],
            got["000000001"]["tier"]) == (100, 41, 76, "hot")
    # 2: NAF by section (70 x 40) + band partly in range (50 x 25) + no target role (0 x 15), revenue
    # unknown does not count: 4050 / 80 = 50.6, minus the default 15-point penalty -> 36; score 21.6 -> 22
    assert (got["000000002"]["fit_score"], got["000000002"]["score"], got["000000002"]["tier"]) == (36, 22, "cold")
    keep = {"criteria": {**FIT_ICP["criteria"], "revenue": {"min": 1_000_000, "unknown": "keep"}}}
    kept = leads(fit_warehouse, keep)["000000002"]
    assert (kept["fit_score"], kept["score_reasons"][2]) == (51, "revenue unknown")
    custom = {"criteria": {**FIT_ICP["criteria"], "revenue": {"min": 1_000_000, "penalty": 30}}}
    assert leads(fit_warehouse, custom)["000000002"]["fit_score"] == 21
    assert set(leads(fit_warehouse, {"criteria": {**FIT_ICP["criteria"],
                                                  "revenue": {"min": 1_000_000, "unknown": "drop"}}})) == {"000000001"}


def test_reasons_bant_and_contact(fit_warehouse):
    got = leads(fit_warehouse, FIT_ICP)
    first, second = got["000000001"], got["000000002"]
    assert first["score_reasons"] == ["NAF 62.01Z in target", "20 à 49 salariés in range", "revenue €2.3M in range",
                                      "new Directeur Général 12 days ago"]
    assert (first["first_name"], first["last_name"], first["job_title"], first["role_code"], first["officer_kind"]) == (
        "Paul", "DURAND", "Président de SAS", "73", "person")
    assert (first["bant_budget"], first["bant_authority"], first["bant_need"]) == (
        "€2.3M revenue (FY2024)", "Président de SAS (target role #1)", "NAF 62.01Z in target, 1 buying signal")
    assert second["score_reasons"] == ["NAF 62.02A in section J", "10 à 19 salariés partly in range",
                                       "revenue unknown (-15)", "no target decision maker on file"]
    assert (second["bant_budget"], second["bant_authority"]) == ("revenue unknown", "no target decision maker on file")
    dg_first = leads(fit_warehouse, {"criteria": {**FIT_ICP["criteria"], "decision_makers": ["Directeur général", "Président"]}})
    row = dg_first["000000001"]
    assert (row["first_name"], row["last_name"], row["job_title"], row["bant_authority"]) == (
        "Anne", "NOIR", "Directeur Général", "Directeur Général (target role #1)")


def test_contact_prefers_priority_then_person_then_most_recent(con):
    build_warehouse(con, [company("000000001")], officers=[
        officer("000000001", "73", "Président de SAS", family="HOLDING SAS", kind="company", start=date(2024, 1, 1)),
        officer("000000001", "73", "Président de SAS", given="Old", family="ANCIEN", start=date(2010, 1, 1), active=False),
        officer("000000001", "73", "Président de SAS", given="Marc", family="BLANC", start=date(2019, 1, 1)),
        officer("000000001", "73", "Président de SAS", given="Zoé", family="VERT", start=date(2021, 1, 1)),
        officer("000000001", "30", "Gérant", given="Ali", family="ROUX", start=date(2024, 5, 1)),
    ])
    row = leads(con, {"criteria": {"decision_makers": ["Président", "Gérant"]}})["000000001"]
    assert (row["first_name"], row["last_name"], row["fit_score"]) == ("Zoé", "VERT", 100)
    row = leads(con, {"criteria": {"decision_makers": ["Gérant", "Président"]}})["000000001"]
    assert (row["first_name"], row["last_name"]) == ("Ali", "ROUX")
    # authority: second target role -> 80
    row = leads(con, {"criteria": {"decision_makers": ["Directeur général", "Président"]}})["000000001"]
    assert (row["last_name"], row["fit_score"], row["bant_authority"]) == ("VERT", 80, "Président de SAS (target role #2)")


def test_officer_with_two_roles_is_found_by_either_and_counted_once(con):
    """A PCA who is also DG (RNE label "Président du conseil d'administration,Directeur général"):
    one officer, role_code 53, role_codes [53, 51]."""
    both = "Directeur Général, Président du conseil d'administration"
    build_warehouse(con, [company("000000001"), company("000000002")], officers=[
        officer("000000001", "53", both, given="Anne", family="NOIR", role_codes=["53", "51"]),
        officer("000000002", "53", "Directeur Général", given="Paul", family="BLANC"),
    ])  # fmt: skip
    assert con.execute("SELECT siren, officer_role_codes FROM core.prospects ORDER BY siren").fetchall() == [
        ("000000001", ["51", "53"]), ("000000002", ["53"])]
    rows = leads(con, {"criteria": {"decision_makers": ["Président"]}})
    assert (rows["000000001"]["last_name"], rows["000000001"]["role_code"], rows["000000001"]["job_title"],
            rows["000000001"]["bant_authority"]) == ("NOIR", "51", both, both + " (target role #1)")
    assert (rows["000000002"]["last_name"], rows["000000002"]["bant_authority"]) == (None, "no target decision maker on file")
    rows = leads(con, {"criteria": {"decision_makers": ["Directeur général"]}})
    assert [(rows[s]["last_name"], rows[s]["role_code"]) for s in sorted(rows)] == [("NOIR", "53"), ("BLANC", "53")]
