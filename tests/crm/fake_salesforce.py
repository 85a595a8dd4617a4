"""A loopback Salesforce (crm_sync.md §2, fixtures §4 items 11-17), served by firmo.loopback.

* `POST /services/oauth2/token`: the JWT bearer grant, whose RS256 signature is verified with
  the public key and whose claims (iss, sub, aud, exp <= now + 3 min) are checked; client
  credentials with HTTP Basic. Failures answer 400 `invalid_grant` / `invalid_client`.
* `PATCH /services/data/v66.0/composite/sobjects/<type>/<key>`: per-record results in input
  order; `UNABLE_TO_LOCK_ROW` the first time for the keys in `lock_once`, a Duplicate Rule that
  blocks a new Account whose website an Account without SIREN__c already has
  (`DUPLICATES_DETECTED`), permanent per-record errors from `fail_keys`.
* Bulk API 2.0 ingest: create, PUT CSV, UploadComplete, InProgress then JobComplete (or Failed
  after `bulk_process_limit` rows, the rest unprocessed), result CSVs in reverse input order.
* describe, a SOQL query for the duplicate lookup, record update by Id.
* `POST /services/data/v66.0/sobjects/Task` (an alert's Task): 201 `{"id","success","errors"}`,
  kept in `tasks`; a WhatId that is no Account answers 400 INVALID_CROSS_REFERENCE_KEY, a field a
  Task lacks 400 INVALID_FIELD.
* The read-back's SOQL (§2.4): `SELECT <fields> FROM <Account|Lead|Contact|Opportunity>
  [WHERE SystemModstamp >= <literal>] ORDER BY SystemModstamp, Id`, `query_page_size` records a
  page, `done:false` + `nextRecordsUrl` followed by `GET /query/<locator>`; a field the describe
  lacks answers 400 INVALID_FIELD. Every record has a SystemModstamp: `seed(..., modstamp_ms=)`
  or the fake's clock (one second a write from 2026-03-01T00:00:00Z).
* Deletions (§2.4 "Deletes"): `delete()` moves a record to the recycle bin (out of `query`, its
  SystemModstamp the deletion time); `GET /queryAll?q=SELECT Id, SystemModstamp FROM <type> WHERE
  IsDeleted = true [AND SystemModstamp >= <literal>] ORDER BY SystemModstamp, Id` lists them
  (paged like the read-back), `PATCH` on one answers 404 `ENTITY_IS_DELETED`.
* Owners (§2.4 "account owner"): `SELECT Id, Name, Email, IsActive FROM User WHERE Id IN (...)`
  over `users` (Id -> fields).
* 401 `INVALID_SESSION_ID` once `expire_tokens()` was called, 403 `REQUEST_LIMIT_EXCEEDED` past
  `write_allowance` write calls, 429 with Retry-After: 0 for the first `rate_limit_first` calls.
"""

from __future__ import annotations

import base64
import calendar
import csv
import io
import json
import re
import time
from typing import Any
from urllib.parse import parse_qsl

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from firmo.loopback import LoopbackServer

