"""Every adapter against malformed 200s: the fake vendors answer normally, and a transport in front
of them replaces one endpoint's body (wrong types, missing keys, HTML, truncated or deep JSON, huge
or empty bodies, wrong content type, and every leaf of the real answer turned into another type).
Whatever comes back is an `Answer` or a `ProviderError` with a reason, never another exception."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from waterfall.fake import FakeConfig, build_app
from waterfall.fake.secondary_vendors import linkedin_of
from waterfall.fake.vendor import base_path
from waterfall.providers.base import Answer, BadAnswer, Field, Person, ProviderError, Transient
from waterfall.providers.pattern import PatternProvider
from waterfall.providers.registry import build_provider

pytestmark = pytest.mark.anyio
CONFIG = FakeConfig(catch_all_rate=0, invalid_rate=0)
for _name in CONFIG.providers:
    CONFIG = CONFIG.with_provider(_name, hit_rate=1.0, phone_rate=1.0, polls_until_ready=1)
PERSON = Person("552100554", "Boulangerie Lefèvre", "Marie", "Dupont", domain="boulangerie-lefevre.fr",
                linkedin_url=linkedin_of("Marie", "Dupont", "boulangerie-lefevre.fr"))  # Kaspr needs one
EMAIL = "marie.dupont@boulangerie-lefevre.fr"

# (adapter, question, endpoint whose answer is replaced: METHOD + path regex under the base path)
TARGETS = [
    ("hunter", Field.EMAIL, "GET /email-finder$"),
    ("hunter", Field.VERIFY, "GET /email-verifier$"),
    ("hunter", Field.DOMAIN, "GET /domain-search$"),
    ("apollo", Field.EMAIL, "POST /people/match$"),
    ("findymail", Field.EMAIL, "POST /search/name$"),
    ("findymail", Field.VERIFY, "POST /verify$"),
    ("lusha", Field.EMAIL, "GET /v2/person$"),
    ("lusha", Field.PHONE, "GET /v2/person$"),
    ("prospeo", Field.EMAIL, "POST /enrich-person$"),
    ("prospeo", Field.PHONE, "POST /enrich-person$"),
    ("dropcontact", Field.EMAIL, "POST /enrich/all$"),
    ("dropcontact", Field.EMAIL, "GET /enrich/all/[^/]+$"),
    ("dropcontact", Field.PHONE, "GET /enrich/all/[^/]+$"),
    ("fullenrich", Field.EMAIL, "POST /contact/enrich/bulk$"),
    ("fullenrich", Field.EMAIL, "GET /contact/enrich/bulk/[^/]+$"),
    ("fullenrich", Field.PHONE, "GET /contact/enrich/bulk/[^/]+$"),
    ("icypeas", Field.EMAIL, "POST /email-search$"),
    ("icypeas", Field.EMAIL, "POST /bulk-single-searchs/read$"),
    ("enrow", Field.EMAIL, "POST /email/find/single$"),
    ("enrow", Field.EMAIL, "GET /email/find/single/[^/]+$"),
    ("pattern", Field.EMAIL, "GET /email-verifier$"),     # the guesser's checks go to its verifier
    ("kaspr", Field.EMAIL, "POST /profile/linkedin$"),
    ("kaspr", Field.PHONE, "POST /profile/linkedin$"),
    ("datagma", Field.EMAIL, "GET /v8/findEmail$"),
    ("datagma", Field.PHONE, "GET /v2/full$"),
    ("leadmagic", Field.EMAIL, "POST /v1/people/email-finder$"),
    ("rocketreach", Field.EMAIL, "GET /universal/person/lookup$"),
    ("rocketreach", Field.EMAIL, "GET /universal/person/check_status$"),
    ("rocketreach", Field.PHONE, "GET /universal/person/check_status$"),
    ("pdl", Field.EMAIL, "GET /person/enrich$"),
    ("pdl", Field.PHONE, "GET /person/enrich$"),
]

Body = tuple[bytes, str]   # content, content type
JSON = "application/json"


def fixed(content: bytes, ctype: str = JSON) -> Callable[[bytes], Body]:
    return lambda good: (content, ctype)


WHOLE: dict[str, Callable[[bytes], Body]] = {
    "list": fixed(b"[1,2,3]"),
    "string": fixed(b'"surprise"'),
    "number": fixed(b"42"),
    "null": fixed(b"null"),
    "data is a string": fixed(b'{"data": "surprise"}'),
    "data.domain is a number": fixed(b'{"data": {"domain": 42, "email": 42, "status": 42}}'),
    "empty body": fixed(b""),
    "empty object": fixed(b"{}"),
    "html": fixed(b"<html><body><h1>502 Bad Gateway</h1></body></html>", "text/html"),
    "truncated": lambda good: (good[: len(good) // 2], JSON),
    "deep": fixed(b"[" * 100_000 + b"]" * 100_000),
    "huge": fixed(b'{"data": {"email": "' + b"x" * (2 << 20) + b'"}}'),
    "wrong content type": lambda good: (good, "text/plain"),
}


def _wrong(value: Any) -> Any:
    """A value of another JSON type than `value`."""
    if isinstance(value, bool):
        return {"surprise": True}
    if isinstance(value, str):
        return 42
    if isinstance(value, int | float):
        return "not a number"
    if isinstance(value, dict):
        return "surprise"
    if isinstance(value, list):
        return {"surprise": [1]}
    return {"surprise": None}


def _leaves(doc: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [path] if path else []
    if isinstance(doc, dict):
        for k, v in doc.items():
            out += _leaves(v, (*path, k))
    elif isinstance(doc, list):
        for i, v in enumerate(doc[:2]):
            out += _leaves(v, (*path, i))
    return out


def _replace(doc: Any, path: tuple[Any, ...]) -> Any:
    if not path:
        return _wrong(doc)
    copy = dict(doc) if isinstance(doc, dict) else list(doc)
    copy[path[0]] = _replace(doc[path[0]], path[1:])
    return copy


class Replacing(httpx.AsyncBaseTransport):
    """The fake vendors, except that answers of `endpoint` go through `mutate` (as HTTP 200)."""

    def __init__(self, endpoint: str, mutate: Callable[[bytes], Body]) -> None:
        self.inner = httpx.ASGITransport(app=build_app(CONFIG))
        self.endpoint, self.mutate = re.compile(endpoint), mutate
        self.good: bytes | None = None
        self.hits = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        resp = await self.inner.handle_async_request(request)
        if not self.endpoint.search(f"{request.method} {_strip(request.url.path)}"):
            return resp
        self.hits += 1
        self.good = await resp.aread()
        content, ctype = self.mutate(self.good)
        return httpx.Response(200, headers={"content-type": ctype}, content=content)


def _strip(path: str) -> str:
    """'/hunter/v2/email-finder' -> '/email-finder': the path under the vendor's base URL."""
    for name in CONFIG.providers:
        prefix = base_path(name)
        if path.startswith(prefix + "/"):
            return path[len(prefix):]
    return path


