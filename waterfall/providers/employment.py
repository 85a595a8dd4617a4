"""The re-check contract (doc §7): "where does this person work now?", asked of the vendors that
return a person's current employer.

A provider declares the capability by inheriting `EmployerCheck` (the flag `returns_employer`,
which `waterfall.providers.registry.PROVIDERS` exposes as `ProviderSpec.returns_employer`) and
implementing `current_employer`; `waterfall.recheck` then asks it, cheapest first by
`recheck_credits` (the most one check can cost, for the monthly budget). A new adapter (Kaspr,
LeadMagic, RocketReach...) slots in by doing the same: the re-check never names a vendor.

What comes back is vendor-neutral (`Employment`): every employer the vendor says is current (several
can be: an additional role is not a departure, doc §7.1), the title, when the current job started
and the evidence in the vendor's own words. Comparing it with what we hold is the re-check's job,
not the adapter's. A weak departure signal (an address that verified `valid` and now bounces,
doc §7.9) is the verifier's answer, read by the re-check through `verify_email`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import ClassVar

from waterfall.providers.base import Status

_MONTHS = {
    m: i for i, m in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1)
}


@dataclass(frozen=True)
class EmployerQuery:
    """Who to re-check: what we hold about the person (any of the keys the vendors accept, §7.0)."""

    first_name: str | None
    last_name: str | None
    company_name: str | None  # the employer we hold
    domain: str | None  # its web domain
    email: str | None = None  # the address we hold (re-check by email, and the verifier's weak signal)
    linkedin_url: str | None = None
    since: date | None = None  # when we last knew the employer: event-based vendors look back to it (Lusha)


@dataclass(frozen=True)
class Job:
    """One current position as a vendor reports it."""

    company_name: str | None
    domain: str | None
    title: str | None = None
    since: date | None = None  # start of this job (first of the month when only year/month is known)
    until: date | None = None  # end of a past job
    linkedin_company: str | None = None
    city: str | None = None  # where the employer is (its head office), for a SIREN match by name + place


@dataclass(frozen=True)
class Employment:
    """A vendor's answer to a re-check. `known` False: the vendor does not know the person (a miss)."""

    provider: str
    known: bool
    current: tuple[Job, ...] = ()  # every position the vendor says is current, primary first
    past: tuple[Job, ...] = ()  # positions the vendor lists as ended (with `until` when dated)
    email: str | None = None  # the address the vendor holds now (at the current employer)
    email_status: Status | None = None
    credits: float = 0.0
    raw_status: str | None = None
    evidence: str = ""  # what the vendor said, in its own field names, for the signal's evidence
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def primary(self) -> Job | None:
        return self.current[0] if self.current else None


class EmployerCheck:
    """Mixin of the adapters that return a person's current employer (doc §7.0)."""

    returns_employer: ClassVar[bool] = True
    recheck_credits: ClassVar[float] = 1.0  # the most one re-check costs (budget), before any answer

    async def current_employer(self, query: EmployerQuery) -> Employment:
        raise NotImplementedError


def registrable(domain: str | None) -> str | None:
    """'https://www.Acme.fr/x' -> 'acme.fr': the key employers are compared on (doc §7.1)."""
    if not domain or not domain.strip():
        return None
    host = domain.strip().lower()
    host = re.sub(r"^[a-z]+://", "", host).split("/")[0].split("@")[-1].removeprefix("www.")
    return host if "." in host else None


def parse_month(value: str | None) -> date | None:
    """A vendor's date as the first of its month: 'YYYY', 'YYYY-MM', 'YYYY-MM-DD' (PDL, Apollo,
    Lusha) or 'Sep 2022' / 'Sep 2022 - Present' (LeadMagic); None for 'Present' or garbage."""
    if not value:
        return None
    text = value.strip()
    m = re.match(r"^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?", text)
    if m:
        month = int(m.group(2) or 1)
        return date(int(m.group(1)), month, 1) if 1 <= month <= 12 else None
    m = re.match(r"^([A-Za-z]{3})[a-z]*\.? (\d{4})", text)
    if m and m.group(1).lower() in _MONTHS:
        return date(int(m.group(2)), _MONTHS[m.group(1).lower()], 1)
    return None
