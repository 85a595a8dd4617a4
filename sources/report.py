"""What a load did, in numbers a scheduler can show and a test can assert on: one shape for every
registry's loader (RNE, ratios, BODACC), so it sits beside them rather than in one of them."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass
class LoadReport:
    """Rows published and rows quarantined per target table, plus rejects by reason.

    `loaded` and `rejected` are keyed by the qualified table name (`inpi.officers`), so one
    report can describe a load that publishes several tables in the same transaction.
    """

    loaded: dict[str, int] = field(default_factory=dict)
    rejected: dict[str, int] = field(default_factory=dict)
    rejects_by_reason: dict[str, int] = field(default_factory=dict)
    superseded: int = 0  # payloads read but replaced by a newer one for the same key
    sources: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def as_dict(self) -> dict:
        return asdict(self)
