"""Exact import files for each CRM from the hand-built leads (tests/crm/golden/*.csv)."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from firmo.crm import export_leads
from firmo.crm.layouts import BAND_MIN, employee_count, hubspot_column_mappings

from .conftest import NOW, golden_leads, lead

GOLDEN = Path(__file__).parent / "golden"


@pytest.mark.parametrize("crm", ["hubspot", "salesforce", "pipedrive"])
def test_golden_file(con, tmp_path, crm):
    report = export_leads(golden_leads(), con=con, root=tmp_path, crms=(crm,), now=NOW)
    expected_path = tmp_path / "saas_paris" / crm / f"{crm}_saas_paris_20260302T093000Z_part001.csv"
    assert report.files == {crm: [expected_path]}
    assert expected_path.read_bytes() == (GOLDEN / f"{crm}.csv").read_bytes()
    assert report.exported == {crm: 3}
    assert report.skipped_p == 1


def test_golden_headers_are_the_crm_field_names():
    first = {crm: (GOLDEN / f"{crm}.csv").read_bytes().decode("utf-8").split("\r\n")[0] for crm in
             ("hubspot", "salesforce", "pipedrive")}
    assert first["hubspot"].startswith("email,firstname,lastname,jobtitle,phone,mobilephone,company,")
    assert first["salesforce"].startswith("FirstName,LastName,Company,Title,Email,Phone,MobilePhone,Street,")
    assert first["pipedrive"].startswith("Organization - Name,Organization - Address,")
    assert "Secret SARL" not in "".join((GOLDEN / f"{c}.csv").read_bytes().decode("utf-8") for c in first)


def test_files_are_utf8_without_bom_and_crlf(con, tmp_path):
    report = export_leads(golden_leads(), con=con, root=tmp_path, now=NOW)
    for files in report.files.values():
        data = files[0].read_bytes()
        assert not data.startswith(b"\xef\xbb\xbf")
        assert data.count(b"\r\n") == 4 and data.count(b"\n") == 4  # header + 3 rows
        data.decode("utf-8")


def test_employee_count_is_the_band_lower_bound():
    assert employee_count(lead(employees_min=20, headcount_band="12")) == 20
    assert employee_count(lead(employees_min=None, headcount_band="53")) == 10000
    assert employee_count(lead(employees_min=None, headcount_band="NN")) is None
    assert BAND_MIN["01"] == 1 and BAND_MIN["42"] == 1000


def test_hubspot_mapping_puts_contact_and_company_columns_on_their_objects():
    mappings = {m["columnName"]: m for m in hubspot_column_mappings()}
    assert mappings["email"] == {"columnName": "email", "propertyName": "email", "columnObjectTypeId": "0-1",
                                 "idColumnType": "HUBSPOT_ALTERNATE_ID"}
    assert mappings["siren"]["columnObjectTypeId"] == "0-2"
    assert mappings["numberofemployees"]["columnObjectTypeId"] == "0-2"
    assert mappings["firmo_email_source"]["columnObjectTypeId"] == "0-1"


def test_one_folder_per_icp(con, tmp_path):
    leads = golden_leads().head(1).vstack(golden_leads().head(1).with_columns(icp=pl.lit("b2b")))
    report = export_leads(leads, con=con, root=tmp_path, crms=("pipedrive",), now=NOW)
    assert [p.relative_to(tmp_path).parts[:2] for p in report.files["pipedrive"]] == [
        ("b2b", "pipedrive"), ("saas_paris", "pipedrive")]
