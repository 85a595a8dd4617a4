"""The company adapters against the stand-in company endpoints (in-process ASGI): each vendor's
answer mapped onto the company facts, and its own failure dialect (Hunter's 403 is a rate limit,
PDL's and Lusha's 402 an exhausted quota, a bad key an auth failure, a 2xx of the wrong shape a
bad answer), never an exception of another kind."""

from __future__ import annotations

import httpx
import pytest

from waterfall.fake import FakeConfig
from waterfall.fake.vendor import base_path
from waterfall.providers.base import AuthFailed, BadAnswer, CompanyQuery, QuotaExhausted, RateLimited, Status
from waterfall.providers.company import COMPANY_ADAPTERS

from .conftest import fake_client

GAMMA = CompanyQuery("222222222", "Gamma", "gamma.fr", "Lyon")  # known to Apollo and PDL at the default rates
OMEGA_BY_NAME = CompanyQuery("333333333", "Omega", None, "Lyon")


def company_adapter(name: str, client: httpx.AsyncClient, config: FakeConfig, key: str | None = None):
    return COMPANY_ADAPTERS[name](client, key or config.api_keys[name], base_url="http://fake" + base_path(name))


@pytest.mark.anyio
async def test_each_vendor_gives_the_facts_of_its_schema():
    config = FakeConfig()
    async with fake_client(config) as client:
        apollo = await company_adapter("apollo", client, config).find_company(GAMMA)
        hunter = await company_adapter("hunter", client, config).find_company(OMEGA_BY_NAME)
        pdl = await company_adapter("pdl", client, config).find_company(OMEGA_BY_NAME)
        lusha = await company_adapter("lusha", client, config).find_company(CompanyQuery("1", "Sigma", None))
        miss = await company_adapter("pdl", client, config).find_company(CompanyQuery("4", "Beta", None))
    assert (apollo.value, apollo.status, apollo.credits, apollo.extra) == ("gamma.fr", Status.VALID, 1.0, {
        "linkedin_company": "https://www.linkedin.com/company/gamma", "switchboard_phone": "+33531889448",
        "headcount": "72"})  # fmt: skip
    assert (hunter.value, hunter.credits, hunter.raw_status, hunter.extra) == (
        "omega.fr", 1.0, "domain-search", {"domain": "omega.fr"})  # fmt: skip
    assert (pdl.value, pdl.extra) == ("omega.fr", {
        "domain": "omega.fr", "linkedin_company": "https://www.linkedin.com/company/omega", "headcount": "85"})  # fmt: skip
    assert (lusha.value, lusha.extra) == ("sigma.fr", {
        "domain": "sigma.fr", "linkedin_company": "https://www.linkedin.com/company/sigma", "headcount": "51-200"})  # fmt: skip
    assert (miss.value, miss.status, miss.credits, miss.raw_status, miss.extra) == (
        None, Status.UNKNOWN, 0.0, "not_found", {})  # fmt: skip


@pytest.mark.anyio
@pytest.mark.parametrize("name, change, error", [
    ("hunter", {"error_rate_429": 1.0}, RateLimited),  # Hunter's 403
    ("apollo", {"error_rate_429": 1.0}, RateLimited),
    ("pdl", {"credits": 0}, QuotaExhausted),  # 402
    ("lusha", {"credits": 0}, QuotaExhausted),
])  # fmt: skip
async def test_failures_in_each_vendors_dialect(name, change, error):
    config = FakeConfig().with_provider(name, **change)
    async with fake_client(config) as client:
        with pytest.raises(error):
            await company_adapter(name, client, config).find_company(GAMMA)


@pytest.mark.anyio
async def test_a_bad_key_and_a_garbled_answer():
    config = FakeConfig()
    async with fake_client(config) as client:
        with pytest.raises(AuthFailed):
            await company_adapter("apollo", client, config, key="wrong").find_company(GAMMA)

    def garbled(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"organization": {"estimated_num_employees": "many"}})

    async with httpx.AsyncClient(transport=httpx.MockTransport(garbled)) as client:
        with pytest.raises(BadAnswer, match="organization.estimated_num_employees is not a number"):
            await company_adapter("apollo", client, config).find_company(GAMMA)
