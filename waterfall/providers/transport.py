"""What every HTTP adapter shares: one request, transport failures and HTTP codes turned into
`ProviderError`s, answers checked against the vendor's documented shape, and the API key kept out
of every message, repr and traceback.

No retries, backoff or rate limiting here: that is the engine's job. An adapter makes one logical
request (or one submit + poll cycle for an async vendor) and translates what came back. The engine
binds each adapter's `pace` to the account's gate, so every request waits for the account's rate
limit (polls too, unless the vendor documents them as free of it: `polls_paced`) and is refused
once its circuit breaker is open.

What comes back is never trusted: a body over `max_body_bytes` is cut off (a 2xx that big is a
`BadAnswer`), a 2xx that is not JSON is `Transient`, and each adapter validates the JSON against a
pydantic model of the documented shape (`parsed`), so `{"data": {"email": 42}}` is the failed
question "hunter: data.email is not a string", not an AttributeError.
"""

from __future__ import annotations

import asyncio
import email.utils
import time
from collections.abc import Awaitable, Callable, Mapping
from contextvars import ContextVar
from typing import Any, ClassVar, TypeVar

import httpx
import pydantic

from waterfall.providers.base import (
    Answer,
    AuthFailed,
    BadAnswer,
    Field,
    Forgotten,
    PeopleQuery,
    Person,
    ProviderError,
    QuotaExhausted,
    RateLimited,
    Rejected,
    Status,
    Transient,
)

