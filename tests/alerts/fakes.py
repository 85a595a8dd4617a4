"""Stand-ins that speak the real protocols, on loopback: a Slack incoming webhook, a generic
webhook receiver that checks the HMAC-SHA256 signature itself and drops repeated idempotency keys,
and a real SMTP server (aiosmtpd) requiring STARTTLS with a self-signed certificate."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import ipaddress
import json
import socket
import ssl
from email import message_from_bytes
from email.message import Message
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse
from starlette.routing import Route

SLACK_PATH = "/services/T0001/B0001/xoxsecretpart"


def slack_app(state: dict) -> Starlette:
    """POST a JSON message: 200 `ok`; no text nor blocks: 400 `no_text`; `fail` > 0: that many 500s."""

    async def hook(request: Request):
        if state.get("fail", 0) > 0:
            state["fail"] -= 1
            return PlainTextResponse("internal_error", status_code=500)
        body = json.loads(await request.body())
        if not body.get("text") and not body.get("blocks"):
            return PlainTextResponse("no_text", status_code=400)
        state.setdefault("messages", []).append(body)
        return PlainTextResponse("ok")

    return Starlette(routes=[Route(SLACK_PATH, hook, methods=["POST"])])


def webhook_app(state: dict, secret: str) -> Starlette:
    """Verifies `X-Firmo-Signature` (HMAC-SHA256 of `<timestamp>.<body>`) or answers 401; keeps one
    delivery per Idempotency-Key (a repeat is 200 and counted in `repeats`); `fail` > 0: 503s."""

    async def receive(request: Request):
        body = await request.body()
        state["requests"] = state.get("requests", 0) + 1
        if state.get("fail", 0) > 0:
            state["fail"] -= 1
            return PlainTextResponse("busy", status_code=503)
        timestamp = request.headers.get("x-firmo-timestamp", "")
        expected = "sha256=" + hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected, request.headers.get("x-firmo-signature", "")):
            return JSONResponse({"error": "bad signature"}, status_code=401)
        key = request.headers["idempotency-key"]
        received = state.setdefault("received", {})
        if key in received:
            state["repeats"] = state.get("repeats", 0) + 1
        else:
            received[key] = json.loads(body)
        return JSONResponse({"ok": True})

    return Starlette(routes=[Route("/hooks/firmo", receive, methods=["POST"])])


def self_signed(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 and localhost (and its key), made now."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "smtp.crt", folder / "smtp.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert_path, key_path


class _Mailbox:
    def __init__(self) -> None:
        self.messages: list[Message] = []
        self.envelopes: list[tuple[str, list[str]]] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
        self.messages.append(message_from_bytes(envelope.original_content or envelope.content))
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        return "250 Message accepted for delivery"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class SmtpServer:
    """aiosmtpd on 127.0.0.1, STARTTLS required before MAIL and AUTH, one account."""

    def __init__(self, folder: Path, *, user: str = "alerts@acme.fr", password: str = "smtp-pass"):
        self.cert, key = self_signed(folder)
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(self.cert, key)
        self.mailbox = _Mailbox()
        self.port = _free_port()

        def authenticate(server, session, envelope, mechanism, auth_data):
            ok = auth_data.login == user.encode() and auth_data.password == password.encode()
            return AuthResult(success=ok)

        self.controller = Controller(
            self.mailbox,
            hostname="127.0.0.1",
            port=self.port,
            tls_context=context,
            require_starttls=True,
            authenticator=authenticate,
            auth_required=True,
            auth_require_tls=True,
        )

    def __enter__(self) -> SmtpServer:
        self.controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.controller.stop()
