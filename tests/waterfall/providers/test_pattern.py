from __future__ import annotations

import pytest

from waterfall.providers.base import Answer, Field, Person, RateLimited, Rejected, Status
from waterfall.providers.names import NameParts, ascii_fold, slug
from waterfall.providers.pattern import PatternProvider, candidates

pytestmark = pytest.mark.anyio


def test_simple_name_gives_the_common_french_patterns_in_order():
    assert candidates("Marie", "Dupont", "acme.fr") == [
        "marie.dupont@acme.fr", "m.dupont@acme.fr", "mariedupont@acme.fr", "dupont@acme.fr", "marie@acme.fr",
        "dupont.marie@acme.fr", "mdupont@acme.fr"]


def test_accents_ligatures_and_case_are_folded():
    assert candidates("ÉLOÏSE", "Lefèvre-Cœur", "Acme.FR", 3) == [
        "eloise.lefevre-coeur@acme.fr", "eloise.lefevrecoeur@acme.fr", "e.lefevre-coeur@acme.fr"]
    assert ascii_fold("François Ñoño Straße") == "francois nono strasse"


def test_particles_and_hyphenated_given_names():
    assert candidates("Jean-Pierre", "de La Fontaine", "acme.fr", 6) == [
        "jean-pierre.delafontaine@acme.fr", "jeanpierre.delafontaine@acme.fr", "jean-pierre.fontaine@acme.fr",
        "jean.delafontaine@acme.fr", "jp.delafontaine@acme.fr", "jeanpierredelafontaine@acme.fr"]
    assert candidates("Luc", "D'Artagnan", "acme.fr", 3) == [
        "luc.dartagnan@acme.fr", "luc.artagnan@acme.fr", "l.dartagnan@acme.fr"]
    assert NameParts.parse("de La Fontaine") == NameParts(("de", "la", "fontaine"), False)
    assert NameParts.parse("Le").core == "le"  # a name made only of a particle keeps it
    assert candidates("", "Dupont", "acme.fr") == []
    assert slug("Boulangerie Lefèvre & Fils S.A.S.") == "boulangerie-lefevre-fils-s-a-s"


class StubVerifier:
    """Answers from a dict address -> status, counting calls; 'reject' raises Rejected."""

    name = "stub"
    fields = frozenset({Field.VERIFY})

    def __init__(self, verdicts: dict[str, str], credits: float = 0.5) -> None:
        self.verdicts, self.credits, self.asked = verdicts, credits, []

    async def verify_email(self, email: str) -> Answer:
        self.asked.append(email)
        verdict = self.verdicts.get(email, "invalid")
        if verdict == "reject":
            raise Rejected("stub: refused")
        if verdict == "ratelimit":
            raise RateLimited("stub: slow down", retry_after=1)
        return Answer("stub", Field.VERIFY, email, Status(verdict), confidence=0.9, credits=self.credits,
                      raw_status=verdict)


PERSON = Person("1", "Acme", "Marie", "Dupont", domain="acme.fr")


async def test_first_valid_wins_and_stops_verifying():
    verifier = StubVerifier({"marie.dupont@acme.fr": "reject", "m.dupont@acme.fr": "risky",
                             "mariedupont@acme.fr": "valid", "dupont@acme.fr": "valid"})
    answer = await PatternProvider(verifier).find_email(PERSON)
    assert (answer.value, answer.status, answer.credits, answer.raw_status, answer.extra) == (
        "mariedupont@acme.fr", Status.VALID, 1.0, "valid", {"candidate_rank": 2, "verified_by": "stub"})
    assert verifier.asked == ["marie.dupont@acme.fr", "m.dupont@acme.fr", "mariedupont@acme.fr"]


async def test_first_risky_is_the_fallback_and_all_candidates_are_paid():
    verifier = StubVerifier({"dupont@acme.fr": "risky", "marie@acme.fr": "risky"})
    answer = await PatternProvider(verifier, max_candidates=6).find_email(PERSON)
    assert (answer.value, answer.status, answer.credits, answer.extra["candidate_rank"]) == (
        "dupont@acme.fr", Status.RISKY, 3.0, 3)
    assert len(verifier.asked) == 6


async def test_miss_when_nothing_verifies_and_errors_propagate():
    miss = await PatternProvider(StubVerifier({}, credits=1), max_candidates=2).find_email(PERSON)
    assert (miss.value, miss.status, miss.credits, miss.raw_status) == (None, Status.UNKNOWN, 2.0, "no_candidate_valid")
    with pytest.raises(RateLimited):
        await PatternProvider(StubVerifier({"marie.dupont@acme.fr": "ratelimit"})).find_email(PERSON)


async def test_without_verifier_or_domain():
    unverified = await PatternProvider(None).find_email(PERSON)
    assert (unverified.value, unverified.status, unverified.credits) == ("marie.dupont@acme.fr", Status.RISKY, 0.0)
    with pytest.raises(Rejected, match="domain"):
        await PatternProvider(None).find_email(Person("1", "Acme", "Marie", "Dupont"))
    with pytest.raises(ValueError, match="cannot verify"):
        PatternProvider(type("NoVerify", (), {"name": "x", "fields": frozenset({Field.EMAIL})})())
