"""What the people-search adapters share (doc §8): picking, among a vendor's candidates, the first
whose title holds the persona by firmo's own title rules (firmo.personas), and the one answer shape.

Why re-check every candidate: vendors' filters are loose (Apollo matches title words and previous
employers, Hunter's `department` is its own guess and may be empty, PDL has no IT or purchasing
role), so the vendor's filter narrows the search and our mapping decides, the same way for all.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TypeVar

from firmo.personas import Persona, classify
from waterfall.providers.base import Answer, Field, PeopleQuery, Status

T = TypeVar("T")


def first_match(persona: Persona, candidates: Iterable[T], title_of: Callable[[T], str | None]) -> T | None:
    """The first candidate (vendor order) whose title holds the persona, else None."""
    for candidate in candidates:
        if persona.matches(title_of(candidate)):
            return candidate
    return None


def person_answer(
    provider: str,
    query: PeopleQuery,
    *,
    first_name: str,
    last_name: str,
    title: str | None,
    credits: float,
    raw_status: str,
    linkedin_url: str | None = None,
    email: str | None = None,
    email_status: Status | None = None,
    vendor_id: str | None = None,
) -> Answer:
    """A found person: value 'First Last', the details in `extra` (cached with the answer)."""
    got = classify(title)
    extra = {
        "first_name": first_name,
        "last_name": last_name,
        "title": title,
        "function": query.persona.function,
        "seniority": got.seniority,
        "linkedin_url": linkedin_url,
    }
    if email:
        extra.update(email=email.lower(), email_status=(email_status or Status.RISKY).value)
    if vendor_id:
        extra["vendor_id"] = vendor_id
    return Answer(
        provider,
        Field.PEOPLE,
        f"{first_name} {last_name}",
        Status.VALID,
        credits=credits,
        raw_status=raw_status,
        extra=extra,
    )
