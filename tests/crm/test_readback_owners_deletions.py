"""The read-back's owners by name and the records sales deleted, archived or merged away, against
the three loopback CRMs: the names land in exports.crm_accounts and the hold's reason; a deleted
record is marked (with its date, a merged one with its survivor) and the next push does not PATCH
its dead id."""

from __future__ import annotations

from datetime import datetime, timedelta
from urllib.parse import parse_qsl, urlsplit

from firmo.alerts.channels import crm_company_ids
from firmo.crm import HubSpotClient, export_leads, push_hubspot
from firmo.crm.deletions import Gone, salesforce_deleted_query
from firmo.crm.push_pipedrive import push_pipedrive
from firmo.crm.push_salesforce import push_salesforce
from firmo.crm.readback import AccountRow, PullReport, known_sirens, pull_hubspot, store
from firmo.crm.readback_pipedrive import pull_pipedrive
from firmo.crm.readback_salesforce import pull_salesforce
from pipelines.cli_crm import format_pull

from .conftest import NOW, golden_leads
from .fake_hubspot import TOKEN, FakeHubSpot
from .fake_pipedrive import FakePipedrive
from .fake_salesforce import CLOCK_START_MS, V
from .test_hubspot_readback import _companies_table
from .test_pipedrive_push import client_for
from .test_pipedrive_readback import SIREN_CODE, _siren_field
from .test_salesforce_push import client, fake_sf

MAR_1 = 1772323200000  # 2026-03-01T00:00:00Z
DAY_MS = 86_400_000
SELLER, QUEUE = "005S7000000seller", "00GS7000000queue"


def _rows(con, sql):
    return con.execute(sql).fetchall()


def _owner(oid: str, first: str, last: str, email: str, *, archived: bool = False) -> dict:
    """A HubSpot public owner (crm_sync.md §4 item 7)."""
    return {"id": oid, "email": email, "firstName": first, "lastName": last, "userId": 456, "type": "PERSON",
            "teams": [], "archived": archived, "createdAt": "2025-01-03T09:00:00Z", "updatedAt": "2025-01-03T09:00:00Z"}


# --------------------------------------------------------------------------- HubSpot


def test_hubspot_owner_names_are_read_and_named_in_the_hold(con, tmp_path):
    with FakeHubSpot() as fake, HubSpotClient(TOKEN, base_url=fake.url) as hs:
        fake.owners = [_owner("123", "Paul", "Martin", "sales@acme.fr"),
                       _owner("124", "Inès", "Leroy", "ines.leroy@acme.fr", archived=True),  # deactivated
                       _owner("200", "Zoé", "Blanc", "zoe.blanc@acme.fr")]
        dupont = fake.seed("companies", {"name": "Dupont", "siren": "732829320", "hs_lead_status": "UNQUALIFIED",
                                         "hubspot_owner_id": "123"}, modified_ms=MAR_1)
        acme = fake.seed("companies", {"name": "Acme", "siren": "552100554", "hubspot_owner_id": "124"},
                         modified_ms=MAR_1 + 1000)
        other = fake.seed("companies", {"name": "Other", "siren": "880878145", "hubspot_owner_id": "999"},
                          modified_ms=MAR_1 + 2000)
        fake.seed("contacts", {"email": "anne.roux@eclair.fr", "hs_lead_status": "UNQUALIFIED",
                               "hubspot_owner_id": "123"}, modified_ms=MAR_1 + DAY_MS)
        pull_hubspot(con, hs, now=NOW)
        owner_calls = [p for m, p, _ in fake.requests if p.startswith("/crm/v3/owners/")]
    # the active owners, then the deactivated ones (124 and 999 still unknown)
    assert owner_calls == ["/crm/v3/owners/?limit=100&archived=false", "/crm/v3/owners/?limit=100&archived=true"]
    assert _rows(con, "SELECT crm_id, owner, owner_name, owner_email FROM exports.crm_accounts ORDER BY crm_id") == [
        (dupont, "123", "Paul Martin", "sales@acme.fr"),
        (acme, "124", "Inès Leroy", "ines.leroy@acme.fr"),
        (other, "999", None, None),  # no such owner: the id alone
    ]
    export_leads(golden_leads(), con=con, root=tmp_path, crms=("hubspot",), now=NOW)
    assert _rows(con, "SELECT raw, reason FROM exports.rejects WHERE reason LIKE 'disqualified%' ORDER BY 1") == [
        ('{"icp": "saas_paris", "siren": "443061841"}',
         "disqualified in hubspot (lead status UNQUALIFIED, owned by Paul Martin) since 2026-03-02: "
         "left out until 2026-05-31"),
        ('{"icp": "saas_paris", "siren": "732829320"}',
         "disqualified in hubspot (lead status UNQUALIFIED, owned by Paul Martin) since 2026-03-01: "
         "left out until 2026-05-30"),
    ]


