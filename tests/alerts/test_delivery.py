"""Delivery from the outbox through the real protocols on loopback: Slack Block Kit, a signed
webhook with retries and idempotency keys, email over SMTP with STARTTLS; failures kept, a crash
between send and record never sends twice."""

from __future__ import annotations

from datetime import timedelta

import pytest

from firmo.alerts.channels import EmailChannel, SlackChannel, WebhookChannel, message_id
from firmo.alerts.outbox import DeliveryError, deliver, record
from firmo.alerts.rules import evaluate
from firmo.loopback import LoopbackServer

from .conftest import AS_OF, NOW, icp, leads, signal
from .fakes import SLACK_PATH, SmtpServer, slack_app, webhook_app

SECRET = "whsec-test-1"
KEY = "acme/signal_new_decision_maker/100000003/new_decision_maker:2026-03-11:G1"


def _alerts(con, channels):
    """Baseline, then one new-decision-maker alert on GAMMA SA through `channels`."""
    config = icp([{"signal_types": ["new_decision_maker"], "channels": channels}])
    leads(con, [("100000003", 42, "cold")])
    record(con, evaluate(con, config, as_of=AS_OF, now=NOW), now=NOW)
    day = AS_OF + timedelta(days=1)
    signal(con, "100000003", "new_decision_maker", day, "G1")
    rec = record(con, evaluate(con, config, as_of=day, now=NOW), now=NOW)
    assert rec.alerted == 1


def _rows(con):
    return con.execute("SELECT channel, state, attempts, last_error FROM alerts.outbox ORDER BY channel").fetchall()


def test_slack_block_kit_and_failures_kept(con):
    state: dict = {}
    with LoopbackServer(slack_app(state)) as server:
        slack = SlackChannel(server.url + SLACK_PATH)
        _alerts(con, ["slack"])
        state["fail"] = 2
        first = deliver(con, {"slack": slack}, max_attempts=2)
        assert (first.failed, _rows(con)) == ({"slack": 1}, [("slack", "failed", 1, "slack: HTTP 500 internal_error")])
        second = deliver(con, {"slack": slack}, max_attempts=2)
        assert second.undelivered == {"slack": 1}
        assert _rows(con) == [("slack", "undelivered", 2, "slack: HTTP 500 internal_error")]
        assert deliver(con, {"slack": slack}, max_attempts=2).sent == {}  # undelivered is kept, not retried
        con.execute("UPDATE alerts.outbox SET state = 'pending', attempts = 0")
        assert deliver(con, {"slack": slack}).sent == {"slack": 1}
    [message] = state["messages"]
    assert message["text"] == "[firmo] acme: GAMMA SA: new decision maker"
    assert message["blocks"] == [
        {"type": "header", "text": {"type": "plain_text", "text": "GAMMA SA"}},
        {
            "type": "section",
            "fields": [
                {"type": "mrkdwn", "text": "*SIREN*\n100000003"},
                {"type": "mrkdwn", "text": "*Score & tier*\nscore 42, cold"},
            ],
        },
        {
            "type": "section",
            "text": {
                "type": "mrkdwn",
                "text": "*Signal*: new decision maker (2026-03-11)\n"
                "<https://www.bodacc.fr/pages/annonces-commerciales-detail/?q.id=id:G1|BODACC B n°G1>",
            },
        },
        {"type": "section", "text": {"type": "mrkdwn", "text": "*Decision maker*: Jeanne Martin, Présidente"}},
        {
            "type": "section",
            "text": {"type": "mrkdwn", "text": "*Why*: NAF 62.01Z in target; new Président 3 days ago"},
        },
        {"type": "context", "elements": [{"type": "mrkdwn", "text": "rule signal_new_decision_maker · ICP acme"}]},
    ]