CLIENT_ID = "3MVG9fake.consumer.key"
USERNAME = "firmo-integration@acme.fr"
CLIENT_SECRET = "fake-consumer-secret-42"
V = "v66.0"
KEYS = {"Account": "SIREN__c", "Lead": "Email_Key__c", "Contact": "Email_Key__c"}
CUSTOM = (
    "ICP__c",
    "Score__c",
    "Score_Reasons__c",
    "Email_Source__c",
    "Email_Found_At__c",
    "Phone_Source__c",
    "Phone_Found_At__c",
)
DESCRIBE = {
    "Account": (
        "Id",
        "Name",
        "Website",
        "Industry",
        "NumberOfEmployees",
        "AnnualRevenue",
        "BillingStreet",
        "BillingCity",
        "BillingPostalCode",
        "BillingCountry",
        "SIREN__c",
        "SIRET__c",
        "NAF_Code__c",
    ),
    "Lead": (
        "Id",
        "FirstName",
        "LastName",
        "Company",
        "Title",
        "Email",
        "Phone",
        "MobilePhone",
        "Street",
        "City",
        "PostalCode",
        "Country",
        "Website",
        "Industry",
        "NumberOfEmployees",
        "AnnualRevenue",
        "LeadSource",
        "Status",
        "Rating",
        "SIREN__c",
        "SIRET__c",
        "NAF_Code__c",
        "Email_Key__c",
        "LinkedIn_URL__c",
        *CUSTOM,
    ),
    "Contact": (
        "Id",
        "AccountId",
        "FirstName",
        "LastName",
        "Title",
        "Email",
        "Phone",
        "MobilePhone",
        "Email_Key__c",
        "LinkedIn_URL__c",
        *CUSTOM,
    ),
}
# custom fields an org has only when a test says so (`linkedin_field=True`)
OPTIONAL_CUSTOM = ("Lead.LinkedIn_URL__c", "Contact.LinkedIn_URL__c")
PREFIX = {"Account": "001", "Lead": "00Q", "Contact": "003", "Opportunity": "006", "Task": "00T"}
TASK_FIELDS = ("WhatId", "WhoId", "Subject", "Description", "Status", "Priority", "ActivityDate", "OwnerId")
OBJECTS = (*KEYS, "Opportunity")
CLOCK_START_MS = 1772323200000  # 2026-03-01T00:00:00Z
DELETED_QUERY = re.compile(
    r"SELECT Id, SystemModstamp FROM (Account|Lead|Contact|Opportunity) WHERE IsDeleted = true"
    r"(?: AND SystemModstamp >= (\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ))? ORDER BY SystemModstamp, Id"
)
USER_QUERY = re.compile(r"SELECT Id, Name, Email, IsActive FROM User WHERE Id IN \(((?:'\w+'(?:, )?)+)\)")
READ_QUERY = re.compile(
    r"SELECT ([\w, ]+) FROM (Account|Lead|Contact|Opportunity)"
    r"(?: WHERE SystemModstamp >= (\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ))? ORDER BY SystemModstamp, Id"
)