T = TypeVar("T")
M = TypeVar("M", bound=pydantic.BaseModel)
MAX_BODY_BYTES = 1 << 20  # vendors' answers are a few kB; more is not an answer we can use
Pace = Callable[..., Awaitable[None]]
_POLLING: ContextVar[bool] = ContextVar("firmo_waterfall_polling", default=False)
_TYPE_WORDS = {
    "string_type": "is not a string",
    "int_type": "is not a number",
    "int_parsing": "is not a number",
    "float_type": "is not a number",
    "float_parsing": "is not a number",
    "bool_type": "is not a boolean",
    "bool_parsing": "is not a boolean",
    "dict_type": "is not an object",
    "model_type": "is not an object",
    "model_attributes_type": "is not an object",
    "list_type": "is not a list",
    "missing": "is missing",
}
_DETAIL_KEYS = ("error_code", "id", "code", "message", "reason", "detail", "details", "error")


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP-date); None if absent/bad."""
    if value is None or not value.strip():
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when is None:
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


def error_detail(body: Any) -> str:
    """A short human reason from a vendor error body, whatever its dialect."""
    if isinstance(body, list) and body:
        return error_detail(body[0])
    if not isinstance(body, Mapping):
        return str(body or "")[:200]
    if isinstance(body.get("errors"), list) and body["errors"]:
        return error_detail(body["errors"][0])
    if isinstance(body.get("error"), Mapping):
        return error_detail(body["error"])
    parts = [str(body[k]) for k in _DETAIL_KEYS if body.get(k) not in (None, "", False, True)]
    return "; ".join(parts)[:200]


class Shape(pydantic.BaseModel):
    """Base of the documented answer shapes: keys we do not read are ignored, the ones we read
    must have their documented type (a number is not a string, a string is not an object)."""

    model_config = pydantic.ConfigDict(extra="ignore", frozen=True, populate_by_name=True)


def describe(exc: pydantic.ValidationError) -> str:
    """'data.email is not a string' from the first validation error (and how many more)."""
    err = exc.errors()[0]
    where = ""
    for part in err["loc"]:
        where += f"[{part}]" if isinstance(part, int) else (f".{part}" if where else str(part))
    text = f"{where or 'the body'} {_TYPE_WORDS.get(err['type'], err['msg'])}"
    return text + (f" (and {exc.error_count() - 1} more)" if exc.error_count() > 1 else "")


def require_names(provider: str, person: Person) -> tuple[str, str]:
    """First and last name, or Rejected before any paid call is made."""
    first, last = (person.first_name or "").strip(), (person.last_name or "").strip()
    if not first or not last:
        raise Rejected(f"{provider}: first and last name are both required")
    return first, last


class HttpProvider:
    """Base of the HTTP adapters. Subclasses set `name`, `fields`, `default_base_url`,
    implement `auth_headers` and the `find_*` methods they support, and may override `error_for`."""

    name: ClassVar[str]
    fields: ClassVar[frozenset[Field]]
    default_base_url: ClassVar[str]
    max_body_bytes: ClassVar[int] = MAX_BODY_BYTES
    polls_paced: ClassVar[bool] = True  # a poll takes a slot of the account's rate limit

    def __init__(self, client: httpx.AsyncClient, api_key: str, *, base_url: str | None = None) -> None:
        if not api_key:
            raise ValueError(f"{self.name}: empty API key")
        self._client = client
        self._api_key = api_key
        self.base_url = (base_url or self.default_base_url).rstrip("/")
        self.pace: Pace | None = None  # set by the engine's gate: rate limit + breaker per request

    def __repr__(self) -> str:
        return f"{type(self).__name__}(base_url={self.base_url!r})"

    # -- the Provider protocol: unsupported questions ------------------------------------------
    async def find_domain(self, person: Person) -> Answer:
        raise NotImplementedError(f"{self.name} does not find domains")

    async def find_email(self, person: Person) -> Answer:
        raise NotImplementedError(f"{self.name} does not find emails")

    async def find_phone(self, person: Person) -> Answer:
        raise NotImplementedError(f"{self.name} does not find phones")

    async def verify_email(self, email: str) -> Answer:
        raise NotImplementedError(f"{self.name} does not verify emails")

    async def find_people(self, query: PeopleQuery) -> Answer:
        raise NotImplementedError(f"{self.name} does not search people")

    # -- helpers for subclasses -----------------------------------------------------------------
    def auth_headers(self) -> dict[str, str]:
        raise NotImplementedError

    def redact(self, text: str) -> str:
        return text.replace(self._api_key, "***") if self._api_key else text

    def miss(self, what: Field, raw_status: str | None = None, credits: float = 0.0, **extra: Any) -> Answer:
        return Answer(self.name, what, None, Status.UNKNOWN, credits=credits, raw_status=raw_status, extra=dict(extra))

    async def send(
        self, method: str, path: str, *, params: Mapping[str, Any] | None = None, json: Any = None
    ) -> httpx.Response:
        """One HTTP exchange. Transport failures become Transient; the key never leaks; the body
        is read up to `max_body_bytes` (a 2xx over it is a BadAnswer, an error body is cut)."""
        clean = {k: v for k, v in (params or {}).items() if v is not None} or None
        if self.pace is not None:
            polling = _POLLING.get()
            await self.pace(poll=polling, paced=not polling or self.polls_paced)
        failure: ProviderError
        try:
            request = self._client.build_request(
                method, self.base_url + path, params=clean, json=json, headers=self.auth_headers()
            )
            resp = await self._client.send(request, stream=True)
            try:
                body, oversize = bytearray(), False
                async for chunk in resp.aiter_bytes():
                    body += chunk
                    if len(body) > self.max_body_bytes:
                        oversize = True
                        break
            finally:
                await resp.aclose()
        except httpx.TimeoutException:
            failure = Transient(f"{self.name}: timeout on {method} {path}")
        except httpx.HTTPError as exc:
            failure = Transient(self.redact(f"{self.name}: {type(exc).__name__} on {method} {path}: {exc}"))
        else:
            if oversize and resp.is_success:
                failure = BadAnswer(f"{self.name}: answer over {self.max_body_bytes:,} bytes on {method} {path}")
            else:
                headers = [
                    (k, v)
                    for k, v in resp.headers.multi_items()
                    if k.lower() not in ("content-encoding", "content-length", "transfer-encoding")
                ]
                return httpx.Response(
                    resp.status_code, headers=headers, content=bytes(body[: self.max_body_bytes]), request=request
                )
        raise failure  # outside the except block: no __context__ holding the request and its key

    def body(self, resp: httpx.Response) -> Any:
        """Parsed JSON body; a garbled 2xx body is a provider hiccup (Transient), an empty one is {}."""
        if not resp.content:
            return {}
        try:
            return resp.json()
        except RecursionError:
            if resp.is_success:
                raise BadAnswer(f"{self.name}: HTTP {resp.status_code} with JSON nested too deep") from None
            return resp.text[:2000]
        except ValueError:
            if resp.is_success:
                raise Transient(f"{self.name}: HTTP {resp.status_code} with a non-JSON body") from None
            return resp.text[:2000]

    def parsed(self, model: type[M], body: Any) -> M:
        """`body` as the vendor's documented shape, or BadAnswer naming the first thing that is not."""
        try:
            return model.model_validate(body)
        except pydantic.ValidationError as exc:
            reason = describe(exc)
        raise BadAnswer(self.redact(f"{self.name}: {reason}"))

    def checked_as(self, model: type[M], resp: httpx.Response) -> M:
        """`checked`, then `parsed`: the documented shape of a 2xx answer."""
        return self.parsed(model, self.checked(resp))

    def message(self, resp: httpx.Response, detail: str | None = None) -> str:
        detail = error_detail(self.body(resp)) if detail is None else detail
        text = f"{self.name}: HTTP {resp.status_code} on {resp.request.method} {resp.request.url.path}"
        return self.redact(f"{text}: {detail}" if detail else text)

    def error_for(self, resp: httpx.Response) -> ProviderError:
        """Default HTTP-status semantics; vendors with odd dialects override this."""
        code, msg = resp.status_code, self.message(resp)
        if code == 429:
            return RateLimited(msg, retry_after=parse_retry_after(resp.headers.get("Retry-After")))
        if code in (401, 403):
            return AuthFailed(msg)
        if code == 402:
            return QuotaExhausted(msg)
        if code == 451:
            return Forgotten(msg)
        if code in (408, 425) or code >= 500:
            return Transient(msg)
        return Rejected(msg)

    def checked(self, resp: httpx.Response) -> Any:
        """The JSON body of a 2xx answer, or the adapter's ProviderError for anything else."""
        if not resp.is_success:
            raise self.error_for(resp)
        return self.body(resp)


