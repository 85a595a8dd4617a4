"""Ledger-driven incremental exports, atomic files, importer-limit splitting."""

from __future__ import annotations

from datetime import datetime

import polars as pl
import pytest

from firmo.crm import Limits, export_leads
from firmo.crm import csvfile, export
from firmo.crm.csvfile import split_parts

from .conftest import NOW, frame, golden_leads, lead

LATER = datetime(2026, 3, 3, 9, 30, 0)


def _ledger(con):
    return con.execute(
        "SELECT crm, lead_key, exported_at, file FROM exports.ledger ORDER BY crm, lead_key").fetchall()


def _csv_files(root):
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


def test_second_run_exports_nothing(con, tmp_path):
    first = export_leads(golden_leads(), con=con, root=tmp_path, now=NOW)
    assert first.exported == {"hubspot": 3, "salesforce": 3, "pipedrive": 3}
    second = export_leads(golden_leads(), con=con, root=tmp_path, now=LATER)
    assert second.exported == {"hubspot": 0, "salesforce": 0, "pipedrive": 0}
    assert second.skipped_unchanged == {"hubspot": 3, "salesforce": 3, "pipedrive": 3}
    assert second.files == {"hubspot": [], "salesforce": [], "pipedrive": []}
    assert len(_csv_files(tmp_path)) == 3


def test_changed_lead_exports_one_and_unexported_field_changes_nothing(con, tmp_path):
    export_leads(golden_leads(), con=con, root=tmp_path, now=NOW)
    changed = golden_leads().with_columns(
        score=pl.when(pl.col("siren") == "552100554").then(91)
        .otherwise(pl.col("score")),
        lead_updated_at=pl.lit(LATER),  # not exported: must not count as a change
    )
    report = export_leads(changed, con=con, root=tmp_path, crms=("salesforce",), now=LATER)
    assert report.exported == {"salesforce": 1} and report.skipped_unchanged == {"salesforce": 2}
    text = report.files["salesforce"][0].read_bytes().decode("utf-8")
    assert text.count("\r\n") == 2 and ",91," in text
    rows = {r[1]: r for r in _ledger(con) if r[0] == "salesforce"}
    assert rows["552100554|jeanne.martin@acme.fr"][2] == LATER
    assert rows["443061841|anne.roux@eclair.fr"][2] == NOW


def test_full_reexports_everything(con, tmp_path):
    export_leads(golden_leads(), con=con, root=tmp_path, now=NOW)
    report = export_leads(golden_leads(), con=con, root=tmp_path, full=True, now=LATER)
    assert report.exported == {"hubspot": 3, "salesforce": 3, "pipedrive": 3}
    assert {r[2] for r in _ledger(con)} == {LATER}
    assert len(_ledger(con)) == 9


def test_crash_while_writing_leaves_no_file_and_no_ledger(con, tmp_path, monkeypatch):
    calls = {"n": 0}
    real_fsync = csvfile.os.fsync

    def dying_fsync(fd):
        calls["n"] += 1
        if calls["n"] == 2:  # first file complete, second one dies mid-write
            raise OSError("disk full")
        real_fsync(fd)

    monkeypatch.setattr(csvfile.os, "fsync", dying_fsync)
    with pytest.raises(OSError, match="disk full"):
        export_leads(golden_leads(), con=con, root=tmp_path, now=NOW)
    assert _csv_files(tmp_path) == []  # neither finished nor temp files
    assert _ledger(con) == []
    monkeypatch.setattr(csvfile.os, "fsync", real_fsync)
    assert export_leads(golden_leads(), con=con, root=tmp_path, now=NOW).exported["hubspot"] == 3


def test_crash_while_recording_rolls_the_ledger_back(con, tmp_path, monkeypatch):
    export_leads(golden_leads().head(1), con=con, root=tmp_path, now=NOW)
    before = _ledger(con)

    def dying_record(connection, rows):
        connection.execute("DELETE FROM exports.ledger")  # partial work inside the transaction
        raise RuntimeError("killed")

    monkeypatch.setattr(export.ledger, "record", dying_record)
    with pytest.raises(RuntimeError, match="killed"):
        export_leads(golden_leads(), con=con, root=tmp_path, full=True, now=LATER)
    assert _ledger(con) == before


