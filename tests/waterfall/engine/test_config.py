"""Configuration loading: the shipped default, overrides merged over it, readable errors."""

from __future__ import annotations

from datetime import timedelta

import pytest

from waterfall.config import ConfigError, from_mapping, load_config
from waterfall.providers.base import Field, Status


def test_default_follows_the_documented_practice():
    cfg = load_config(env={})
    email = cfg.chain(Field.EMAIL)
    assert email[0] == "pattern"                        # free guesser before any paid finder
    assert email[1] == "findymail"                      # pre-verified, pay on hit
    assert email.index("apollo") > email.index("hunter")  # charges for guessed emails: late
    assert email[-2:] == ("dropcontact", "fullenrich")  # async bulk vendors last
    assert cfg.chain(Field.DOMAIN) == ()  # the company-level waterfall finds domains, from three vendors
    assert cfg.company_chain("domain") == ("hunter", "lusha", "pdl")
    assert cfg.stop.stop_on == {Status.VALID} and cfg.stop.fallback == {Status.RISKY}
    assert cfg.ttl("hunter", True) == timedelta(days=90) and cfg.ttl("hunter", False) == timedelta(days=14)
    hunter = cfg.provider("hunter")
    assert (hunter.rps, hunter.rpm, hunter.concurrency, hunter.timeout_s) == (15.0, 500.0, 10, 30.0)
    assert hunter.cost_ceiling(Field.VERIFY) == 0.5 and hunter.cost_ceiling(Field.PHONE) == 0.0


def test_env_file_is_merged_over_the_default(tmp_path):
    path = tmp_path / "wf.yaml"
    path.write_text("budget: {per_run: 200}\norder: {phone: []}\nproviders: {hunter: {rps: 2}}\n")
    cfg = load_config(env={"FIRMO_WATERFALL_CONFIG": str(path)})
    assert cfg.budget.per_run == 200 and cfg.budget.per_lead == 15.0
    assert cfg.chain(Field.PHONE) == () and cfg.chain(Field.DOMAIN) == ()
    assert (cfg.provider("hunter").rps, cfg.provider("hunter").rpm) == (2.0, 500.0)


@pytest.mark.parametrize("data, message", [
    ({"order": {"email": ["hunterr"]}}, "order.email: unknown provider 'hunterr'"),
    ({"order": {"phone": ["apollo"]}}, "order.phone: apollo cannot answer phone questions"),
    ({"order": {"email": ["hunter", "hunter"]}}, "order.email: hunter listed twice"),
    ({"budget": {"per_run": -1}}, "budget.per_run: Input should be greater than or equal to 0"),
    ({"providers": {"hunter": {"rps": 0}}}, "providers.hunter.rps: Input should be greater than 0"),
    ({"cache": {"hit_ttl_days": 7, "miss_ttl_days": 30}}, "miss_ttl_days must not exceed hit_ttl_days"),
    ({"stop": {"fallback": ["invalid"]}}, "an invalid answer can neither stop the chain nor be kept as fallback"),
    ({"budgets": {}}, "budgets: Extra inputs are not permitted"),
])
def test_errors_name_the_key(data, message):
    with pytest.raises(ConfigError) as err:
        from_mapping(data, source="wf.yaml")
    assert message in str(err.value) and str(err.value).startswith("wf.yaml: invalid waterfall configuration")


def test_unreadable_file_is_a_clear_error(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("- just\n- a list\n")
    with pytest.raises(ConfigError, match="must be a mapping at the top level"):
        load_config(path)