async def ask(name: str, what: Field, transport: Replacing) -> Answer | ProviderError:
    async with httpx.AsyncClient(transport=transport, base_url="http://fake") as client:
        def build(n: str):
            return build_provider(n, client, CONFIG.env(), base_url="http://fake" + base_path(n),
                                  poll_interval=0.001, poll_timeout=0.05)
        provider = PatternProvider(build("hunter")) if name == "pattern" else build(name)
        method = {Field.EMAIL: provider.find_email, Field.PHONE: provider.find_phone,
                  Field.DOMAIN: provider.find_domain}.get(what)
        try:
            return await (provider.verify_email(EMAIL) if what is Field.VERIFY else method(PERSON))
        except ProviderError as exc:
            return exc


async def good_body(name: str, what: Field, endpoint: str) -> bytes:
    transport = Replacing(endpoint, lambda good: (good, JSON))
    answer = await ask(name, what, transport)
    assert isinstance(answer, Answer) and transport.good is not None, (name, what, answer)
    return transport.good


@pytest.mark.parametrize("name,what,endpoint", TARGETS, ids=[f"{n}-{w}-{e.split()[1]}" for n, w, e in TARGETS])
async def test_no_malformed_answer_raises_anything_but_a_provider_error(name, what, endpoint):
    good = json.loads(await good_body(name, what, endpoint))
    cases = dict(WHOLE)
    for path in _leaves(good):
        mutated = json.dumps(_replace(good, path)).encode()
        cases[".".join(map(str, path)) + " of another type"] = fixed(mutated)
    outcomes: dict[str, str] = {}
    for label, mutate in cases.items():
        transport = Replacing(endpoint, mutate)
        outcome = await ask(name, what, transport)  # any other exception fails the test here
        assert transport.hits >= 1, label
        outcomes[label] = type(outcome).__name__
        if isinstance(outcome, ProviderError):
            assert str(outcome).startswith(f"{'hunter' if name == 'pattern' else name}: "), (label, str(outcome))
    assert outcomes["list"] == outcomes["string"] == outcomes["null"] == "BadAnswer"
    assert outcomes["html"] == outcomes["truncated"] == "Transient"          # garbled: retried
    assert outcomes["deep"] == outcomes["huge"] == "BadAnswer"
    assert outcomes["wrong content type"] == "Answer"
    assert any(v == "BadAnswer" for k, v in outcomes.items() if k.endswith("of another type")), outcomes


@pytest.mark.parametrize("body,what,reason", [
    (b'{"data": {"domain": 42}}', Field.DOMAIN, "hunter: data.domain is not a string"),
    (b'{"data": "surprise"}', Field.EMAIL, "hunter: data is not an object"),
    (b"[1,2,3]", Field.VERIFY, "hunter: the body is not an object"),
    (b'{"data": {"email": "a@b.fr", "sources": "none"}}', Field.EMAIL, "hunter: data.sources is not a list"),
    (b"{}", Field.EMAIL, "hunter: data is missing"),
])
async def test_hunter_names_what_is_wrong(body, what, reason):
    endpoint = {Field.DOMAIN: "GET /domain-search$", Field.EMAIL: "GET /email-finder$",
                Field.VERIFY: "GET /email-verifier$"}[what]
    outcome = await ask("hunter", what, Replacing(endpoint, fixed(body)))
    assert type(outcome) is BadAnswer and str(outcome) == reason


async def test_a_huge_answer_is_cut_off_not_read_whole():
    outcome = await ask("apollo", Field.EMAIL, Replacing("POST /people/match$", WHOLE["huge"]))
    assert type(outcome) is BadAnswer
    assert str(outcome) == "apollo: answer over 1,048,576 bytes on POST /people/match"


async def test_garbled_json_is_transient():
    outcome = await ask("findymail", Field.EMAIL, Replacing("POST /search/name$", fixed(b'{"contact": {"em')))
    assert type(outcome) is Transient and str(outcome) == "findymail: HTTP 200 with a non-JSON body"
