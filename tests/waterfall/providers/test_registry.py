from __future__ import annotations

import logging

import pytest

from .conftest import KEY
from waterfall.providers.base import Provider
from waterfall.providers.dropcontact import DropcontactProvider
from waterfall.providers.hunter import HunterProvider
from waterfall.providers.pattern import PatternProvider
from waterfall.providers.registry import PROVIDERS, build_provider


def test_every_spec_is_consistent():
    assert set(PROVIDERS) == {"hunter", "dropcontact", "apollo", "fullenrich", "lusha", "prospeo", "icypeas",
                              "enrow", "findymail", "pdl", "kaspr", "datagma", "leadmagic", "rocketreach", "pattern"}
    assert len(PROVIDERS) == 15  # nine vendors, PDL, the four secondary ones (doc §2.10) and the pattern guesser
    for name, spec in PROVIDERS.items():
        assert spec.cls.name == name
        assert spec.fields == spec.cls.fields
        if name != "pattern":
            assert spec.key_env == f"FIRMO_{name.upper()}_API_KEY"
            assert spec.default_base_url.startswith("https://")
    assert [n for n, s in PROVIDERS.items() if s.is_async] == ["dropcontact", "fullenrich", "icypeas", "enrow",
                                                                  "rocketreach"]


async def test_build_with_and_without_key(client, caplog):
    env = {"FIRMO_HUNTER_API_KEY": KEY, "FIRMO_DROPCONTACT_API_KEY": KEY}
    hunter = build_provider("hunter", client, env, base_url="http://fake/hunter/v2", poll_interval=0)
    assert isinstance(hunter, HunterProvider) and isinstance(hunter, Provider)
    assert hunter.base_url == "http://fake/hunter/v2"
    dc = build_provider("dropcontact", client, env, poll_interval=0.5, poll_timeout=3)
    assert isinstance(dc, DropcontactProvider)
    assert (dc.poll_interval, dc.poll_timeout, dc.base_url) == (0.5, 3, "https://api.dropcontact.com/v1")
    with caplog.at_level(logging.INFO, logger="waterfall.providers.registry"):
        assert build_provider("lusha", client, {"FIRMO_LUSHA_API_KEY": "  "}) is None
    assert caplog.messages == ["provider lusha skipped: FIRMO_LUSHA_API_KEY not set"]
    assert all(KEY not in m for m in caplog.messages)
    pattern = build_provider("pattern", client, {}, verifier=hunter, max_candidates=3)
    assert isinstance(pattern, PatternProvider) and pattern.max_candidates == 3 and pattern.verifier is hunter
    with pytest.raises(KeyError, match="unknown provider 'clearbit'"):
        build_provider("clearbit", client, env)


pytestmark = pytest.mark.anyio
