from __future__ import annotations

import duckdb
import pytest

from firmo import db
from firmo.reference import TABLES, load_reference, read_reference


def departement(con: duckdb.DuckDBPyConnection, commune: str | None) -> str | None:
    return con.execute("SELECT firmo_departement(?::VARCHAR)", [commune]).fetchone()[0]


def region_of_commune(con: duckdb.DuckDBPyConnection, commune: str | None) -> str | None:
    """The région core.companies gives an establishment in `commune` (firmo/sql/sirene/companies.sql)."""
    return con.execute("SELECT dep.region_code FROM (SELECT firmo_departement(?::VARCHAR) AS code) b "
                       "LEFT JOIN ref.departements dep ON dep.code = b.code", [commune]).fetchone()[0]


def test_counts():
    assert read_reference("regions").height == 18
    assert read_reference("naf_sections").height == 21
    assert read_reference("naf_divisions").height == 88
    assert read_reference("headcount_bands").height == 16
    assert read_reference("naf_codes").height == 732
    assert read_reference("naf2025_sections").height == 22
    assert read_reference("naf2025_divisions").height == 87
    assert read_reference("naf2025_codes").height == 747
    assert read_reference("naf_rev2_to_naf2025").height == 1223
    assert read_reference("categories_juridiques_n1").height == 10
    assert read_reference("categories_juridiques_n2").height == 39
    assert read_reference("categories_juridiques_n3").height == 260
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
def test_departement_of_commune(places_db, commune, dep):
    assert departement(places_db, commune) == dep


def test_regions(places_db):
    assert region_of_commune(places_db, "2A004") == "94"
    assert region_of_commune(places_db, "2B033") == "94"
    assert region_of_commune(places_db, "97105") == "01"
    assert region_of_commune(places_db, "97611") == "06"
    assert region_of_commune(places_db, "75108") == "11"
    assert region_of_commune(places_db, "69381") == "84"
    assert region_of_commune(places_db, "98727") is None
    assert region_of_commune(places_db, "13204") == "93"


def test_departements_facts(places_db):
    deps = {r["code"]: r for r in read_reference("departements").iter_rows(named=True)}
    assert deps["75"]["chef_lieu_commune"] == "75056" and deps["75"]["chef_lieu_postal_code"] == "75001"
    assert deps["69"]["chef_lieu_commune"] == "69123"
    assert deps["13"]["chef_lieu_commune"] == "13055"
    assert deps["2A"]["chef_lieu_commune"] == "2A004" and deps["2B"]["chef_lieu_name"] == "Bastia"
    assert deps["984"]["chef_lieu_commune"] is None  # the source's 97502 is in Saint-Pierre-et-Miquelon
    assert deps["989"]["chef_lieu_commune"] == "98901" and deps["989"]["region_code"] is None
    regions = set(read_reference("regions")["code"])
    for row in deps.values():
        assert row["code"] == "984" or departement(places_db, row["chef_lieu_commune"]) == row["code"]
        assert row["region_code"] is None or row["region_code"] in regions


def test_every_region_has_departements():
    deps = read_reference("departements")
    assert set(deps["region_code"].drop_nulls()) == set(read_reference("regions")["code"])


def test_communes_sample(places_db):
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
        assert departement(places_db, row["code"]) == row["departement"]
        assert len(row["postal_code"]) == 5 and row["weight"] >= 1
    paris8 = communes.filter(communes["code"] == "75108").row(0, named=True)
    assert paris8["postal_code"] == "75008"


def test_naf_rev2_is_complete_and_consistent():
    codes = read_reference("naf_codes")
    divisions = {r["code"]: r for r in read_reference("naf_divisions").iter_rows(named=True)}
    sections = set(read_reference("naf_sections")["code"])
    assert codes["code"].n_unique() == 732
    assert codes["code"].str.contains(r"^\d{2}\.\d{2}[A-FZ]$").all()
    # the five levels, counted as INSEE publishes them
    assert (codes["classe"].n_unique(), codes["groupe"].n_unique(), codes["division"].n_unique(),
            codes["section"].n_unique()) == (615, 272, 88, 21)
    assert set(codes["division"]) == set(divisions) and set(codes["section"]) == sections
    for row in codes.iter_rows(named=True):
        assert row["code"].startswith(row["classe"]) and row["classe"].startswith(row["groupe"])
        assert row["groupe"].startswith(row["division"]) and divisions[row["division"]]["section"] == row["section"]
    by_code = {r["code"]: r for r in codes.iter_rows(named=True)}
    assert by_code["62.01Z"]["label"] == "Programmation informatique"
    assert by_code["62.02A"]["classe_label"] == "Conseil informatique"
    assert "00.00Z" not in by_code
    assert divisions["62"]["section"] == "J" and divisions["43"]["section"] == "F"
    assert list(read_reference("naf_sections")["code"]) == list("ABCDEFGHIJKLMNOPQRSTU")


