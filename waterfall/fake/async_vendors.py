"""Fake asynchronous vendors (doc §2.2, 2.4, 2.7, 2.8): a submit creates a job whose result is
computed (and billed) at once but only served after `polls_until_ready` "not ready" answers."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from waterfall.fake.state import OutOfCredits
from waterfall.fake.vendor import Found, Handler, Vendor, json_body
from waterfall.fake.world import international


class FakeDropcontact(Vendor):
    name = "dropcontact"
    QUALIFICATION = {"valid": "nominative@pro", "catch_all": "catch_all@pro", "invalid": "invalid@pro"}
    NOT_READY = {"success": False, "reason": "Request not ready yet, try again in 30 seconds"}

    def routes(self) -> list[tuple[str, str, Handler]]:
        return [("POST", "/enrich/all", self.submit), ("GET", "/enrich/all/{request_id}", self.fetch)]

    def authorized(self, request: Request) -> bool:
        return request.headers.get("x-access-token") == self.key

    def _error(self, code: int, reason: str) -> Response:
        return JSONResponse({"error": True, "reason": reason, "success": False}, code)

    def auth_error(self) -> Response:
        return self._error(401, "Invalid token")

    def rate_error(self) -> Response:
        return JSONResponse({"detail": "Too many requests"}, 429)

    def quota_error(self) -> Response:  # Dropcontact: 403 when credits cannot cover the batch
        return self._error(403, "You don't have enough credits to process all the records")

    def server_error(self) -> Response:
        return JSONResponse({"detail": "Internal Server Error"}, 500)

    def _record(self, row: dict[str, Any]) -> tuple[dict[str, Any], float]:
        out = {k: v for k, v in row.items() if k in ("first_name", "last_name", "company", "website")}
        found = self.lookup(
            row.get("first_name"), row.get("last_name"), self.domain_for(row.get("website"), row.get("company"))
        )
        if not found:
            return out, 0.0
        out["email"] = [{"email": found.email, "qualification": self.QUALIFICATION[found.status]}]
        if found.phone:
            out["mobile_phone" if found.phone_kind == "mobile" else "phone"] = found.phone
        return out, 0.0 if found.status == "invalid" else 1.0

    async def submit(self, request: Request) -> Response:
        body = await json_body(request)
        rows = body.get("data") if isinstance(body, dict) else None
        if not isinstance(rows, list) or not rows:
            return self._error(400, "Missing data in JSON")
        if len(rows) > 250:
            return self._error(400, "Too many records, you can only submit up to 250 records")
        self.state.require(self.name, len(rows))  # debited at submit for every record...
        records, cost = zip(*(self._record(r if isinstance(r, dict) else {}) for r in rows), strict=True)
        self.state.charge(self.name, sum(cost))  # ...refunded for those without an email
        job = self.state.new_job(self.name, list(records), self.behaviour.polls_until_ready)
        return JSONResponse(
            {"credits_left": self.state.balance.get(self.name), "request_id": job, "error": False, "success": True}
        )

    async def fetch(self, request: Request) -> Response:
        _, result = self.state.poll_job(self.name, request.path_params["request_id"])
        if result is None:  # unknown ids get the same "not ready" answer as pending ones
            return JSONResponse(self.NOT_READY)
        return JSONResponse(
            {"data": result, "error": False, "success": True, "credits_left": self.state.balance.get(self.name)}
        )


class FakeFullEnrich(Vendor):
    name = "fullenrich"
    STATUS = {"valid": "DELIVERABLE", "catch_all": "CATCH_ALL"}

    def routes(self) -> list[tuple[str, str, Handler]]:
        return [
            ("POST", "/contact/enrich/bulk", self.submit),
            ("GET", "/contact/enrich/bulk/{enrichment_id}", self.fetch),
        ]

    def authorized(self, request: Request) -> bool:
        return self.bearer_ok(request)

    def auth_error(self) -> Response:
        return JSONResponse({"code": "error.api.key", "message": "Invalid API key"}, 401)

    def rate_error(self) -> Response:  # FullEnrich sends no rate headers
        return JSONResponse({"code": "error.rate.limit", "message": "Too many requests. Try again in 1m"}, 429)

    def _contact(self, row: dict[str, Any], found: Found | None) -> tuple[dict[str, Any], float]:
        fields = row.get("enrich_fields") or []
        info: dict[str, Any] = {
            "most_probable_work_email": None,
            "most_probable_phone": None,
            "work_emails": [],
            "personal_emails": [],
            "phones": [],
        }
        cost = 0.0
        if found and "contact.work_emails" in fields and found.status in self.STATUS:
            email = {"email": found.email, "status": self.STATUS[found.status]}
            info.update(most_probable_work_email=email, work_emails=[email])
            cost += 1
        if found and found.phone and "contact.phones" in fields:
            phone = {"number": international(found.phone), "region": "FR"}
            info.update(most_probable_phone=phone, phones=[phone])
            cost += 10 if found.phone_kind == "mobile" else 0  # landlines are free
        return {"input": row, "custom": row.get("custom") or {}, "contact_info": info}, cost

    async def submit(self, request: Request) -> Response:
        body = await json_body(request)
        if not isinstance(body, dict) or not body.get("name"):
            return JSONResponse({"code": "error.enrichment.name.empty", "message": "name is required"}, 400)
        rows = body.get("data")
        if not isinstance(rows, list) or not rows:
            return JSONResponse({"code": "error.enrichment.data.empty", "message": "data is required"}, 400)
        for field in ("first_name", "last_name", "enrich_fields"):
            if not all(isinstance(r, dict) and r.get(field) for r in rows):
                return JSONResponse({"code": f"error.enrichment.{field}.empty", "message": f"{field} is required"}, 400)
        contacts, costs = zip(
            *(
                self._contact(
                    r,
                    self.lookup(
                        r["first_name"], r["last_name"], self.domain_for(r.get("domain"), r.get("company_name"))
                    ),
                )
                for r in rows
            ),
            strict=True,
        )
        status = "FINISHED"
        total: float = sum(costs)
        try:
            self.state.charge(self.name, total)
        except OutOfCredits:
            status, total, contacts = "CREDITS_INSUFFICIENT", 0.0, ()
        result = {"name": body["name"], "status": status, "cost": {"credits": total}, "data": list(contacts)}
        job = self.state.new_job(self.name, result, self.behaviour.polls_until_ready)
        result["id"] = job
        return JSONResponse({"enrichment_id": job})

    async def fetch(self, request: Request) -> Response:
        job = request.path_params["enrichment_id"]
        known, result = self.state.poll_job(self.name, job)
        if not known:
            return JSONResponse({"code": "error.enrichment.not_found", "message": "Enrichment not found"}, 404)
        return JSONResponse(result if result is not None else {"id": job, "status": "IN_PROGRESS"})


class FakeIcypeas(Vendor):
    name = "icypeas"
    CERTAINTY = {"valid": "ultra_sure", "catch_all": "probable", "invalid": "undeliverable"}

    def routes(self) -> list[tuple[str, str, Handler]]:
        return [("POST", "/email-search", self.search), ("POST", "/bulk-single-searchs/read", self.read)]

    def authorized(self, request: Request) -> bool:
        return request.headers.get("authorization") == self.key

    def auth_error(self) -> Response:
        return JSONResponse({"success": False, "message": "Unauthorized"}, 401)

    async def search(self, request: Request) -> Response:
        body = await json_body(request)
        if (
            not isinstance(body, dict)
            or not body.get("firstname")
            or not body.get("lastname")
            or not body.get("domainOrCompany")
        ):
            return JSONResponse({"success": False, "message": "firstname, lastname and domainOrCompany required"}, 400)
        target = body["domainOrCompany"]
        found = self.lookup(body["firstname"], body["lastname"], self.domain_for(target, target))
        item: dict[str, Any] = {"status": "NOT_FOUND", "results": {"emails": []}}
        if found:
            try:
                self.state.charge(self.name, 1)
                item = {
                    "status": "FOUND",
                    "results": {
                        "emails": [
                            {"email": found.email, "certainty": self.CERTAINTY[found.status], "mxProvider": "google"}
                        ]
                    },
                }
            except OutOfCredits:
                item = {"status": "INSUFFICIENT_FUNDS", "results": {"emails": []}}
        item["userData"] = {"externalId": (body.get("custom") or {}).get("externalId")}
        job = self.state.new_job(self.name, item, self.behaviour.polls_until_ready)
        item["_id"] = job
        return JSONResponse({"success": True, "item": {"_id": job, "status": "NONE"}})

    async def read(self, request: Request) -> Response:
        body = await json_body(request)
        job = body.get("id") if isinstance(body, dict) else None
        known, item = self.state.poll_job(self.name, str(job))
        if not known:
            return JSONResponse({"success": True, "items": []})
        return JSONResponse(
            {"success": True, "items": [item if item is not None else {"_id": job, "status": "IN_PROGRESS"}]}
        )


class FakeEnrow(Vendor):
    name = "enrow"
    QUALIFICATION = {"valid": "valid", "catch_all": "catch_all", "invalid": "invalid"}

    def routes(self) -> list[tuple[str, str, Handler]]:
        return [("POST", "/email/find/single", self.find), ("GET", "/email/find/single/{search_id}", self.fetch)]

    def authorized(self, request: Request) -> bool:
        return request.headers.get("x-api-key") == self.key

    def _error(self, code: int, error: str, message: str) -> Response:
        return JSONResponse({"error": error, "message": message, "status": code}, code)

    def auth_error(self) -> Response:
        return self._error(401, "Unauthorized", "Invalid API key")

    def rate_error(self) -> Response:
        return self._error(429, "TooManyRequests", "Rate limit exceeded")

    def quota_error(self) -> Response:
        return self._error(402, "InsufficientBalance", "Not enough credits")

    async def find(self, request: Request) -> Response:
        body = await json_body(request)
        if not isinstance(body, dict) or not body.get("first_name") or not body.get("last_name"):
            return self._error(400, "BadRequest", "first_name and last_name are required")
        self.state.require(self.name)
        found = self.lookup(
            body["first_name"], body["last_name"], self.domain_for(body.get("company_domain"), body.get("company_name"))
        )
        result: dict[str, Any] = {"status": "completed", "email": None, "qualification": None, "credits_used": 0}
        if found:
            self.state.charge(self.name, 1)
            result.update(email=found.email, qualification=self.QUALIFICATION[found.status], credits_used=1)
        polls = self.behaviour.polls_until_ready
        job = self.state.new_job(self.name, result, max(polls - 1, 0))
        result["id"] = job
        return JSONResponse(result if polls == 0 else {"id": job, "status": "pending"})

    async def fetch(self, request: Request) -> Response:
        job = request.path_params["search_id"]
        known, result = self.state.poll_job(self.name, job)
        if not known:
            return self._error(404, "NotFound", "Search not found")
        return JSONResponse(result if result is not None else {"id": job, "status": "pending"})
