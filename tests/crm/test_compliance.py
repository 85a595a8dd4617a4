"""Suppression and customer lists: storage, CSV import, lookups before enrichment and export."""

from __future__ import annotations

import hashlib

import pytest

from firmo.compliance import (
    SuppressionIndex, add_customers, import_customers_csv, import_suppression_csv, is_suppressed, suppress,
)
from firmo.compliance.normalise import InvalidIdentifier, normalise_domain, normalise_phone, normalise_siren
from firmo.crm import export_leads

from .conftest import NOW, frame, golden_leads, lead


def test_normalisers():
    assert normalise_domain("https://www.Acme.FR/contact?x=1") == "acme.fr"
    assert normalise_siren("552 100 554") == "552100554"
    assert normalise_siren("55210055400013") == "552100554"
    assert normalise_phone("06 12 34 56 78") == "+33612345678"
    with pytest.raises(InvalidIdentifier):
        normalise_siren("12345")


def test_emails_are_stored_hashed_siren_in_clear(con):
    assert suppress(con, "email", " Jeanne.Martin@ACME.fr ", reason="opt-out", now=NOW) is True
    assert suppress(con, "email", "jeanne.martin@acme.fr", reason="again", now=NOW) is False
    suppress(con, "siren", "732 829 320", reason="company asked", now=NOW)
    rows = con.execute("SELECT kind, value, reason, added_at FROM exports.suppression ORDER BY kind").fetchall()
    digest = hashlib.sha256(b"jeanne.martin@acme.fr").hexdigest()
    assert rows == [("email", digest, "opt-out", NOW), ("siren", "732829320", "company asked", NOW)]


def test_is_suppressed_works_before_enrichment(con):
    """The waterfall asks with whatever it has (siren, domain, a candidate email) before paying."""
    suppress(con, "domain", "eclair.fr", reason="domain opt-out", now=NOW)
    suppress(con, "phone", "06 12 34 56 78", reason="do not call", now=NOW)
    assert is_suppressed(con, siren="443061841", website_domain="https://eclair.fr")
    assert is_suppressed(con, email="someone@ECLAIR.fr")          # email domain is on the list
    assert is_suppressed(con, phone="+33612345678")
    assert not is_suppressed(con, siren="443061841", website_domain="other.fr")
    assert not is_suppressed(con, email="not an email")           # malformed: no match, no crash
    index = SuppressionIndex.load(con)
    assert index.reason({"domain": "eclair.fr"}) == "suppressed: domain opt-out"
    assert index({"siret": "55210055400013"}) is False


def test_customers_are_not_prospected(con, tmp_path):
    add_customers(con, [("siren", "552100554", "Acme"), ("domain", "www.eclair.fr", None)], now=NOW)
    report = export_leads(golden_leads(), con=con, root=tmp_path, crms=("hubspot",), now=NOW)
    assert report.customers == 2 and report.exported == {"hubspot": 1}
    assert SuppressionIndex.load(con).reason({"siren": "552100554"}) == "customer"


def test_export_skips_suppressed_and_counts_them(con, tmp_path):
    suppress(con, "email", "ANNE.ROUX@eclair.fr", reason="unsubscribed", now=NOW)
    suppress(con, "siren", "732829320", reason="objection", now=NOW)
    report = export_leads(golden_leads(), con=con, root=tmp_path, now=NOW)
    assert report.suppressed == 2 and report.skipped_p == 1
    assert report.exported == {"hubspot": 1, "salesforce": 1, "pipedrive": 1}
    text = report.files["hubspot"][0].read_bytes().decode()
    assert "eclair" not in text and "Dupont" not in text and "jeanne.martin@acme.fr" in text


def test_suppression_csv_import_by_column_with_rejects(con, tmp_path):
    path = tmp_path / "optouts.csv"
    path.write_text("email;siren;reason\nA@Acme.fr;;unsubscribe\n;732829320;\nnot-an-email;;\n;;\n",
                    encoding="utf-8")
    result = import_suppression_csv(con, path, now=NOW)
    assert (result.added, result.read, result.rejected) == (2, 3, 2)
    reasons = dict(con.execute("SELECT kind, reason FROM exports.suppression").fetchall())
    assert reasons == {"email": "unsubscribe", "siren": "imported opt-out list"}
    rejects = con.execute(
        "SELECT target_table, line_number, reason FROM exports.rejects ORDER BY line_number").fetchall()
    assert rejects == [
        ("exports.suppression", 4, "not an email address: 'not-an-email'"),
        ("exports.suppression", 5, "no value in any of the columns kind/value or email/phone/domain/siren"),
    ]
    assert is_suppressed(con, email="a@acme.fr")


def test_suppression_csv_kind_value_layout(con, tmp_path):
    path = tmp_path / "list.csv"
    path.write_text("kind,value,reason\ndomain,eclair.fr,bounce\nfax,123,x\n", encoding="utf-8")
    result = import_suppression_csv(con, path, now=NOW)
    assert (result.added, result.rejected) == (1, 1)
    assert con.execute("SELECT reason FROM exports.rejects").fetchone()[0].startswith("kind must be one of")


def test_customers_csv_import(con, tmp_path):
    path = tmp_path / "customers.csv"
    path.write_text("\ufeffSIREN,Domain,Name\n552100554,acme.fr,Acme\n,eclair.fr,\n12,,Bad\n", encoding="utf-8")
    result = import_customers_csv(con, path, now=NOW)
    assert (result.added, result.read, result.rejected) == (3, 4, 1)
    assert con.execute("SELECT kind, value, name FROM exports.customers ORDER BY kind, value").fetchall() == [
        ("domain", "acme.fr", "Acme"), ("domain", "eclair.fr", None), ("siren", "552100554", "Acme")]
    assert is_suppressed(con, **frame(lead()).to_dicts()[0])