def modstamp(ms: int) -> str:
    """Salesforce's date-time format: 2026-03-01T00:00:01.000+0000."""
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(ms // 1000)) + f".{ms % 1000:03d}+0000"


def _b64decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class FakeSalesforce:
    def __init__(
        self,
        public_key: rsa.RSAPublicKey | None = None,
        *,
        lock_once: tuple[str, ...] = (),
        fail_keys: dict[str, str] | None = None,
        write_allowance: int | None = None,
        rate_limit_first: int = 0,
        bulk_process_limit: int | None = None,
        missing_fields: tuple[str, ...] = (),
        not_unique: tuple[str, ...] = (),
        query_page_size: int = 2000,
        linkedin_field: bool = False,
    ) -> None:
        self.public_key = public_key
        self.lock_once = set(lock_once)
        self.fail_keys = dict(fail_keys or {})
        self.write_allowance = write_allowance
        self.rate_limit_left = rate_limit_first
        self.bulk_process_limit = bulk_process_limit
        self.missing_fields, self.not_unique = set(missing_fields), set(not_unique)
        if not linkedin_field:
            self.missing_fields |= set(OPTIONAL_CUSTOM)
        self.requests: list[tuple[str, str, Any]] = []
        self.jwt_claims: list[dict[str, Any]] = []
        self.jwt_headers: list[dict[str, Any]] = []
        self.tokens: set[str] = set()
        self.records: dict[str, dict[str, dict[str, Any]]] = {name: {} for name in OBJECTS}
        self.recycle_bin: dict[str, dict[str, dict[str, Any]]] = {name: {} for name in OBJECTS}  # deleted
        self.users: dict[str, dict[str, Any]] = {}  # User Id -> {Name, Email, IsActive}
        self.modstamps: dict[str, int] = {}  # record Id -> SystemModstamp (epoch ms)
        self.clock_ms = CLOCK_START_MS
        self.query_page_size = query_page_size
        self._pages: dict[str, tuple[int, list[dict[str, Any]]]] = {}  # locator -> (totalSize, rows left)
        self.index: dict[str, dict[str, str]] = {name: {} for name in KEYS}
        self.jobs: dict[str, dict[str, Any]] = {}
        self.tasks: dict[str, dict[str, Any]] = {}  # Task Id -> fields as received
        self._ids = 0
        self._by_website: dict[str, list[str]] = {}  # Account ids by website: the Duplicate Rule's matching
        self.server = LoopbackServer(self._app(), name="fake-salesforce")

    # ------------------------------------------------------------------ lifecycle

    def __enter__(self) -> FakeSalesforce:
        self.server.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.stop()

    @property
    def url(self) -> str:
        return self.server.url

    def expire_tokens(self) -> None:
        self.tokens.clear()

    def writes(self) -> list[tuple[str, str, Any]]:
        """The API calls that change data (the token request excluded)."""
        return [r for r in self.requests if r[0] in ("POST", "PATCH", "PUT", "DELETE") and "/oauth2/" not in r[1]]

    def seed(self, sobject: str, fields: dict[str, Any], *, modstamp_ms: int | None = None) -> str:
        """A record sales already have (e.g. an Account without SIREN__c)."""
        record_id = self._store(sobject, dict(fields))
        if modstamp_ms is not None:
            self.modstamps[record_id] = modstamp_ms
        return record_id

    def edit(self, sobject: str, record_id: str, fields: dict[str, Any], *, modstamp_ms: int | None = None) -> None:
        """What sales change in the UI (a status, an owner): the SystemModstamp moves."""
        self.records[sobject][record_id].update(fields)
        self._touch(record_id, modstamp_ms)

    def delete(self, sobject: str, record_id: str, *, modstamp_ms: int | None = None) -> None:
        """Sales delete a record (or merge it away): to the recycle bin, IsDeleted true."""
        record = self.records[sobject].pop(record_id)
        self.recycle_bin[sobject][record_id] = record
        key = record.get(KEYS.get(sobject, ""))
        if key and self.index.get(sobject, {}).get(str(key)) == record_id:
            del self.index[sobject][str(key)]
        self._touch(record_id, modstamp_ms)

    def _touch(self, record_id: str, modstamp_ms: int | None = None) -> None:
        self.clock_ms += 1000
        self.modstamps[record_id] = self.clock_ms if modstamp_ms is None else modstamp_ms

    def read_queries(self) -> list[str]:
        """The read-back SOQL received, in order."""
        return [
            dict(parse_qsl(p.split("?", 1)[1])).get("q", "")
            for m, p, _ in self.requests
            if p.startswith(f"/services/data/{V}/query?") and "SystemModstamp" in p
        ]

    def by_key(self, sobject: str, key: str) -> dict[str, Any]:
        return self.records[sobject][self.index[sobject][key]]

    # ------------------------------------------------------------------ state

    def _new_id(self, sobject: str) -> str:
        self._ids += 1
        return f"{PREFIX[sobject]}S7{self._ids:013d}"

    def _store(self, sobject: str, fields: dict[str, Any]) -> str:
        record_id = self._new_id(sobject)
        self.records[sobject][record_id] = {"Id": record_id, **fields}
        self._touch(record_id)
        if sobject == "Account" and fields.get("Website"):
            self._by_website.setdefault(fields["Website"], []).append(record_id)
        key = fields.get(KEYS.get(sobject, ""))
        if key:
            self.index[sobject][str(key)] = record_id
        return record_id

    def _upsert_one(self, sobject: str, key_field: str, fields: dict[str, Any]) -> dict[str, Any]:
        key = str(fields.get(key_field) or "")
        if not key:
            return _failure("MISSING_ARGUMENT", f"{key_field} not specified", [key_field])
        if key in self.lock_once:
            self.lock_once.discard(key)
            return _failure("UNABLE_TO_LOCK_ROW", "unable to obtain exclusive access to this record", [])
        if key in self.fail_keys:
            return _failure(self.fail_keys[key], "refused by a validation rule", [])
        account = fields.pop("Account", None)
        if account is not None:
            parent = self.index["Account"].get(str(account.get("SIREN__c")))
            if parent is None:
                return _failure(
                    "INVALID_FIELD",
                    f"Foreign key external ID: {account.get('SIREN__c')} not found "
                    "for field SIREN__c in entity Account",
                    ["Account"],
                )
            fields["AccountId"] = parent
        unknown = set(fields) - set(DESCRIBE[sobject]) | {
            f for f in fields if f"{sobject}.{f}" in OPTIONAL_CUSTOM and f"{sobject}.{f}" in self.missing_fields
        }
        if unknown:
            return _failure(
                "INVALID_FIELD", f"No such column '{sorted(unknown)[0]}' on sobject of type {sobject}", sorted(unknown)
            )
        record_id = self.index[sobject].get(key)
        if record_id is None:
            if (
                sobject == "Account"
                and fields.get("Website")
                and any(
                    not self.records["Account"][i].get("SIREN__c") for i in self._by_website.get(fields["Website"], ())
                )
            ):
                return _failure("DUPLICATES_DETECTED", "Use one of these records?", [])
            return {"id": self._store(sobject, fields), "success": True, "errors": [], "created": True}
        self.records[sobject][record_id].update(fields)
        self._touch(record_id)
        return {"id": record_id, "success": True, "errors": [], "created": False}

    # ------------------------------------------------------------------ app

    def _app(self) -> Starlette:
        fake = self
        data = f"/services/data/{V}"

        async def token(request: Request) -> Response:
            if request.headers.get("Content-Type") != "application/x-www-form-urlencoded":
                return JSONResponse({"error": "invalid_request", "error_description": "form body expected"}, 400)
            form = dict(parse_qsl((await request.body()).decode("ascii")))
            fake.requests.append(("POST", "/services/oauth2/token", form))
            grant = form.get("grant_type")
            if grant == "urn:ietf:params:oauth:grant-type:jwt-bearer":
                problem = fake._check_jwt(str(form.get("assertion", "")))
                if problem:
                    return JSONResponse({"error": "invalid_grant", "error_description": problem}, 400)
            elif grant == "client_credentials":
                expected = base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
                if request.headers.get("Authorization") != f"Basic {expected}":
                    return JSONResponse(
                        {"error": "invalid_client", "error_description": "invalid client credentials"}, 400
                    )
            else:
                return JSONResponse(
                    {"error": "unsupported_grant_type", "error_description": "grant type not supported"}, 400
                )
            access = f"00DS70000000fake!AR{len(fake.requests):06d}"
            fake.tokens.add(access)
            return JSONResponse(
                {
                    "access_token": access,
                    "scope": "id api",
                    "instance_url": fake.url,
                    "id": f"{fake.url}/id/00DS70000000fake/005S70000000int",
                    "token_type": "Bearer",
                    "issued_at": str(int(time.time() * 1000)),
                }
            )

        def guard(request: Request, body: Any) -> Response | None:
            fake.requests.append(
                (request.method, request.url.path + (f"?{request.url.query}" if request.url.query else ""), body)
            )
            auth = request.headers.get("Authorization", "")
            if auth.removeprefix("Bearer ") not in fake.tokens:
                return JSONResponse([{"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}], 401)
            if fake.rate_limit_left > 0:
                fake.rate_limit_left -= 1
                return JSONResponse(
                    [{"message": "too many requests", "errorCode": "REQUEST_LIMIT_EXCEEDED"}],
                    429,
                    headers={"Retry-After": "0"},
                )
            if request.method != "GET" and fake.write_allowance is not None:
                if fake.write_allowance <= 0:
                    return JSONResponse(
                        [{"message": "TotalRequests Limit exceeded.", "errorCode": "REQUEST_LIMIT_EXCEEDED"}], 403
                    )
                fake.write_allowance -= 1
            return None

        def limit_headers() -> dict[str, str]:
            return {"Sforce-Limit-Info": f"api-usage={len(fake.requests)}/15000"}

        async def collection(request: Request) -> Response:
            body = await _json(request)
            if (denied := guard(request, body)) is not None:
                return denied
            sobject, key_field = request.path_params["sobject"], request.path_params["field"]
            records = body.get("records") if isinstance(body, dict) else None
            if sobject not in KEYS or key_field != KEYS[sobject]:
                return JSONResponse(
                    [{"message": f"{key_field} is not an external id of {sobject}", "errorCode": "NOT_FOUND"}], 404
                )
            if body.get("allOrNone") is not False or not isinstance(records, list) or not 1 <= len(records) <= 200:
                return JSONResponse(
                    [
                        {
                            "message": "records must be a list of 1..200 and allOrNone false",
                            "errorCode": "JSON_PARSER_ERROR",
                        }
                    ],
                    400,
                )
            results = []
            for record in records:
                fields = dict(record)
                if fields.pop("attributes", None) != {"type": sobject} or "Id" in fields:
                    return JSONResponse(
                        [{"message": "each record needs attributes.type and no Id", "errorCode": "INVALID_FIELD"}], 400
                    )
                results.append(fake._upsert_one(sobject, key_field, fields))
            return JSONResponse(results, headers=limit_headers())

        async def describe(request: Request) -> Response:
            if (denied := guard(request, None)) is not None:
                return denied
            sobject = request.path_params["sobject"]
            fields = [
                {
                    "name": name,
                    "externalId": name == KEYS[sobject] and f"{sobject}.{name}" not in fake.not_unique,
                    "unique": name == KEYS[sobject] and f"{sobject}.{name}" not in fake.not_unique,
                    "custom": name.endswith("__c"),
                }
                for name in DESCRIBE[sobject]
                if f"{sobject}.{name}" not in fake.missing_fields
            ]
            return JSONResponse({"name": sobject, "fields": fields}, headers=limit_headers())

        async def update(request: Request) -> Response:
            body = await _json(request)
            if (denied := guard(request, body)) is not None:
                return denied
            sobject, record_id = request.path_params["sobject"], request.path_params["id"]
            record = fake.records.get(sobject, {}).get(record_id)
            if record_id in fake.recycle_bin.get(sobject, {}):
                return JSONResponse([{"message": "entity is deleted", "errorCode": "ENTITY_IS_DELETED"}], 404)
            if record is None:
                return JSONResponse([{"message": "entity not found", "errorCode": "NOT_FOUND"}], 404)
            record.update(body)
            fake._touch(record_id)
            if body.get(KEYS[sobject]):
                fake.index[sobject][str(body[KEYS[sobject]])] = record_id
            return Response(status_code=204)

        async def create(request: Request) -> Response:
            body = await _json(request)
            if (denied := guard(request, body)) is not None:
                return denied
            if request.path_params["sobject"] != "Task" or not isinstance(body, dict):
                return JSONResponse([{"message": "only Task is created here", "errorCode": "NOT_FOUND"}], 404)
            unknown = sorted(set(body) - set(TASK_FIELDS))
            if unknown:
                return JSONResponse(
                    [
                        {
                            "message": f"No such column '{unknown[0]}' on sobject of type Task",
                            "errorCode": "INVALID_FIELD",
                            "fields": unknown,
                        }
                    ],
                    400,
                )
            if body.get("WhatId") not in fake.records["Account"]:
                return JSONResponse(
                    [
                        {
                            "message": "invalid cross reference id",
                            "errorCode": "INVALID_CROSS_REFERENCE_KEY",
                            "fields": ["WhatId"],
                        }
                    ],
                    400,
                )
            task_id = fake._new_id("Task")
            fake.tasks[task_id] = dict(body)
            return JSONResponse({"id": task_id, "success": True, "errors": []}, 201, headers=limit_headers())

        async def query(request: Request) -> Response:
            if (denied := guard(request, None)) is not None:
                return denied
            soql = request.query_params.get("q", "")
            read = READ_QUERY.fullmatch(soql)
            if read is not None:
                return fake._read(read, limit_headers())
            users = USER_QUERY.fullmatch(soql)
            if users is not None:
                wanted = re.findall(r"'(\w+)'", users.group(1))
                rows = [
                    {"attributes": {"type": "User"}, "Id": i, **{k: fake.users[i].get(k) for k in ("Name", "Email")},
                     "IsActive": bool(fake.users[i].get("IsActive", True))}
                    for i in wanted
                    if i in fake.users
                ]
                return JSONResponse({"totalSize": len(rows), "done": True, "records": rows}, headers=limit_headers())
            by_email = re.fullmatch(
                r"SELECT Id, Email FROM (Lead|Contact) WHERE Email IN \(((?:'(?:[^'\\]|\\.)*',?)+)\) "
                r"AND Email_Key__c = null",
                soql,
            )
            if by_email is not None:
                wanted = {
                    re.sub(r"\\(.)", r"\1", e).lower() for e in re.findall(r"'((?:[^'\\]|\\.)*)'", by_email.group(2))
                }
                hits = [
                    {"attributes": {"type": by_email.group(1)}, "Id": r["Id"], "Email": r["Email"]}
                    for r in fake.records[by_email.group(1)].values()
                    if str(r.get("Email", "")).lower() in wanted and not r.get("Email_Key__c")
                ]
                return JSONResponse({"totalSize": len(hits), "done": True, "records": hits}, headers=limit_headers())
            m = re.fullmatch(
                r"SELECT Id FROM Account WHERE (Website|Name) = '((?:[^'\\]|\\.)*)' "
                r"AND SIREN__c = null LIMIT 2",
                soql,
            )
            if m is None:
                return JSONResponse([{"message": "unexpected query", "errorCode": "MALFORMED_QUERY"}], 400)
            value = re.sub(r"\\(.)", r"\1", m.group(2))
            hits = [
                {"attributes": {"type": "Account"}, "Id": r["Id"]}
                for r in fake.records["Account"].values()
                if r.get(m.group(1)) == value and not r.get("SIREN__c")
            ][:2]
            return JSONResponse({"totalSize": len(hits), "done": True, "records": hits}, headers=limit_headers())

        async def query_all(request: Request) -> Response:
            if (denied := guard(request, None)) is not None:
                return denied
            deleted = DELETED_QUERY.fullmatch(request.query_params.get("q", ""))
            if deleted is None:
                return JSONResponse([{"message": "unexpected queryAll", "errorCode": "MALFORMED_QUERY"}], 400)
            sobject, since = deleted.group(1), deleted.group(2)
            since_ms = calendar.timegm(time.strptime(since, "%Y-%m-%dT%H:%M:%SZ")) * 1000 if since else None
            rows = sorted(
                (i for i in fake.recycle_bin[sobject] if since_ms is None or fake.modstamps[i] >= since_ms),
                key=lambda i: (fake.modstamps[i], i),
            )
            out = [
                {"attributes": {"type": sobject}, "Id": i, "SystemModstamp": modstamp(fake.modstamps[i])} for i in rows
            ]
            locator = f"01gS7{len(fake._pages) + 1:010d}"
            fake._pages[locator] = (len(out), out)
            return fake._page(locator, limit_headers())

        async def query_more(request: Request) -> Response:
            if (denied := guard(request, None)) is not None:
                return denied
            locator = request.path_params["locator"]
            if locator not in fake._pages:
                return JSONResponse([{"message": "invalid query locator", "errorCode": "INVALID_QUERY_LOCATOR"}], 400)
            return fake._page(locator, limit_headers())

        async def create_job(request: Request) -> Response:
            body = await _json(request)
            if (denied := guard(request, body)) is not None:
                return denied
            if (
                body.get("operation") != "upsert"
                or body.get("contentType") != "CSV"
                or body.get("externalIdFieldName") != KEYS.get(body.get("object", ""))
            ):
                return JSONResponse([{"message": "bad job", "errorCode": "INVALIDJOB"}], 400)
            job_id = f"7505g{len(fake.jobs) + 1:010d}"
            fake.jobs[job_id] = {
                "info": {
                    "id": job_id,
                    "operation": "upsert",
                    "object": body["object"],
                    "state": "Open",
                    "externalIdFieldName": body["externalIdFieldName"],
                    "concurrencyMode": "Parallel",
                    "contentType": "CSV",
                    "apiVersion": 66.0,
                    "lineEnding": body.get("lineEnding", "LF"),
                    "columnDelimiter": body.get("columnDelimiter", "COMMA"),
                },
                "csv": None,
                "polls": 0,
                "ok": [],
                "failed": [],
                "unprocessed": [],
                "columns": [],
            }
            return JSONResponse(fake.jobs[job_id]["info"], headers=limit_headers())

        async def upload(request: Request) -> Response:
            text = (await request.body()).decode("utf-8")
            if (denied := guard(request, text)) is not None:
                return denied
            job = fake.jobs.get(request.path_params["id"])
            if job is None or job["info"]["state"] != "Open" or job["csv"] is not None:
                return JSONResponse([{"message": "job not open", "errorCode": "INVALIDJOBSTATE"}], 400)
            if request.headers.get("Content-Type") != "text/csv":
                return JSONResponse([{"message": "text/csv expected", "errorCode": "INVALID_CONTENT_TYPE"}], 400)
            job["csv"] = text
            return Response(status_code=201)

        async def job_state(request: Request) -> Response:
            body = await _json(request) if request.method == "PATCH" else None
            if (denied := guard(request, body)) is not None:
                return denied
            job = fake.jobs.get(request.path_params["id"])
            if job is None:
                return JSONResponse([{"message": "no such job", "errorCode": "NOT_FOUND"}], 404)
            info = job["info"]
            if request.method == "PATCH":
                if body != {"state": "UploadComplete"} or info["state"] != "Open" or job["csv"] is None:
                    return JSONResponse([{"message": "bad state change", "errorCode": "INVALIDJOBSTATE"}], 400)
                info["state"] = "UploadComplete"
                fake._run_job(job)
                return JSONResponse(info, headers=limit_headers())
            job["polls"] += 1
            if info["state"] == "UploadComplete":
                info["state"] = "InProgress"
            elif info["state"] == "InProgress":
                info["state"] = job["final"]
            return JSONResponse(
                {
                    **info,
                    "jobType": "V2Ingest",
                    "numberRecordsProcessed": len(job["ok"]) + len(job["failed"]),
                    "numberRecordsFailed": len(job["failed"]),
                },
                headers=limit_headers(),
            )

        async def results(request: Request) -> Response:
            if (denied := guard(request, None)) is not None:
                return denied
            job = fake.jobs.get(request.path_params["id"])
            kind = request.path_params["kind"]
            if job is None or job["info"]["state"] not in ("JobComplete", "Failed", "Aborted"):
                return JSONResponse([{"message": "job not finished", "errorCode": "INVALIDJOBSTATE"}], 400)
            columns = job["columns"]
            head = {
                "successfulResults": ["sf__Id", "sf__Created"],
                "failedResults": ["sf__Id", "sf__Error"],
                "unprocessedrecords": [],
            }.get(kind)
            if head is None:
                return JSONResponse([{"message": "no such resource", "errorCode": "NOT_FOUND"}], 404)
            rows = {
                "successfulResults": job["ok"],
                "failedResults": job["failed"],
                "unprocessedrecords": job["unprocessed"],
            }[kind]
            out = io.StringIO()
            writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\n")
            writer.writerow(head + columns)
            for row in reversed(rows):  # §4: result rows do not come back in input order
                writer.writerow(row)
            return PlainTextResponse(out.getvalue(), media_type="text/csv", headers=limit_headers())

        return Starlette(
            routes=[
                Route("/services/oauth2/token", token, methods=["POST"]),
                Route(f"{data}/composite/sobjects/{{sobject}}/{{field}}", collection, methods=["PATCH"]),
                Route(f"{data}/sobjects/{{sobject}}/describe", describe, methods=["GET"]),
                Route(f"{data}/sobjects/{{sobject}}/{{id}}", update, methods=["PATCH"]),
                Route(f"{data}/sobjects/{{sobject}}", create, methods=["POST"]),
                Route(f"{data}/query", query, methods=["GET"]),
                Route(f"{data}/queryAll", query_all, methods=["GET"]),
                Route(f"{data}/query/{{locator}}", query_more, methods=["GET"]),
                Route(f"{data}/jobs/ingest", create_job, methods=["POST"]),
                Route(f"{data}/jobs/ingest/{{id}}/batches", upload, methods=["PUT"]),
                Route(f"{data}/jobs/ingest/{{id}}", job_state, methods=["GET", "PATCH"]),
                Route(f"{data}/jobs/ingest/{{id}}/{{kind}}", results, methods=["GET"]),
            ]
        )

    def _read(self, match: re.Match[str], headers: dict[str, str]) -> Response:
        """The read-back query: the records modified at or after the literal (to the second),
        ordered by SystemModstamp then Id, the selected fields only, paged."""
        fields = [f.strip() for f in match.group(1).split(",")]
        sobject, since = match.group(2), match.group(3)
        described = set(DESCRIBE.get(sobject, ())) - {
            n.split(".", 1)[1] for n in self.missing_fields if n.startswith(f"{sobject}.")
        }
        for name in fields:
            if name.endswith("__c") and name not in described:
                return JSONResponse(
                    [{"message": f"No such column '{name}' on entity '{sobject}'", "errorCode": "INVALID_FIELD"}],
                    400,
                )
        since_ms = calendar.timegm(time.strptime(since, "%Y-%m-%dT%H:%M:%SZ")) * 1000 if since else None
        rows = sorted(
            (r for r in self.records[sobject].values() if since_ms is None or self.modstamps[r["Id"]] >= since_ms),
            key=lambda r: (self.modstamps[r["Id"]], r["Id"]),
        )
        out = []
        for r in rows:
            record: dict[str, Any] = {
                "attributes": {"type": sobject, "url": f"/services/data/{V}/sobjects/{sobject}/{r['Id']}"}
            }
            for name in fields:
                if name == "SystemModstamp":
                    record[name] = modstamp(self.modstamps[r["Id"]])
                elif name in ("IsWon", "IsClosed", "IsConverted"):
                    record[name] = bool(r.get(name, False))
                else:
                    record[name] = r.get(name)
            out.append(record)
        locator = f"01gS7{len(self._pages) + 1:010d}"
        self._pages[locator] = (len(out), out)
        return self._page(locator, headers)

    def _page(self, locator: str, headers: dict[str, str]) -> Response:
        total, rows = self._pages[locator]
        page, rest = rows[: self.query_page_size], rows[self.query_page_size :]
        self._pages[locator] = (total, rest)
        body: dict[str, Any] = {"totalSize": total, "done": not rest, "records": page}
        if rest:
            body["nextRecordsUrl"] = f"/services/data/{V}/query/{locator}"
        else:
            del self._pages[locator]
        return JSONResponse(body, headers=headers)

    def _run_job(self, job: dict[str, Any]) -> None:
        """Process the uploaded CSV as Salesforce would, once UploadComplete."""
        sobject, key_field = job["info"]["object"], job["info"]["externalIdFieldName"]
        reader = csv.DictReader(io.StringIO(job["csv"]))
        job["columns"] = list(reader.fieldnames or [])
        job["final"] = "JobComplete"
        for n, row in enumerate(reader):
            values = [row[c] for c in job["columns"]]
            if self.bulk_process_limit is not None and n >= self.bulk_process_limit:
                job["final"] = "Failed"
                job["info"]["errorMessage"] = "batch not processed within 5 min, retried 20 times"
                job["unprocessed"].append(values)
                continue
            fields: dict[str, Any] = {}
            for column, value in row.items():
                if value == "":
                    continue  # an empty cell leaves the field as it is
                if "." in column:
                    relation, sub = column.split(".", 1)
                    fields.setdefault(relation, {})[sub] = value
                else:
                    fields[column] = value
            result = self._upsert_one(sobject, key_field, fields)
            if result["success"]:
                job["ok"].append([result["id"], "true" if result["created"] else "false", *values])
            else:
                error = result["errors"][0]
                job["failed"].append(["", f"{error['statusCode']}:{error['message']}", *values])

    def _check_jwt(self, assertion: str) -> str | None:
        try:
            head, claims, signature = assertion.split(".")
            header = json.loads(_b64decode(head))
            body = json.loads(_b64decode(claims))
        except ValueError:
            return "invalid assertion"
        self.jwt_headers.append(header)
        self.jwt_claims.append(body)
        if header.get("alg") != "RS256" or self.public_key is None:
            return "invalid assertion algorithm"
        try:
            self.public_key.verify(
                _b64decode(signature), f"{head}.{claims}".encode("ascii"), padding.PKCS1v15(), hashes.SHA256()
            )
        except InvalidSignature:
            return "invalid assertion signature"
        if body.get("iss") != CLIENT_ID:
            return "invalid client identifier"
        if body.get("aud") != self.url:
            return "audience is invalid"
        if not time.time() < body.get("exp", 0) <= time.time() + 300:
            return "expired authorization code"
        if body.get("sub") != USERNAME:
            return "user hasn't approved this consumer"
        return None


def _failure(code: str, message: str, fields: list[str]) -> dict[str, Any]:
    return {"id": None, "success": False, "errors": [{"statusCode": code, "message": message, "fields": fields}]}


async def _json(request: Request) -> Any:
    raw = await request.body()
    return json.loads(raw) if raw else None