def test_naf2025_is_complete_and_consistent():
    codes = read_reference("naf2025_codes")
    divisions = {r["code"]: r for r in read_reference("naf2025_divisions").iter_rows(named=True)}
    assert list(read_reference("naf2025_sections")["code"]) == list("ABCDEFGHIJKLMNOPQRSTUV")
    assert codes["code"].str.contains(r"^\d{2}\.\d{2}[YGHJKL]$").all()
    assert (codes["classe"].n_unique(), codes["groupe"].n_unique(), codes["division"].n_unique()) == (651, 287, 87)
    assert codes["code"].str.slice(5).value_counts(sort=True).rows() == [
        ("Y", 576), ("G", 75), ("H", 75), ("J", 17), ("K", 3), ("L", 1)]
    assert set(codes["division"]) == set(divisions)
    for row in codes.iter_rows(named=True):
        assert divisions[row["division"]]["section"] == row["section"] and row["code"].startswith(row["classe"])
    # the sous-classe codes of the two nomenclatures never collide: a full code says which it is
    assert set(codes["code"]).isdisjoint(read_reference("naf_codes")["code"])
    assert divisions["62"]["section"] == "K" and divisions["58"]["section"] == "J"
    assert codes.filter(codes["code"] == "62.10Y")["label"].item() == "Activités de programmation informatique"


def test_naf_correspondence():
    pairs = read_reference("naf_rev2_to_naf2025")
    assert pairs.select("naf_rev2", "naf2025").n_unique() == 1223
    assert set(pairs["naf_rev2"]) == set(read_reference("naf_codes")["code"])  # every rév. 2 code has a target
    assert set(read_reference("naf2025_codes")["code"]) - set(pairs["naf2025"]) == {"46.89Y"}  # no antecedent
    assert pairs["type_officiel"].value_counts(sort=True).rows() == [("Multiple", 703), ("Unique", 520)]
    assert dict(pairs["cardinality"].value_counts().rows()) == {"1-1": 367, "1-n": 152, "n-1": 153, "n-n": 551}
    targets = pairs.group_by("naf_rev2").len()
    sources = pairs.group_by("naf2025").len()
    checked = pairs.join(targets, on="naf_rev2").join(sources, on="naf2025", suffix="_s")
    assert (checked["len"] == checked["rev2_targets"]).all() and (checked["len_s"] == checked["naf2025_sources"]).all()
    rows = {(r["naf_rev2"], r["naf2025"]): r["cardinality"] for r in pairs.iter_rows(named=True)}
    assert rows[("62.01Z", "62.10Y")] == "1-1"
    assert rows[("62.02A", "62.20G")] == "1-1"
    assert rows[("64.20Z", "64.21Y")] == "1-1"
    # sirene.md §3.3 saw a unit 43.12B with NAF25 66.30Y: INSEE recodes units one by one, the
    # table says 43.12B -> 43.12H; hence SIRENE's own NAF 2025 code comes first in core.companies
    assert rows[("43.12B", "43.12H")] == "1-1"
    assert {k[1] for k in rows if k[0] == "77.39Z"} == {"77.11Y", "77.12Y", "77.39Y"}


def test_categories_juridiques():
    n1 = set(read_reference("categories_juridiques_n1")["code"])
    n2 = {r["code"]: r for r in read_reference("categories_juridiques_n2").iter_rows(named=True)}
    n3 = {r["code"]: r for r in read_reference("categories_juridiques_n3").iter_rows(named=True)}
    assert n1 == set("0123456789")
    assert {"1000", "5499", "5710", "5599", "5699", "5202", "5306", "5410", "5485", "5785", "5800", "6540", "6599",
            "9220", "9300", "7210", "0000", "2800", "5310", "7344"} <= set(n3)
    assert {"5498", "5720"}.isdisjoint(n3)  # third-party codes INSEE does not use (sirene.md §3.4)
    assert all(code[:2] == row["level2"] and code[0] == row["level1"] and row["level2"] in n2
               for code, row in n3.items())
    assert all(row["level1"] == code[0] and row["level1"] in n1 for code, row in n2.items())
    assert n3["5710"]["label"] == "SAS, société par actions simplifiée"
    assert n3["5499"]["label"] == "Société à responsabilité limitée (sans autre indication)"


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
