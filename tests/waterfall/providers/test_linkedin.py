"""LinkedIn profile URLs to the one canonical form, and the forms vendors want (doc §7.1)."""

from __future__ import annotations

import pytest

from waterfall.providers.linkedin import bare_profile, profile_slug, profile_url


@pytest.mark.parametrize(("raw", "canonical"), [
    ("https://www.linkedin.com/in/ada-lovelace/", "https://www.linkedin.com/in/ada-lovelace/"),
    ("linkedin.com/in/Ada-Lovelace", "https://www.linkedin.com/in/ada-lovelace/"),
    ("https://fr.linkedin.com/in/ada-lovelace-4b2a1c93?trk=public", "https://www.linkedin.com/in/ada-lovelace-4b2a1c93/"),
    ("http://linkedin.com/in/ren%C3%A9-dupont/details", "https://www.linkedin.com/in/ren%c3%a9-dupont/"),
    ("ada-lovelace", "https://www.linkedin.com/in/ada-lovelace/"),
    ("https://www.linkedin.com/sales/lead/ACwAAA,NAME", None),   # Sales Navigator: not a profile
    ("https://www.linkedin.com/company/acme/", None),           # a company page
    ("https://example.com/in/ada", None),
    ("", None),
    (None, None),
])  # fmt: skip
def test_profile_url(raw, canonical):
    assert profile_url(raw) == canonical


def test_the_forms_vendors_want():
    url = "https://www.linkedin.com/in/ada-lovelace/"
    assert (profile_slug(url), bare_profile(url)) == ("ada-lovelace", "linkedin.com/in/ada-lovelace")
