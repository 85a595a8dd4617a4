"""How an alert and the daily digest read: plain text (email, the Slack fallback) and Slack Block
Kit blocks. The payloads are built by firmo/alerts/rules.py; every channel renders from them so a
seller reads the same facts whatever the channel: the company, the signal with the link to its
evidence, the score and tier, the decision maker and why the lead scores.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

MAX_TEXT = 2900  # Slack refuses a section text over 3000 characters


def _score(payload: Mapping[str, Any]) -> str:
    if payload.get("score") is None:
        return "not a lead of this ICP"
    return f"score {payload['score']:g}, {payload.get('tier')}"


def subject(payload: Mapping[str, Any]) -> str:
    if payload.get("trigger") == "digest":
        return f"[firmo] {payload['icp']} digest {payload['date']}"
    return f"[firmo] {payload['icp']}: {payload['summary']}"


def alert_lines(payload: Mapping[str, Any]) -> list[str]:
    """The alert as text lines (email body, webhook summary)."""
    if payload.get("trigger") == "digest":
        return digest_lines(payload)
    lines = [
        f"{payload.get('company_name') or payload['siren']} (SIREN {payload['siren']}, {payload.get('city') or '-'})"
    ]
    signal = payload.get("signal")
    if signal:
        lines.append(f"Signal: {signal['label']} on {signal['date']} ({signal['evidence']}) {signal['link']}")
    lines.append(f"Score: {_score(payload)}")
    dm = payload.get("decision_maker")
    if dm:
        lines.append(f"Decision maker: {dm['name']}" + (f", {dm['job_title']}" if dm.get("job_title") else ""))
    if payload.get("why"):
        lines.append("Why: " + "; ".join(payload["why"]))
    lines.append(f"Rule: {payload['rule']} (ICP {payload['icp']})")
    return lines


def digest_lines(payload: Mapping[str, Any]) -> list[str]:
    tiers = payload["tiers"]
    lines = [
        f"ICP {payload['icp']}, {payload['date']}: {payload['leads']} leads "
        f"({tiers['hot']} hot, {tiers['warm']} warm, {tiers['cold']} cold)",
        f"New hot leads: {payload['new_hot_count']}",
    ]
    lines += [f"  - {h['company_name']} (SIREN {h['siren']}), score {h['score']:g}" for h in payload["new_hot"]]
    lines.append(f"Top signals: {len(payload['top_signals'])}")
    lines += [
        f"  - {s['company_name'] or s['siren']}: {s['label']} on {s['date']} {s['link']}"
        for s in payload["top_signals"]
    ]
    return lines


def _section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text[:MAX_TEXT]}}


def slack_message(payload: Mapping[str, Any]) -> dict[str, Any]:
    """An incoming-webhook message: `text` (the notification fallback) and Block Kit `blocks`."""
    if payload.get("trigger") == "digest":
        lines = digest_lines(payload)
        return {
            "text": subject(payload),
            "blocks": [
                {"type": "header", "text": {"type": "plain_text", "text": subject(payload)[:150]}},
                _section("\n".join(lines)),
            ],
        }
    name = payload.get("company_name") or payload["siren"]
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": f"{name}"[:150]}},
        {
            "type": "section",
            "fields": [
                {"type": "mrkdwn", "text": f"*SIREN*\n{payload['siren']}"},
                {"type": "mrkdwn", "text": f"*Score & tier*\n{_score(payload)}"},
            ],
        },
    ]
    signal = payload.get("signal")
    if signal:
        blocks.append(
            _section(f"*Signal*: {signal['label']} ({signal['date']})\n<{signal['link']}|{signal['evidence']}>")
        )
    dm = payload.get("decision_maker")
    if dm:
        blocks.append(
            _section(f"*Decision maker*: {dm['name']}" + (f", {dm['job_title']}" if dm.get("job_title") else ""))
        )
    if payload.get("why"):
        blocks.append(_section("*Why*: " + "; ".join(payload["why"])))
    blocks.append(
        {"type": "context", "elements": [{"type": "mrkdwn", "text": f"rule {payload['rule']} · ICP {payload['icp']}"}]}
    )
    return {"text": subject(payload), "blocks": blocks}