def test_hubspot_owner_renamed_is_renamed_on_every_account_and_no_owner_costs_no_call(con):
    with FakeHubSpot() as fake, HubSpotClient(TOKEN, base_url=fake.url) as hs:
        fake.owners = [_owner("123", "Paul", "Martin", "sales@acme.fr")]
        a = fake.seed("companies", {"name": "A", "siren": "732829320", "hubspot_owner_id": "123"}, modified_ms=MAR_1)
        b = fake.seed("companies", {"name": "B", "siren": "552100554", "hubspot_owner_id": "123"},
                      modified_ms=MAR_1 + 1000)
        pull_hubspot(con, hs, now=NOW)
        fake.owners = [_owner("123", "Paul", "Martin-Durand", "paul.durand@acme.fr")]
        fake.edit("companies", b, {"name": "B2"}, modified_ms=MAR_1 + 5000)
        pull_hubspot(con, hs, now=NOW)
        assert _rows(con, "SELECT crm_id, owner_name, owner_email FROM exports.crm_accounts ORDER BY crm_id") == [
            (a, "Paul Martin-Durand", "paul.durand@acme.fr"), (b, "Paul Martin-Durand", "paul.durand@acme.fr")]
    with FakeHubSpot() as fake, HubSpotClient(TOKEN, base_url=fake.url) as hs:
        fake.seed("companies", {"name": "C", "siren": "443061841"}, modified_ms=MAR_1)
        pull_hubspot(con, hs, now=NOW)
        assert [p for m, p, _ in fake.requests if p.startswith("/crm/v3/owners/")] == []


def test_hubspot_token_without_the_owners_scope_still_reads_back_the_accounts(con, caplog):
    with FakeHubSpot() as fake, HubSpotClient(TOKEN, base_url=fake.url) as hs:
        fake.owners_forbidden = True
        a = fake.seed("companies", {"name": "A", "siren": "732829320", "hubspot_owner_id": "123"}, modified_ms=MAR_1)
        with caplog.at_level("WARNING", logger="firmo.crm.owners"):
            pull_hubspot(con, hs, now=NOW)
        owner_calls = [p for m, p, _ in fake.requests if p.startswith("/crm/v3/owners/")]
    assert owner_calls == ["/crm/v3/owners/?limit=100&archived=false"]  # asked once, not again for archived
    assert _rows(con, "SELECT crm_id, siren, owner, owner_name, owner_email FROM exports.crm_accounts") == [
        (a, "732829320", "123", None, None)]
    assert [r.getMessage() for r in caplog.records] == [
        "HubSpot owners not readable (403; the token needs crm.objects.owners.read): owner names left empty"]
    assert TOKEN not in caplog.text


def test_hubspot_archived_company_is_marked_and_the_push_does_not_patch_it(con):
    """Sales created ACME without the SIREN (matched by its domain): firmo would write the SIREN
    onto it. Sales delete it first: the read-back lists it archived, marks it, and the push creates
    the company by its SIREN instead of PATCHing the dead id."""
    _companies_table(con)
    with FakeHubSpot() as fake, HubSpotClient(TOKEN, base_url=fake.url) as hs:
        acme = fake.seed("companies", {"name": "Acme", "domain": "acme.fr"}, modified_ms=MAR_1)
        first = pull_hubspot(con, hs, now=NOW)
        assert first.deleted == 0 and "companies_archived" not in first.cursors
        fake.archive("companies", acme, archived_ms=MAR_1 + DAY_MS)
        fake.requests.clear()
        second = pull_hubspot(con, hs, now=NOW + timedelta(hours=1))
        assert [p for m, p, _ in fake.requests if m == "GET" and "archived=true" in p] == [
            "/crm/v3/objects/companies?limit=100&archived=true", "/crm/v3/objects/contacts?limit=100&archived=true"]
        assert (second.accounts, second.deleted, second.cursors["companies_archived"]) == (0, 1, MAR_1 + DAY_MS)
        assert _rows(con, "SELECT crm_id, siren, match_method, deleted_at, merged_into FROM exports.crm_accounts") == [
            (acme, "552100554", "domain", datetime(2026, 3, 2), None)]
        fake.requests.clear()
        report = push_hubspot(golden_leads(), con=con, client=hs, now=NOW, notes=False)
        assert [(m, p) for m, p, _ in fake.requests if m == "PATCH"] == []
        assert report.keyed == 0
        assert fake.objects["companies"]["552100554"]["hs_object_id"] != acme  # created anew by its SIREN
        # the archive list has no modified-since filter: read whole again, only the boundary record kept
        third = pull_hubspot(con, hs, now=NOW + timedelta(hours=2))
    assert (third.deleted, third.cursors["companies_archived"]) == (1, MAR_1 + DAY_MS)
    assert _rows(con, f"SELECT deleted_at FROM exports.crm_accounts WHERE crm_id = '{acme}'") == [
        (datetime(2026, 3, 2),)]


