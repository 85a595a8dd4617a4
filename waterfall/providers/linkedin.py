"""LinkedIn profile URLs in one canonical form (doc §7.1): `https://www.linkedin.com/in/<slug>/`.

Vendors write them every way ("linkedin.com/in/ada-lovelace", "https://fr.linkedin.com/in/Ada-Lovelace?trk=x",
a bare slug) and want them every way: PDL takes `linkedin.com/in/<slug>` without a scheme, Kaspr the
slug alone, Apollo / RocketReach / LeadMagic the full URL. firmo keeps the canonical form (so two
vendors' answers compare equal and the CRM files get one spelling) and derives the others from it.
Sales Navigator (`/sales/...`) and company pages (`/company/...`) are not profile URLs: None.
"""

from __future__ import annotations

import re
from urllib.parse import urlparse

_SLUG = re.compile(r"[a-z0-9][a-z0-9\-_%.]{1,99}")


def profile_slug(value: str | None) -> str | None:
    """The profile's slug (lower case), or None when `value` is not a LinkedIn profile URL/slug."""
    text = (value or "").strip()
    if not text:
        return None
    if "/" not in text and "." not in text:  # a bare slug
        slug = text
    else:
        parsed = urlparse(text if "//" in text else f"//{text}")
        host = (parsed.hostname or "").lower()
        if host != "linkedin.com" and not host.endswith(".linkedin.com"):
            return None
        parts = [p for p in parsed.path.split("/") if p]
        if len(parts) < 2 or parts[0].lower() not in ("in", "pub"):
            return None
        slug = parts[1]
    slug = slug.lower()  # percent-escapes kept (non-ASCII slugs), so the URL stays a URL
    return slug if _SLUG.fullmatch(slug) else None


def profile_url(value: str | None) -> str | None:
    """`https://www.linkedin.com/in/<slug>/`, or None when `value` is not a profile."""
    slug = profile_slug(value)
    return f"https://www.linkedin.com/in/{slug}/" if slug else None


def bare_profile(value: str | None) -> str | None:
    """`linkedin.com/in/<slug>`: the form PDL's `profile` parameter documents (doc §7.1)."""
    slug = profile_slug(value)
    return f"linkedin.com/in/{slug}" if slug else None
