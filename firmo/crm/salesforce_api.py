"""Salesforce REST client for a server-side push (crm_sync.md §2): OAuth 2.0, upsert by external
id through sObject Collections or Bulk API 2.0, and the describe calls `firmo crm check` reads.

* Auth (§2.1): the JWT bearer flow (an RS256 assertion signed here with `cryptography`, claims
  iss/sub/aud/exp, exp = now + 3 min) when a private key is given, else client credentials
  (HTTP Basic on the org's My Domain host, never login/test). Neither flow returns a refresh
  token, so a 401 `INVALID_SESSION_ID` gets a new token once and the call is repeated. Every API
  call goes to the `instance_url` of the token answer. The token is fetched on the first call, so
  a dry run that makes no call never authenticates.
* Upsert (§2.3): up to `bulk_threshold` records through
  `PATCH /composite/sobjects/<type>/<key field>` (200 records a call, allOrNone=false, results in
  input order); past it one Bulk 2.0 ingest job (CSV upload, UploadComplete, poll, then
  successfulResults / failedResults / unprocessedrecords, matched back by the key column since
  their order is not the input's).
* Errors (§2.5): `UNABLE_TO_LOCK_ROW` rows are sent again with backoff (`lock_retries` times);
  `DUPLICATES_DETECTED` and data errors come back per record (never force-created, never
  retried here); 403 `REQUEST_LIMIT_EXCEEDED` raises `SalesforceLimitError` at once (the org's
  24 h allocation: retrying now only burns more of it); 429 and 5xx are retried honouring
  `Retry-After`, else exponential backoff.
* Secrets (the private key, the client secret, the access token) are arguments, held only in
  the signer and the Authorization header: never in repr, exceptions or results.
"""

from __future__ import annotations

import base64
import csv
import io
import json
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

API_VERSION = "v66.0"  # §2.1: pinned; sObject Collections upsert needs v46+, Bulk 2.0 ingest v41+
LOGIN_URL = "https://login.salesforce.com"
JWT_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"
JWT_LIFETIME = 180  # seconds: "exp = now + <= 3 minutes"
COLLECTION_SIZE = 200
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
TERMINAL_STATES = frozenset({"JobComplete", "Failed", "Aborted"})
LOCK_ERROR = "UNABLE_TO_LOCK_ROW"
ROLLED_BACK = "ALL_OR_NONE_OPERATION_ROLLED_BACK"


class SalesforceError(RuntimeError):
    """A call Salesforce refused for good (status, error code and Salesforce's message only)."""


class SalesforceLimitError(SalesforceError):
    """403 REQUEST_LIMIT_EXCEEDED: the org's API allocation is spent; stop and resume later.
    `partial` holds what the interrupted upsert had already had accepted."""

    partial: UpsertResult | None = None


@dataclass
class UpsertResult:
    """`ids`: key value -> Salesforce Id of every accepted record (and whether it was created);
    `errors`: one {key, statusCode, message} per refused or unprocessed record."""

    ids: dict[str, str] = field(default_factory=dict)
    created: dict[str, bool] = field(default_factory=dict)
    errors: list[dict[str, Any]] = field(default_factory=list)
    bulk_jobs: list[str] = field(default_factory=list)


def load_private_key(value: str) -> rsa.RSAPrivateKey:
    """The key itself when `value` is a PEM, else the PEM file it names."""
    pem = value if value.lstrip().startswith("-----BEGIN") else Path(value).expanduser().read_text()
    key = serialization.load_pem_private_key(pem.encode(), password=None)
    if not isinstance(key, rsa.RSAPrivateKey):
        raise SalesforceError("the Salesforce private key must be an RSA key (RS256)")
    return key


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def jwt_assertion(key: rsa.RSAPrivateKey, *, client_id: str, username: str, audience: str, now: float) -> str:
    """The RS256 JWT of the bearer flow: header.claims.signature, base64url without padding."""
    header = {"alg": "RS256", "typ": "JWT"}
    claims = {"iss": client_id, "sub": username, "aud": audience, "exp": int(now) + JWT_LIFETIME}
    signing_input = ".".join(
        _b64url(json.dumps(part, separators=(",", ":")).encode()) for part in (header, claims)
    ).encode("ascii")
    signature = key.sign(signing_input, padding.PKCS1v15(), hashes.SHA256())
    return f"{signing_input.decode('ascii')}.{_b64url(signature)}"


