"""Erasure requests (`forget`) and the 3-year retention purge."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from firmo.compliance import RetentionRule, default_targets, forget, is_suppressed, purge_expired
from firmo.compliance.normalise import InvalidIdentifier
from firmo.compliance.retention import cutoff
from firmo.crm import export_leads

from .conftest import NOW, golden_leads


def _warehouse(con):
    """leads.* and waterfall.* tables as the other packages will roughly shape them."""
    con.execute("""CREATE TABLE leads.contacts AS SELECT * FROM (VALUES
        ('552100554', 'Jeanne.Martin@acme.fr', 'valid', 'hunter', DATE '2026-02-20', '+33612345678',
         'mobile', 'lusha', DATE '2026-02-21', NULL::TIMESTAMP),
        ('443061841', 'anne.roux@eclair.fr', 'valid', 'dropcontact', DATE '2022-12-01', NULL, NULL, NULL, NULL,
         TIMESTAMP '2025-06-01 10:00:00'),
        ('732829320', 'old@dupont.fr', 'risky', 'hunter', DATE '2023-03-01', '+33478000000', 'direct', 'kaspr',
         DATE '2023-03-03', NULL)
    ) t(siren, email, email_status, email_source, email_found_at, phone, phone_type, phone_source,
        phone_found_at, last_inbound_at)""")
    con.execute("""CREATE TABLE leads.companies AS SELECT * FROM (VALUES ('552100554', 'Acme SAS'),
        ('443061841', 'Boulangerie Éclair')) t(siren, company_name)""")
    con.execute("""CREATE TABLE waterfall.cache AS SELECT * FROM (VALUES
        ('jeanne.martin@acme.fr', 'hunter', TIMESTAMP '2026-02-20 08:00:00'),
        ('x@eclair.fr', 'hunter', TIMESTAMP '2022-01-01 08:00:00')) t(email, provider, fetched_at)""")
    con.execute("""CREATE TABLE waterfall.provenance AS SELECT * FROM (VALUES
        ('552100554', 'JEANNE.MARTIN@ACME.FR', 'email', 'hunter', TIMESTAMP '2026-02-20 08:00:00'),
        ('552100554', 'p.durand@acme.fr', 'email', 'hunter', TIMESTAMP '2022-06-01 08:00:00')
    ) t(siren, email, field, provider, asked_at)""")


def test_forget_email_erases_everywhere_and_suppresses(con, tmp_path):
    _warehouse(con)
    first = export_leads(golden_leads(), con=con, root=tmp_path, now=NOW)
    result = forget(con, " Jeanne.Martin@ACME.fr", now=NOW)
    assert result.kind == "email" and result.newly_suppressed
    assert result.erased == {
        "exports.ledger.email": 3, "waterfall.cache.email": 1, "waterfall.provenance.email": 1,
        "leads.contacts.email": 1, "exports.crm_contacts.email": 0,
    }
    assert result.export_files == sorted(p.relative_to(tmp_path).as_posix() for f in first.files.values() for p in f)
    assert con.execute("SELECT count(*) FROM waterfall.provenance").fetchall() == [(1,)]  # colleague kept
    assert is_suppressed(con, email="jeanne.martin@acme.fr")
    stored = con.execute("SELECT value FROM exports.suppression").fetchall()[0][0]
    assert "jeanne" not in stored and len(stored) == 64


def test_forgotten_person_does_not_come_back_after_the_nightly_reload(con, tmp_path):
    export_leads(golden_leads(), con=con, root=tmp_path, now=NOW)
    forget(con, "jeanne.martin@acme.fr", now=NOW)
    # the reload rebuilds the same lead list from the registries and providers
    report = export_leads(golden_leads(), con=con, root=tmp_path, full=True, now=datetime(2026, 3, 3))
    assert report.suppressed == 1 and report.exported["hubspot"] == 2
    assert all("jeanne" not in p.read_bytes().decode().lower() for f in report.files.values() for p in f)
    assert con.execute("SELECT count(*) FROM exports.ledger WHERE email = 'jeanne.martin@acme.fr'").fetchall() == [(0,)]


def test_forget_siren_erases_the_company_contacts(con):
    _warehouse(con)
    result = forget(con, "552 100 554", now=NOW, reason="sole trader objection")
    assert result.kind == "siren"
    assert result.erased == {"exports.ledger.siren": 0, "waterfall.provenance.siren": 2, "leads.companies.siren": 1,
                             "leads.contacts.siren": 1}
    assert is_suppressed(con, siren="55210055400013")
    assert con.execute("SELECT reason FROM exports.suppression").fetchall() == [("sole trader objection",)]


def test_forget_with_extended_targets(con):
    _warehouse(con)
    con.execute("CREATE TABLE analytics.sent (recipient VARCHAR)")
    con.execute("INSERT INTO analytics.sent VALUES ('jeanne.martin@acme.fr'), ('other@acme.fr')")
    targets = default_targets(con, "email") + [("analytics.sent", "recipient"), ("analytics.nope", "email")]
    result = forget(con, "jeanne.martin@acme.fr", targets=targets, now=NOW)
    assert result.erased["analytics.sent.recipient"] == 1 and result.erased["analytics.nope.email"] == 0
    assert forget(con, "jeanne.martin@acme.fr", now=NOW).newly_suppressed is False


def test_forget_refuses_what_it_cannot_identify(con):
    with pytest.raises(InvalidIdentifier):
        forget(con, "Jeanne Martin")


def test_cutoff_is_three_calendar_years():
    assert cutoff(datetime(2026, 3, 2, 9, 30)) == datetime(2023, 3, 2, 9, 30)
    assert cutoff(datetime(2028, 2, 29)) == datetime(2025, 2, 28)


def test_retention_purge_clears_old_contact_data_only(con, tmp_path):
    _warehouse(con)
    export_leads(golden_leads(), con=con, root=tmp_path, now=datetime(2023, 1, 1))
    export_leads(golden_leads().head(1), con=con, root=tmp_path, full=True, now=NOW)
    con.execute("INSERT INTO exports.suppression VALUES ('siren', '999999999', 'old', NULL, TIMESTAMP '2019-01-01')")
    done = purge_expired(con, now=NOW)
    assert done == {
        "leads.contacts[email,email_status,email_source,email_found_at]": 1,  # Dupont 2023-03-01: 3 y + 1 day
        "leads.contacts[phone,phone_type,phone_source,phone_found_at]": 0,  # Dupont phone 2023-03-03: kept
        "exports.ledger[row]": 6,        # Dupont and Éclair rows exported in 2023, never since
        "waterfall.cache[row]": 1,
        "waterfall.provenance[row]": 1,  # p.durand asked in 2022: where a value came from goes with it
        "exports.crm_contacts[row]": 0,  # nothing read back from a CRM here
    }
    rows = con.execute("SELECT siren, email, email_found_at, phone FROM leads.contacts ORDER BY siren").fetchall()
    assert rows == [
        ("443061841", "anne.roux@eclair.fr", date(2022, 12, 1), None),  # renewed by an inbound reply in 2025
        ("552100554", "Jeanne.Martin@acme.fr", date(2026, 2, 20), "+33612345678"),
        ("732829320", None, None, "+33478000000"),
    ]
    later = purge_expired(con, now=datetime(2026, 3, 4))
    assert later["leads.contacts[email,email_status,email_source,email_found_at]"] == 0
    assert later["leads.contacts[phone,phone_type,phone_source,phone_found_at]"] == 1
    assert con.execute("SELECT email_status, phone, phone_source FROM leads.contacts WHERE siren = '732829320'"
                       ).fetchall() == [(None, None, None)]
    assert con.execute("SELECT count(*) FROM exports.suppression").fetchall() == [(1,)]  # never purged
    assert con.execute("SELECT count(*) FROM leads.companies").fetchall() == [(2,)]


def test_retention_custom_rule(con):
    con.execute("CREATE TABLE leads.notes (email VARCHAR, noted_at DATE)")
    con.execute("INSERT INTO leads.notes VALUES ('a@b.fr', DATE '2020-01-01'), ('c@d.fr', DATE '2025-01-01')")
    assert purge_expired(con, now=NOW, rules=[RetentionRule("leads.notes", ("noted_at",))]) == {
        "leads.notes[row]": 1}