def test_hubspot_company_restored_from_the_recycle_bin_is_live_again(con):
    with FakeHubSpot() as fake, HubSpotClient(TOKEN, base_url=fake.url) as hs:
        acme = fake.seed("companies", {"name": "Acme", "siren": "552100554"}, modified_ms=MAR_1)
        pull_hubspot(con, hs, now=NOW)
        fake.archive("companies", acme, archived_ms=MAR_1 + DAY_MS)
        pull_hubspot(con, hs, now=NOW)
        restored = fake.archived["companies"].pop()
        fake.objects["companies"]["552100554"] = {**restored["properties"]}
        fake.edit("companies", acme, {"name": "Acme"}, modified_ms=MAR_1 + 2 * DAY_MS)
        pull_hubspot(con, hs, now=NOW)
    assert _rows(con, "SELECT crm_id, deleted_at FROM exports.crm_accounts") == [(acme, None)]


# --------------------------------------------------------------------------- Salesforce


def _sf_companies(con) -> None:
    con.execute("CREATE OR REPLACE TABLE core.companies (siren VARCHAR, name VARCHAR, postal_code VARCHAR, "
                "diffusible BOOLEAN, active BOOLEAN)")
    con.executemany("INSERT INTO core.companies VALUES (?, ?, ?, ?, ?)", [
        ("552100554", "ACME", "75002", True, True), ("732829320", "DUPONT FILS ET CIE", "69003", True, True),
        ("443061841", "BOULANGERIE ECLAIR", "33000", True, True), ("356000000", "SECRET", "75001", False, True)])


def _soql(requests, endpoint: str) -> list[str]:
    return [dict(parse_qsl(urlsplit(p).query))["q"] for _, p, _ in requests
            if urlsplit(p).path == f"/services/data/{V}/{endpoint}"]


def test_salesforce_owner_names_from_user_and_deleted_records_marked_not_patched(con):
    _sf_companies(con)
    with fake_sf() as fake, client(fake) as sf:
        fake.users = {SELLER: {"Name": "Paul Martin", "Email": "paul.martin@acme.fr", "IsActive": True}}
        acme = fake.seed("Account", {"Name": "ACME", "BillingPostalCode": "75002", "OwnerId": SELLER},
                         modstamp_ms=CLOCK_START_MS)
        lead = fake.seed("Lead", {"Company": "Dupont", "Email": "luc@dupont.fr", "Status": "Open - Not Contacted",
                                  "OwnerId": QUEUE}, modstamp_ms=CLOCK_START_MS + 1000)
        pull_salesforce(con, sf, now=NOW)
        assert [q for q in _soql(fake.requests, "query") if "FROM User" in q] == [
            f"SELECT Id, Name, Email, IsActive FROM User WHERE Id IN ('{SELLER}', '{QUEUE}')"]
        assert _rows(con, "SELECT crm_id, owner, owner_name, owner_email FROM exports.crm_accounts ORDER BY 1") == [
            (acme, SELLER, "Paul Martin", "paul.martin@acme.fr"), (lead, QUEUE, None, None)]  # a queue: no User
        fake.delete("Account", acme, modstamp_ms=CLOCK_START_MS + DAY_MS)
        fake.delete("Lead", lead, modstamp_ms=CLOCK_START_MS + DAY_MS + 1000)
        fake.requests.clear()
        report = pull_salesforce(con, sf, now=NOW + timedelta(hours=1))
        assert _soql(fake.requests, "queryAll") == [
            "SELECT Id, SystemModstamp FROM Account WHERE IsDeleted = true ORDER BY SystemModstamp, Id",
            "SELECT Id, SystemModstamp FROM Lead WHERE IsDeleted = true ORDER BY SystemModstamp, Id",
            "SELECT Id, SystemModstamp FROM Contact WHERE IsDeleted = true ORDER BY SystemModstamp, Id",
        ]
        assert report.deleted == 3  # the Account; the Lead as an account row and as a contact row
        assert {k: v for k, v in report.cursors.items() if k.endswith("_deleted")} == {
            "Account_deleted": CLOCK_START_MS + DAY_MS, "Lead_deleted": CLOCK_START_MS + DAY_MS + 1000}
        assert _rows(con, "SELECT crm_id, deleted_at FROM exports.crm_accounts ORDER BY 1") == [
            (acme, datetime(2026, 3, 2)), (lead, datetime(2026, 3, 2, 0, 0, 1))]
        assert _rows(con, "SELECT crm_id, deleted_at FROM exports.crm_contacts") == [
            (lead, datetime(2026, 3, 2, 0, 0, 1))]
        fake.requests.clear()
        pushed = push_salesforce(golden_leads(), con=con, client=sf, now=NOW)
        assert [p for m, p, _ in fake.requests if m == "PATCH" and p == f"/services/data/{V}/sobjects/Account/{acme}"] == []
        assert len(fake.records["Account"]) == 3  # Acme created anew by its SIREN__c, with Dupont and Eclair
        assert pushed.keyed_accounts == 0
        fake.requests.clear()
        pull_salesforce(con, sf, now=NOW + timedelta(hours=2))
        assert _soql(fake.requests, "queryAll")[0] == salesforce_deleted_query("Account", CLOCK_START_MS + DAY_MS)
    assert salesforce_deleted_query("Account", CLOCK_START_MS + DAY_MS) == (
        "SELECT Id, SystemModstamp FROM Account WHERE IsDeleted = true AND SystemModstamp >= 2026-03-02T00:00:00Z "
        "ORDER BY SystemModstamp, Id")


