"""Data-quality rules of bodacc.notices: no asset check yet (a notice that cannot be read is
quarantined in bodacc.rejects with its reason by the load itself); GUARDED is the table
`firmo load bodacc` keeps from shrinking (firmo.quality.guard)."""

from __future__ import annotations

from firmo.quality.model import QualityCheck
from sources.bodacc.load import TABLE

GUARDED = frozenset({TABLE})
CHECKS: tuple[QualityCheck, ...] = ()
