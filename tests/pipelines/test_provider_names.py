"""The provider names exist once, in the waterfall's registry: the resource holding the keys has a
key field for each of them and no other, and the demo's stand-ins answer for each of them."""

from __future__ import annotations

from assets.resources import ProvidersResource
from waterfall.fake.config import FakeConfig
from waterfall.providers.registry import KEYED_PROVIDERS, PROVIDERS


def test_the_keyed_providers_are_the_registrys_providers_with_an_account():
    assert KEYED_PROVIDERS == ("hunter", "dropcontact", "apollo", "fullenrich", "lusha", "prospeo", "icypeas",
                               "enrow", "findymail", "pdl", "kaspr", "datagma", "leadmagic", "rocketreach")
    assert set(PROVIDERS) - set(KEYED_PROVIDERS) == {"pattern"}


def test_the_providers_resource_has_one_key_field_per_keyed_provider():
    fields = {name.removesuffix("_api_key") for name in ProvidersResource.model_fields if name.endswith("_api_key")}
    assert fields == set(KEYED_PROVIDERS)


def test_the_stand_in_vendors_cover_every_keyed_provider():
    fake = FakeConfig()
    assert tuple(fake.providers) == KEYED_PROVIDERS
    assert tuple(fake.api_keys) == KEYED_PROVIDERS
