"""The CRM channel: an alert as a note on the HubSpot company the read-back matched to its SIREN,
through the CRM-sync client, against the HubSpot stand-in on loopback (tests/crm/fake_hubspot.py)."""

from __future__ import annotations

from firmo.alerts.channels import HubSpotNoteChannel, crm_company_ids
from firmo.alerts.outbox import deliver
from firmo.crm.hubspot_api import HubSpotClient
from tests.crm.fake_hubspot import TOKEN, FakeHubSpot

from .test_delivery import KEY, _alerts, _rows


def _accounts(con, rows):
    con.execute("CREATE TABLE exports.crm_accounts (crm VARCHAR, crm_id VARCHAR, siren VARCHAR, "
                "match_confidence DOUBLE, modified_at TIMESTAMP, deleted_at TIMESTAMP)")
    con.executemany("INSERT INTO exports.crm_accounts VALUES (?, ?, ?, ?, NULL, NULL)", rows)


def test_an_alert_becomes_a_note_on_the_matched_company(con):
    _alerts(con, ["hubspot"])
    with FakeHubSpot() as fake, HubSpotClient(TOKEN, base_url=fake.url) as client:
        company = fake.seed("companies", {"name": "GAMMA SA", "siren": "100000003"})
        # the SIREN matched twice: by name and postcode (0.7), and by SIREN (1.0), which wins
        _accounts(con, [("hubspot", "999", "100000003", 0.7), ("hubspot", company, "100000003", 1.0),
                        ("salesforce", "001A", "100000003", 1.0)])
        assert crm_company_ids(con, "hubspot") == {"100000003": company}
        channel = HubSpotNoteChannel(client, crm_company_ids(con, "hubspot"), clock=lambda: 1_773_132_000.0)
        delivered = deliver(con, {"hubspot": channel})
        again = deliver(con, {"hubspot": channel})
    assert (delivered.sent, again.sent) == ({"hubspot": 1}, {})
    (note,) = fake.notes
    assert note["associations"] == [{"to": {"id": company}, "types": [
        {"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 190}]}]
    assert note["properties"]["hs_timestamp"] == "2026-03-10T08:40:00Z"
    body = note["properties"]["hs_note_body"]
    assert body.splitlines()[0] == "[firmo] acme: GAMMA SA: new decision maker"
    assert body.splitlines()[-1] == f"firmo alert {KEY}"
    assert _rows(con) == [("hubspot", "sent", 1, None)]


def test_a_siren_no_crm_record_matched_is_kept_and_retried(con):
    _alerts(con, ["hubspot"])
    with FakeHubSpot() as fake, HubSpotClient(TOKEN, base_url=fake.url) as client:
        deliver(con, {"hubspot": HubSpotNoteChannel(client, crm_company_ids(con, "hubspot"))})
    assert fake.notes == []
    assert _rows(con) == [
        ("hubspot", "failed", 1, "no HubSpot company matched to SIREN 100000003 (run `firmo crm pull hubspot`)")]
