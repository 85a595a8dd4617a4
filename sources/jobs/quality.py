"""Data-quality rules of the hiring tables: no asset check yet (an offer that cannot be keyed or
dated is quarantined in jobs.rejects by the load itself); GUARDED are the tables `firmo load jobs`
keeps from shrinking (firmo.quality.guard). core.job_offers is derived and rebuilt whole."""

from __future__ import annotations

from firmo.quality.model import QualityCheck
from sources.jobs.load import LBB, OFFRES

GUARDED = frozenset({OFFRES, LBB})
CHECKS: tuple[QualityCheck, ...] = ()
