"""The delivery channels of the outbox (firmo/alerts/outbox.py): a Slack incoming webhook, email
over SMTP with STARTTLS, and a generic signed webhook. Each takes its endpoint and secret as plain
arguments (the Dagster resources and the CLI build them from the settings) and raises
`DeliveryError` with a message that never holds the secret: a Slack webhook URL is itself the
credential, so neither it nor the SMTP password appears in an error, a log line or the outbox.
"""

from __future__ import annotations

import hashlib
import hmac
import html
import json
import smtplib
import ssl
import time
from collections.abc import Callable, Mapping, Sequence
from email.message import EmailMessage
from typing import Any

import httpx

from firmo import db
from firmo.alerts.digest import alert_lines, slack_message, subject
from firmo.alerts.outbox import DeliveryError
from firmo.crm.hubspot_api import HubSpotError
from firmo.crm.pipedrive_api import PipedriveError
from firmo.crm.salesforce_api import SalesforceError
from firmo.sqlfiles import load_sql

SIGNATURE_HEADER = "X-Firmo-Signature"
TIMESTAMP_HEADER = "X-Firmo-Timestamp"
IDEMPOTENCY_HEADER = "Idempotency-Key"
MESSAGE_ID_DOMAIN = "alerts.firmo"


def message_id(key: str) -> str:
    """The email's Message-ID, the same for every send of one alert (mail clients fold repeats)."""
    return f"<{hashlib.sha256(key.encode()).hexdigest()[:40]}@{MESSAGE_ID_DOMAIN}>"


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """`sha256=<hex>`: HMAC-SHA256 of `<timestamp>.<body>` with the shared secret (the timestamp is
    signed so a receiver can refuse a replayed request)."""
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


class SlackChannel:
    """A Slack incoming webhook (`https://hooks.slack.com/services/...`): a POST of a JSON message
    answered `200 ok`, or an error code in the body (`invalid_payload`, `no_service`, ...) and 429
    with Retry-After when rate limited. A repeat is not dropped by Slack: `dedupes` is False."""

    name = "slack"
    dedupes = False

    def __init__(self, webhook_url: str, *, timeout: float = 10.0, client: httpx.Client | None = None):
        self._url = webhook_url
        self._client = client or httpx.Client(timeout=timeout)

    def send(self, key: str, payload: Mapping[str, Any]) -> None:
        try:
            response = self._client.post(self._url, json=slack_message(payload))
        except httpx.HTTPError as exc:
            raise DeliveryError(f"slack: {type(exc).__name__} reaching the webhook") from None
        if response.status_code == 429:
            raise DeliveryError(f"slack: rate limited (Retry-After {response.headers.get('retry-after', '?')} s)")
        if response.status_code != 200:
            raise DeliveryError(f"slack: HTTP {response.status_code} {response.text[:100]}")


