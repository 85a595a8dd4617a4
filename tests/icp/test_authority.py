"""Authority by who the contact is (firmo.icp.authority): a person officer before a person found
behind a holding before a company as officer, configurable weights, the persona ICPs' scale,
the re-grading once a persona is found, and the persona entries of criteria.decision_makers."""

from __future__ import annotations

import pytest

from firmo.icp import IcpError, parse_icp, preview, resolve
from firmo.icp.authority import AuthorityPlan, regrade, scaled_weights
from firmo.personas import Persona
from tests.icp.warehouse import AS_OF, build_warehouse, company, officer

ROLES = ["Président", "Directeur général"]


def leads(con, data: dict) -> dict[str, dict]:
    icp = resolve(parse_icp(data, default_name="t"))
    return {row["siren"]: row for row in preview(con, icp, as_of=AS_OF, top=100).top.iter_rows(named=True)}


def holding_officer(siren: str, role_code: str, role_label: str, given: str, family: str, via: str) -> dict:
    """A natural person found behind a company officer (kind 'holding'), as the look-through writes it."""
    row = officer(siren, role_code, role_label)
    return {**row, "officer_kind": "holding", "given_names": given, "family_name": family, "company_officer_name": via}


@pytest.fixture()
def bases(con):
    build_warehouse(con, [company(f"00000000{i}") for i in range(1, 5)], officers=[
        # 1: a company holds the first role, a person the second: the person is the contact
        officer("000000001", "73", "Président de SAS", family="SCI PONS", kind="company"),
        officer("000000001", "53", "Directeur Général", given="Anne", family="NOIR"),
        # 2: only a company
        officer("000000002", "73", "Président de SAS", family="HOLDING DUPONT SAS", kind="company"),
        # 3: a person behind the holding, and the holding itself
        officer("000000003", "73", "Président de SAS", family="HOLDING DUPONT SAS", kind="company"),
        holding_officer("000000003", "73", "Président de SAS", "Jean", "DUPONT", "HOLDING DUPONT SAS"),
        # 4: a person Président
        officer("000000004", "73", "Président de SAS", given="Zoé", family="VERT"),
    ])  # fmt: skip
    return con


def test_contact_and_points_by_basis(bases):
    got = leads(bases, {"criteria": {"decision_makers": ROLES}})
    view = {s: (r["contact_basis"], r["first_name"], r["last_name"], r["authority_fit"], r["fit_score"])
            for s, r in got.items()}  # fmt: skip
    # weights officer 80, holding 60, company 20, scaled by 100/80 (no persona listed): 100, 75, 25;
    # x the role factor (first role 100 %, second 80 %); the only graded criterion: fit = points
    assert view == {
        "000000001": ("officer", "Anne", "NOIR", 80, 80),  # person DG (2nd role) 80 > company Président 25
        "000000002": ("company", None, "HOLDING DUPONT SAS", 25, 25),
        "000000003": ("holding", "Jean", "DUPONT", 75, 75),
        "000000004": ("officer", "Zoé", "VERT", 100, 100),
    }
    assert got["000000002"]["bant_authority"] == (
        "HOLDING DUPONT SAS, Président de SAS (a company as officer, target role #1)")
    assert got["000000003"]["bant_authority"] == "Président de SAS (through a holding, target role #1)"
    assert got["000000001"]["bant_authority"] == "Directeur Général (target role #2)"
    assert {r["authority_share"] for r in got.values()} == {1.0}


def test_weights_are_configurable(bases):
    custom = {"criteria": {"decision_makers": ROLES},
              "scoring": {"authority_weights": {"officer": 50, "holding": 50, "company": 100}}}
    got = leads(bases, custom)
    # company 100 is the best basis now: company Président (100) beats the person DG (50 x 80 % = 40)
    assert [(s, got[s]["contact_basis"], got[s]["authority_fit"]) for s in sorted(got)] == [
        ("000000001", "company", 100), ("000000002", "company", 100), ("000000003", "company", 100),
        ("000000004", "officer", 50)]


def test_an_icp_with_personas_keeps_100_for_the_persona(bases):
    icp = {"criteria": {"decision_makers": [{"function": "finance", "seniority": "head"}, *ROLES]}}
    got = leads(bases, icp)
    # unscaled: persona 100 is reachable, so the legal officer gets 80 until the waterfall finds the persona
    assert [(s, got[s]["authority_fit"]) for s in sorted(got)] == [
        ("000000001", 64), ("000000002", 20), ("000000003", 60), ("000000004", 80)]
    resolved = resolve(parse_icp(icp, default_name="t"))
    assert resolved.personas == [Persona("finance", "head")]
    assert resolved.role_names == ROLES
    # personas only: the default roles are the legal-officer fallback
    only = resolve(parse_icp({"criteria": {"decision_makers": [{"function": "hr"}]}}, default_name="t"))
    assert (only.personas, only.role_names) == ([Persona("hr", "head")], ["Président", "Directeur général", "Gérant"])


def test_scaled_weights():
    w = {"persona": 100, "officer": 80, "holding": 60, "company": 20}
    assert scaled_weights(w, True) == {"persona": 100.0, "officer": 80.0, "holding": 60.0, "company": 20.0}
    assert scaled_weights(w, False) == {"persona": 125.0, "officer": 100.0, "holding": 75.0, "company": 25.0}


def test_regrade_once_the_persona_is_found():
    plan = AuthorityPlan("t", (Persona("finance", "head"), Persona("hr", "any")), 100.0, 0.5, 65, 45)
    lead = {"fit_score": 70, "intent_score": 40, "authority_fit": 80, "authority_share": 0.2}
    # fit 70 + 0.2 x (100 - 80) = 74; score 0.5 x 74 + 0.5 x 40 = 57 -> warm
    assert regrade(lead, plan, 1, "DAF") == {
        "contact_basis": "persona", "bant_authority": "DAF (persona #1: finance head)",
        "authority_fit": 100, "fit_score": 74, "score": 57, "tier": "warm"}
    # second persona: 80 points, nothing gained over the officer
    assert regrade(lead, plan, 2, "Responsable RH")["fit_score"] == 70
    # authority not graded (no decision makers): scores kept
    assert regrade({"fit_score": 70, "authority_share": None}, plan, 1, None) == {
        "contact_basis": "persona", "bant_authority": "finance head (persona #1: finance head)"}


@pytest.mark.parametrize(("entry", "message"), [
    ({"function": "fiance"}, "criteria.decision_makers: item 2: unknown persona function 'fiance' (did you mean "
                             "'finance'?); known: hr, finance, sales, marketing, it, purchasing, operations, "
                             "general_management"),
    ({"function": "hr", "seniority": "chief"}, "criteria.decision_makers: item 2: unknown persona seniority 'chief'; "
                                               "known: head, manager, any"),
    ({"fonction": "hr"}, "criteria.decision_makers: item 2: unknown persona key 'fonction' (did you mean "
                         "'function'?); allowed: function, seniority"),
])  # fmt: skip
def test_bad_personas_are_one_line_each_with_a_suggestion(entry, message):
    with pytest.raises(IcpError) as err:
        parse_icp({"criteria": {"decision_makers": ["Gérant", entry]}}, default_name="t")
    assert err.value.errors == [message]


def test_existing_role_lists_read_as_before():
    c = parse_icp({"criteria": {"decision_makers": ["Président", 30]}}, default_name="t").criteria
    assert (c.decision_makers, c.personas, c.roles) == (["Président", "30"], [], ["Président", "30"])
