"""Pipedrive read-back against the loopback fake: the v2 lists (updated_since, cursor pages), the
v1 leads and archived leads, the customer's disqualification rule (archived lead, lead label,
lost deal), won deals, and what the export and the push do with it (a fresh company, a company
that already has the organisations, a company where sales disqualified half the leads)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from firmo.crm import export_leads
from firmo.crm.push_pipedrive import push_pipedrive
from firmo.crm.readback_pipedrive import Rules, pull_pipedrive

from .conftest import NOW, golden_leads
from .fake_pipedrive import CLOCK_START, FakePipedrive
from .test_pipedrive_push import client_for

SIREN_CODE = "946947d1b02fd3ef20798d6112ec5d895a686a21"
DAY = 86_400
MAR_1_MS = CLOCK_START * 1000


def _rows(con, sql):
    return con.execute(sql).fetchall()


def _siren_field(fake: FakePipedrive) -> None:
    fake.fields["organizationFields"].append(
        {"field_name": "SIREN", "field_code": SIREN_CODE, "field_type": "varchar", "is_custom_field": True}
    )


def _org(fake: FakePipedrive, name: str, siren: str | None, *, owner: int = 5, updated: int | None = None) -> int:
    custom = {SIREN_CODE: siren} if siren else {}
    return fake.seed("organizations", {"name": name, "owner_id": owner, "custom_fields": custom}, updated=updated)


def test_fresh_company_reads_nothing_then_what_the_push_created(con):
    with FakePipedrive() as fake, client_for(fake) as client:
        empty = pull_pipedrive(con, client, now=NOW)
        assert (empty.accounts, empty.contacts, empty.deals, empty.cursors) == (0, 0, 0, {})
        push_pipedrive(golden_leads(), con=con, client=client, now=NOW)
        report = pull_pipedrive(con, client, now=NOW + timedelta(hours=1))
    # 3 organisations + their 3 leads, 3 persons + the 3 leads' contact rows, all matched by the SIREN field
    assert (report.accounts, report.contacts, report.matched, report.disqualified) == (6, 6, {"siren": 6}, 0)
    assert report.cursors == {"organizations": MAR_1_MS + 7000, "persons": MAR_1_MS + 8000, "leads": MAR_1_MS + 9000}
    assert _rows(
        con,
        "SELECT crm_id, siren, lifecycle, lead_status FROM exports.crm_accounts "
        "WHERE NOT starts_with(crm_id, 'lead:') ORDER BY crm_id",
    ) == [("101", "552100554", None, None), ("105", "732829320", None, None), ("109", "443061841", None, None)]
    assert _rows(
        con,
        "SELECT email, account_crm_id, siren FROM exports.crm_contacts "
        "WHERE NOT starts_with(crm_id, 'lead:') ORDER BY crm_id",
    ) == [
        ("jeanne.martin@acme.fr", "101", "552100554"),
        (None, "105", "732829320"),
        ("anne.roux@eclair.fr", "109", "443061841"),
    ]


def test_company_with_the_organisations_already_there_is_updated_keeps_owner_no_duplicate(con):
    with FakePipedrive() as fake, client_for(fake) as client:
        _siren_field(fake)
        acme = _org(fake, "ACME", "552100554", owner=5)
        report = pull_pipedrive(con, client, now=NOW)
        assert _rows(con, "SELECT crm_id, siren, match_method, owner FROM exports.crm_accounts") == [
            (str(acme), "552100554", "siren", "5")
        ]
        assert report.accounts == 1
        push_pipedrive(golden_leads(), con=con, client=client, now=NOW)
        assert fake.calls("PATCH", f"/api/v2/organizations/{acme}")[0]["name"] == "Acme SAS"
        assert len(fake.organizations) == 3  # Acme updated, two created: no second Acme
        assert fake.organizations[acme]["owner_id"] == 5
        assert all("owner_id" not in b for b in fake.calls("POST", "/api/v2/organizations"))
        again = pull_pipedrive(con, client, now=NOW)
    assert _rows(con, f"SELECT name, owner FROM exports.crm_accounts WHERE crm_id = '{acme}'") == [("Acme SAS", "5")]
    assert again.matched == {"siren": 6}


def test_sales_disqualified_half_the_leads_the_next_export_leaves_them_out(con, tmp_path):
    with FakePipedrive() as fake, client_for(fake) as client:
        _siren_field(fake)
        fake.lead_labels = [
            {"id": "f08b42a0-1", "name": "Disqualified", "color": "red"},
            {"id": "f08b42a0-2", "name": "Hot", "color": "green"},
        ]
        acme, dupont = _org(fake, "Acme", "552100554"), _org(fake, "Dupont", "732829320")
        eclair, bleu = _org(fake, "Eclair", "443061841"), _org(fake, "Bleu", "880878145")
        anne = fake.seed(
            "persons",
            {"name": "Anne Roux", "org_id": eclair, "emails": [{"value": "Anne.Roux@eclair.fr", "primary": True}]},
        )
        fake.seed("leads", {"title": "Acme", "organization_id": acme, "label_ids": ["f08b42a0-2"]})
        fake.seed("leads", {"title": "Dupont", "organization_id": dupont, "is_archived": True}, updated=CLOCK_START)
        fake.seed(
            "leads", {"title": "Eclair", "person_id": anne, "label_ids": ["f08b42a0-1"]}, updated=CLOCK_START + DAY
        )
        fake.seed("leads", {"title": "Bleu", "organization_id": bleu})
        report = pull_pipedrive(con, client, now=NOW)
    # held: the archived lead (account), the labelled one (account + Anne's contact row)
    assert (report.accounts, report.contacts, report.disqualified) == (8, 2, 3)
    assert _rows(con, "SELECT siren, lead_status FROM exports.crm_accounts WHERE lifecycle = 'lead' ORDER BY 1") == [
        ("443061841", "label Disqualified"),
        ("552100554", "label Hot"),
        ("732829320", "archived"),
        ("880878145", "open"),
    ]
    exported = export_leads(golden_leads(), con=con, root=tmp_path, crms=("pipedrive",), now=NOW)
    assert exported.crm_disqualified == 2 and exported.exported == {"pipedrive": 1}
    assert _rows(con, "SELECT raw, reason FROM exports.rejects WHERE reason LIKE 'disqualified%' ORDER BY 1") == [
        (
            '{"icp": "saas_paris", "siren": "443061841"}',
            "disqualified in pipedrive (lead status label Disqualified) since 2026-03-02: left out until 2026-05-31",
        ),
        (
            '{"icp": "saas_paris", "siren": "732829320"}',
            "disqualified in pipedrive (lead status archived) since 2026-03-01: left out until 2026-05-30",
        ),
    ]


def test_the_rule_is_the_customers(con):
    assert Rules.parse("label:Cold, lost") == Rules(archived=False, lost=True, labels=frozenset({"Cold"}))
    with pytest.raises(ValueError, match="'deleted' is not a rule"):
        Rules.parse("archived,deleted")
    with FakePipedrive() as fake, client_for(fake) as client:
        _siren_field(fake)
        dupont = _org(fake, "Dupont", "732829320")
        fake.seed("leads", {"title": "Dupont", "organization_id": dupont, "is_archived": True})
        report = pull_pipedrive(con, client, now=NOW, rules="label:Cold")
    assert report.disqualified == 0  # archived is not disqualified for this customer


def test_lost_deal_holds_until_reopened_won_deal_makes_a_customer(con):
    with FakePipedrive() as fake, client_for(fake) as client:
        _siren_field(fake)
        acme, dupont = _org(fake, "Acme SAS", "552100554"), _org(fake, "Dupont", "732829320")
        fake.seed("deals", {"title": "Acme", "org_id": acme, "status": "won", "stage_id": 4})
        lost = fake.seed(
            "deals",
            {"title": "Dupont", "org_id": dupont, "status": "lost", "stage_id": 2, "lost_reason": "too expensive"},
            updated=CLOCK_START,
        )
        report = pull_pipedrive(con, client, now=NOW)
        assert (report.deals, report.customers, report.disqualified) == (2, 1, 1)
        assert _rows(con, "SELECT kind, value, name, source FROM exports.customers") == [
            ("siren", "552100554", "Acme SAS", "pipedrive")
        ]
        assert _rows(con, "SELECT crm_id, siren, lead_status FROM exports.crm_accounts WHERE lifecycle = 'deal'") == [
            (f"deal:{lost}", "732829320", "lost: too expensive")
        ]
        fake.edit("deals", lost, {"status": "open", "lost_reason": None})
        reopened = pull_pipedrive(con, client, now=NOW)
    # the reopened deal, and the won one again (the cursor's second is read again)
    assert (reopened.deals, reopened.disqualified, reopened.validated) == (2, 0, 1)
    assert _rows(con, "SELECT lead_status, crm_validated FROM exports.crm_accounts WHERE lifecycle = 'deal'") == [
        ("open deal", True)
    ]
    assert _rows(con, f"SELECT open_deals, won, lost FROM exports.crm_accounts WHERE crm_id = '{dupont}'") == [
        (1, 0, 0)
    ]


def test_incremental_pull_pages_and_reads_only_what_changed(con):
    sleeps: list[float] = []
    with FakePipedrive(page_size=2, rate_limit_first=1) as fake, client_for(fake, sleep=sleeps.append) as client:
        _siren_field(fake)
        ids = [
            _org(fake, f"O{i}", s, updated=CLOCK_START + i)
            for i, s in enumerate(("552100554", "732829320", "443061841"))
        ]
        first = pull_pipedrive(con, client, now=NOW)
        assert sleeps == [0.0]  # the 429's x-ratelimit-reset: 0
        assert [p for m, p, q, _ in fake.requests[:2]] == ["/api/v2/organizationFields"] * 2  # the 429, again
        lists = [q for m, p, q, _ in fake.requests if p == "/api/v2/organizations"]
        assert [q.get("cursor") for q in lists] == [None, "2"]  # two pages
        assert first.accounts == 3 and first.cursors == {"organizations": (CLOCK_START + 2) * 1000}
        fake.edit("organizations", ids[0], {"owner_id": 9}, updated=CLOCK_START + 60)
        fake.requests.clear()
        second = pull_pipedrive(con, client, now=NOW + timedelta(hours=1))
        lists = [q for m, p, q, _ in fake.requests if p == "/api/v2/organizations"]
        assert lists == [
            {"sort_by": "update_time", "sort_direction": "asc", "limit": "500", "updated_since": "2026-03-01T00:00:02Z"}
        ]
    # the boundary record (updated_since includes its second) and the edited one
    assert (second.accounts, second.cursors) == (2, {"organizations": (CLOCK_START + 60) * 1000})
    assert _rows(con, "SELECT crm_id, owner, modified_at FROM exports.crm_accounts ORDER BY crm_id") == [
        (str(ids[0]), "9", datetime(2026, 3, 1, 0, 1)),
        (str(ids[1]), "5", datetime(2026, 3, 1, 0, 0, 1)),
        (str(ids[2]), "5", datetime(2026, 3, 1, 0, 0, 2)),
    ]


def test_an_organisation_sales_created_without_the_siren_is_adopted_not_duplicated(con):
    """Sales created 'ACME' (75002) with no SIREN field and Jeanne under it: the read-back matches
    the organisation by name + postal code (0.8) and holds Jeanne by email, so the push PATCHes
    both (the SIREN set, the owner untouched), records them in the id map, and searches nothing."""
    con.execute(
        "CREATE OR REPLACE TABLE core.companies (siren VARCHAR, name VARCHAR, postal_code VARCHAR, "
        "diffusible BOOLEAN, active BOOLEAN)"
    )
    con.executemany(
        "INSERT INTO core.companies VALUES (?, ?, ?, ?, ?)",
        [
            ("552100554", "ACME", "75002", True, True),
            ("732829320", "DUPONT FILS ET CIE", "69003", True, True),
            ("443061841", "BOULANGERIE ECLAIR", "33000", True, True),
            ("356000000", "SECRET", "75001", False, True),
        ],
    )
    with FakePipedrive() as fake, client_for(fake) as client:
        _siren_field(fake)
        acme = fake.seed(
            "organizations",
            {
                "name": "ACME",
                "owner_id": 5,
                "custom_fields": {},
                "address": {"value": "12 rue de la Paix", "postal_code": "75002"},
            },
        )
        jeanne = fake.seed(
            "persons",
            {
                "name": "Jeanne Martin",
                "org_id": acme,
                "owner_id": 5,
                "emails": [{"value": "Jeanne.Martin@acme.fr", "primary": True}],
            },
        )
        pull_pipedrive(con, client, now=NOW)
        assert _rows(con, "SELECT crm_id, siren, match_method, match_confidence FROM exports.crm_accounts") == [
            (str(acme), "552100554", "name_postcode", 0.8)
        ]
        fake.requests.clear()
        report = push_pipedrive(golden_leads(), con=con, client=client, now=NOW)
        assert len(fake.organizations) == 3 and len(fake.persons) == 3  # Acme and Jeanne updated, not doubled
        patch = fake.calls("PATCH", f"/api/v2/organizations/{acme}")[0]
        assert patch["custom_fields"][SIREN_CODE] == "552100554" and "owner_id" not in patch
        assert fake.organizations[acme]["owner_id"] == 5 and fake.persons[jeanne]["owner_id"] == 5
        assert fake.calls("PATCH", f"/api/v2/persons/{jeanne}")[0]["org_id"] == acme
        searches = [(p, q.get("term")) for m, p, q, _ in fake.requests if "search" in p.lower()]
        # none for Acme or Jeanne (held), none for the others either: the read-back is fresh and does
        # not hold them, so they are not in Pipedrive
        assert searches == []
    assert (
        report.organizations_adopted,
        report.organizations_updated,
        report.organizations_created,
        report.persons_updated,
        report.persons_created,
    ) == (1, 1, 2, 1, 2)
    assert _rows(
        con, f"SELECT entity, firmo_key, crm_id FROM exports.crm_ids WHERE crm_id IN ('{acme}', '{jeanne}') ORDER BY 1"
    ) == [("organization", "552100554", str(acme)), ("person", "552100554|jeanne.martin@acme.fr", str(jeanne))]
    assert _rows(con, f"SELECT match_method, match_confidence FROM exports.crm_accounts WHERE crm_id = '{acme}'") == [
        ("siren", 1.0)
    ]


def _searches(fake: FakePipedrive) -> list[tuple[str, str | None]]:
    return [(p, q.get("term")) for _, p, q, _ in fake.requests if "search" in p.lower()]


def test_a_fresh_read_back_lets_the_push_create_without_searching(con):
    """The read-back read the whole (empty) CRM after the last push attempt and minutes ago: a
    record it does not hold is not in Pipedrive, so each new lead is 4 calls and no search."""
    with FakePipedrive() as fake, client_for(fake) as client:
        pull_pipedrive(con, client, now=NOW)
        fake.requests.clear()
        report = push_pipedrive(golden_leads(), con=con, client=client, now=NOW + timedelta(minutes=5))
        assert _searches(fake) == []
        assert [(m, p) for m, p, _, _ in fake.requests if "Fields" not in p] == [
            ("POST", "/api/v2/organizations"),
            ("POST", "/api/v2/persons"),
            ("POST", "/v1/leads"),
            ("POST", "/v1/notes"),
        ] * 3
        assert (len(fake.organizations), len(fake.persons), len(fake.leads), len(fake.notes)) == (3, 3, 3, 3)
    assert (report.organizations_created, report.persons_created, report.leads_created, report.notes) == (3, 3, 3, 3)
    assert report.tokens_spent == 65 + 3 * 30  # the fields (7 calls), then org 5 + person 5 + lead 10 + note 10 a lead
    assert _rows(con, "SELECT entity, count(*) FROM exports.crm_ids GROUP BY 1 ORDER BY 1") == [
        ("lead", 3),
        ("note", 3),
        ("organization", 3),
        ("person", 3),
    ]  # no intent left
    assert _rows(con, "SELECT crm, kind, started_at FROM exports.crm_sync_runs ORDER BY kind") == [
        ("pipedrive", "pull", NOW),
        ("pipedrive", "push", NOW + timedelta(minutes=5)),
    ]


@pytest.mark.parametrize("stale", ["pushed since the read-back", "read-back over an hour old"])
def test_a_stale_read_back_does_not_spare_the_searches(con, stale):
    with FakePipedrive() as fake, client_for(fake) as client:
        pull_pipedrive(con, client, now=NOW)
        if stale == "pushed since the read-back":
            push_pipedrive(golden_leads().head(1), con=con, client=client, now=NOW + timedelta(minutes=1))
            later = NOW + timedelta(minutes=2)
        else:
            later = NOW + timedelta(hours=1, seconds=1)
        fake.requests.clear()
        push_pipedrive(golden_leads().slice(2, 1), con=con, client=client, now=later)  # Eclair
        assert _searches(fake) == [
            ("/api/v2/itemSearch/field", "443061841"),
            ("/api/v2/persons/search", "anne.roux@eclair.fr"),
        ]


@pytest.mark.parametrize("died_after", ["organization", "person"])
def test_crash_after_acceptance_is_searched_even_with_a_fresh_read_back(con, died_after):
    """Pipedrive accepted the organisation (or the person), firmo died before recording its id,
    and a read-back that ran meanwhile did not see it: the intent written before the create makes
    the next run search for that record, which is found and updated, not created twice."""
    with FakePipedrive() as fake, client_for(fake) as client:
        pull_pipedrive(con, client, now=NOW)
        push_pipedrive(golden_leads().head(1), con=con, client=client, now=NOW + timedelta(minutes=1))
        # the state the crash left: Pipedrive holds what it accepted up to `died_after`; firmo
        # holds the intent of that record (written before the call), not its id (written after)
        gone = ["lead", "note"] + (["person"] if died_after == "organization" else [])
        con.execute(f"DELETE FROM exports.crm_ids WHERE entity IN ({', '.join(repr(e) for e in gone)})")
        con.execute(
            f"UPDATE exports.crm_ids SET entity = '{died_after}_intent', crm_id = '' WHERE entity = '{died_after}'"
        )
        con.execute("DELETE FROM exports.ledger")
        fake.leads.clear()
        fake.notes.clear()
        if died_after == "organization":
            fake.persons.clear()
        with FakePipedrive() as meanwhile, client_for(meanwhile) as other:  # the CRM as that read-back saw it
            pull_pipedrive(con, other, now=NOW + timedelta(minutes=2))
        fake.requests.clear()
        report = push_pipedrive(golden_leads().head(1), con=con, client=client, now=NOW + timedelta(minutes=3))
        expected = {
            "organization": [("/api/v2/itemSearch/field", "552100554")],
            "person": [("/api/v2/persons/search", "jeanne.martin@acme.fr")],
        }
        assert _searches(fake) == expected[died_after]
        assert (len(fake.organizations), len(fake.persons), len(fake.leads), len(fake.notes)) == (1, 1, 1, 1)
        assert fake.calls("POST", f"/api/v2/{died_after}s") == []  # found, so updated: no second one
    assert report.pushed == 1
    assert _rows(con, "SELECT entity, count(*) FROM exports.crm_ids GROUP BY 1 ORDER BY 1") == [
        ("lead", 1),
        ("note", 1),
        ("organization", 1),
        ("person", 1),
    ]


def test_an_email_a_person_holds_besides_its_primary_is_still_searched(con):
    """Sales hold Jeanne with another primary address: the read-back keeps her second one too (a
    row `<id>/<email>`), so a fresh read-back does not spare the search that finds her."""
    with FakePipedrive() as fake, client_for(fake) as client:
        jeanne = fake.seed("persons", {"name": "Jeanne Martin", "emails": [
            {"value": "j.martin@gmail.com", "primary": True}, {"value": "Jeanne.Martin@acme.fr", "primary": False}]})
        pull_pipedrive(con, client, now=NOW)
        assert _rows(con, "SELECT crm_id, email FROM exports.crm_contacts ORDER BY 1") == [
            (str(jeanne), "j.martin@gmail.com"), (f"{jeanne}/jeanne.martin@acme.fr", "jeanne.martin@acme.fr")]
        fake.requests.clear()
        push_pipedrive(golden_leads().head(1), con=con, client=client, now=NOW + timedelta(minutes=1))
        assert _searches(fake) == [("/api/v2/persons/search", "jeanne.martin@acme.fr")]
        assert fake.calls("POST", "/api/v2/persons") == [] and len(fake.persons) == 1
