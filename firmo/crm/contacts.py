"""The last check of a lead's contact values before they are written into a CRM file.

A CRM matches contacts on the email and companies on the domain, so these cells must reach the
importer exactly as they are: never quoted. The CSV layer neutralises any text cell starting
with `=`, `+`, `-`, `@`, TAB or CR (formula injection) by prefixing a quote; on an email, that
quote makes `-x@acme.fr` the key `'-x@acme.fr`, a different contact. So a value the CSV layer
would have to quote, or that is not what its column says, is refused here and the lead goes to
`exports.rejects` with the reason instead of into the file:

- email: a valid address (email-validator, syntax only: no DNS; ASCII, as the CRMs' importers and
  the `enriched_leads_contacts` check expect) whose first character is not a formula trigger
  (RFC 5322 allows a leading `-`, `+` or `=` in the local part; the CRM key would not survive it);
- phone: E.164 as the waterfall writes it (`+`, country code, a possible number, nothing else);
- website_domain: a host name (letters, digits and hyphens in dot-separated labels, an
  alphabetic or punycode top-level domain), no scheme, path, port or trailing dot.

Missing values (NULL or empty) are fine: a lead without email is exported as company + name.
Reasons never contain the email or the phone (personal data outlives nothing in the quarantine);
the domain, company data, is quoted.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

import phonenumbers
from email_validator import EmailNotValidError, validate_email

from firmo.crm.csvfile import FORMULA_TRIGGERS
from firmo.crm.ledger import contact_email

# LDH labels; the top-level domain alphabetic or an IDN in punycode (xn--...)
HOSTNAME = re.compile(
    r"^(?=.{4,253}\Z)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})\Z", re.IGNORECASE
)


def _present(value: Any) -> bool:
    return value is not None and value != ""


@lru_cache(maxsize=1 << 16)
def email_problem(email: str) -> str | None:
    """Why `email` (as the export would write it) cannot go into a CRM file, or None."""
    if email[:1] in FORMULA_TRIGGERS:
        return (
            f"email starts with {email[:1]!r}: the CSV would have to quote it as a formula, and the "
            "quoted value would no longer match the contact in the CRM"
        )
    try:
        validate_email(email, check_deliverability=False, allow_smtputf8=False)
    except EmailNotValidError as exc:
        return f"email is not a valid address: {exc}"
    return None


@lru_cache(maxsize=1 << 16)
def phone_problem(phone: str) -> str | None:
    """Why `phone` is not E.164 the way the waterfall writes it, or None."""
    try:
        parsed = phonenumbers.parse(phone, None)  # no default region: the '+' and country code are required
    except phonenumbers.NumberParseException:
        parsed = None
    if (
        parsed is None
        or not phonenumbers.is_possible_number(parsed)
        or phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164) != phone
    ):
        return "phone is not an E.164 number (+, country code, digits only, e.g. +33612345678)"
    return None


def domain_problem(domain: str) -> str | None:
    """Why `domain` is not a host name, or None (the value is company data: it is quoted)."""
    if HOSTNAME.match(domain):
        return None
    return (
        f"website_domain {domain!r} is not a host name (dot-separated labels of letters, digits and '-', e.g. acme.fr)"
    )


def contact_problem(lead: Mapping[str, Any]) -> str | None:
    """The first reason the lead's email, phone or domain cannot be exported as is, or None."""
    if _present(lead.get("email")):
        problem = email_problem(contact_email(lead) or str(lead["email"]))
        if problem:
            return problem
    if _present(lead.get("phone")):
        problem = phone_problem(str(lead["phone"]))
        if problem:
            return problem
    if _present(lead.get("website_domain")):
        return domain_problem(str(lead["website_domain"]))
    return None
