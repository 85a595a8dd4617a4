"""The Salesforce and Pipedrive channels: an alert as a Task on the Salesforce Account, and as a
note on the Pipedrive organization, the read-back matched to its SIREN, through the CRM-sync
clients, against the stand-ins on loopback (tests/crm/fake_salesforce.py, fake_pipedrive.py)."""

from __future__ import annotations

import pytest

from firmo.alerts.channels import PipedriveNoteChannel, SalesforceTaskChannel, crm_company_ids
from firmo.alerts.outbox import DeliveryError, deliver
from firmo.crm.pipedrive_api import PipedriveClient
from firmo.crm.salesforce_api import SalesforceClient
from tests.crm.fake_pipedrive import TOKEN, FakePipedrive
from tests.crm.fake_salesforce import CLIENT_ID, CLIENT_SECRET, FakeSalesforce, V

from .test_delivery import KEY, _alerts, _rows
from .test_hubspot_note import _accounts

LINES = [
    "GAMMA SA (SIREN 100000003, Nantes)",
    "Signal: new decision maker on 2026-03-11 (BODACC B n°G1) "
    "https://www.bodacc.fr/pages/annonces-commerciales-detail/?q.id=id:G1",
    "Score: score 42, cold",
    "Decision maker: Jeanne Martin, Présidente",
    "Why: NAF 62.01Z in target; new Président 3 days ago",
    "Rule: signal_new_decision_maker (ICP acme)",
    f"firmo alert {KEY}",
]


def test_an_alert_becomes_a_task_on_the_matched_account(con):
    _alerts(con, ["salesforce"])
    with (
        FakeSalesforce() as fake,
        SalesforceClient(client_id=CLIENT_ID, client_secret=CLIENT_SECRET, instance_url=fake.url) as client,
    ):
        account = fake.seed("Account", {"Name": "GAMMA SA", "SIREN__c": "100000003"})
        _accounts(con, [("salesforce", "001S7000000000099", "100000003", 0.7), ("salesforce", account, "100000003", 1.0),
                        ("hubspot", "777", "100000003", 1.0)])
        channel = SalesforceTaskChannel(client, crm_company_ids(con, "salesforce"), clock=lambda: 1_773_132_000.0)
        delivered = deliver(con, {"salesforce": channel})
        again = deliver(con, {"salesforce": channel})
    assert (delivered.sent, again.sent) == ({"salesforce": 1}, {})
    assert [(m, p) for m, p, _ in fake.writes()] == [("POST", f"/services/data/{V}/sobjects/Task")]
    assert list(fake.tasks.values()) == [{
        "WhatId": account,
        "Subject": "[firmo] acme: GAMMA SA: new decision maker",
        "Description": "\n".join(LINES),
        "Status": "Not Started",
        "Priority": "Low",
        "ActivityDate": "2026-03-10",
    }]
    assert _rows(con) == [("salesforce", "sent", 1, None)]


def test_task_priority_follows_the_tier_and_a_refusal_is_kept():
    with (
        FakeSalesforce() as fake,
        SalesforceClient(client_id=CLIENT_ID, client_secret=CLIENT_SECRET, instance_url=fake.url) as client,
    ):
        account = fake.seed("Account", {"Name": "GAMMA SA", "SIREN__c": "100000003"})
        payload = {"icp": "acme", "summary": "GAMMA SA: entered hot", "siren": "100000003", "score": 91,
                   "tier": "hot", "rule": "hot", "company_name": "GAMMA SA"}
        SalesforceTaskChannel(client, {"100000003": account}).send("k1", payload)
        SalesforceTaskChannel(client, {"100000003": account}).send("k2", {**payload, "tier": "warm"})
        (hot, warm) = fake.tasks.values()
        assert (hot["Priority"], warm["Priority"]) == ("High", "Normal")
        assert hot["Description"].splitlines()[-1] == "firmo alert k1"
        with pytest.raises(DeliveryError) as refused:
            SalesforceTaskChannel(client, {"100000003": "001S7000000000404"}).send("k3", payload)
    assert str(refused.value) == (
        "Salesforce Task refused: Salesforce POST /sobjects/Task -> 400: "
        "INVALID_CROSS_REFERENCE_KEY: invalid cross reference id"
    )


def test_salesforce_without_a_matched_account_is_kept_and_retried(con):
    _alerts(con, ["salesforce"])
    with (
        FakeSalesforce() as fake,
        SalesforceClient(client_id=CLIENT_ID, client_secret=CLIENT_SECRET, instance_url=fake.url) as client,
    ):
        deliver(con, {"salesforce": SalesforceTaskChannel(client, crm_company_ids(con, "salesforce"))})
    assert (fake.tasks, fake.writes()) == ({}, [])
    assert _rows(con) == [("salesforce", "failed", 1,
                           "no Salesforce Account matched to SIREN 100000003 (run `firmo crm pull salesforce`)")]


def test_an_alert_becomes_a_note_on_the_matched_organization(con):
    _alerts(con, ["pipedrive"])
    with FakePipedrive() as fake, PipedriveClient(TOKEN, base_url=fake.url, sleep=lambda s: None) as client:
        org = fake.seed("organizations", {"name": "GAMMA SA"})
        _accounts(con, [("pipedrive", str(org), "100000003", 1.0)])
        channel = PipedriveNoteChannel(client, crm_company_ids(con, "pipedrive"))
        delivered = deliver(con, {"pipedrive": channel})
        again = deliver(con, {"pipedrive": channel})
    assert (delivered.sent, again.sent) == ({"pipedrive": 1}, {})
    (note,) = fake.notes.values()
    html_lines = ["[firmo] acme: GAMMA SA: new decision maker", *LINES]
    assert note == {
        "id": note["id"],
        "content": "".join(f"<p>{line}</p>" for line in html_lines),
        "org_id": org,
        "add_time": "2026-03-02 09:30:00",
    }
    assert _rows(con) == [("pipedrive", "sent", 1, None)]


def test_pipedrive_note_content_is_escaped_and_unmatched_is_kept(con):
    with FakePipedrive() as fake, PipedriveClient(TOKEN, base_url=fake.url, sleep=lambda s: None) as client:
        org = fake.seed("organizations", {"name": "A & B <SAS>"})
        payload = {"icp": "acme", "summary": "A & B <SAS>: entered hot", "siren": "100000003", "score": 91,
                   "tier": "hot", "rule": "hot", "company_name": "A & B <SAS>"}
        PipedriveNoteChannel(client, {"100000003": str(org)}).send("k1", payload)
        (note,) = fake.notes.values()
        assert note["content"].startswith("<p>[firmo] acme: A &amp; B &lt;SAS&gt;: entered hot</p>")
        assert note["content"].endswith("<p>firmo alert k1</p>")
        _alerts(con, ["pipedrive"])
        deliver(con, {"pipedrive": PipedriveNoteChannel(client, crm_company_ids(con, "pipedrive"))})
    assert len(fake.notes) == 1
    assert _rows(con) == [("pipedrive", "failed", 1,
                           "no Pipedrive organization matched to SIREN 100000003 (run `firmo crm pull pipedrive`)")]
