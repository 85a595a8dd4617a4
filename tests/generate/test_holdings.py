"""Holdings in the demo universe: the share of decision-maker roles held by companies (the
assumption sources/demo/officers.py states), where the law allows it, and the shapes the
look-through must meet (foreign holdings, named representatives, chains, cycles)."""

from __future__ import annotations

import polars as pl

DECISION_ROLES = ["73", "30", "53", "70", "60"]  # Président, Gérant, DG, DGD, PDG


def test_share_of_decision_maker_roles_held_by_companies(medium_universe):
    o = medium_universe.officers.filter(pl.col("end_date").is_null() & pl.col("role_code").is_in(DECISION_ROLES))
    share = (o["kind"] == "company").mean()
    assert 0.07 <= share <= 0.11
    forms = o.filter(pl.col("kind") == "company").join(medium_universe.units, on="siren")["categorie_juridique"]
    # SARL gérants and SA executives are natural persons by law: companies hold SAS and civil-company roles only
    assert set(forms.str.slice(0, 2)) <= {"57", "65", "52", "53"}


def test_foreign_holdings_representatives_chains_and_cycles(medium_universe):
    o = medium_universe.officers
    held = o.filter(pl.col("kind") == "company")
    foreign = held.filter(pl.col("company_siren").is_null())
    assert 0.05 < foreign.height / held.height < 0.15
    assert set(foreign["company_country"]) <= {"BELGIQUE", "LUXEMBOURG", "SUISSE", "PAYS-BAS", "ROYAUME-UNI",
                                               "ALLEMAGNE"}  # fmt: skip
    assert 0.25 < held["rep_last_name"].is_not_null().mean() < 0.45
    assert (held["siren"] != held["company_siren"]).all()  # never its own officer
    french = held.filter(pl.col("company_siren").is_not_null())
    assert set(french["company_siren"]) <= set(medium_universe.units["siren"])  # the holding has its own payload
    holders = set(held["siren"])
    chained = french.filter(pl.col("company_siren").is_in(list(holders)))
    assert chained.height / french.height > 0.2  # holdings that are held themselves: two levels and more
    pairs = set(zip(french["siren"], french["company_siren"], strict=True))
    assert 3 <= sum(1 for a, b in pairs if (b, a) in pairs) // 2 <= 20  # a few A -> B -> A
