"""Canonical forms of the identifiers the compliance lists are keyed on.

An opt-out must match however the address was typed (`Jane.Doe@ACME.fr `), so every list entry
and every lookup goes through the same normaliser. Emails and phones are personal data: the
suppression list stores only their sha256 (doc §5: "hashed email/phone/SIREN + reason + date").
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from functools import lru_cache

import phonenumbers

KINDS = ("email", "phone", "domain", "siren")
HASHED_KINDS = frozenset({"email", "phone"})
_SIREN = re.compile(r"^\d{9}$")
_E164 = re.compile(r"^\+[1-9]\d{6,14}$")
_DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}$")


class InvalidIdentifier(ValueError):
    """A value that cannot be normalised for its kind (message says why)."""


@lru_cache(maxsize=1 << 17)  # pure; an export normalises each address several times
def normalise_email(value: str) -> str:
    email = value.strip().lower()
    local, sep, domain = email.rpartition("@")
    if not sep or not local or " " in email:
        raise InvalidIdentifier(f"not an email address: {value!r}")
    return f"{local}@{normalise_domain(domain)}"


def normalise_domain(value: str) -> str:
    """`https://www.Acme.fr/contact` -> `acme.fr`."""
    domain = value.strip().lower()
    domain = re.sub(r"^[a-z][a-z0-9+.-]*://", "", domain)
    domain = domain.split("/")[0].split("?")[0].split("#")[0].split(":")[0].rstrip(".")
    if domain.startswith("www."):
        domain = domain[4:]
    if not _DOMAIN.match(domain):
        raise InvalidIdentifier(f"not a domain name: {value!r}")
    return domain


def normalise_siren(value: str) -> str:
    """Digits only; a 14-digit SIRET is reduced to its SIREN (the company it belongs to)."""
    digits = re.sub(r"[\s.]", "", str(value))
    if len(digits) == 14 and digits.isdigit():
        digits = digits[:9]
    if not _SIREN.match(digits):
        raise InvalidIdentifier(f"not a SIREN (9 digits): {value!r}")
    return digits


def normalise_phone(value: str, default_region: str = "FR") -> str:
    """E.164 (`06 12 34 56 78` -> `+33612345678`); values already in E.164 skip the parser."""
    if _E164.match(value):
        return value
    try:
        parsed = phonenumbers.parse(value, default_region)
    except phonenumbers.NumberParseException as exc:
        raise InvalidIdentifier(f"not a phone number: {value!r}") from exc
    if not phonenumbers.is_possible_number(parsed):
        raise InvalidIdentifier(f"not a possible phone number: {value!r}")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


_NORMALISERS: dict[str, Callable[[str], str]] = {
    "email": normalise_email,
    "phone": normalise_phone,
    "domain": normalise_domain,
    "siren": normalise_siren,
}


def normalise(kind: str, value: str) -> str:
    if kind not in _NORMALISERS:
        raise InvalidIdentifier(f"unknown kind {kind!r} (expected one of {', '.join(KINDS)})")
    return _NORMALISERS[kind](value)


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@lru_cache(maxsize=1 << 17)
def list_value(kind: str, value: str) -> str:
    """What the suppression list stores for (kind, value): normalised, hashed for personal data."""
    norm = normalise(kind, value)
    return sha256_hex(norm) if kind in HASHED_KINDS else norm


def guess_kind(value: str) -> str:
    """'email' when the value holds an '@', 'siren' for 9 (or 14) digits; else InvalidIdentifier."""
    text = value.strip()
    if "@" in text:
        return "email"
    digits = re.sub(r"[\s.]", "", text)
    if digits.isdigit() and len(digits) in (9, 14):
        return "siren"
    raise InvalidIdentifier(f"cannot tell whether {value!r} is an email or a SIREN")
