"""Formula neutralisation (OWASP CSV injection) and E.164 phones kept importable."""

from __future__ import annotations

import csv
import io

import pytest

from firmo.crm import export_leads
from firmo.crm.csvfile import format_cell, neutralise

from .conftest import NOW, frame, lead


@pytest.mark.parametrize("trigger", ["=", "+", "-", "@", "\t", "\r"])
def test_each_trigger_character_is_prefixed_with_a_quote(trigger):
    assert neutralise(f"{trigger}cmd|' /C calc'!A0") == f"'{trigger}cmd|' /C calc'!A0"


def test_other_text_is_unchanged():
    assert neutralise("Acme = best") == "Acme = best"
    assert neutralise("'already quoted") == "'already quoted"


def test_typed_cells():
    assert format_cell(-1200) == "-1200"          # a number is not a formula
    assert format_cell(3200000) == "3200000"      # no thousands separator
    assert format_cell(None) == ""
    assert format_cell("-1200") == "'-1200"       # text that looks like a formula is neutralised


def test_e164_phone_kept_only_in_phone_columns():
    assert format_cell("+33612345678", phone=True) == "+33612345678"
    assert format_cell("+33612345678", phone=False) == "'+33612345678"
    assert format_cell("+1+cmd|'/C calc'!A0", phone=True) == "'+1+cmd|'/C calc'!A0"
    assert format_cell("+33 6 12 34 56 78", phone=True) == "'+33 6 12 34 56 78"


def _rows(path):
    return list(csv.DictReader(io.StringIO(path.read_bytes().decode("utf-8"))))


def test_export_neutralises_every_text_field_but_keeps_phones(con, tmp_path):
    hostile = lead(
        job_title="=HYPERLINK(\"http://evil\",\"x\")", company_name="@SUM(1+1)", street="-2+3",
        first_name="+Jean", last_name="\tMartin", score_reasons=["=1+1"], email_source="\rhunter",
    )
    report = export_leads(frame(hostile), con=con, root=tmp_path, now=NOW)
    hubspot = _rows(report.files["hubspot"][0])[0]
    assert hubspot["jobtitle"] == "'=HYPERLINK(\"http://evil\",\"x\")"
    assert hubspot["company"] == hubspot["name"] == "'@SUM(1+1)"
    assert hubspot["address"] == "'-2+3"
    assert (hubspot["firstname"], hubspot["lastname"]) == ("'+Jean", "'\tMartin")
    assert hubspot["firmo_score_reasons"] == "'=1+1"
    assert hubspot["firmo_email_source"] == "'\rhunter"
    assert hubspot["mobilephone"] == "+33612345678"
    salesforce = _rows(report.files["salesforce"][0])[0]
    assert (salesforce["Title"], salesforce["MobilePhone"]) == ("'=HYPERLINK(\"http://evil\",\"x\")", "+33612345678")
    pipedrive = _rows(report.files["pipedrive"][0])[0]
    assert (pipedrive["Organization - Name"], pipedrive["Person - Phone"]) == ("'@SUM(1+1)", "+33612345678")
    assert pipedrive["Lead - Title"] == "'@SUM(1+1) - +Jean \tMartin"  # starts with '@': neutralised as a whole


def test_no_cell_of_any_export_starts_with_a_trigger_except_e164_phones(con, tmp_path):
    hostile = lead(job_title="=x", city="+y", naf_division_label="-z", postal_code="@w", phone="+33478000000",
                   phone_type="direct")
    report = export_leads(frame(hostile), con=con, root=tmp_path, now=NOW)
    phones = {"phone", "mobilephone", "Phone", "MobilePhone", "Person - Phone"}
    for files in report.files.values():
        for row in _rows(files[0]):
            for column, cell in row.items():
                if cell.startswith(("=", "+", "-", "@", "\t", "\r")):
                    assert column in phones and cell == "+33478000000", (column, cell)
