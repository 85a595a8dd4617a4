from __future__ import annotations

import pytest

from firmo import db
from firmo.reference import (
    TABLES,
    departement_of_commune,
    load_reference,
    read_reference,
    region_of_commune,
    region_of_departement,
)


def test_counts():
    assert read_reference("regions").height == 18
    assert read_reference("naf_sections").height == 21
    assert read_reference("naf_divisions").height == 88
    assert read_reference("headcount_bands").height == 16
    assert read_reference("categories_juridiques_n1").height == 9
    deps = read_reference("departements")
    assert deps.height == 109
    assert deps.filter(deps["region_code"].is_not_null()).height == 101
    assert sorted(deps.filter(deps["region_code"].is_null())["code"]) == ["975", "977", "978", "984", "986", "987",
                                                                          "988", "989"]
    assert read_reference("epci").height == 1255
    assert read_reference("ept").height == 11


@pytest.mark.parametrize(
    ("commune", "dep"),
    [("75108", "75"), ("2A004", "2A"), ("2B033", "2B"), ("97105", "971"), ("98727", "987"),
     ("01053", "01"), ("13204", "13"), ("[ND]", None), ("", None), (None, None), ("7510", None)],
)
def test_departement_of_commune(commune, dep):
    assert departement_of_commune(commune) == dep


def test_regions():
    assert region_of_departement("2A") == "94"
    assert region_of_departement("2B") == "94"
    assert region_of_departement("971") == "01"
    assert region_of_departement("976") == "06"
    assert region_of_departement("75") == "11"
    assert region_of_departement("69") == "84"
    assert region_of_departement("987") is None
    assert region_of_commune("98727") is None
    assert region_of_commune("13204") == "93"


def test_departements_facts():
    deps = {r["code"]: r for r in read_reference("departements").iter_rows(named=True)}
    assert deps["75"]["chef_lieu_commune"] == "75056" and deps["75"]["chef_lieu_postal_code"] == "75001"
    assert deps["69"]["chef_lieu_commune"] == "69123"
    assert deps["13"]["chef_lieu_commune"] == "13055"
    assert deps["2A"]["chef_lieu_commune"] == "2A004" and deps["2B"]["chef_lieu_name"] == "Bastia"
    assert deps["984"]["chef_lieu_commune"] is None  # the source's 97502 is in Saint-Pierre-et-Miquelon
    assert deps["989"]["chef_lieu_commune"] == "98901" and deps["989"]["region_code"] is None
    regions = set(read_reference("regions")["code"])
    for row in deps.values():
        assert row["code"] == "984" or departement_of_commune(row["chef_lieu_commune"]) == row["code"]
        assert row["region_code"] is None or row["region_code"] in regions


def test_every_region_has_departements():
    deps = read_reference("departements")
    assert set(deps["region_code"].drop_nulls()) == set(read_reference("regions")["code"])


def test_communes_sample():
    communes = read_reference("communes_sample")
    codes = set(communes["code"])
    assert {f"751{i:02d}" for i in range(1, 21)} <= codes
    assert {f"6938{i}" for i in range(1, 10)} <= codes
    assert {f"132{i:02d}" for i in range(1, 17)} <= codes
    assert not {"75056", "69123", "13055"} & codes  # SIRENE uses arrondissement codes
    assert communes["code"].n_unique() == communes.height
    # every département but the two without inhabitants (TAAF, Clipperton)
    assert set(communes["departement"]) == set(read_reference("departements")["code"]) - {"984", "989"}
    for row in communes.iter_rows(named=True):
        assert departement_of_commune(row["code"]) == row["departement"]
        assert len(row["postal_code"]) == 5 and row["weight"] >= 1
    paris8 = communes.filter(communes["code"] == "75108").row(0, named=True)
    assert paris8["postal_code"] == "75008"


def test_naf_codes_consistent():
    codes = read_reference("naf_codes")
    divisions = set(read_reference("naf_divisions")["code"])
    assert codes.height >= 150
    assert codes["code"].str.contains(r"^\d{2}\.\d{2}[A-Z]$").all()
    assert set(codes["division"]) <= divisions
    assert {"62.01Z", "62.02A", "68.20A", "68.20B", "70.10Z", "64.20Z", "56.10A", "56.10C", "86.21Z", "94.99Z"} <= set(
        codes["code"]
    )
    divs = read_reference("naf_divisions")
    assert divs.filter(divs["code"] == "62")["section"].item() == "J"
    assert divs.filter(divs["code"] == "43")["section"].item() == "F"


def test_categories_juridiques():
    n3 = read_reference("categories_juridiques_n3")
    n2 = set(read_reference("categories_juridiques_n2")["code"])
    assert {"1000", "5499", "5710", "5599", "5699", "5202", "5306", "5410", "5485", "5785", "5800", "6540", "6599",
            "9220", "9300", "7210"} <= set(n3["code"])
    assert {"5498", "5720"}.isdisjoint(set(n3["code"]))  # third-party codes INSEE does not use (sirene.md §3.4)
    assert all(code[:2] in n2 for code in n3["code"])


def test_headcount_bands():
    bands = {r["code"]: r for r in read_reference("headcount_bands").iter_rows(named=True)}
    assert bands["NN"]["employer"] is False and bands["NN"]["max_employees"] == 0
    assert bands["00"]["employer"] is True
    assert bands["53"]["min_employees"] == 10000 and bands["53"]["max_employees"] is None
    assert bands["22"]["min_employees"] == 100 and bands["22"]["max_employees"] == 199


def test_load_reference_builds_tables_idempotently(data_env):
    with db.connection() as con:
        first = load_reference(con)
        second = load_reference(con)
        assert first == second
        assert set(first) == set(TABLES)
        assert first["regions"] == 18
        assert (first["departements"], first["communes"], first["epci"], first["ept"]) == (109, 37590, 1255, 11)
        assert con.execute("SELECT count(*) FROM ref.communes WHERE code_insee = '75056'").fetchone() == (1,)
        assert con.execute("SELECT region_code FROM ref.departements WHERE code = '2A'").fetchone() == ("94",)
        assert con.execute("SELECT typeof(code) FROM ref.naf_divisions LIMIT 1").fetchone() == ("VARCHAR",)
        assert con.execute("SELECT employer FROM ref.headcount_bands WHERE code = 'NN'").fetchone() == (False,)
        assert con.execute("SELECT count(*) FROM information_schema.tables WHERE table_name LIKE '%__staging'").fetchone() == (0,)
