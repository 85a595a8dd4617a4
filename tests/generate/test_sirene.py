from __future__ import annotations

import csv
import io
import json
import re
import zipfile

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from stdnum.fr import siren as std_siren
from stdnum.fr import siret as std_siret

from sources.demo.sirene import columns_for, write_sirene_stock
from sources.sirene import schema

UL_ZIP, ET_ZIP = "StockUniteLegale_utf8.zip", "StockEtablissement_utf8.zip"
UL_CSV, ET_CSV = "StockUniteLegale_utf8.csv", "StockEtablissement_utf8.csv"


def member_bytes(path, name):
    with zipfile.ZipFile(path) as zf:
        assert zf.namelist() == [name]
        return zf.read(name)


def rows_of(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8"), newline="")))


@pytest.fixture(scope="module")
def stock(small_universe, tmp_path_factory):
    out = tmp_path_factory.mktemp("stock")
    paths = write_sirene_stock(small_universe, out, chunk_rows=1000)  # several chunks on purpose
    manifest = json.loads(paths["manifest"].read_text())
    return paths, manifest, member_bytes(paths["unites_legales_csv_zip"], UL_CSV), member_bytes(
        paths["etablissements_csv_zip"], ET_CSV)


def good_rows(data: bytes, manifest_file: dict) -> list[dict[str, str]]:
    return rows_of(data)[: manifest_file["rows"]]


def test_paths(stock):
    paths = stock[0]
    assert {k: p.name for k, p in paths.items()} == {
        "unites_legales_csv_zip": UL_ZIP, "unites_legales_parquet": "StockUniteLegale_utf8.parquet",
        "etablissements_csv_zip": ET_ZIP, "etablissements_parquet": "StockEtablissement_utf8.parquet",
        "manifest": "generation_manifest.json"}
    assert not list(paths["manifest"].parent.glob("*.tmp"))


def test_physical_format(stock):
    _, _, ul, et = stock
    for data, cols in ((ul, schema.UNITES_LEGALES_COLUMNS), (et, schema.ETABLISSEMENTS_COLUMNS)):
        assert not data.startswith(b"\xef\xbb\xbf") and b"\r" not in data and data.endswith(b"\n")
        assert data.split(b"\n", 1)[0].decode() == ",".join(cols)
    rows = rows_of(ul)[:3000]
    assert {r["unitePurgeeUniteLegale"] for r in rows} == {"", "true"}
    assert all(re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}", r["dateDernierTraitementUniteLegale"]) for r in rows)
    assert all(re.fullmatch(r"\d{4}-\d{2}-\d{2}", r["dateCreationUniteLegale"]) for r in rows)
    assert {r["etablissementSiege"] for r in rows_of(et)[:3000]} == {"true", "false"}
    assert [r["siren"] for r in rows] == sorted(r["siren"] for r in rows)


def test_deterministic_bytes(small_universe, stock, tmp_path):
    again = write_sirene_stock(small_universe, tmp_path, chunk_rows=1000)
    for key, path in stock[0].items():
        assert again[key].read_bytes() == path.read_bytes(), key


def test_identifiers_and_counts(stock, small_universe):
    _, manifest, ul, et = stock
    ul_rows = good_rows(ul, manifest["files"][UL_CSV])
    et_rows = good_rows(et, manifest["files"][ET_CSV])
    assert len(ul_rows) == small_universe.units.height and len(et_rows) == small_universe.establishments.height
    assert all(std_siren.is_valid(r["siren"]) for r in ul_rows)
    assert all(std_siret.is_valid(r["siret"]) and r["siret"] == r["siren"] + r["nic"] for r in et_rows)
    sieges = {r["siret"] for r in et_rows if r["etablissementSiege"] == "true"}
    assert {r["siren"] + r["nicSiegeUniteLegale"] for r in ul_rows} == sieges


def test_closed_units(stock):
    _, manifest, ul, et = stock
    ul_rows = good_rows(ul, manifest["files"][UL_CSV])
    closed = {r["siren"] for r in ul_rows if r["etatAdministratifUniteLegale"] == "C"}
    assert {r["etatAdministratifUniteLegale"] for r in ul_rows} == {"A", "C"}
    assert all(r["etatAdministratifEtablissement"] == "F" for r in good_rows(et, manifest["files"][ET_CSV])
               if r["siren"] in closed)
    rev1 = [r for r in ul_rows if r["nomenclatureActivitePrincipaleUniteLegale"] == "NAFRev1"]
    assert rev1 and all(r["siren"] in closed and re.fullmatch(r"\d{2}\.\d[A-Z]", r["activitePrincipaleUniteLegale"])
                        for r in rev1)
    assert any(r["dateCreationUniteLegale"] == "1900-01-01" for r in ul_rows)
    assert all(r["activitePrincipaleNAF25UniteLegale"] == "" for r in ul_rows if r["siren"] in closed)
    assert all(r["caractereEmployeurUniteLegale"] == "" for r in ul_rows)


def test_statut_p_masking(stock):
    _, manifest, ul, et = stock
    ul_rows = good_rows(ul, manifest["files"][UL_CSV])
    pp = [r for r in ul_rows if r["statutDiffusionUniteLegale"] == "P" and r["categorieJuridiqueUniteLegale"] == "1000"]
    pm = [r for r in ul_rows if r["statutDiffusionUniteLegale"] == "P" and r["categorieJuridiqueUniteLegale"] != "1000"]
    assert len(pp) > 20 and pm
    for r in pp:
        assert r["nomUniteLegale"] == r["prenom1UniteLegale"] == r["sexeUniteLegale"] == "[ND]"
        assert r["prenomUsuelUniteLegale"] == "[ND]" and r["prenom2UniteLegale"] in ("", "[ND]")
        assert r["denominationUniteLegale"] == "" and r["activitePrincipaleUniteLegale"] != "[ND]"
    for r in pm:
        assert r["denominationUniteLegale"] not in ("", "[ND]") and r["sigleUniteLegale"] in ("", "[ND]")
    assert not any("[ND]" in r.values() for r in ul_rows if r["statutDiffusionUniteLegale"] == "O")
    pp_sirens = {r["siren"] for r in pp}
    et_rows = good_rows(et, manifest["files"][ET_CSV])
    p_et = [r for r in et_rows if r["statutDiffusionEtablissement"] == "P"]
    assert p_et and all(r["codePostalEtablissement"] == "[ND]" and r["libelleVoieEtablissement"] == "[ND]"
                        and r["codeCommuneEtablissement"] not in ("", "[ND]")
                        and r["libelleCommuneEtablissement"] not in ("", "[ND]") for r in p_et)
    assert all(r["enseigne1Etablissement"] in ("", "[ND]") for r in p_et if r["siren"] in pp_sirens)
    assert not any("[ND]" in r.values() for r in et_rows if r["statutDiffusionEtablissement"] == "O")


def test_manifest_matches_file_lines(stock):
    _, manifest, ul, et = stock
    for data, name, width in ((ul, UL_CSV, 35), (et, ET_CSV, 54)):
        entry = manifest["files"][name]
        lines = data.decode().split("\n")[:-1]
        assert len(lines) == entry["lines"] == 1 + entry["rows"] + 4
        assert [d["kind"] for d in entry["defects"]] == [
            "wrong_column_count", "invalid_siren_checksum",
            "nic_wrong_length" if name == UL_CSV else "siret_wrong_length", "impossible_date"]
        for d in entry["defects"]:
            fields = next(csv.reader([lines[d["line"] - 1]]))
            assert fields[0] == d["siren"]
            assert len(fields) == (width - 1 if d["kind"] == "wrong_column_count" else width)
            if "column" in d:
                assert fields[schema_index(name, d["column"])] == d["value"]
            assert std_siren.is_valid(d["siren"]) == (d["kind"] != "invalid_siren_checksum")
        wrong_len = entry["defects"][2]
        assert len(wrong_len["value"]) == (4 if name == UL_CSV else 13)
        # every good line has the full width
        assert all(len(f) == width for f in csv.reader(lines[1 : 1 + entry["rows"]]))


def schema_index(name: str, column: str) -> int:
    cols = schema.UNITES_LEGALES_COLUMNS if name == UL_CSV else schema.ETABLISSEMENTS_COLUMNS
    return cols.index(column)


def test_parquet_typing_and_no_defects(stock):
    paths, manifest, _, _ = stock
    ul = pq.read_table(paths["unites_legales_parquet"])
    et = pq.read_table(paths["etablissements_parquet"])
    assert ul.num_rows == manifest["files"][UL_CSV]["rows"] and et.num_rows == manifest["files"][ET_CSV]["rows"]
    assert ul.column_names == schema.UNITES_LEGALES_COLUMNS and et.column_names == schema.ETABLISSEMENTS_COLUMNS
    s = ul.schema
    assert s.field("dateCreationUniteLegale").type == pa.date32() and s.field("dateDebut").type == pa.date32()
    assert pa.types.is_timestamp(s.field("dateDernierTraitementUniteLegale").type)
    assert s.field("unitePurgeeUniteLegale").type == pa.bool_()
    for col in ("anneeEffectifsUniteLegale", "nombrePeriodesUniteLegale", "anneeCategorieEntreprise",
                "categorieJuridiqueUniteLegale"):
        assert s.field(col).type == pa.int64(), col
    assert s.field("nicSiegeUniteLegale").type == pa.string() and s.field("siren").type == pa.string()
    e = et.schema
    assert e.field("etablissementSiege").type == pa.bool_() and e.field("nic").type == pa.string()
    assert e.field("anneeEffectifsEtablissement").type == pa.int64()
    assert e.field("coordonneeLambertAbscisseEtablissement").type == pa.string()
    assert pa.types.is_timestamp(e.field("dateDernierTraitementEtablissement").type)


def test_parquet_integer_nic(small_universe, stock, tmp_path):
    paths = write_sirene_stock(small_universe, tmp_path, formats=("parquet",), parquet_integer_nic=True)
    assert set(paths) == {"unites_legales_parquet", "etablissements_parquet", "manifest"}
    ul = pq.read_table(paths["unites_legales_parquet"], columns=["siren", "nicSiegeUniteLegale"])
    et = pq.read_table(paths["etablissements_parquet"], columns=["nic", "siret"])
    assert ul.schema.field("nicSiegeUniteLegale").type == pa.int64() and et.schema.field("nic").type == pa.int64()
    assert all(int(s[9:]) == n for s, n in zip(et["siret"].to_pylist(), et["nic"].to_pylist(), strict=True))
    text = rows_of(member_bytes(stock[0]["unites_legales_csv_zip"], UL_CSV))[:5]
    assert ul["nicSiegeUniteLegale"].to_pylist()[:5] == [int(r["nicSiegeUniteLegale"]) for r in text]


@pytest.mark.parametrize(("vintage", "ul_width", "et_width"), [("current", 35, 54), ("2024", 34, 53), ("2019", 33, 48)])
def test_vintages(small_universe, tmp_path, vintage, ul_width, et_width):
    paths = write_sirene_stock(small_universe, tmp_path, vintage=vintage, broken_lines=False)
    ul = member_bytes(paths["unites_legales_csv_zip"], UL_CSV)
    et = member_bytes(paths["etablissements_csv_zip"], ET_CSV)
    ul_header, et_header = ul.split(b"\n", 1)[0].decode().split(","), et.split(b"\n", 1)[0].decode().split(",")
    assert ul_header == columns_for("UL", vintage) and len(ul_header) == ul_width
    assert et_header == columns_for("ET", vintage) and len(et_header) == et_width
    assert pq.read_schema(paths["etablissements_parquet"]).names == et_header
    assert len(ul.decode().split("\n")) - 2 == small_universe.units.height  # header + rows + final empty split
    manifest = json.loads(paths["manifest"].read_text())
    assert manifest["files"][UL_CSV]["defects"] == [] and manifest["files"][ET_CSV]["columns"] == et_width


def test_vintage_2019_matches_real_sample_header(samples_dir, small_universe, tmp_path):
    real = (samples_dir / "sirene" / "StockUniteLegale_sample_2019_33cols.csv").read_text().split("\n", 1)[0]
    assert ",".join(columns_for("UL", "2019")) == real
    with zipfile.ZipFile(samples_dir / "sirene" / "StockEtablissement_utf8_sample_2024-04.zip") as zf:
        real_et = zf.read(zf.namelist()[0]).split(b"\n", 1)[0].decode()
    assert ",".join(columns_for("ET", "2024")) == real_et


def test_unknown_vintage_or_format(small_universe, tmp_path):
    with pytest.raises(ValueError, match="vintage"):
        write_sirene_stock(small_universe, tmp_path, vintage="2018")
    with pytest.raises(ValueError, match="formats"):
        write_sirene_stock(small_universe, tmp_path, formats=("csv",))