def test_crash_between_send_and_record(con):
    """A `sending` row is what a kill after the send and before the record leaves."""
    slack_state: dict = {}
    hook_state: dict = {}
    with LoopbackServer(slack_app(slack_state)) as s, LoopbackServer(webhook_app(hook_state, SECRET)) as w:
        channels = {
            "slack": SlackChannel(s.url + SLACK_PATH),
            "webhook": WebhookChannel(w.url + "/hooks/firmo", SECRET),
        }
        _alerts(con, ["slack", "webhook"])
        deliver(con, channels)
        assert (len(slack_state["messages"]), len(hook_state["received"])) == (1, 1)
        con.execute("UPDATE alerts.outbox SET state = 'sending'")  # as if killed before recording 'sent'
        again = deliver(con, channels)
    # Slack cannot drop a repeat: not sent again, kept as undelivered (at-most-once)
    assert len(slack_state["messages"]) == 1
    # the webhook receiver drops the repeated Idempotency-Key (at-least-once on the wire)
    assert (len(hook_state["received"]), hook_state["repeats"], again.sent) == (1, 1, {"webhook": 1})
    assert _rows(con) == [
        (
            "slack",
            "undelivered",
            1,
            "interrupted while sending; not sent again since slack cannot drop a duplicate: check it arrived",
        ),
        ("webhook", "sent", 2, None),
    ]
    assert hook_state["received"][KEY]["key"] == KEY
    assert hook_state["received"][KEY]["alert"]["signal"]["evidence"] == "BODACC B n°G1"


def test_webhook_retries_with_backoff_and_signature(con):
    state: dict = {"fail": 2}
    slept: list[float] = []
    with LoopbackServer(webhook_app(state, SECRET)) as server:
        hook = WebhookChannel(server.url + "/hooks/firmo", SECRET, retries=3, backoff=0.5, sleep=slept.append)
        _alerts(con, ["webhook"])
        assert deliver(con, {"webhook": hook}).sent == {"webhook": 1}
        assert (state["requests"], slept) == (3, [0.5, 1.0])
        wrong = WebhookChannel(server.url + "/hooks/firmo", "not-the-secret", sleep=slept.append)
        with pytest.raises(DeliveryError, match=r'^webhook: HTTP 401 \{"error":"bad signature"\}$'):
            wrong.send("k", {"x": 1})
        state["fail"] = 10
        with pytest.raises(DeliveryError, match="^webhook: HTTP 503 after 2 attempts$"):
            WebhookChannel(server.url + "/hooks/firmo", SECRET, retries=1, sleep=slept.append).send("k2", {})


def test_email_over_starttls(con, tmp_path):
    with SmtpServer(tmp_path) as smtp:
        email = EmailChannel(
            "127.0.0.1",
            smtp.port,
            "firmo@acme.fr",
            ["sales@acme.fr", "ops@acme.fr"],
            username="alerts@acme.fr",
            password="smtp-pass",
            ca_file=str(smtp.cert),
        )
        _alerts(con, ["email"])
        assert deliver(con, {"email": email}).sent == {"email": 1}
        untrusted = EmailChannel("127.0.0.1", smtp.port, "firmo@acme.fr", ["sales@acme.fr"])
        with pytest.raises(DeliveryError, match="^smtp: SSLCertVerificationError"):
            untrusted.send("k", {})
    [msg] = smtp.mailbox.messages
    assert smtp.mailbox.envelopes == [("firmo@acme.fr", ["sales@acme.fr", "ops@acme.fr"])]
    assert msg["Message-ID"] == message_id(KEY)
    assert msg["Subject"] == "[firmo] acme: GAMMA SA: new decision maker"
    assert msg.get_payload(decode=True).decode().replace("\r\n", "\n") == (
        "GAMMA SA (SIREN 100000003, Nantes)\n"
        "Signal: new decision maker on 2026-03-11 (BODACC B n°G1) "
        "https://www.bodacc.fr/pages/annonces-commerciales-detail/?q.id=id:G1\n"
        "Score: score 42, cold\n"
        "Decision maker: Jeanne Martin, Présidente\n"
        "Why: NAF 62.01Z in target; new Président 3 days ago\n"
        "Rule: signal_new_decision_maker (ICP acme)\n"
    )
