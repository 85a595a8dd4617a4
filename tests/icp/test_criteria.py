"""Each criterion alone and combined, on the hand-built universe (tests/icp/conftest.py)."""

from __future__ import annotations

from datetime import date

import pytest

from firmo.icp import parse_icp, preview, resolve
from tests.icp.warehouse import AS_OF, build_warehouse, company


def selected(con, criteria: dict, **extra) -> set[str]:
    icp = resolve(parse_icp({"criteria": criteria, **extra}, default_name="t"))
    return set(preview(con, icp, as_of=AS_OF, top=100).top["siren"].to_list())


def ids(*numbers: int) -> set[str]:
    return {f"{n:09d}" for n in numbers}


def test_no_criteria_selects_active_diffusible_without_proceedings_or_closure(universe):
    assert selected(universe, {}) == ids(1, 2, 3, 4, 5, 8)


@pytest.mark.parametrize("naf, expected", [
    ({"include": ["62"]}, ids(1, 2)),
    ({"include": ["62.01Z"]}, ids(1)),
    ({"include": ["6202a"]}, ids(2)),
    ({"include": ["62.0"]}, ids(1, 2)),
    ({"include": ["J"]}, ids(1, 2, 8)),
    ({"include": ["62.01Z", "M"]}, ids(1, 5)),
    ({"include": ["J"], "exclude": ["62.02A"]}, ids(1, 8)),
    ({"exclude": ["62"]}, ids(3, 4, 5, 8)),
    ({"exclude": ["G", "F"]}, ids(1, 2, 5, 8)),
])
def test_naf(universe, naf, expected):
    assert selected(universe, {"naf": naf}) == expected


@pytest.mark.parametrize("headcount, expected", [
    ({"min": 10, "max": 49}, ids(1, 2)),
    ({"min": 15, "max": 30}, ids(1, 2)),       # bands 10-19 and 20-49 both overlap
    ({"min": 100}, ids(4)),
    ({"max": 0}, ids(5)),                      # NN: no employee
    ({"min": 50, "max": 99}, ids(3)),
])
def test_headcount_maps_onto_bands_and_unknown_band_never_matches(universe, headcount, expected):
    assert selected(universe, {"headcount": headcount}) == expected


@pytest.mark.parametrize("revenue, expected", [
    ({"min": 1_000_000, "max": 10_000_000, "unknown": "drop"}, ids(1, 8)),
    ({"min": 1_000_000, "max": 10_000_000, "unknown": "keep"}, ids(1, 2, 5, 8)),
    ({"min": 1_000_000, "max": 10_000_000, "unknown": "penalty"}, ids(1, 2, 5, 8)),
    ({"unknown": "drop"}, ids(1, 3, 4, 8)),
    ({"min": 50_000_000, "unknown": "drop"}, ids(4)),
])
def test_revenue(universe, revenue, expected):
    assert selected(universe, {"revenue": revenue}) == expected


@pytest.mark.parametrize("place, expected", [
    ({"regions": ["Île-de-France"]}, ids(1, 5)),
    ({"regions": ["bretagne"]}, ids(3, 8)),
    ({"regions": ["53"]}, ids(3, 8)),
    ({"departements": ["69"]}, ids(2, 4)),
    ({"departements": ["Rhône"]}, ids(2, 4)),
    ({"communes": ["35238"]}, ids(3, 8)),
    ({"regions": ["Bretagne"], "departements": ["69"]}, ids(2, 3, 4, 8)),
])
def test_place(universe, place, expected):
    assert selected(universe, place) == expected


@pytest.mark.parametrize("criteria, expected", [
    ({"legal_forms": ["54"]}, ids(3)),
    ({"legal_forms": ["5710"]}, ids(1, 2, 8)),
    ({"legal_forms": ["1", "5599"]}, ids(4, 5)),
    ({"age_years": {"min": 10}}, ids(1, 2, 3, 4, 8)),
    ({"age_years": {"max": 2}}, ids(5)),
    ({"age_years": {"min": 30}}, ids(8)),
    ({"employer_only": True}, ids(1, 2, 3, 4)),
    ({"company_categories": ["ETI"]}, ids(4)),
    ({"company_categories": ["PME", "GE"]}, ids(1, 2, 3)),
    ({"exclude_collective_proceedings": False}, ids(1, 2, 3, 4, 5, 8, 9)),
    ({"exclude_closed": False}, ids(1, 2, 3, 4, 5, 8, 10)),
    ({"require_decision_maker": True}, ids(1, 2)),
    ({"require_decision_maker": True, "decision_makers": ["Gérant"]}, ids(2)),
])
def test_other_criteria(universe, criteria, expected):
    assert selected(universe, criteria) == expected


def test_combined_criteria(universe):
    criteria = {"naf": {"include": ["J"]}, "regions": ["Île-de-France", "Auvergne-Rhône-Alpes"],
                "headcount": {"min": 10, "max": 49}, "employer_only": True, "legal_forms": ["57"]}
    assert selected(universe, criteria) == ids(1, 2)
    assert selected(universe, {**criteria, "revenue": {"min": 1_000_000, "unknown": "drop"}}) == ids(1)


def test_age_is_counted_in_full_years_on_the_as_of_day(con):
    build_warehouse(con, [
        company("000000001", created=date(2023, 6, 30)),   # exactly 2 years on 2025-06-30
        company("000000002", created=date(2023, 7, 1)),    # 1 year and 364 days
        company("000000003", created=date(2022, 7, 1)),    # 2 years and 364 days
        company("000000004", created=date(2022, 6, 30)),   # exactly 3 years
        company("000000005", created=None),                # unknown: no age criterion can hold
    ])
    assert selected(con, {"age_years": {"min": 2, "max": 2}}) == ids(1, 3)
    assert selected(con, {"age_years": {"min": 2}}) == ids(1, 3, 4)
    assert selected(con, {"age_years": {"max": 1}}) == ids(2)
    assert selected(con, {}) == ids(1, 2, 3, 4, 5)


def test_non_diffusible_units_never_appear_whatever_the_criteria(universe):
    for criteria in ({}, {"naf": {"include": ["62.01Z"]}}, {"revenue": {"min": 3_500_000, "max": 4_500_000}},
                     {"require_decision_maker": True}):
        assert "000000006" not in selected(universe, criteria)
    assert universe.execute("SELECT count(*) FROM core.prospects WHERE siren = '000000006'").fetchall() == [(0,)]


def test_max_leads_caps_the_list_not_the_counts(universe):
    icp = resolve(parse_icp({"max_leads": 2}, default_name="t"))
    result = preview(universe, icp, as_of=AS_OF, top=2)
    assert result.top["siren"].to_list() == ["000000001", "000000002"]
    assert result.total == 6
