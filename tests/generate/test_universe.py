from __future__ import annotations

import json

import polars as pl
from polars.testing import assert_frame_equal
from stdnum.fr import siren as std_siren
from stdnum.fr import siret as std_siret

from firmo.reference import read_reference
from sources.demo.universe import build_universe

EVENT_TYPES = {"creation", "officer_change", "capital_increase", "new_establishment", "headcount_up", "headcount_down",
               "transfer", "sale", "collective_proceeding", "radiation", "closure"}


def test_deterministic(small_universe):
    again = build_universe(3000, seed=11, as_of=small_universe.as_of)
    for name in ("units", "establishments", "officers", "events"):
        assert_frame_equal(getattr(small_universe, name), getattr(again, name))
    other = build_universe(3000, seed=12, as_of=small_universe.as_of)
    assert other.units["siren"].to_list() != small_universe.units["siren"].to_list()


def test_unit_columns_and_types(small_universe):
    units = small_universe.units
    assert units.columns == [
        "siren", "is_person", "denomination", "last_name", "first_name", "sex", "categorie_juridique", "naf", "naf25",
        "tranche_effectifs", "categorie_entreprise", "date_creation", "active", "date_closed", "statut_diffusion",
        "siret_siege", "commune_code", "commune_name", "postal_code", "departement", "region", "domain", "capital"]
    assert units.schema["date_creation"] == pl.Date and units.schema["capital"] == pl.Int64
    assert units.height == 3000 and units["siren"].n_unique() == 3000


def test_identifiers_valid(small_universe):
    u, e = small_universe.units, small_universe.establishments
    assert all(std_siren.is_valid(s) for s in u["siren"])
    assert all(std_siret.is_valid(s) for s in e["siret"])
    assert e["siret"].n_unique() == e.height
    assert (e["siret"] == e["siren"] + e["nic"]).all()
    sieges = e.filter("is_siege")
    assert sieges.height == u.height and sieges["siren"].n_unique() == u.height
    joined = u.join(sieges, on="siren", suffix="_e")
    assert (joined["siret_siege"] == joined["siret"]).all()
    assert (joined["commune_code"] == joined["commune_code_e"]).all()
    assert (~joined["active"] | joined["active_e"]).all()  # an active unit has an active siège
    assert not e.join(u.filter(~pl.col("active")), on="siren")["active"].any()  # ceased unit: all sites closed


def test_codes_exist_in_reference(small_universe):
    u, e = small_universe.units, small_universe.establishments
    assert set(u["naf"]) | set(e["naf"]) <= set(read_reference("naf_codes")["code"])
    assert set(u["categorie_juridique"]) <= set(read_reference("categories_juridiques_n3")["code"])
    assert set(u["tranche_effectifs"].drop_nulls()) <= set(read_reference("headcount_bands")["code"])
    assert set(e["commune_code"]) <= set(read_reference("communes_sample")["code"])
    # NAF 2025: one of the targets INSEE's correspondence gives the unit's rév. 2 code
    pairs = set(read_reference("naf_rev2_to_naf2025").select("naf_rev2", "naf2025").iter_rows())
    coded = u.filter(pl.col("naf25").is_not_null())
    assert coded.height > u.filter("active").height * 0.7
    assert all((rev2, naf25) in pairs for rev2, naf25 in coded.select("naf", "naf25").iter_rows())
    assert u.filter(~pl.col("active"))["naf25"].null_count() == u.filter(~pl.col("active")).height


def test_consistency_rules(small_universe):
    u = small_universe.units
    persons, companies = u.filter("is_person"), u.filter(~pl.col("is_person"))
    assert (persons["categorie_juridique"] == "1000").all() and persons["denomination"].null_count() == persons.height
    assert persons["last_name"].null_count() == 0 and set(persons["sex"]) <= {"M", "F"}
    assert companies["denomination"].null_count() == 0 and companies["last_name"].null_count() == companies.height
    assert persons["capital"].null_count() == persons.height
    assert u.filter(pl.col("active"))["date_closed"].null_count() == u.filter("active").height
    closed = u.filter(~pl.col("active"))
    assert (closed["date_closed"] > closed["date_creation"]).all()
    assert (u["date_creation"] <= small_universe.as_of).all()
    ge = u.filter(pl.col("categorie_entreprise") == "GE")
    assert set(ge["tranche_effectifs"]) <= {"52", "53"}
    assert u.filter(~pl.col("active"))["categorie_entreprise"].null_count() == closed.height


