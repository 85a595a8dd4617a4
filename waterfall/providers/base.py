"""The one contract every contact-enrichment provider adapter honours.

The engine never knows a provider's HTTP dialect: it asks a `Provider` one question
(domain, email or phone for a `Person`, or verification of an email) and gets back an `Answer`
whose status is normalised to four values (doc §2.12), plus the credits the question cost and the
provider's own raw status for the provenance table. Everything odd about a provider (Hunter's 403
meaning rate limit, Prospeo's HTTP 400 error codes, Dropcontact's `success: false` meaning "not
ready yet") stays inside its adapter and comes out either as an `Answer` or as one of the
`ProviderError` subclasses below, which tell the engine what to do next.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol, runtime_checkable

from firmo.personas import Persona


class Field(StrEnum):
    DOMAIN = "domain"
    EMAIL = "email"
    PHONE = "phone"
    VERIFY = "verify"  # verification of an email found elsewhere
    PEOPLE = "people"  # the person holding a persona at a company (people search by domain and role)
    LINKEDIN = "linkedin"  # the person's LinkedIn profile URL, a provenance row beside the answer that gave it
    COMPANY = "company"  # company-level facts (domain, LinkedIn page, switchboard, headcount): waterfall.company


class Status(StrEnum):
    """Normalised verification status (doc §2.12)."""

    VALID = "valid"  # deliverable / verified
    RISKY = "risky"  # catch-all / accept-all / unverifiable domain: keep as fallback, go on
    INVALID = "invalid"  # bounces: never use
    UNKNOWN = "unknown"  # not found, or the provider could not tell


@dataclass(frozen=True)
class Person:
    """A decision maker to enrich, as the ICP lead list names them."""

    siren: str
    company_name: str
    first_name: str | None
    last_name: str | None
    domain: str | None = None  # company web domain when already known
    job_title: str | None = None
    linkedin_url: str | None = None
    city: str | None = None

    def key(self, what: Field) -> str:
        """Normalised input identifying the question, for the cache (provider + key)."""
        norm = lambda s: " ".join((s or "").lower().split())  # noqa: E731
        if what is Field.DOMAIN:
            return f"{self.siren}|{norm(self.company_name)}"
        return f"{norm(self.first_name)}|{norm(self.last_name)}|{norm(self.domain) or self.siren}"


@dataclass(frozen=True)
class PeopleQuery:
    """Who holds `persona` (function + seniority, firmo.personas) at the company of `domain`.

    The answer's value is the person's full name; `extra` holds first_name, last_name, title,
    function, seniority, linkedin_url, and email / email_status when the vendor's search gives one."""

    siren: str
    company_name: str
    domain: str
    persona: Persona

    def key(self, what: Field) -> str:
        """Cache key: the company's domain and the persona (the same question for any lead)."""
        return f"{self.domain.strip().lower()}|{self.persona.function}|{self.persona.seniority}"


@dataclass(frozen=True)
class CompanyQuery:
    """A company to profile (waterfall.company): by name and city until its domain is known, then
    by domain, which is what most company endpoints take (doc §7.10).

    The answer's value is the domain found (or None); `extra` holds the facts the vendor gave
    (`waterfall.company.FACTS`)."""

    siren: str
    company_name: str
    domain: str | None = None
    city: str | None = None

    def key(self, what: Field) -> str:
        """Cache key: by domain once known (the same company for any lead), else SIREN and name."""
        norm = lambda s: " ".join((s or "").lower().split())  # noqa: E731
        return f"domain:{norm(self.domain)}" if self.domain else f"{self.siren}|{norm(self.company_name)}"


@dataclass(frozen=True)
class Answer:
    """One provider's answer to one question. `value` is None on a miss."""

    provider: str
    field: Field
    value: str | None
    status: Status
    confidence: float | None = None  # 0..1 when the provider gives a score
    credits: float = 0.0  # credits this call consumed (0 on a free miss)
    raw_status: str | None = None  # provider's own vocabulary, for provenance
    extra: dict[str, Any] = dataclasses.field(default_factory=dict)  # e.g. {"phone_type": "mobile"}

    @property
    def found(self) -> bool:
        return self.value is not None and self.status is not Status.INVALID


class ProviderError(Exception):
    """Base of what an adapter raises instead of answering. Messages never contain a key."""

    retryable = False


class RateLimited(ProviderError):
    """Slow down and retry (Hunter 403, most 429s). `retry_after` in seconds when given."""

    retryable = True

    def __init__(self, message: str, retry_after: float | None = None):
        super().__init__(message)
        self.retry_after = retry_after


class Transient(ProviderError):
    """Timeout, connection error, 5xx: retry with backoff, then 'not found (transient)'."""

    retryable = True


class QuotaExhausted(ProviderError):
    """No credits left (Hunter 429, Prospeo NO_CREDITS...): skip this provider for the run."""


class AuthFailed(ProviderError):
    """Bad or missing key: skip this provider for the run."""


class Forgotten(ProviderError):
    """HTTP 451: the person asked to be erased; the engine suppresses them everywhere."""


class Rejected(ProviderError):
    """The provider refused this input (bad request): a miss with a reason, no retry."""


class BadAnswer(ProviderError):
    """A 2xx whose body is not the vendor's documented shape (`data.email` a number, `data` a string,
    a list where an object belongs...), or any unexpected exception inside one question. A failed
    question with the reason, counted by the circuit breaker; never retried (the vendor may have
    billed it), never an exception that ends the run."""


class CircuitOpen(ProviderError):
    """The provider's circuit breaker is open: the request was not sent (nothing billed)."""


@runtime_checkable
class Provider(Protocol):
    """What the engine calls. An adapter implements only the fields listed in `fields`."""

    name: str
    fields: frozenset[Field]

    async def find_domain(self, person: Person) -> Answer: ...

    async def find_email(self, person: Person) -> Answer: ...

    async def find_phone(self, person: Person) -> Answer: ...

    async def verify_email(self, email: str) -> Answer: ...
