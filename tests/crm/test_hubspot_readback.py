"""HubSpot read-back against the loopback fake: incremental search, SIREN matching, and what the
export does with it (customers, disqualified leads, owners, notes)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from firmo.crm import HubSpotClient, HubSpotError, export_leads, push_hubspot
from firmo.crm.readback import normalise_name, pull_hubspot
from firmo.settings import Settings

from .conftest import NOW, golden_leads
from .fake_hubspot import SERVICE_KEY, START_MS, TOKEN, FakeHubSpot

DAY_MS = 86_400_000
MAR_1 = 1772323200000  # 2026-03-01T00:00:00Z


def _companies_table(con) -> None:
    """core.companies with the columns the name + postal code matcher reads."""
    con.execute("CREATE OR REPLACE TABLE core.companies (siren VARCHAR, name VARCHAR, postal_code VARCHAR, "
                "diffusible BOOLEAN, active BOOLEAN)")
    con.executemany("INSERT INTO core.companies VALUES (?, ?, ?, ?, ?)", [
        ("552100554", "ACME", "75002", True, True),
        ("732829320", "DUPONT FILS ET CIE", "69003", True, True),
        ("443061841", "BOULANGERIE ECLAIR", "33000", True, True),
        ("880878145", "ATELIER BLEU", "13001", True, True),
        ("111111118", "ATELIER BLEU", "13001", True, False),   # same name, closed: the active one wins (0.7)
        ("222222226", "GARAGE CENTRAL", "59000", True, True),
        ("333333334", "GARAGE CENTRAL", "59000", True, True),  # two active namesakes: no match
        ("356000000", "SECRET", "75001", False, True),
    ])
    con.execute("CREATE OR REPLACE TABLE leads.saas_paris (siren VARCHAR, website_domain VARCHAR)")
    con.executemany("INSERT INTO leads.saas_paris VALUES (?, ?)", [("552100554", "acme.fr"),
                                                                 ("443061841", "www.eclair.fr")])


def _rows(con, sql):
    return con.execute(sql).fetchall()


def test_normalise_name():
    assert normalise_name("Société Acme, S.A.S.") == "ACME"
    assert normalise_name("Dupont, Fils & \"Cie\" SARL") == "DUPONT FILS ET CIE"


def test_second_pull_reads_only_what_changed(con):
    with FakeHubSpot() as fake, HubSpotClient(TOKEN, base_url=fake.url) as client:
        a = fake.seed("companies", {"name": "Acme", "siren": "552100554"}, modified_ms=START_MS + 1000)
        b = fake.seed("companies", {"name": "Beta", "siren": "732829320"}, modified_ms=START_MS + 2000)
        fake.seed("companies", {"name": "Gamma", "siren": "443061841"}, modified_ms=START_MS + 3000)
        fake.seed("contacts", {"email": "Jane@Acme.fr", "hs_lead_status": "NEW"}, modified_ms=START_MS + 1500)
        first = pull_hubspot(con, client, now=NOW)
        assert (first.accounts, first.contacts, first.deals) == (3, 1, 0)
        assert first.cursors == {"companies": START_MS + 3000, "contacts": START_MS + 1500}
        assert fake.searches("companies")[0] == {
            "filterGroups": [], "sorts": [{"propertyName": "hs_lastmodifieddate", "direction": "ASCENDING"}],
            "properties": ["siren", "domain", "name", "zip", "hubspot_owner_id", "lifecyclestage", "hs_lead_status",
                           "hs_lastmodifieddate"], "limit": 100}
        fake.edit("companies", b, {"hubspot_owner_id": "77"}, modified_ms=START_MS + 5000)
        fake.requests.clear()
        second = pull_hubspot(con, client, now=NOW + timedelta(hours=1))
        assert fake.searches("companies")[0]["filterGroups"] == [{"filters": [
            {"propertyName": "hs_lastmodifieddate", "operator": "GTE", "value": str(START_MS + 3000)}]}]
        assert fake.searches("contacts")[0]["filterGroups"] == [{"filters": [
            {"propertyName": "lastmodifieddate", "operator": "GTE", "value": str(START_MS + 1500)}]}]
    # the boundary record (GTE) and the edited one; contacts: the boundary one only
    assert (second.accounts, second.contacts) == (2, 1)
    assert second.cursors["companies"] == START_MS + 5000
    assert _rows(con, "SELECT crm_id, siren, owner, modified_at FROM exports.crm_accounts ORDER BY crm_id") == [
        (a, "552100554", None, datetime(2026, 1, 1, 0, 0, 1)),
        (b, "732829320", "77", datetime(2026, 1, 1, 0, 0, 5)),
        (str(int(b) + 1), "443061841", None, datetime(2026, 1, 1, 0, 0, 3)),
    ]
    assert _rows(con, "SELECT crm, object_type, modified_ms FROM exports.crm_cursors ORDER BY 2") == [
        ("hubspot", "companies", START_MS + 5000), ("hubspot", "contacts", START_MS + 1500)]
    assert _rows(con, "SELECT email, lead_status FROM exports.crm_contacts") == [("jane@acme.fr", "NEW")]


def test_search_cap_moves_the_cursor_instead_of_paging_past_it(con):
    with FakeHubSpot(search_cap=4) as fake, HubSpotClient(TOKEN, base_url=fake.url, search_limit=2,
                                                          search_cap=4) as client:
        ids = [fake.seed("companies", {"name": f"C{i}"}, modified_ms=START_MS + i * 1000) for i in range(7)]
        records = list(client.search_modified("companies", ["name"]))
        bodies = fake.searches("companies")
        assert [r["id"] for r in records] == ids
        # pages after=None,2 of the first query; then GTE the 4th record's time (the 4th read again, dropped)
        assert [(b.get("after"), b["filterGroups"][0]["filters"][0]["value"] if b["filterGroups"] else None)
                for b in bodies] == [(None, None), ("2", None), (None, str(START_MS + 3000)),
                                     ("2", str(START_MS + 3000))]
        assert all(int(b.get("after", 0)) < 4 for b in bodies)
        for _ in range(5):
            fake.seed("companies", {"name": "same"}, modified_ms=START_MS + 99_000)
        with pytest.raises(HubSpotError, match="more than 4 companies modified at the same millisecond"):
            list(client.search_modified("companies", ["name"], since_ms=START_MS + 99_000))


def test_accounts_matched_by_siren_domain_name_with_confidences(con):
    _companies_table(con)
    with FakeHubSpot() as fake, HubSpotClient(TOKEN, base_url=fake.url) as client:
        ids = [
            fake.seed("companies", {"name": "Whatever", "siren": "552 100 554"}),
            fake.seed("companies", {"name": "Eclair bakery", "domain": "https://eclair.fr/"}),
            fake.seed("companies", {"name": "Dupont, Fils & Cie S.A.R.L.", "zip": "69003"}),
            fake.seed("companies", {"name": "Atelier Bleu", "zip": "13001"}),
            fake.seed("companies", {"name": "Garage Central", "zip": "59000"}),
            fake.seed("companies", {"name": "Unknown Ltd", "zip": "75002", "domain": "unknown.example"}),
        ]
        report = pull_hubspot(con, client, now=NOW)
    assert _rows(con, "SELECT crm_id, siren, match_method, match_confidence FROM exports.crm_accounts "
                      "ORDER BY crm_id") == [
        (ids[0], "552100554", "siren", 1.0),
        (ids[1], "443061841", "domain", 0.9),
        (ids[2], "732829320", "name_postcode", 0.8),
        (ids[3], "880878145", "name_postcode", 0.7),
        (ids[4], None, None, None),
        (ids[5], None, None, None),
    ]
    assert report.matched == {"siren": 1, "domain": 1, "name_postcode": 2} and report.unmatched == 2


def test_won_account_becomes_customer_and_is_not_exported(con, tmp_path):
    with FakeHubSpot() as fake, HubSpotClient(TOKEN, base_url=fake.url) as client:
        acme = fake.seed("companies", {"name": "Acme SAS", "siren": "552100554"})
        won = fake.seed("deals", {"dealstage": "closedwon", "hs_is_closed_won": "true", "hs_is_closed": "true"})
        lost = fake.seed("deals", {"dealstage": "closedlost", "hs_is_closed_won": "false", "hs_is_closed": "true"})
        open_ = fake.seed("deals", {"dealstage": "appointmentscheduled", "hs_is_closed_won": "false"})
        for deal in (won, lost, open_):
            fake.link("deals", deal, "companies", acme)
        report = pull_hubspot(con, client, now=NOW)
        assert fake.requests[-1] == ("POST", "/crm/v4/associations/deals/companies/batch/read",
                                     {"inputs": [{"id": won}, {"id": lost}, {"id": open_}]})
    assert report.customers == 1 and report.deals == 3
    assert _rows(con, "SELECT open_deals, won, lost FROM exports.crm_accounts") == [(1, 1, 1)]
    assert _rows(con, "SELECT kind, value, name, source, added_at FROM exports.customers") == [
        ("siren", "552100554", "Acme SAS", "hubspot", NOW)]
    exported = export_leads(golden_leads(), con=con, root=tmp_path, crms=("hubspot",), now=NOW)
    assert exported.customers == 1 and exported.exported == {"hubspot": 2}
    assert _rows(con, "SELECT reason, raw FROM exports.rejects WHERE reason = 'customer'") == [
        ("customer", '{"icp": "saas_paris", "siren": "552100554"}')]


def test_disqualified_left_out_for_the_configured_days_with_reason(con, tmp_path):
    with FakeHubSpot() as fake, HubSpotClient(TOKEN, base_url=fake.url) as client:
        fake.seed("companies", {"name": "Dupont", "siren": "732829320", "hs_lead_status": "UNQUALIFIED"},
                  modified_ms=MAR_1)
        fake.seed("contacts", {"email": "anne.roux@eclair.fr", "hs_lead_status": "UNQUALIFIED"},
                  modified_ms=MAR_1 + DAY_MS)
        pull_hubspot(con, client, now=NOW)
    report = export_leads(golden_leads(), con=con, root=tmp_path, crms=("hubspot",), now=NOW)
    assert report.crm_disqualified == 2 and report.exported == {"hubspot": 1}
    assert _rows(con, "SELECT raw, reason FROM exports.rejects WHERE reason LIKE 'disqualified%' ORDER BY 1") == [
        ('{"icp": "saas_paris", "siren": "443061841"}',
         "disqualified in hubspot (lead status UNQUALIFIED) since 2026-03-02: left out until 2026-05-31"),
        ('{"icp": "saas_paris", "siren": "732829320"}',
         "disqualified in hubspot (lead status UNQUALIFIED) since 2026-03-01: left out until 2026-05-30"),
    ]
    # within the period with a shorter setting: the account's hold (since 1 March) is over on 3 March
    short = export_leads(golden_leads(), con=con, root=tmp_path, crms=("hubspot",), now=datetime(2026, 3, 3, 12),
                         disqualified_days=2)
    assert short.crm_disqualified == 1 and short.exported == {"hubspot": 1}
    later = export_leads(golden_leads(), con=con, root=tmp_path, crms=("hubspot",), now=datetime(2026, 6, 1))
    assert later.crm_disqualified == 0 and later.exported == {"hubspot": 1}


def test_disqualified_since_is_kept_while_the_status_stays(con):
    with FakeHubSpot() as fake, HubSpotClient(TOKEN, base_url=fake.url) as client:
        c = fake.seed("companies", {"siren": "732829320", "hs_lead_status": "UNQUALIFIED"}, modified_ms=MAR_1)
        pull_hubspot(con, client, now=NOW)
        fake.edit("companies", c, {"name": "Dupont renamed"}, modified_ms=MAR_1 + 10 * DAY_MS)
        pull_hubspot(con, client, now=NOW)
        assert _rows(con, "SELECT disqualified_since FROM exports.crm_accounts") == [(datetime(2026, 3, 1),)]
        fake.edit("companies", c, {"hs_lead_status": "OPEN"}, modified_ms=MAR_1 + 20 * DAY_MS)
        pull_hubspot(con, client, now=NOW)
    assert _rows(con, "SELECT disqualified_since, lead_status FROM exports.crm_accounts") == [(None, "OPEN")]


def test_sales_validated_leads_are_tagged(con):
    with FakeHubSpot() as fake, HubSpotClient(TOKEN, base_url=fake.url) as client:
        acme = fake.seed("companies", {"siren": "552100554", "lifecyclestage": "salesqualifiedlead"})
        fake.seed("companies", {"siren": "732829320", "lifecyclestage": "lead"})
        jane = fake.seed("contacts", {"email": "jane@acme.fr", "hs_lead_status": "IN_PROGRESS"})
        fake.seed("contacts", {"email": "bob@acme.fr", "hs_lead_status": "NEW"})
        fake.associations.append((jane, acme))
        report = pull_hubspot(con, client, now=NOW)
    assert report.validated == 2
    assert _rows(con, "SELECT record, crm_id, siren, email FROM exports.crm_validated ORDER BY record") == [
        ("account", acme, "552100554", None), ("contact", jane, "552100554", "jane@acme.fr")]


def test_crm_account_keeps_its_owner_and_is_not_duplicated(con):
    _companies_table(con)
    with FakeHubSpot() as fake, HubSpotClient(TOKEN, base_url=fake.url) as client:
        acme = fake.seed("companies", {"name": "ACME", "domain": "acme.fr", "hubspot_owner_id": "77"})
        pull_hubspot(con, client, now=NOW)
        report = push_hubspot(golden_leads(), con=con, client=client, now=NOW)
        assert ("PATCH", f"/crm/v3/objects/companies/{acme}", {"properties": {"siren": "552100554"}}) in fake.requests
        assert fake.get("companies", acme)["hubspot_owner_id"] == "77"
        assert fake.get("companies", acme)["siren"] == "552100554"
        assert len(fake.objects["companies"]) == 3  # Acme updated, two new: no second Acme
        pushed = [i for m, p, b in fake.requests if p.endswith("/batch/upsert") for i in b["inputs"]]
        assert all("hubspot_owner_id" not in i["properties"] for i in pushed)
        assert report.keyed == 1 and report.notes == 3
        note = next(n for n in fake.notes if n["associations"][0]["to"]["id"] == acme)
        assert note == {
            "properties": {"hs_timestamp": "2026-03-02T09:30:00Z", "hs_note_body": (
                "firmo: score 84/100 (hot), ICP saas_paris\n- NAF 62.01Z in ICP\n- 20-49 employees\n"
                f"[firmo:552100554:{note['properties']['hs_note_body'][-13:-1]}]")},
            "associations": [{"to": {"id": acme},
                              "types": [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 190}]}]}
        again = push_hubspot(golden_leads(), con=con, client=client, now=NOW, full=True)
        assert again.notes == 0 and again.keyed == 0 and len(fake.notes) == 3  # same bodies: no second note


def test_service_key_is_accepted_as_the_credential(con):
    settings = Settings.from_env({"HUBSPOT_SERVICE_KEY": SERVICE_KEY})
    assert settings.hubspot_token() == SERVICE_KEY and settings.hubspot_token_var() == "HUBSPOT_SERVICE_KEY"
    assert Settings.from_env({"HUBSPOT_ACCESS_TOKEN": TOKEN, "HUBSPOT_SERVICE_KEY": SERVICE_KEY}).hubspot_token() == (
        TOKEN)
    with FakeHubSpot() as fake, HubSpotClient(settings.hubspot_token(), base_url=fake.url) as client:
        fake.seed("companies", {"siren": "552100554"})
        assert pull_hubspot(con, client, now=NOW).accounts == 1


def test_a_contact_hubspot_holds_keeps_the_statuses_sales_set(con):
    with FakeHubSpot() as fake, HubSpotClient(TOKEN, base_url=fake.url) as client:
        jeanne = fake.seed("contacts", {"email": "jeanne.martin@acme.fr", "hs_lead_status": "IN_PROGRESS",
                                        "lifecyclestage": "salesqualifiedlead", "hubspot_owner_id": "77"})
        pull_hubspot(con, client, now=NOW)
        push_hubspot(golden_leads(), con=con, client=client, now=NOW, notes=False)
        sent = {i["id"]: i["properties"] for m, p, b in fake.requests if p == "/crm/v3/objects/contacts/batch/upsert"
                for i in b["inputs"]}
        assert "hs_lead_status" not in sent["jeanne.martin@acme.fr"]
        assert "lifecyclestage" not in sent["jeanne.martin@acme.fr"]
        assert sent["anne.roux@eclair.fr"]["hs_lead_status"] == "NEW"  # new to HubSpot: firmo's defaults
        assert {k: fake.get("contacts", jeanne)[k] for k in ("hs_lead_status", "lifecyclestage",
                                                           "hubspot_owner_id")} == {
            "hs_lead_status": "IN_PROGRESS", "lifecyclestage": "salesqualifiedlead", "hubspot_owner_id": "77"}


def test_searches_are_paced_under_five_per_second(con):
    sleeps: list[float] = []
    with FakeHubSpot() as fake, HubSpotClient(TOKEN, base_url=fake.url, search_limit=1, sleep=sleeps.append) as client:
        for i in range(3):
            fake.seed("companies", {"name": f"C{i}"})
        assert len(list(client.search_modified("companies", ["name"]))) == 3
    assert len(fake.searches("companies")) == 3 and len(sleeps) == 2  # the first call does not wait
    assert all(0 < s <= 0.2 for s in sleeps)


def test_crm_contacts_are_erased_and_expire_like_other_contact_data(con):
    from firmo.compliance import forget, purge_expired

    with FakeHubSpot() as fake, HubSpotClient(TOKEN, base_url=fake.url) as client:
        fake.seed("contacts", {"email": "old@acme.fr"}, modified_ms=1640995200000)  # 2022-01-01
        fake.seed("contacts", {"email": "jane@acme.fr"}, modified_ms=MAR_1)
        fake.seed("contacts", {"email": "bob@acme.fr"}, modified_ms=MAR_1)
        pull_hubspot(con, client, now=NOW)
    assert purge_expired(con, now=NOW)["exports.crm_contacts[row]"] == 1
    assert forget(con, "Jane@acme.fr", now=NOW).erased["exports.crm_contacts.email"] == 1
    assert _rows(con, "SELECT email FROM exports.crm_contacts") == [("bob@acme.fr",)]
