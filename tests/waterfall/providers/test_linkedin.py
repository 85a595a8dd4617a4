"""LinkedIn profile URLs to the one canonical form, and the forms vendors want (doc §7.1)."""

from __future__ import annotations

import httpx
import pytest
import respx

from waterfall.providers.apollo import ApolloProvider
from waterfall.providers.base import Person
from waterfall.providers.findymail import FindymailProvider
from waterfall.providers.hunter import HunterProvider
from waterfall.providers.linkedin import bare_profile, profile_slug, profile_url


@pytest.mark.parametrize(("raw", "canonical"), [
    ("https://www.linkedin.com/in/ada-lovelace/", "https://www.linkedin.com/in/ada-lovelace/"),
    ("linkedin.com/in/Ada-Lovelace", "https://www.linkedin.com/in/ada-lovelace/"),
    ("https://fr.linkedin.com/in/ada-lovelace-4b2a1c93?trk=public", "https://www.linkedin.com/in/ada-lovelace-4b2a1c93/"),
    ("http://linkedin.com/in/ren%C3%A9-dupont/details", "https://www.linkedin.com/in/ren%c3%a9-dupont/"),
    ("ada-lovelace", "https://www.linkedin.com/in/ada-lovelace/"),
    ("https://www.linkedin.com/sales/lead/ACwAAA,NAME", None),   # Sales Navigator: not a profile
    ("https://www.linkedin.com/company/acme/", None),           # a company page
    ("https://example.com/in/ada", None),
    ("", None),
    (None, None),
])  # fmt: skip
def test_profile_url(raw, canonical):
    assert profile_url(raw) == canonical


def test_the_forms_vendors_want():
    url = "https://www.linkedin.com/in/ada-lovelace/"
    assert (profile_slug(url), bare_profile(url)) == ("ada-lovelace", "linkedin.com/in/ada-lovelace")


# -- the vendors that take or give a profile ------------------------------------------------------------
KEY = "sk-test-0042"
ADA = Person("552100554", "Acme Conseil", "Marie", "Dupont", domain="acme.fr",
             linkedin_url="https://www.linkedin.com/in/marie-dupont-4b2a/")  # fmt: skip


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.mark.anyio
@respx.mock
async def test_hunter_is_asked_with_the_linkedin_handle_when_known():
    route = respx.get("https://api.hunter.io/v2/email-finder").respond(200, json={"data": {"email": None}})
    async with httpx.AsyncClient() as client:
        await HunterProvider(client, KEY).find_email(ADA)
    assert dict(route.calls.last.request.url.params) == {"first_name": "Marie", "last_name": "Dupont",
                                                         "linkedin_handle": "marie-dupont-4b2a", "domain": "acme.fr"}  # fmt: skip


@pytest.mark.anyio
@respx.mock
async def test_apollo_and_findymail_give_back_the_profile_they_return():
    respx.post("https://api.apollo.io/api/v1/people/match").respond(200, json={"person": {
        "email": "marie.dupont@acme.fr", "email_status": "verified", "linkedin_url": "http://www.linkedin.com/in/md"}})
    respx.post("https://app.findymail.com/api/search/name").respond(200, json={"contact": {
        "email": "marie.dupont@acme.fr", "linkedin_url": "https://linkedin.com/in/md2"}})
    plain = Person("552100554", "Acme Conseil", "Marie", "Dupont", domain="acme.fr")
    async with httpx.AsyncClient() as client:
        apollo = await ApolloProvider(client, KEY).find_email(plain)
        findymail = await FindymailProvider(client, KEY).find_email(plain)
    assert apollo.extra == {"linkedin_url": "http://www.linkedin.com/in/md"}  # the engine makes it canonical
    assert findymail.extra == {"linkedin_url": "https://linkedin.com/in/md2"}