# --------------------------------------------------------------------------- Pipedrive


def test_pipedrive_deleted_and_merged_organisations_leave_the_id_map(con):
    """firmo created the three organisations. Sales delete Dupont, and merge firmo's Acme into
    their own Acme (which keeps the SIREN): the read-back marks both, Acme pointing to the
    survivor; the id map forgets Dupont and maps Acme's SIREN to the survivor, so the next push
    PATCHes the survivor, creates Dupont again, and never touches a dead id."""
    with FakePipedrive() as fake, client_for(fake) as pd:
        _siren_field(fake)
        fake.users = [{"id": 5, "name": "John Doe", "email": "john@acme.fr", "active_flag": True,
                       "is_deleted": False, "role_id": 1, "timezone_name": "Europe/Paris"}]
        push_pipedrive(golden_leads(), con=con, client=pd, now=NOW)
        ids = dict(_rows(con, "SELECT firmo_key, crm_id FROM exports.crm_ids WHERE entity = 'organization'"))
        acme, dupont = int(ids["552100554"]), int(ids["732829320"])
        survivor = fake.seed("organizations", {"name": "ACME (sales)", "owner_id": 5,
                                               "custom_fields": {SIREN_CODE: "552100554"}})
        fake.delete("organizations", acme)
        fake.delete("organizations", dupont)
        fake.requests.clear()
        report = pull_pipedrive(con, pd, now=NOW + timedelta(minutes=1))
        assert fake.calls("GET", "/v1/users") == [None]  # one call: the survivor has an owner
        assert report.deleted == 2
        assert _rows(con, "SELECT crm_id, siren, owner_name, owner_email, deleted_at IS NOT NULL, merged_into "
                          "FROM exports.crm_accounts WHERE NOT contains(crm_id, ':') ORDER BY crm_id::INT") == [
            (str(acme), "552100554", None, None, True, str(survivor)),
            (str(dupont), "732829320", None, None, True, None),
            (str(ids["443061841"]), "443061841", None, None, False, None),
            (str(survivor), "552100554", "John Doe", "john@acme.fr", False, None),
        ]
        assert dict(_rows(con, "SELECT firmo_key, crm_id FROM exports.crm_ids WHERE entity = 'organization'")) == {
            "552100554": str(survivor), "443061841": ids["443061841"]}
        fake.requests.clear()
        push_pipedrive(golden_leads(), con=con, client=pd, now=NOW + timedelta(minutes=2), full=True)
        patched = [p for m, p, _, _ in fake.requests if m == "PATCH" and p.startswith("/api/v2/organizations/")]
        created = [b["name"] for m, p, _, b in fake.requests if m == "POST" and p == "/api/v2/organizations"]
        assert f"/api/v2/organizations/{survivor}" in patched
        assert f"/api/v2/organizations/{acme}" not in patched and f"/api/v2/organizations/{dupont}" not in patched
        assert created == ['Dupont, Fils & "Cie"']
    new_dupont = dict(_rows(con, "SELECT firmo_key, crm_id FROM exports.crm_ids WHERE entity = 'organization'"))
    assert new_dupont["732829320"] not in (str(dupont), str(acme))