def test_row_limit_splits_files_each_with_a_header(con, tmp_path):
    leads = frame(*[lead(email=f"p{i}@acme.fr", last_name=f"N{i}") for i in range(5)])
    report = export_leads(leads, con=con, root=tmp_path, crms=("pipedrive",), now=NOW,
                          limits={"pipedrive": Limits(max_rows=2, max_bytes=10_000)})
    parts = report.files["pipedrive"]
    assert [p.name for p in parts] == [f"pipedrive_saas_paris_20260302T093000Z_part00{i}.csv" for i in (1, 2, 3)]
    texts = [p.read_bytes().decode("utf-8") for p in parts]
    assert [t.count("\r\n") for t in texts] == [3, 3, 2]
    assert all(t.startswith("Organization - Name,") for t in texts)
    files = dict(con.execute("SELECT lead_key, file FROM exports.ledger").fetchall())
    assert files["552100554|p4@acme.fr"].endswith("part003.csv")
    assert files["552100554|p0@acme.fr"].endswith("part001.csv")


def test_byte_limit_splits_and_an_oversized_row_is_an_error():
    header, rows = ["a"], [["x" * 10], ["y" * 10], ["z" * 10]]
    parts = split_parts(header, rows, Limits(max_rows=100, max_bytes=3 + 12 * 2))
    assert [(start, count) for _, start, count in parts] == [(0, 2), (2, 1)]
    assert parts[0][0] == b"a\r\n" + b"x" * 10 + b"\r\n" + b"y" * 10 + b"\r\n"
    with pytest.raises(ValueError, match="over the 10-byte file limit"):
        split_parts(header, rows, Limits(max_rows=100, max_bytes=10))


def test_duplicates_collapse_to_latest_and_bad_leads_are_reported(con, tmp_path):
    leads = frame(
        lead(job_title="Old", lead_updated_at=datetime(2026, 1, 1)),
        lead(job_title="New", lead_updated_at=datetime(2026, 2, 1)),
        lead(siren="12345", email="a@b.fr"),
        lead(siren="443061841", last_name=None, email="c@d.fr"),
    )
    report = export_leads(leads, con=con, root=tmp_path, crms=("salesforce",), now=NOW)
    assert report.exported == {"salesforce": 1} and report.duplicates == 1
    assert report.rejected == [("12345", "siren '12345' is not 9 digits"),
                               ("443061841", "no last_name (Salesforce LastName and Pipedrive person name are required)")]
    assert ",New," in report.files["salesforce"][0].read_bytes().decode("utf-8")
    assert con.execute("SELECT target_table, line_number, raw FROM exports.rejects ORDER BY line_number").fetchall() == [
        ("exports.ledger", 3, '{"icp": "saas_paris", "siren": "12345", "company_name": "Acme SAS"}'),
        ("exports.ledger", 4, '{"icp": "saas_paris", "siren": "443061841", "company_name": "Acme SAS"}'),
    ]
    export_leads(leads.head(2), con=con, root=tmp_path, crms=("salesforce",), now=NOW)
    assert con.execute("SELECT count(*) FROM exports.rejects").fetchall() == [(0,)]  # describes the last run


def test_missing_columns_is_a_clear_error(con, tmp_path):
    with pytest.raises(ValueError, match="lacks required columns: statut_diffusion"):
        export_leads(golden_leads().drop("statut_diffusion"), con=con, root=tmp_path, now=NOW)


def test_p_units_are_never_exported(con, tmp_path):
    leads = frame(lead(statut_diffusion="P"), lead(siren="443061841", statut_diffusion=None, email="z@eclair.fr"))
    report = export_leads(leads, con=con, root=tmp_path, now=NOW)
    assert report.skipped_p == 2
    assert report.exported == {"hubspot": 0, "salesforce": 0, "pipedrive": 0}
    assert _csv_files(tmp_path) == [] and _ledger(con) == []


def test_a_second_run_in_the_same_second_never_overwrites(con, tmp_path):
    first = export_leads(golden_leads(), con=con, root=tmp_path, crms=("hubspot",), now=NOW)
    second = export_leads(golden_leads().head(1).with_columns(score=pl.lit(12)), con=con, root=tmp_path,
                          crms=("hubspot",), now=NOW)
    assert [p.name for p in second.files["hubspot"]] == ["hubspot_saas_paris_20260302T093000Z-2_part001.csv"]
    assert first.files["hubspot"][0].read_bytes().decode().count("\r\n") == 4
