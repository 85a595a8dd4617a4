"""load_rne / apply_rne_updates: real samples through DuckDB, duplicates, replacement, rejects,
every file shape (JSON, NDJSON gzip, stock zip), atomicity."""

from __future__ import annotations

import copy
import gzip
import json
import zipfile

import pytest

from sources.inpi import rne_load
from sources.inpi.rne_load import apply_rne_updates, load_rne


def _officers(con, siren=None):
    sql = "SELECT siren, officer_kind, family_name, role_code, active FROM inpi.officers"
    rows = con.execute(sql + (" WHERE siren = ?" if siren else "") + " ORDER BY siren, role_code, family_name",
                       [siren] if siren else []).fetchall()  # fmt: skip
    return rows


def test_real_samples_load(con, inpi_samples):
    paths = [inpi_samples / n for n in ("rne_company_2023_shape.json", "rne_company_2024_shape.json", "rne_companies_diff.json")]
    report = load_rne(con, paths)
    assert report.loaded == {"inpi.officers": 6, "inpi.companies": 3}
    assert report.rejected == {"inpi.officers": 0}
    assert report.superseded == 1  # 889924320 is in two files with the same updatedAt
    assert _officers(con) == [
        ("889924320", "person", "MARTIN", "53", True),
        ("889924320", "company", None, "70", True),
        ("889924320", "person", "ROBERT", "73", True),
        ("894419969", "person", "MICHEL", "73", True),
        ("980704894", "person", "PETIT", "53", True),
        ("980704894", "person", "LEFEBVRE", "73", True),
    ]
    # on a tie the payload read last wins: the diff file was last
    assert con.execute("SELECT source_file FROM inpi.companies WHERE siren = '889924320'").fetchall()[0][0].endswith(
        "rne_companies_diff.json")
    columns = [r[0] for r in con.execute("DESCRIBE inpi.officers").fetchall()]
    assert not [c for c in columns if "birth" in c or "naiss" in c or "nationa" in c]


def _older_and_newer(inpi_samples):
    newer = json.loads((inpi_samples / "rne_company_2024_shape.json").read_text())
    older = copy.deepcopy(newer)
    older["updatedAt"] = "2024-01-05T10:00:00+01:00"
    older["formality"]["content"]["personneMorale"]["composition"]["pouvoirs"][0]["individu"]["descriptionPersonne"]["nom"] = "ANCIEN"
    return older, newer


def test_duplicate_sirens_keep_latest_updated_at_whatever_the_order(con, tmp_path, inpi_samples):
    older, newer = _older_and_newer(inpi_samples)
    stock = tmp_path / "stock.json"
    stock.write_text(json.dumps([newer, older]))  # the stale one comes last
    report = load_rne(con, [stock])
    assert report.superseded == 1
    assert [r[2] for r in _officers(con)] == ["PETIT", "LEFEBVRE"]


def test_new_payload_replaces_all_officers_and_older_is_ignored(con, tmp_path, inpi_samples):
    older, newer = _older_and_newer(inpi_samples)
    load_rne(con, [inpi_samples / "rne_company_2023_shape.json", inpi_samples / "rne_company_2024_shape.json"])
    removed = copy.deepcopy(newer)
    removed["updatedAt"] = "2025-03-01T09:00:00+01:00"
    del removed["formality"]["content"]["personneMorale"]["composition"]["pouvoirs"][1]  # the DG left, silently
    report = apply_rne_updates(con, [{"company": removed}, {"company": older}])
    assert report.loaded == {"inpi.officers": 1, "inpi.companies": 1}
    assert report.superseded == 1  # `older` lost inside the batch
    assert _officers(con, "980704894") == [("980704894", "person", "LEFEBVRE", "73", True)]
    assert len(_officers(con, "889924320")) == 3  # untouched SIREN
    stale = apply_rne_updates(con, [older])  # older than what is loaded: skipped
    assert stale.loaded == {"inpi.officers": 0, "inpi.companies": 0} and stale.superseded == 1
    assert _officers(con, "980704894") == [("980704894", "person", "LEFEBVRE", "73", True)]


def test_apply_updates_on_empty_warehouse_and_rejects(con, inpi_samples):
    diff = json.loads((inpi_samples / "rne_companies_diff.json").read_text())
    report = apply_rne_updates(con, diff + [{"company": {"siren": "889924321"}}], source="diff-2023-10-31")
    assert report.loaded == {"inpi.officers": 4, "inpi.companies": 2}
    assert report.rejects_by_reason == {"invalid SIREN (length or checksum)": 1}
    assert con.execute("SELECT target_table, source_file, reason FROM inpi.rejects").fetchall() == [
        ("inpi.officers", "diff-2023-10-31", "invalid SIREN (length or checksum): '889924321'")]