def test_the_pull_summary_counts_the_deleted_records_only_when_there_are_some():
    quiet = PullReport("hubspot", 1, 0, 0, matched={"siren": 1})
    assert "deleted" not in format_pull(quiet)
    assert format_pull(PullReport("hubspot", 1, 0, 0, matched={"siren": 1}, deleted=2)) == (
        "hubspot: 1 accounts, 0 contacts, 0 deals read (modified since the last pull); accounts matched to a SIREN: "
        "1 by siren, 0 unmatched\n"
        "  0 won accounts are customers (never exported), 0 records disqualified (left out of the exports), "
        "0 validated by sales (exports.crm_validated)\n"
        "  2 records deleted or merged away in the CRM (marked; the push no longer targets them)"
    )


def test_pipedrive_person_sales_deleted_is_not_adopted_by_email(con):
    """Sales had Jeanne (read back by email, so the push would PATCH her): they delete her; the
    read-back marks her, and the push neither PATCHes her dead id nor trusts her email as held."""
    with FakePipedrive() as fake, client_for(fake) as pd:
        _siren_field(fake)
        acme = fake.seed("organizations", {"name": "ACME", "owner_id": 5, "custom_fields": {SIREN_CODE: "552100554"}})
        jeanne = fake.seed("persons", {"name": "Jeanne Martin", "org_id": acme, "owner_id": 5,
                                       "emails": [{"value": "jeanne.martin@acme.fr", "primary": True}]})
        pull_pipedrive(con, pd, now=NOW)
        fake.delete("persons", jeanne)
        report = pull_pipedrive(con, pd, now=NOW + timedelta(minutes=1))
        assert report.deleted == 1
        assert _rows(con, "SELECT crm_id, email, deleted_at IS NOT NULL FROM exports.crm_contacts") == [
            (str(jeanne), "jeanne.martin@acme.fr", True)]
        fake.requests.clear()
        push_pipedrive(golden_leads().head(1), con=con, client=pd, now=NOW + timedelta(minutes=2))
        assert [p for m, p, _, _ in fake.requests if m == "PATCH" and p.startswith("/api/v2/persons/")] == []
        persons = [b["emails"] for m, p, _, b in fake.requests if m == "POST" and p == "/api/v2/persons"]
        assert persons == [[{"value": "jeanne.martin@acme.fr", "primary": True, "label": "work"}]]
        [new] = [i for i, p in fake.persons.items() if not p.get("is_deleted")]
    assert new != jeanne
    assert _rows(con, "SELECT crm_id FROM exports.crm_ids WHERE entity = 'person'") == [(str(new),)]


def test_the_survivor_is_the_live_record_of_the_same_kind_with_the_siren_and_alerts_go_to_it(con):
    """Two Pipedrive organisations and a lead carry SIREN 552100554; sales merge 17 into 18 (17
    deleted). 17's survivor is 18, not the lead row; an alert's note goes to 18."""
    def account(crm_id: str, siren: str | None, lifecycle: str | None = None) -> AccountRow:
        return AccountRow(crm_id, siren, "ACME", None, "75002", "5", lifecycle, None, datetime(2026, 3, 1))

    rows = [account("17", "552100554"), account("18", "552100554"), account("lead:ab", "552100554", "lead"),
            account("19", "732829320")]
    store(con, "pipedrive", rows, [], [], {}, now=NOW)
    report = store(con, "pipedrive", [], [], [], {}, now=NOW,
                   gone=[Gone("account", "17", datetime(2026, 3, 2)), Gone("account", "19", datetime(2026, 3, 2)),
                         Gone("account", "lead:ab", datetime(2026, 3, 2))])
    assert report.deleted == 3
    assert _rows(con, "SELECT crm_id, deleted_at, merged_into FROM exports.crm_accounts ORDER BY crm_id") == [
        ("17", datetime(2026, 3, 2), "18"),
        ("18", None, None),
        ("19", datetime(2026, 3, 2), None),  # deleted, nobody else holds its SIREN
        ("lead:ab", datetime(2026, 3, 2), None),  # no other lead holds it: an organisation is no lead's survivor
    ]
    assert crm_company_ids(con, "pipedrive") == {"552100554": "18"}
    assert known_sirens(con, "pipedrive") == {"552100554"}
    # sales give 19's SIREN to the record they merged it into, later: the next pull links them
    store(con, "pipedrive", [account("20", "732829320")], [], [], {}, now=NOW)
    assert _rows(con, "SELECT merged_into FROM exports.crm_accounts WHERE crm_id = '19'") == [("20",)]
