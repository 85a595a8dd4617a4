"""Phone numbers to E.164, so every provider's dialect ("06 12 34 56 78", "+33 6 12...",
"+1-555-...") lands in one format the CRM export and the dedup can compare."""

from __future__ import annotations

import phonenumbers
from phonenumbers import PhoneNumberType

DEFAULT_REGION = "FR"

_TYPES = {
    PhoneNumberType.MOBILE: "mobile",
    PhoneNumberType.FIXED_LINE: "direct",
    PhoneNumberType.VOIP: "direct",
}


def to_e164(raw: str | None, region: str | None = None) -> str | None:
    """E.164 form of `raw`, or None when it is not a possible number (a miss, not a crash)."""
    if not raw or not str(raw).strip():
        return None
    try:
        parsed = phonenumbers.parse(str(raw), (region or DEFAULT_REGION).upper())
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(parsed):
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def guess_type(e164: str) -> str | None:
    """'mobile' or 'direct' from the numbering plan, for providers that do not say (FR 06/07 vs 01-05)."""
    try:
        return _TYPES.get(phonenumbers.number_type(phonenumbers.parse(e164, None)))
    except phonenumbers.NumberParseException:
        return None


def phone_extra(e164: str, provider_type: str | None = None) -> dict[str, str]:
    """`Answer.extra` for a phone: the provider's own type when it gives one, else the plan's."""
    kind = provider_type or guess_type(e164)
    return {"phone_type": kind} if kind else {}