class AsyncJobProvider(HttpProvider):
    """Vendors that answer a submit with a job id and the result later (Dropcontact, FullEnrich...)."""

    def __init__(
        self,
        client: httpx.AsyncClient,
        api_key: str,
        *,
        base_url: str | None = None,
        poll_interval: float = 2.0,
        poll_timeout: float = 120.0,
    ) -> None:
        super().__init__(client, api_key, base_url=base_url)
        self.poll_interval = poll_interval
        self.poll_timeout = poll_timeout

    def raise_for_job(self, status: str | None, job: str, failures: Mapping[str, type[ProviderError]]) -> None:
        """Vendors that report failures as a job status (out of funds, bad input...): raise the mapped error."""
        if status is not None and status in failures:
            raise failures[status](f"{self.name}: job {job} ended {status}")

    async def poll(self, fetch: Callable[[], Awaitable[T | None]], job: str) -> T:
        """Call `fetch` every `poll_interval` s until it returns non-None; Transient at `poll_timeout`."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.poll_timeout
        while True:
            await asyncio.sleep(self.poll_interval)
            token = _POLLING.set(True)  # the job is submitted (and paid for): see Gate.before_request
            try:
                result = await fetch()
            finally:
                _POLLING.reset(token)
            if result is not None:
                return result
            if loop.time() + self.poll_interval > deadline:
                raise Transient(f"{self.name}: job {job} not ready after {self.poll_timeout:g} s")
