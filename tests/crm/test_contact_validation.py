"""Invalid contact values never reach a CRM file: an email the CSV would have to quote, a phone
that is not E.164 or a domain that is not a host name sends the lead to exports.rejects."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from firmo.crm import export_leads
from firmo.crm.contacts import contact_problem, domain_problem, email_problem, phone_problem

from .conftest import NOW, frame, golden_leads, lead

GOLDEN = Path(__file__).parent / "golden"
QUOTED_EMAIL = ("email starts with '-': the CSV would have to quote it as a formula, and the quoted value would no "
                "longer match the contact in the CRM")
NOT_E164 = "phone is not an E.164 number (+, country code, digits only, e.g. +33612345678)"
NOT_HOST = ("website_domain '=evil.fr' is not a host name (dot-separated labels of letters, digits and '-', "
            "e.g. acme.fr)")


def _bad_leads():
    return [
        lead(siren="200000001", company_name="Tiret SAS", email="-x@acme.fr"),
        lead(siren="200000002", company_name="Formule SARL", phone="=1+2", phone_type="direct"),
        lead(siren="200000003", company_name="Evil SA", website_domain="=evil.fr"),
    ]


@pytest.mark.parametrize("crm", ["hubspot", "salesforce", "pipedrive"])
def test_invalid_contacts_are_rejected_not_quoted_into_the_file(con, tmp_path, crm):
    leads = frame(*golden_leads().to_dicts(), *_bad_leads())
    report = export_leads(leads, con=con, root=tmp_path, crms=(crm,), now=NOW)
    [path] = report.files[crm]
    # exactly the file of the three valid leads alone: nothing of the invalid ones, quoted or not
    assert path.read_bytes() == (GOLDEN / f"{crm}.csv").read_bytes()
    assert report.exported == {crm: 3}
    assert report.rejected == [("200000001", QUOTED_EMAIL), ("200000002", NOT_E164), ("200000003", NOT_HOST)]
    rows = con.execute(
        "SELECT target_table, line_number, reason, raw FROM exports.rejects "
        "WHERE reason LIKE 'email%' OR reason LIKE 'phone%' OR reason LIKE 'website_domain%' ORDER BY line_number"
    ).fetchall()
    raw = [json.dumps({"icp": "saas_paris", "siren": s, "company_name": n}, ensure_ascii=False)
           for s, n in (("200000001", "Tiret SAS"), ("200000002", "Formule SARL"), ("200000003", "Evil SA"))]
    assert rows == [("exports.ledger", 5, QUOTED_EMAIL, raw[0]), ("exports.ledger", 6, NOT_E164, raw[1]),
                    ("exports.ledger", 7, NOT_HOST, raw[2])]
    # the quarantine holds no personal data: neither the email nor the phone
    assert "-x@acme.fr" not in str(rows) and "=1+2" not in str(rows)


def test_email_rules():
    assert email_problem("jeanne.martin@acme.fr") is None
    assert email_problem("j+crm@acme.fr") is None          # '+' inside the local part is fine
    assert email_problem("-x@acme.fr") == QUOTED_EMAIL     # RFC 5322 allows it; the CRM key would not survive
    assert email_problem("=1+2@acme.fr").startswith("email starts with '='")
    assert email_problem("+x@acme.fr").startswith("email starts with '+'")
    assert email_problem("a..b@acme.fr") == "email is not a valid address: An email address cannot have two periods in a row."
    assert email_problem("x@acme") == ("email is not a valid address: The part after the @-sign is not valid. "
                                       "It should have a period.")
    assert email_problem("élodie@acme.fr") == ("email is not a valid address: Internationalized characters before "
                                               "the @-sign are not supported: 'é'.")


def test_phone_and_domain_rules():
    assert phone_problem("+33612345678") is None and phone_problem("+33478000000") is None
    for bad in ("=1+2", "+33 6 12 34 56 78", "0612345678", "+3361234", "+336123456789012", "+33612345678 "):
        assert phone_problem(bad) == NOT_E164, bad
    assert domain_problem("acme.fr") is None and domain_problem("www.Acme.FR") is None
    assert domain_problem("xn--caf-dma.fr") is None
    for bad in ("=evil.fr", "https://acme.fr", "acme.fr/contact", "acme.fr.", "-acme.fr", "café.fr", "acme", "acme.f2"):
        assert domain_problem(bad) is not None, bad


def test_missing_values_are_fine_and_email_is_checked_as_exported():
    assert contact_problem(lead(email=None, phone=None, website_domain=None)) is None
    assert contact_problem(lead(email="", phone="", website_domain="")) is None
    assert contact_problem(lead(email=" Jeanne.Martin@ACME.fr ")) is None  # exported lower-cased and trimmed
    assert contact_problem(lead(email="   ")).startswith("email is not a valid address")