def test_shares(medium_universe):
    u, e = medium_universe.units, medium_universe.establishments
    assert 0.57 < u["active"].mean() < 0.63
    p = u.group_by("is_person").agg((pl.col("statut_diffusion") == "P").mean().alias("p")).sort("is_person")
    assert 0.02 < (u["statut_diffusion"] == "P").mean() < 0.04
    assert p["p"][1] > 3 * p["p"][0]  # persons oppose far more often
    assert 1.2 < e.height / u.height < 1.45
    assert set(u["region"].drop_nulls()) == set(read_reference("regions")["code"])
    assert 0.25 < u["domain"].null_count() / u.height < 0.40
    assert u["domain"].drop_nulls().str.contains(r"^[a-z0-9][a-z0-9-]*\.(fr|com|eu|net)$").all()
    assert u.filter(pl.col("date_creation") == pl.date(1900, 1, 1)).height > 0
    top = u.group_by("naf").len().sort("len", descending=True)["naf"].head(10).to_list()
    assert "70.22Z" in top and "68.20B" in top


def test_officers(medium_universe):
    o, u = medium_universe.officers, medium_universe.units
    assert o["officer_id"].n_unique() == o.height
    assert 1.3 < o.height / u.height < 1.5
    ei = o.join(u.filter("is_person"), on="siren")
    assert (ei["role_code"] == "101").all() and (ei["last_name"] == ei["last_name_right"]).all()
    companies = o.filter(pl.col("kind") == "company")
    assert companies.height > 0  # a company without a SIREN is a foreign holding, with its country
    assert (companies["company_siren"].is_null() == companies["company_country"].is_not_null()).all()
    assert companies["birth_year_month"].null_count() == companies.height
    ended = o.filter(pl.col("end_date").is_not_null())
    assert ended.height > 0 and (ended["end_date"] >= ended["start_date"]).all()
    assert o.filter(pl.col("kind") == "person")["birth_year_month"].str.contains(r"^\d{4}-\d{2}$").all()


def test_events(medium_universe):
    ev, o = medium_universe.events, medium_universe.officers
    assert ev["event_id"].n_unique() == ev.height
    assert set(ev["event_type"]) == EVENT_TYPES
    assert (ev["event_date"] <= medium_universe.as_of).all()
    recent = ev.filter(pl.col("event_date") > pl.lit(medium_universe.as_of) - pl.duration(days=90))
    assert set(recent["event_type"]) == EVENT_TYPES
    keys = {"creation": set(), "officer_change": {"officer_id_in", "officer_id_out"},
            "capital_increase": {"capital_before", "capital_after"}, "new_establishment": {"siret"},
            "headcount_up": {"band_before", "band_after"}, "headcount_down": {"band_before", "band_after"},
            "transfer": {"from_commune", "to_commune"}, "sale": {"buyer"}, "collective_proceeding": {"kind"},
            "radiation": set(), "closure": set()}
    officer_ids = set(o["officer_id"])
    for row in ev.iter_rows(named=True):
        details = json.loads(row["details"])
        assert set(details) == keys[row["event_type"]], row
        if row["event_type"] == "officer_change":
            assert details["officer_id_in"] in officer_ids
            assert details["officer_id_out"] is None or details["officer_id_out"] in officer_ids
        elif row["event_type"] == "capital_increase":
            assert details["capital_after"] > details["capital_before"]
        elif row["event_type"] == "collective_proceeding":
            assert details["kind"] in {"sauvegarde", "redressement", "liquidation"}