class WebhookChannel:
    """A generic webhook: POST of `{"key": ..., "alert": {...}}` (JSON), signed with HMAC-SHA256
    (`X-Firmo-Signature: sha256=<hex>` over `<X-Firmo-Timestamp>.<body>`), the alert key as
    `Idempotency-Key` so the receiver drops a repeat (`dedupes`). A connection error, 429 or 5xx
    is retried `retries` times with exponential back-off (`backoff` s, doubled each time; a
    Retry-After up to 30 s is honoured); another 4xx is final."""

    name = "webhook"
    dedupes = True

    def __init__(
        self,
        url: str,
        secret: str,
        *,
        retries: int = 3,
        backoff: float = 1.0,
        timeout: float = 10.0,
        client: httpx.Client | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self._url, self._secret = url, secret
        self._retries, self._backoff, self._sleep = retries, backoff, sleep
        self._client = client or httpx.Client(timeout=timeout)

    def send(self, key: str, payload: Mapping[str, Any]) -> None:
        body = json.dumps({"key": key, "alert": payload}, ensure_ascii=False, sort_keys=True).encode()
        problem = ""
        for attempt in range(self._retries + 1):
            if attempt:
                self._sleep(self._backoff * 2 ** (attempt - 1))
            timestamp = str(int(time.time()))
            headers = {
                "Content-Type": "application/json",
                TIMESTAMP_HEADER: timestamp,
                SIGNATURE_HEADER: signature(self._secret, timestamp, body),
                IDEMPOTENCY_HEADER: key,
            }
            try:
                response = self._client.post(self._url, content=body, headers=headers)
            except httpx.HTTPError as exc:
                problem = f"webhook: {type(exc).__name__}"
                continue
            if response.is_success:
                return
            problem = f"webhook: HTTP {response.status_code}"
            if response.status_code != 429 and response.status_code < 500:
                raise DeliveryError(f"{problem} {response.text[:100]}")
            retry_after = response.headers.get("retry-after", "")
            if retry_after.isdigit() and int(retry_after) <= 30 and attempt < self._retries:
                self._sleep(float(retry_after))
        raise DeliveryError(f"{problem} after {self._retries + 1} attempts")


class EmailChannel:
    """Email over SMTP (submission port 587): STARTTLS is required (a server that does not offer
    it is refused: the alerts hold people's names), then LOGIN when a username is set. One message
    per alert; its Message-ID comes from the alert key (`message_id`). `ca_file` trusts a private
    CA (an internal relay) on top of the system's."""

    name = "email"
    dedupes = False

    def __init__(
        self,
        host: str,
        port: int,
        sender: str,
        recipients: Sequence[str],
        *,
        username: str | None = None,
        password: str | None = None,
        ca_file: str | None = None,
        timeout: float = 30.0,
    ):
        if not recipients:
            raise ValueError("email channel: no recipients (FIRMO_ALERT_EMAIL_TO)")
        self.host, self.port, self.sender, self.recipients = host, port, sender, list(recipients)
        self._username, self._password, self._ca_file, self._timeout = username, password, ca_file, timeout

    def message(self, key: str, payload: Mapping[str, Any]) -> EmailMessage:
        msg = EmailMessage()
        msg["Subject"] = subject(payload)
        msg["From"] = self.sender
        msg["To"] = ", ".join(self.recipients)
        msg["Message-ID"] = message_id(key)
        msg["X-Firmo-Alert-Key"] = key
        msg.set_content("\n".join(alert_lines(payload)) + "\n")
        return msg

    def send(self, key: str, payload: Mapping[str, Any]) -> None:
        context = ssl.create_default_context(cafile=self._ca_file)
        try:
            with smtplib.SMTP(self.host, self.port, timeout=self._timeout) as smtp:
                smtp.ehlo()
                if not smtp.has_extn("starttls"):
                    raise DeliveryError(f"smtp: {self.host} offers no STARTTLS; not sending in clear")
                smtp.starttls(context=context)
                smtp.ehlo()
                if self._username:
                    smtp.login(self._username, self._password or "")
                smtp.send_message(self.message(key, payload))
        except DeliveryError:
            raise
        except smtplib.SMTPAuthenticationError as exc:
            raise DeliveryError(f"smtp: authentication refused ({exc.smtp_code})") from None
        except (smtplib.SMTPException, OSError, ssl.SSLError) as exc:
            raise DeliveryError(f"smtp: {type(exc).__name__}: {str(exc)[:120]}") from None


class HubSpotNoteChannel:
    """A note on the company record in HubSpot (`POST /crm/v3/objects/notes`, associated note ->
    company, crm_sync.md §1.6) through the CRM-sync client (firmo.crm.hubspot_api). The company is
    the account the read-back matched to the alert's SIREN (`company_ids`, from
    exports.crm_accounts: `firmo crm pull hubspot`); a SIREN without one fails and is retried, as a
    later pull may match it. Notes have no unique property, so HubSpot cannot drop a repeat
    (`dedupes` False: a send interrupted by a crash is not repeated); the body ends with the alert
    key as a marker, which is how a repeat would be found."""

    name = "hubspot"
    dedupes = False

    def __init__(self, client: Any, company_ids: Mapping[str, str], *, clock: Callable[[], float] = time.time):
        self.client = client
        self.company_ids = dict(company_ids)
        self.clock = clock

    def send(self, key: str, payload: Mapping[str, Any]) -> None:
        siren = payload.get("siren")
        company = self.company_ids.get(str(siren)) if siren else None
        if company is None:
            raise DeliveryError(f"no HubSpot company matched to SIREN {siren or '-'} (run `firmo crm pull hubspot`)")
        body = "\n".join([subject(payload), *alert_lines(payload), f"firmo alert {key}"])
        stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(self.clock()))
        try:
            self.client.create_note(company, body, stamp)
        except HubSpotError as exc:  # its message holds the status and HubSpot's message, never the token
            raise DeliveryError(f"HubSpot note refused: {exc}") from None
        except httpx.HTTPError as exc:
            raise DeliveryError(f"HubSpot unreachable ({type(exc).__name__})") from None


