"""Poll France Travail and keep what it said as raw JSON-lines files under `<raw>/jobs/`.

Why files between the API and the tables: a load must be re-runnable without calling the API
again, and quarantined rows need a file and a line. The files hold the flattened, whitelisted
rows (sources/jobs/parse.py), so a recruiter's name never reaches the disk. Each file is written
as `<name>.part` and renamed when complete; a crash leaves no half file under the final name.
"""

from __future__ import annotations

import json
import logging
import os
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sources.jobs.client import FranceTravailClient, NoHabilitation
from sources.jobs.parse import flatten_company, flatten_offer

LOG = logging.getLogger(__name__)


@dataclass
class FetchSummary:
    """What one poll did: the file written (None when skipped), rows, calls, and why skipped."""

    path: Path | None
    rows: int = 0
    requests: int = 0
    token_requests: int = 0
    by_departement: dict[str, int] = field(default_factory=dict)
    skipped: str | None = None


def _write_jsonl(path: Path, rows: Iterable[dict[str, Any]]) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    part = path.with_name(path.name + ".part")
    n = 0
    with open(part, "w", encoding="utf-8") as out:
        for row in rows:
            out.write(json.dumps(row, ensure_ascii=False, sort_keys=True) + "\n")
            n += 1
        out.flush()
        os.fsync(out.fileno())
    os.replace(part, path)
    return n


def fetch_offers(
    client: FranceTravailClient,
    out_dir: Path,
    *,
    departements: Sequence[str],
    today: date,
    days_back: int,
    rome_codes: Sequence[str] | None = None,
    log: Any = LOG,
) -> FetchSummary:
    """Offers created in the `days_back` days before `today` (today included), in each
    département (and ROME code when given), into `out_dir/offres_<today>.jsonl`; an offer seen
    by two searches is written once."""
    since, until = today - timedelta(days=days_back - 1), today + timedelta(days=1)
    seen: set[str] = set()
    by_dep: Counter[str] = Counter()
    requests_before, tokens_before = client.requests, client.token_requests

    def rows() -> Iterable[dict[str, Any]]:
        for dep in departements:
            romes: Sequence[str | None] = list(rome_codes) if rome_codes else [None]
            for rome in romes:
                for offer in client.offers_created(since, until, departement=dep, rome_code=rome):
                    row = flatten_offer(offer)
                    key = row.get("id")
                    if key and key in seen:
                        continue
                    if key:
                        seen.add(key)
                    by_dep[dep] += 1
                    yield row
            log.info("France Travail: département %s, %d offers created since %s", dep, by_dep[dep], since)

    path = out_dir / f"offres_{today.isoformat()}.jsonl"
    n = _write_jsonl(path, rows())
    return FetchSummary(
        path,
        n,
        client.requests - requests_before,
        client.token_requests - tokens_before,
        dict(by_dep),
    )


def fetch_labonneboite(
    client: FranceTravailClient,
    out_dir: Path,
    *,
    searches: Sequence[tuple[str, str]],
    today: date,
    log: Any = LOG,
) -> FetchSummary:
    """La Bonne Boîte companies for each (département, ROME code) into
    `out_dir/labonneboite_<today>.jsonl`. An account without the habilitation (HTTP 403) is
    logged once and skipped: no file, `skipped` says why, the previous table stays."""
    requests_before, tokens_before = client.requests, client.token_requests
    collected: list[dict[str, Any]] = []
    by_dep: Counter[str] = Counter()
    try:
        for dep, rome in searches:
            for item in client.lbb_companies(rome, dep):
                collected.append(flatten_company(item, today))
                by_dep[dep] += 1
    except NoHabilitation:
        log.warning(
            "La Bonne Boîte: this France Travail application has no access (HTTP 403, an extra "
            "habilitation is needed); hiring potential skipped"
        )
        return FetchSummary(
            None,
            0,
            client.requests - requests_before,
            client.token_requests - tokens_before,
            skipped="no habilitation (HTTP 403)",
        )
    path = out_dir / f"labonneboite_{today.isoformat()}.jsonl"
    n = _write_jsonl(path, collected)
    return FetchSummary(path, n, client.requests - requests_before, client.token_requests - tokens_before, dict(by_dep))
