"""Salesforce read-back against the loopback fake: SOQL paged through nextRecordsUrl, the cursor on
SystemModstamp, Lead statuses sales set, won opportunities, and what the export and the push do
with it (a fresh org, an org that already has the accounts, an org where sales disqualified half
the leads)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from firmo.crm import export_leads
from firmo.crm.push_salesforce import push_salesforce
from firmo.crm.readback_salesforce import modified_query, pull_salesforce
from firmo.crm.salesforce_api import SalesforceError

from .conftest import NOW, golden_leads
from .fake_salesforce import CLOCK_START_MS, V
from .test_salesforce_push import client, fake_sf

MAR_1 = CLOCK_START_MS  # 2026-03-01T00:00:00Z
DAY_MS = 86_400_000


def _rows(con, sql):
    return con.execute(sql).fetchall()


def test_fresh_org_reads_nothing_then_what_the_push_created(con):
    with fake_sf() as fake, client(fake) as sf:
        empty = pull_salesforce(con, sf, now=NOW)
        assert (empty.accounts, empty.contacts, empty.deals, empty.cursors) == (0, 0, 0, {})
        assert fake.read_queries() == [
            "SELECT Id, Name, SIREN__c, Website, BillingPostalCode, OwnerId, Type, SystemModstamp FROM Account "
            "ORDER BY SystemModstamp, Id",
            "SELECT Id, Company, SIREN__c, Website, PostalCode, Email, OwnerId, Status, IsConverted, "
            "ConvertedAccountId, SystemModstamp FROM Lead ORDER BY SystemModstamp, Id",
            "SELECT Id, Email, AccountId, OwnerId, SystemModstamp FROM Contact ORDER BY SystemModstamp, Id",
            "SELECT Id, AccountId, StageName, IsWon, IsClosed, SystemModstamp FROM Opportunity "
            "ORDER BY SystemModstamp, Id",
        ]
        push_salesforce(golden_leads(), con=con, client=sf, now=NOW)
        report = pull_salesforce(con, sf, now=NOW + timedelta(hours=1))
    # three Accounts and two Leads (the lead without email has none), written one second apart
    assert (report.accounts, report.contacts, report.matched, report.unmatched) == (5, 2, {"siren": 5}, 0)
    assert report.cursors == {"Account": MAR_1 + 3000, "Lead": MAR_1 + 5000}
    assert _rows(con, "SELECT crm_id, siren, lifecycle, lead_status, owner FROM exports.crm_accounts "
                      "WHERE crm = 'salesforce' ORDER BY modified_at") == [
        ("001S70000000000001", "552100554", None, None, None),
        ("001S70000000000002", "732829320", None, None, None),
        ("001S70000000000003", "443061841", None, None, None),
        ("00QS70000000000004", "552100554", "Lead", None, None),
        ("00QS70000000000005", "443061841", "Lead", None, None),
    ]
    assert _rows(con, "SELECT crm_id, email, siren FROM exports.crm_contacts ORDER BY crm_id") == [
        ("00QS70000000000004", "jeanne.martin@acme.fr", "552100554"),
        ("00QS70000000000005", "anne.roux@eclair.fr", "443061841"),
    ]


def test_org_with_the_accounts_already_there_is_updated_keeps_owner_no_duplicate(con):
    with fake_sf() as fake, client(fake) as sf:
        acme = fake.seed("Account", {"Name": "ACME", "SIREN__c": "552100554", "OwnerId": "005S7000000seller",
                                     "Type": "Prospect"}, modstamp_ms=MAR_1)
        report = pull_salesforce(con, sf, now=NOW)
        assert (report.accounts, report.matched) == (1, {"siren": 1})
        assert _rows(con, "SELECT crm_id, siren, owner, lifecycle FROM exports.crm_accounts") == [
            (acme, "552100554", "005S7000000seller", "Prospect")]
        pushed = push_salesforce(golden_leads(), con=con, client=sf, now=NOW)
        assert (pushed.accounts, pushed.created_accounts) == (3, 2)
        assert len(fake.records["Account"]) == 3  # Acme updated, two new: no second Acme
        assert fake.records["Account"][acme]["OwnerId"] == "005S7000000seller"
        assert fake.records["Account"][acme]["Name"] == "Acme SAS"
        sent = [r for m, p, b in fake.requests if m == "PATCH" and p.startswith(f"/services/data/{V}/composite/")
                for r in b["records"]]
        assert all("OwnerId" not in r for r in sent)
        again = pull_salesforce(con, sf, now=NOW)
    assert _rows(con, "SELECT crm_id, owner FROM exports.crm_accounts WHERE crm_id = ?".replace("?", f"'{acme}'")) == [
        (acme, "005S7000000seller")]
    assert again.matched == {"siren": 5}


def test_sales_disqualified_half_the_leads_the_next_export_leaves_them_out(con, tmp_path):
    with fake_sf() as fake, client(fake) as sf:
        fake.seed("Lead", {"Company": "Acme", "SIREN__c": "552100554", "Email": "jeanne.martin@acme.fr",
                           "Status": "Working - Contacted"}, modstamp_ms=MAR_1)
        fake.seed("Lead", {"Company": "Dupont", "SIREN__c": "732829320", "Status": "Closed - Not Converted"},
                  modstamp_ms=MAR_1)
        fake.seed("Lead", {"Company": "Eclair", "Email": "Anne.Roux@eclair.fr", "SIREN__c": "443061841",
                           "Status": "Unqualified"}, modstamp_ms=MAR_1 + DAY_MS)
        fake.seed("Lead", {"Company": "Bleu", "SIREN__c": "880878145", "Status": "Open - Not Contacted"},
                  modstamp_ms=MAR_1 + DAY_MS)
        report = pull_salesforce(con, sf, now=NOW)
    # accounts: 2 held; contacts: Anne held (her lead's row) -> 3; validated: Jeanne's lead (row + contact)
    assert (report.accounts, report.contacts, report.disqualified, report.validated) == (4, 2, 3, 2)
    exported = export_leads(golden_leads(), con=con, root=tmp_path, crms=("salesforce",), now=NOW)
    assert exported.crm_disqualified == 2 and exported.exported == {"salesforce": 1}
    assert _rows(con, "SELECT raw, reason FROM exports.rejects WHERE reason LIKE 'disqualified%' ORDER BY 1") == [
        ('{"icp": "saas_paris", "siren": "443061841"}',
         "disqualified in salesforce (lead status Unqualified) since 2026-03-02: left out until 2026-05-31"),
        ('{"icp": "saas_paris", "siren": "732829320"}',
         "disqualified in salesforce (lead status Closed - Not Converted) since 2026-03-01: left out until 2026-05-30"),
    ]
    assert _rows(con, "SELECT record, siren FROM exports.crm_validated ORDER BY record") == [
        ("account", "552100554"), ("contact", "552100554")]


def test_statuses_are_the_orgs_own(con):
    with fake_sf() as fake, client(fake) as sf:
        fake.seed("Lead", {"Company": "Dupont", "SIREN__c": "732829320", "Status": "Rejected"}, modstamp_ms=MAR_1)
        fake.seed("Lead", {"Company": "Eclair", "SIREN__c": "443061841", "Status": "Unqualified"}, modstamp_ms=MAR_1)
        report = pull_salesforce(con, sf, now=NOW, disqualified_statuses=("rejected",))
    assert report.disqualified == 1
    assert _rows(con, "SELECT siren FROM exports.crm_accounts WHERE disqualified_since IS NOT NULL") == [
        ("732829320",)]


def test_incremental_pull_pages_and_reads_only_what_changed(con):
    with fake_sf(query_page_size=2, rate_limit_first=1) as fake, client(fake) as sf:
        ids = [fake.seed("Account", {"Name": f"A{i}", "SIREN__c": s}, modstamp_ms=MAR_1 + i * 1000)
               for i, s in enumerate(("552100554", "732829320", "443061841"))]
        first = pull_salesforce(con, sf, now=NOW)
        pages = [p for m, p, _ in fake.requests if p.startswith(f"/services/data/{V}/query/")]
        assert pages == [f"/services/data/{V}/query/01gS70000000001"]  # the 2nd page of the Accounts
        assert first.accounts == 3 and first.cursors == {"Account": MAR_1 + 2000}
        fake.edit("Account", ids[0], {"OwnerId": "005S7000000seller"}, modstamp_ms=MAR_1 + 9500)
        fake.requests.clear()
        second = pull_salesforce(con, sf, now=NOW + timedelta(hours=1))
        assert fake.read_queries()[0] == modified_query(
            "Account", ["Id", "Name", "SIREN__c", "Website", "BillingPostalCode", "OwnerId", "Type", "SystemModstamp"],
            MAR_1 + 2000)
        assert "WHERE SystemModstamp >= 2026-03-01T00:00:02Z ORDER BY" in fake.read_queries()[0]
    # the boundary record (>= to the second) and the edited one
    assert (second.accounts, second.cursors) == (2, {"Account": MAR_1 + 9500})
    assert _rows(con, "SELECT crm_id, owner, modified_at FROM exports.crm_accounts ORDER BY crm_id") == [
        (ids[0], "005S7000000seller", datetime(2026, 3, 1, 0, 0, 9, 500000)),
        (ids[1], None, datetime(2026, 3, 1, 0, 0, 1)),
        (ids[2], None, datetime(2026, 3, 1, 0, 0, 2)),
    ]


def test_won_opportunity_makes_a_customer(con, tmp_path):
    with fake_sf() as fake, client(fake) as sf:
        acme = fake.seed("Account", {"Name": "Acme SAS", "SIREN__c": "552100554"})
        for stage, won, closed in (("Closed Won", True, True), ("Closed Lost", False, True), ("Prospecting", False,
                                                                                               False)):
            fake.seed("Opportunity", {"AccountId": acme, "StageName": stage, "IsWon": won, "IsClosed": closed})
        report = pull_salesforce(con, sf, now=NOW)
    assert (report.deals, report.customers) == (3, 1)
    assert _rows(con, "SELECT open_deals, won, lost FROM exports.crm_accounts") == [(1, 1, 1)]
    assert _rows(con, "SELECT kind, value, name, source FROM exports.customers") == [
        ("siren", "552100554", "Acme SAS", "salesforce")]
    exported = export_leads(golden_leads(), con=con, root=tmp_path, crms=("salesforce",), now=NOW)
    assert exported.customers == 1 and exported.exported == {"salesforce": 2}


def test_an_org_without_the_siren_field_is_matched_by_website(con):
    con.execute("CREATE OR REPLACE TABLE leads.saas_paris (siren VARCHAR, website_domain VARCHAR)")
    con.execute("INSERT INTO leads.saas_paris VALUES ('552100554', 'acme.fr')")
    with fake_sf(missing_fields=("Account.SIREN__c", "Lead.SIREN__c")) as fake, client(fake) as sf:
        fake.seed("Account", {"Name": "Acme", "Website": "https://www.acme.fr/"})
        report = pull_salesforce(con, sf, now=NOW)
        assert "SIREN__c" not in fake.read_queries()[0]
    assert report.matched == {"domain": 1}


def test_a_pull_stopped_half_way_records_nothing_and_the_next_one_reads_all(con):
    with fake_sf(query_page_size=1) as fake, client(fake, max_retries=2) as sf:
        fake.seed("Account", {"Name": "Acme", "SIREN__c": "552100554"}, modstamp_ms=MAR_1)
        fake.seed("Account", {"Name": "Dupont", "SIREN__c": "732829320"}, modstamp_ms=MAR_1 + 1000)
        sf.authenticate()
        fake.rate_limit_left = 0
        original = fake._page

        def throttled_after_the_accounts(locator, headers):
            """Once the last page of the Accounts is served, the next calls (the Lead describe)
            answer 429 more times than the client retries: the pull stops half-way."""
            if len(fake._pages[locator][1]) == 1:
                fake.rate_limit_left = 3
            return original(locator, headers)

        fake._page = throttled_after_the_accounts
        with pytest.raises(SalesforceError, match="429"):
            pull_salesforce(con, sf, now=NOW)
        assert _rows(con, "SELECT count(*) FROM exports.crm_accounts") == [(0,)]
        assert _rows(con, "SELECT count(*) FROM exports.crm_cursors") == [(0,)]
        fake._page = original
        again = pull_salesforce(con, sf, now=NOW)
    assert (again.accounts, again.cursors) == (2, {"Account": MAR_1 + 1000})


def test_an_account_without_siren_matched_by_name_is_given_it_not_duplicated(con):
    """Sales created 'ACME' (75002) with SIREN__c empty: the read-back matches it by name + postal
    code (0.8), the push PATCHes SIREN__c onto it by Id, and the upsert by SIREN__c updates it."""
    con.execute("CREATE OR REPLACE TABLE core.companies (siren VARCHAR, name VARCHAR, postal_code VARCHAR, "
                "diffusible BOOLEAN, active BOOLEAN)")
    con.executemany("INSERT INTO core.companies VALUES (?, ?, ?, ?, ?)", [
        ("552100554", "ACME", "75002", True, True), ("732829320", "DUPONT FILS ET CIE", "69003", True, True),
        ("443061841", "BOULANGERIE ECLAIR", "33000", True, True), ("356000000", "SECRET", "75001", False, True)])
    with fake_sf() as fake, client(fake) as sf:
        acme = fake.seed("Account", {"Name": "ACME", "BillingPostalCode": "75002", "OwnerId": "005S7000000seller"},
                         modstamp_ms=MAR_1)
        pull_salesforce(con, sf, now=NOW)
        assert _rows(con, "SELECT crm_id, siren, match_method, match_confidence FROM exports.crm_accounts") == [
            (acme, "552100554", "name_postcode", 0.8)]
        pushed = push_salesforce(golden_leads(), con=con, client=sf, now=NOW)
        assert [b for m, p, b in fake.requests if m == "PATCH" and p == f"/services/data/{V}/sobjects/Account/{acme}"] == [
            {"SIREN__c": "552100554"}]
        assert len(fake.records["Account"]) == 3  # Acme keyed then updated, two new: no second Acme
        assert fake.records["Account"][acme]["OwnerId"] == "005S7000000seller"
        assert (fake.records["Account"][acme]["Name"], fake.records["Account"][acme]["SIREN__c"]) == (
            "Acme SAS", "552100554")
    assert (pushed.keyed_accounts, pushed.accounts, pushed.created_accounts) == (1, 3, 2)
    assert _rows(con, f"SELECT match_method, match_confidence FROM exports.crm_accounts WHERE crm_id = '{acme}'") == [
        ("siren", 1.0)]