# Salesforce's standard Task Priority picklist (High, Normal, Low): a hot lead's alert comes first
TASK_PRIORITY = {"hot": "High", "warm": "Normal"}
TASK_SUBJECT_MAX = 255  # Task.Subject is a 255-character string


class SalesforceTaskChannel:
    """A Task on the Salesforce Account the read-back matched to the alert's SIREN
    (`POST /sobjects/Task`, WhatId = the Account Id from exports.crm_accounts: `firmo crm pull
    salesforce`) through the CRM-sync client (firmo.crm.salesforce_api): a seller sees it in the
    Account's open activities, due today, High for a hot lead, Normal for a warm one, Low else. A
    SIREN without an Account fails and is retried, as a later pull may match it. A Task has no
    external id, so Salesforce cannot drop a repeat (`dedupes` False, as the HubSpot note: a send
    interrupted by a crash is not repeated); the Description ends with the alert key as a marker."""

    name = "salesforce"
    dedupes = False

    def __init__(self, client: Any, account_ids: Mapping[str, str], *, clock: Callable[[], float] = time.time):
        self.client = client
        self.account_ids = dict(account_ids)
        self.clock = clock

    def send(self, key: str, payload: Mapping[str, Any]) -> None:
        siren = payload.get("siren")
        account = self.account_ids.get(str(siren)) if siren else None
        if account is None:
            raise DeliveryError(
                f"no Salesforce Account matched to SIREN {siren or '-'} (run `firmo crm pull salesforce`)"
            )
        task = {
            "WhatId": account,
            "Subject": subject(payload)[:TASK_SUBJECT_MAX],
            "Description": "\n".join([*alert_lines(payload), f"firmo alert {key}"]),
            "Status": "Not Started",
            "Priority": TASK_PRIORITY.get(str(payload.get("tier")), "Low"),
            "ActivityDate": time.strftime("%Y-%m-%d", time.gmtime(self.clock())),
        }
        try:
            self.client.create("Task", task)
        except SalesforceError as exc:  # its message holds the status and Salesforce's message, never a secret
            raise DeliveryError(f"Salesforce Task refused: {exc}") from None
        except httpx.HTTPError as exc:
            raise DeliveryError(f"Salesforce unreachable ({type(exc).__name__})") from None


class PipedriveNoteChannel:
    """A note on the Pipedrive organization the read-back matched to the alert's SIREN (v1
    `POST /v1/notes` with org_id and content, crm_sync.md §3.4) through the CRM-sync client
    (firmo.crm.pipedrive_api). The content is HTML: the alert's lines escaped, one a line. A SIREN
    without an organization fails and is retried. Notes have no unique key (`dedupes` False, as the
    HubSpot note); the content ends with the alert key as a marker."""

    name = "pipedrive"
    dedupes = False

    def __init__(self, client: Any, org_ids: Mapping[str, str]):
        self.client = client
        self.org_ids = dict(org_ids)

    def send(self, key: str, payload: Mapping[str, Any]) -> None:
        siren = payload.get("siren")
        org = self.org_ids.get(str(siren)) if siren else None
        if org is None:
            raise DeliveryError(
                f"no Pipedrive organization matched to SIREN {siren or '-'} (run `firmo crm pull pipedrive`)"
            )
        lines = [subject(payload), *alert_lines(payload), f"firmo alert {key}"]
        content = "".join(f"<p>{html.escape(line)}</p>" for line in lines)
        try:
            self.client.add_note({"content": content, "org_id": int(org) if str(org).isdigit() else org})
        except PipedriveError as exc:  # its message holds the status and Pipedrive's message, never the token
            raise DeliveryError(f"Pipedrive note refused: {exc}") from None
        except httpx.HTTPError as exc:
            raise DeliveryError(f"Pipedrive unreachable ({type(exc).__name__})") from None


def crm_company_ids(con: Any, crm: str) -> dict[str, str]:
    """SIREN -> the CRM's company record id, from the read-back (the surest match first)."""
    if not db.table_exists(con, "exports.crm_accounts"):
        return {}
    return dict(con.execute(load_sql("alerts/crm_company_ids"), {"crm": crm}).fetchall())
