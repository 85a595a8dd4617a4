"""`alerts:` in an ICP file: each rule's shape, its default name and channels, and the errors
`firmo icp check` prints (all at once, with suggestions)."""

from __future__ import annotations

import pytest

from firmo.icp import IcpError
from firmo.icp.config import parse_icp
from firmo.icp.validate import resolve


def _errors(alerts):
    with pytest.raises(IcpError) as exc:
        resolve(parse_icp({"criteria": {}, "alerts": alerts}, default_name="acme"))
    return exc.value.errors


def test_rules_and_their_names():
    config = parse_icp(
        {
            "criteria": {},
            "alerts": [
                {"enters_tier": "hot"},
                {"score_rise": 12.5, "channels": ["webhook"]},
                {"signal_types": "capital_increase"},
                {"watched": True, "name": "my_accounts", "channels": ["slack", "email"]},
                {"digest": "daily", "channels": ["email"]},
            ],
        },
        default_name="acme",
    )
    resolve(config)
    assert [(r.rule_name, r.trigger, r.channels) for r in config.alerts] == [
        ("enters_tier_hot", "enters_tier", ["slack"]),
        ("score_rise_12_5", "score_rise", ["webhook"]),
        ("signal_capital_increase", "signal_types", ["slack"]),
        ("my_accounts", "watched", ["slack", "email"]),
        ("digest_daily", "digest", ["email"]),
    ]
    assert parse_icp({"criteria": {}}, default_name="x").alerts == []


def test_errors_all_at_once():
    with pytest.raises(IcpError) as exc:
        parse_icp(
            {
                "criteria": {},
                "alerts": [
                    {"signal_types": ["new_decison_maker"]},
                    {"score_rise": 10, "watched": True},
                    {"enters_tier": "hot", "chanels": ["slack"]},
                    {"enters_tier": "lukewarm"},
                    {"digest": "daily", "channels": ["sms"]},
                    {},
                ],
            },
            default_name="acme",
        )
    assert exc.value.errors == [
        "alerts.0.signal_types: unknown signal type 'new_decison_maker' (did you mean 'new_decision_maker'?)",
        "alerts.1: a rule has exactly one of enters_tier, signal_types, score_rise, watched, digest "
        "(got score_rise, watched)",
        "alerts.2.chanels: unknown key (did you mean 'channels'?); allowed: name, enters_tier, signal_types, "
        "score_rise, watched, digest, channels",
        "alerts.3.enters_tier: Input should be 'hot' or 'warm' (got 'lukewarm')",
        "alerts.4.channels.0: Input should be 'slack', 'email', 'webhook', 'hubspot', 'salesforce' or 'pipedrive' "
        "(got 'sms')",
        "alerts.5: a rule has exactly one of enters_tier, signal_types, score_rise, watched, digest (got none)",
    ]


def test_rules_that_cannot_work_together():
    assert _errors(
        [
            {"enters_tier": "hot"},
            {"enters_tier": "hot", "channels": ["email"]},
            {"digest": "daily"},
            {"digest": "daily", "name": "second"},
        ]
    ) == [
        "alerts.1: rule name 'enters_tier_hot' is already rule 0 (give one of them a `name:`)",
        "alerts: at most one digest rule per ICP",
    ]