class SalesforceClient:
    def __init__(
        self,
        *,
        client_id: str | None,
        username: str | None = None,
        private_key: str | None = None,
        client_secret: str | None = None,
        login_url: str = LOGIN_URL,
        instance_url: str | None = None,
        api_version: str = API_VERSION,
        bulk_threshold: int = 2000,
        lock_retries: int = 3,
        max_retries: int = 5,
        poll_interval: float = 2.0,
        poll_timeout: float = 3600.0,
        max_upload_bytes: int = 100 * 1024 * 1024,
        timeout: float = 60.0,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if not client_id:
            raise SalesforceError("no Salesforce consumer key: set FIRMO_SALESFORCE_CLIENT_ID")
        if private_key:
            if not username:
                raise SalesforceError("the JWT bearer flow needs the integration user: set FIRMO_SALESFORCE_USERNAME")
            self._key: rsa.RSAPrivateKey | None = load_private_key(private_key)
        elif client_secret:
            host = urlsplit(instance_url or "").hostname or ""
            if not instance_url or host in ("login.salesforce.com", "test.salesforce.com"):
                raise SalesforceError(
                    "the client-credentials flow needs the org's My Domain URL: set FIRMO_SALESFORCE_INSTANCE_URL"
                )
            self._key = None
        else:
            raise SalesforceError(
                "no Salesforce credentials: set FIRMO_SALESFORCE_PRIVATE_KEY (JWT bearer) "
                "or FIRMO_SALESFORCE_CLIENT_SECRET (client credentials)"
            )
        self._client_id, self._username, self._secret = client_id, username, client_secret
        self.login_url = login_url.rstrip("/")
        self.instance_url = instance_url.rstrip("/") if instance_url else None
        self.api_version = api_version
        self.bulk_threshold = bulk_threshold
        self.lock_retries = lock_retries
        self.max_retries = max_retries
        self.poll_interval, self.poll_timeout = poll_interval, poll_timeout
        self.max_upload_bytes = max_upload_bytes
        self._sleep, self._clock = sleep, clock
        self._token: str | None = None
        self._api_url: str | None = None
        self.calls = 0  # API requests made (the token requests not included)
        self.limit_info: str | None = None  # the last Sforce-Limit-Info header seen
        self._http = httpx.Client(timeout=timeout)

    def __repr__(self) -> str:
        flow = "jwt" if self._key is not None else "client_credentials"
        return f"SalesforceClient(login_url={self.login_url!r}, flow={flow!r}, api_version={self.api_version!r})"

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> SalesforceClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ auth

    def authenticate(self) -> None:
        """Get an access token (JWT bearer or client credentials) and the instance to call."""
        if self._key is not None:
            assert self._username is not None  # checked in __init__
            assertion = jwt_assertion(
                self._key,
                client_id=self._client_id,
                username=self._username,
                audience=self.login_url,
                now=self._clock(),
            )
            response = self._http.post(
                f"{self.login_url}/services/oauth2/token", data={"grant_type": JWT_GRANT, "assertion": assertion}
            )
        else:
            assert self._secret is not None and self.instance_url is not None
            response = self._http.post(
                f"{self.instance_url}/services/oauth2/token",
                data={"grant_type": "client_credentials"},
                auth=(self._client_id, self._secret),
            )
        if response.status_code != 200:
            try:
                body = response.json()
                why = f"{body.get('error')}: {body.get('error_description')}"
            except (ValueError, AttributeError):
                why = response.text[:200]
            raise SalesforceError(f"Salesforce token request -> {response.status_code}: {why}")
        body = response.json()
        self._token = body["access_token"]
        self._api_url = str(body.get("instance_url") or self.instance_url or self.login_url).rstrip("/")

    # ------------------------------------------------------------------ transport

    def _request(
        self,
        method: str,
        path: str,
        *,
        json_body: Any = None,
        content: bytes | None = None,
        content_type: str | None = None,
        params: Mapping[str, str] | None = None,
    ) -> httpx.Response:
        """One API call (path under /services/data/<v>), re-authenticating once on 401."""
        if self._token is None:
            self.authenticate()
        refreshed = False
        attempt = 0
        while True:
            headers = {"Authorization": f"Bearer {self._token}"}
            if content_type:
                headers["Content-Type"] = content_type
            url = f"{self._api_url}/services/data/{self.api_version}{path}"
            self.calls += 1
            response = self._http.request(method, url, json=json_body, content=content, headers=headers, params=params)
            self.limit_info = response.headers.get("Sforce-Limit-Info", self.limit_info)
            code = _error_code(response)
            if response.status_code == 401 and code == "INVALID_SESSION_ID" and not refreshed:
                refreshed = True
                self.authenticate()
                continue
            if response.status_code == 403 and code == "REQUEST_LIMIT_EXCEEDED":
                raise SalesforceLimitError(
                    f"Salesforce {method} {path} -> 403 REQUEST_LIMIT_EXCEEDED ({self.limit_info or 'no usage header'}): "
                    "the org's API allocation is spent; run again later"
                )
            if response.status_code in RETRY_STATUSES and attempt < self.max_retries:
                self._sleep(_retry_after(response, attempt))
                attempt += 1
                continue
            if response.status_code >= 400:
                raise SalesforceError(f"Salesforce {method} {path} -> {response.status_code}: {_message(response)}")
            return response

    # ------------------------------------------------------------------ describe

    def describe(self, sobject: str) -> dict[str, Any]:
        return dict(self._request("GET", f"/sobjects/{sobject}/describe").json())

    def find_account_without_siren(self, *, website: str | None, name: str | None) -> str | None:
        """The Id of the one Account with this website (else this name) and no SIREN__c, if
        exactly one: the record a Duplicate Rule matched (§2.6)."""
        for fld, value in (("Website", website), ("Name", name)):
            if not value:
                continue
            soql = f"SELECT Id FROM Account WHERE {fld} = '{soql_quote(str(value))}' AND SIREN__c = null LIMIT 2"
            records = self._request("GET", "/query", params={"q": soql}).json().get("records", [])
            if len(records) == 1:
                return str(records[0]["Id"])
            if records:
                return None
        return None

    def find_by_email_without_key(self, sobject: str, emails: Sequence[str], key_field: str) -> dict[str, str]:
        """lower-cased email -> Id of the Leads / Contacts that have this email but no key yet
        (records sales created before firmo's first push); 100 emails a query (SOQL length)."""
        found: dict[str, str] = {}
        for start in range(0, len(emails), 100):
            batch = emails[start : start + 100]
            quoted = ",".join(f"'{soql_quote(e)}'" for e in batch)
            soql = f"SELECT Id, Email FROM {sobject} WHERE Email IN ({quoted}) AND {key_field} = null"
            for record in self._request("GET", "/query", params={"q": soql}).json().get("records", []):
                found.setdefault(str(record["Email"]).lower(), str(record["Id"]))
        return found

    def update(self, sobject: str, record_id: str, values: Mapping[str, Any]) -> None:
        """`PATCH /sobjects/<type>/<id>` (204): the fields given, empty values left out."""
        self._request("PATCH", f"/sobjects/{sobject}/{record_id}", json_body=_json_values(values))

    def create(self, sobject: str, values: Mapping[str, Any]) -> str:
        """`POST /sobjects/<type>` (201 `{"id": ..., "success": true}`): one new record, its Id; for
        records with no external id to upsert by (a Task)."""
        body = self._request("POST", f"/sobjects/{sobject}", json_body=_json_values(values)).json()
        return str(body["id"])

    # ------------------------------------------------------------------ query (read-back)

    def query_all(self, soql: str, *, include_deleted: bool = False) -> Iterator[dict[str, Any]]:
        """Every record of a SOQL query (§2.4): `GET /query?q=` (`/queryAll` with
        `include_deleted`: the recycle bin's records too, for the read-back of deletions), then
        `nextRecordsUrl` on the instance until `done` (never OFFSET). The `attributes` of each
        record are dropped."""
        response = self._request("GET", "/queryAll" if include_deleted else "/query", params={"q": soql}).json()
        prefix = f"/services/data/{self.api_version}"
        while True:
            for record in response.get("records") or []:
                yield {k: v for k, v in record.items() if k != "attributes"}
            next_url = response.get("nextRecordsUrl")
            if response.get("done", True) or not next_url:
                return
            if not str(next_url).startswith(prefix + "/"):
                raise SalesforceError(f"Salesforce query: unexpected nextRecordsUrl outside {prefix}")
            response = self._request("GET", str(next_url)[len(prefix) :]).json()

    # ------------------------------------------------------------------ upsert

    def upsert(self, sobject: str, key_field: str, records: Sequence[Mapping[str, Any]]) -> UpsertResult:
        """Upsert `records` (each holds `key_field`) by that external id; lock errors retried."""
        out = UpsertResult()
        todo = list(records)
        for attempt in range(self.lock_retries + 1):
            if not todo:
                break
            try:
                result = self._upsert_once(sobject, key_field, todo)
            except SalesforceLimitError as exc:
                if exc.partial is not None:
                    out.ids.update(exc.partial.ids)
                    out.created.update(exc.partial.created)
                exc.partial = out
                raise
            out.ids.update(result.ids)
            out.created.update(result.created)
            out.bulk_jobs += result.bulk_jobs
            locked = {e["key"] for e in result.errors if e["statusCode"] == LOCK_ERROR}
            last = attempt == self.lock_retries
            out.errors += [e for e in result.errors if last or e["statusCode"] != LOCK_ERROR]
            todo = [r for r in todo if str(r[key_field]) in locked]
            if todo and not last:
                self._sleep(min(60.0, 2.0**attempt))
        return out

    def _upsert_once(self, sobject: str, key_field: str, records: list[Mapping[str, Any]]) -> UpsertResult:
        if len(records) > self.bulk_threshold:
            return self.bulk_upsert(sobject, key_field, records)
        return self.collection_upsert(sobject, key_field, records)

    def collection_upsert(self, sobject: str, key_field: str, records: Sequence[Mapping[str, Any]]) -> UpsertResult:
        """`PATCH /composite/sobjects/<type>/<key>`: 200 a call, allOrNone=false, results in order."""
        out = UpsertResult()
        for start in range(0, len(records), COLLECTION_SIZE):
            batch = list(records[start : start + COLLECTION_SIZE])
            body = {
                "allOrNone": False,
                "records": [{"attributes": {"type": sobject}, **_json_values(r)} for r in batch],
            }
            try:
                results = self._request("PATCH", f"/composite/sobjects/{sobject}/{key_field}", json_body=body).json()
            except SalesforceLimitError as exc:
                exc.partial = out
                raise
            for record, result in zip(batch, results, strict=True):
                key = str(record[key_field])
                if result.get("success"):
                    out.ids[key] = result["id"]
                    out.created[key] = bool(result.get("created"))
                    continue
                errors = [e for e in result.get("errors") or [] if e.get("statusCode") != ROLLED_BACK]
                first = (errors or result.get("errors") or [{}])[0]
                out.errors.append(
                    {
                        "key": key,
                        "statusCode": str(first.get("statusCode", "UNKNOWN")),
                        "message": str(first.get("message", ""))[:300],
                    }
                )
        return out

    def bulk_upsert(self, sobject: str, key_field: str, records: Sequence[Mapping[str, Any]]) -> UpsertResult:
        """Bulk API 2.0 ingest jobs, one per CSV part of at most `max_upload_bytes` (one upload per
        job, 150 MB documented; 100 MB kept, as simple-salesforce does)."""
        out = UpsertResult()
        for part in csv_parts(records, self.max_upload_bytes):
            try:
                result = self._bulk_job(sobject, key_field, part)
            except SalesforceLimitError as exc:
                exc.partial = out
                raise
            out.ids.update(result.ids)
            out.created.update(result.created)
            out.errors += result.errors
            out.bulk_jobs += result.bulk_jobs
        return out

    def _bulk_job(self, sobject: str, key_field: str, data: bytes) -> UpsertResult:
        """One job: create, PUT the CSV, UploadComplete, poll, read the three result sets."""
        job = self._request(
            "POST",
            "/jobs/ingest",
            json_body={
                "object": sobject,
                "externalIdFieldName": key_field,
                "contentType": "CSV",
                "operation": "upsert",
                "lineEnding": "LF",
                "columnDelimiter": "COMMA",
            },
        ).json()
        job_id = job["id"]
        self._request("PUT", f"/jobs/ingest/{job_id}/batches", content=data, content_type="text/csv")
        self._request("PATCH", f"/jobs/ingest/{job_id}", json_body={"state": "UploadComplete"})
        waited = 0.0
        while True:
            info = self._request("GET", f"/jobs/ingest/{job_id}").json()
            if info.get("state") in TERMINAL_STATES:
                break
            if waited >= self.poll_timeout:
                raise SalesforceError(f"Salesforce bulk job {job_id} still {info.get('state')} after {waited:.0f} s")
            self._sleep(self.poll_interval)
            waited += self.poll_interval
        out = UpsertResult(bulk_jobs=[job_id])
        for row in self._results(job_id, "successfulResults"):
            out.ids[row[key_field]] = row["sf__Id"]
            out.created[row[key_field]] = row.get("sf__Created") == "true"
        for row in self._results(job_id, "failedResults"):
            code, _, message = str(row.get("sf__Error", "")).partition(":")
            out.errors.append({"key": row[key_field], "statusCode": code or "UNKNOWN", "message": message[:300]})
        why = str(info.get("errorMessage") or f"job {info.get('state')}")[:300]
        for row in self._results(job_id, "unprocessedrecords"):
            out.errors.append({"key": row[key_field], "statusCode": "UNPROCESSED", "message": why})
        return out

    def _results(self, job_id: str, kind: str) -> list[dict[str, str]]:
        text = self._request("GET", f"/jobs/ingest/{job_id}/{kind}").text
        return list(csv.DictReader(io.StringIO(text))) if text.strip() else []


def soql_quote(value: str) -> str:
    """A SOQL string literal's inside: backslash and quote escaped."""
    return value.replace("\\", "\\\\").replace("'", "\\'")


def _value(value: Any) -> Any:
    return value.isoformat() if isinstance(value, (date, datetime)) else value


def _json_values(record: Mapping[str, Any]) -> dict[str, Any]:
    """Empty values are left out: an upsert never blanks a field sales filled in."""
    return {k: _value(v) for k, v in record.items() if v is not None}


def to_csv(records: Sequence[Mapping[str, Any]]) -> bytes:
    """Bulk 2.0 CSV: UTF-8, RFC 4180 quoting, LF; a nested lookup `{"Account": {"SIREN__c": x}}`
    becomes the column `Account.SIREN__c`. An empty cell leaves the field as it is (only `#N/A`
    would blank it, and firmo never sends that)."""
    return b"".join(_csv_lines(records))


def csv_parts(records: Sequence[Mapping[str, Any]], max_bytes: int) -> list[bytes]:
    """The CSV cut into parts of at most `max_bytes`, each with the header (a row is never cut)."""
    header, *rows = _csv_lines(records)
    parts: list[bytes] = []
    current: list[bytes] = []
    size = len(header)
    for row in rows:
        if current and size + len(row) > max_bytes:
            parts.append(header + b"".join(current))
            current, size = [], len(header)
        current.append(row)
        size += len(row)
    if current:
        parts.append(header + b"".join(current))
    return parts


def _csv_lines(records: Sequence[Mapping[str, Any]]) -> list[bytes]:
    flat = []
    for record in records:
        row: dict[str, Any] = {}
        for k, v in record.items():
            if isinstance(v, Mapping):
                row.update({f"{k}.{sub}": subvalue for sub, subvalue in v.items()})
            else:
                row[k] = v
        flat.append(row)
    columns = list(dict.fromkeys(c for row in flat for c in row))
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    lines = []
    for values in [columns] + [["" if row.get(c) is None else _value(row[c]) for c in columns] for row in flat]:
        writer.writerow(values)
        lines.append(buffer.getvalue().encode("utf-8"))
        buffer.seek(0)
        buffer.truncate()
    return lines


def _error_code(response: httpx.Response) -> str | None:
    if response.status_code < 400:
        return None
    try:
        body = response.json()
    except ValueError:
        return None
    if isinstance(body, list) and body and isinstance(body[0], dict):
        return str(body[0].get("errorCode"))
    return None


def _retry_after(response: httpx.Response, attempt: int) -> float:
    value = response.headers.get("Retry-After")
    try:
        return max(0.0, float(value)) if value is not None else min(60.0, 2.0**attempt)
    except ValueError:
        return min(60.0, 2.0**attempt)


def _message(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text[:300]
    if isinstance(body, list) and body and isinstance(body[0], dict):
        return f"{body[0].get('errorCode')}: {body[0].get('message')}"[:300]
    return str(body)[:300]