def test_stock_zip_ndjson_gzip_and_bad_files(con, tmp_path, inpi_samples):
    one = json.loads((inpi_samples / "rne_company_2023_shape.json").read_text())
    two = json.loads((inpi_samples / "rne_company_2024_shape.json").read_text())
    stock = tmp_path / "stock_RNE_formalites_20260304_1400.zip"
    with zipfile.ZipFile(stock, "w") as archive:
        archive.writestr("stock_0001.json", json.dumps([one]))
        archive.writestr("stock_0002.json", '[{"siren": "98070489')  # truncated member
        archive.writestr("readme.txt", "not json")
    flux = tmp_path / "rne_flux_2024-07-03.json.gz"
    lines = [json.dumps({"company": two}), "{broken", json.dumps({"company": {"siren": None}})]
    flux.write_bytes(gzip.compress("\n".join(lines).encode()))
    report = load_rne(con, [stock, flux])
    assert report.loaded == {"inpi.officers": 5, "inpi.companies": 2}
    rejects = con.execute("SELECT source_file, line_number, reason FROM inpi.rejects ORDER BY reason").fetchall()
    assert rejects == [
        (str(flux), 3, "no siren in payload"),
        (str(flux), 2, "unparsable JSON line: Expecting property name enclosed in double quotes (column 2)"),
        (f"{stock}::stock_0002.json", None, "unparsable JSON: Unterminated string starting at (line 1, column 12)"),
        (f"{stock}::readme.txt", None, "zip member is not a JSON file"),
    ]
    assert report.rejected == {"inpi.officers": 4}


def test_reload_replaces_rejects_and_is_idempotent(con, tmp_path, inpi_samples):
    bad = tmp_path / "bad.json"
    bad.write_text('[{"siren": "1"}]')
    load_rne(con, [inpi_samples / "rne_company_2024_shape.json", bad])
    load_rne(con, [inpi_samples / "rne_company_2024_shape.json", bad])
    assert con.execute("SELECT count(*) FROM inpi.rejects").fetchall() == [(1,)]
    assert con.execute("SELECT count(*) FROM inpi.officers").fetchall() == [(2,)]


def test_nothing_usable_fails_and_keeps_previous_tables(con, tmp_path, inpi_samples):
    load_rne(con, [inpi_samples / "rne_company_2024_shape.json"])
    empty = tmp_path / "empty.json"
    empty.write_text("[]")
    with pytest.raises(ValueError, match="no usable RNE payload"):
        load_rne(con, [empty])
    assert len(_officers(con)) == 2
    tables = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables WHERE table_schema='inpi'").fetchall()}
    assert tables == {"officers", "companies", "rejects"}


def test_crash_mid_load_keeps_previous_tables(con, inpi_samples, monkeypatch):
    load_rne(con, [inpi_samples / "rne_company_2024_shape.json"])

    def boom(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(rne_load.db, "publish", boom)
    with pytest.raises(RuntimeError, match="disk full"):
        load_rne(con, [inpi_samples / "rne_company_2023_shape.json"])
    assert [r[0] for r in _officers(con)] == ["980704894", "980704894"]


def test_bad_pouvoir_is_quarantined_and_the_rest_loaded(con, inpi_samples):
    payload = json.loads((inpi_samples / "rne_company_2024_shape.json").read_text())
    payload["formality"]["content"]["personneMorale"]["composition"]["pouvoirs"].append({"representantId": "x9"})
    report = apply_rne_updates(con, [payload])
    assert report.loaded == {"inpi.officers": 2, "inpi.companies": 1}
    assert report.rejects_by_reason == {"pouvoir names neither an individu nor an entreprise": 1}
    assert con.execute("SELECT reason, raw FROM inpi.rejects").fetchall() == [
        ("pouvoir names neither an individu nor an entreprise: representantId 'x9', SIREN 980704894",
         '{"representantId": "x9"}')]


TWO_ROLES = "Président du conseil d'administration,Directeur général"


def _two_role_payload(inpi_samples):
    payload = json.loads((inpi_samples / "rne_company_2024_shape.json").read_text())
    payload["formality"]["content"]["personneMorale"]["composition"]["pouvoirs"][0].update(
        roleEntreprise="51", libelleRoleEntreprise=TWO_ROLES)
    return payload


def _roles(con):
    return con.execute("SELECT family_name, role_code, role_codes, role_label FROM inpi.officers ORDER BY family_name").fetchall()


EXPECTED_ROLES = [("LEFEBVRE", "53", ["53", "51"], "Directeur Général, Président du conseil d'administration"),
                  ("PETIT", "53", ["53"], "Directeur Général")]


def test_every_role_code_is_stored_by_stock_load_and_updates(con, tmp_path, inpi_samples):
    path = tmp_path / "two_roles.json"
    path.write_text(json.dumps(_two_role_payload(inpi_samples)))
    assert load_rne(con, [path]).loaded == {"inpi.officers": 2, "inpi.companies": 1}
    assert _roles(con) == EXPECTED_ROLES
    con.execute("DELETE FROM inpi.officers")
    con.execute("DELETE FROM inpi.companies")
    apply_rne_updates(con, [{"company": _two_role_payload(inpi_samples)}])
    assert _roles(con) == EXPECTED_ROLES


def test_updates_on_a_table_loaded_before_role_codes_add_the_column(con, inpi_samples):
    con.execute("CREATE SCHEMA IF NOT EXISTS inpi")
    rne_load.create_table(con, "officers", "inpi.officers")
    con.execute("ALTER TABLE inpi.officers DROP COLUMN role_codes")
    apply_rne_updates(con, [_two_role_payload(inpi_samples)])
    assert _roles(con) == EXPECTED_ROLES
