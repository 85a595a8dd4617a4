"""The built-in `pattern` provider: no account, just the usual French company address patterns
(prénom.nom, p.nom, prénomnom, nom, prénom, nom.prénom, pnom) for the officer's name on the
company domain, each checked with a configured verifier provider.

The first VALID candidate wins; otherwise the first RISKY one (catch-all domain) is kept as a
fallback; otherwise a miss. Cost = the verifier's credits, so `max_candidates` caps the spend.
Without a verifier the top candidate comes back unverified (RISKY) at no cost.
"""

from __future__ import annotations

from waterfall.providers.base import Answer, Field, Person, Provider, Rejected, Status
from waterfall.providers.names import NameParts


def candidates(first_name: str, last_name: str, domain: str, limit: int | None = None) -> list[str]:
    """Candidate addresses, most likely first, de-duplicated.

    The dominant prénom.nom comes first, then its spelling variants for compound names
    (hyphen dropped, particles dropped, first given name only), then the other patterns.
    """
    given, family = NameParts.parse(first_name), NameParts.parse(last_name)
    g, n = given.joined, family.joined
    if not g or not n:
        return []
    gi, domain = given.initials, domain.strip().lower().lstrip("@")
    locals_ = [
        f"{g}.{n}",
        f"{given.compact}.{n}",
        f"{g}.{family.compact}",
        f"{g}.{family.core}",
        f"{given.first}.{n}",
        f"{gi}.{n}",
        f"{given.compact}{family.compact}",
        family.compact,
        given.compact,
        f"{n}.{g}",
        f"{gi}{family.compact}",
    ]
    out: list[str] = []
    for local in locals_:
        address = f"{local}@{domain}"
        if address not in out:
            out.append(address)
    return out[:limit] if limit is not None else out


class PatternProvider:
    name = "pattern"
    fields = frozenset({Field.EMAIL})

    def __init__(self, verifier: Provider | None, max_candidates: int = 6) -> None:
        if verifier is not None and Field.VERIFY not in verifier.fields:
            raise ValueError(f"pattern: {verifier.name} cannot verify emails")
        self.verifier = verifier
        self.max_candidates = max_candidates

    def __repr__(self) -> str:
        return (
            f"PatternProvider(verifier={getattr(self.verifier, 'name', None)!r}, max_candidates={self.max_candidates})"
        )

    def with_verifier(self, verifier: Provider) -> PatternProvider:
        """The same guesser asking `verifier` (the engine routes the checks through the verifier's gate)."""
        return PatternProvider(verifier, self.max_candidates)

    async def find_email(self, person: Person) -> Answer:
        if not person.domain:
            raise Rejected("pattern: a company domain is required")
        tried = candidates(person.first_name or "", person.last_name or "", person.domain, self.max_candidates)
        if not tried:
            raise Rejected("pattern: first and last name are both required")
        if self.verifier is None:
            return Answer(
                self.name, Field.EMAIL, tried[0], Status.RISKY, raw_status="unverified", extra={"candidate_rank": 0}
            )
        credits, fallback = 0.0, None
        for rank, address in enumerate(tried):
            try:
                verdict = await self.verifier.verify_email(address)
            except Rejected:
                continue  # the verifier refused this spelling: try the next one
            credits += verdict.credits
            extra = {"candidate_rank": rank, "verified_by": self.verifier.name}
            if verdict.status is Status.VALID:
                return Answer(
                    self.name,
                    Field.EMAIL,
                    address,
                    Status.VALID,
                    confidence=verdict.confidence,
                    credits=credits,
                    raw_status=verdict.raw_status,
                    extra=extra,
                )
            if verdict.status is Status.RISKY and fallback is None:
                fallback = (address, verdict, extra)
        if fallback is not None:
            address, verdict, extra = fallback
            return Answer(
                self.name,
                Field.EMAIL,
                address,
                Status.RISKY,
                confidence=verdict.confidence,
                credits=credits,
                raw_status=verdict.raw_status,
                extra=extra,
            )
        return Answer(
            self.name,
            Field.EMAIL,
            None,
            Status.UNKNOWN,
            credits=credits,
            raw_status="no_candidate_valid",
            extra={"candidates_tried": len(tried)},
        )

    async def find_domain(self, person: Person) -> Answer:
        raise NotImplementedError("pattern does not find domains")

    async def find_phone(self, person: Person) -> Answer:
        raise NotImplementedError("pattern does not find phones")

    async def verify_email(self, email: str) -> Answer:
        raise NotImplementedError("pattern does not verify emails")
