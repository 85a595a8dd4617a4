from __future__ import annotations

import re

from .conftest import people
from waterfall.fake.world import World
from waterfall.providers.phones import guess_type, to_e164


def world(seed="firmo", catch_all=0.15, invalid=0.08):
    return World(seed, catch_all, invalid, 0.0)


def test_knowledge_is_stable_and_per_provider():
    a, b = world(), world()
    crowd = people()
    known = [a.knows("hunter", p.first_name, p.last_name, p.domain, 0.5) for p in crowd]
    assert known == [b.knows("hunter", p.first_name, p.last_name, p.domain, 0.5) for p in crowd]
    assert 0.4 < sum(known) / len(known) < 0.6
    other = [a.knows("lusha", p.first_name, p.last_name, p.domain, 0.5) for p in crowd]
    assert other != known
    assert [world("other").knows("hunter", p.first_name, p.last_name, p.domain, 0.5) for p in crowd] != known
    # the normalised name decides, not its spelling
    assert a.knows("hunter", "ÉLOÏSE", "LEFÈVRE", "ACME.fr", 0.5) == a.knows("hunter", "Eloise", "Lefevre", "acme.fr", 0.5)


def test_addresses_follow_the_domain_shape():
    w = world()
    assert World.company_domain("Boulangerie Lefèvre & Fils") == "boulangerie-lefevre-fils.fr"
    assert w.shape("boulangerie-lefevre.fr") == "first.last"
    assert w.email_of("Jean-Pierre", "de La Fontaine", "boulangerie-lefevre.fr") == \
        "jean-pierre.delafontaine@boulangerie-lefevre.fr"
    assert w.shape("boulangerie-martin.fr") == "f.last"
    assert w.email_of("Jean-Pierre", "de La Fontaine", "boulangerie-martin.fr") == "jp.delafontaine@boulangerie-martin.fr"
    assert w.email_of("Éloïse", "Lefèvre", "acme-conseil.fr") == "eloiselefevre@acme-conseil.fr"


def test_verifier_view_and_statuses():
    w = world(catch_all=0.0, invalid=0.0)
    assert w.verify("marie.dupont@boulangerie-lefevre.fr") == "valid"
    assert w.verify("m.dupont@boulangerie-lefevre.fr") == "invalid"   # wrong shape for that domain
    assert w.verify("m.dupont@boulangerie-martin.fr") == "valid"
    assert w.verify("not-an-address") == "invalid"
    assert world(catch_all=1.0).verify("anything@acme.fr") == "catch_all"
    assert world(catch_all=0.0, invalid=1.0).email_status("marie.dupont@acme.fr") == "invalid"


def test_phones_are_french_typed_and_stable():
    w = world()
    seen = {"mobile": 0, "direct": 0}
    for p in people():
        national, kind = w.phone_of(p.first_name, p.last_name, p.domain)
        assert re.fullmatch(r"0[1-7]( \d\d){4}", national)
        assert national[:2] in (("06", "07") if kind == "mobile" else ("01", "02", "03", "04", "05"))
        assert guess_type(to_e164(national)) == kind
        assert w.phone_of(p.first_name, p.last_name, p.domain) == (national, kind)
        seen[kind] += 1
    assert seen["mobile"] > seen["direct"] > 0
