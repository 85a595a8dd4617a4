"""One enrichment run in its own process, so a test can kill -9 it: `python enrich_child.py
<warehouse> <fake url> <run id>`. The fake providers run in the test's process; the chain and
limits are `CONFIG` below (no rate limit, one pool per provider, as `run_enrichment` builds)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[3]))

from firmo import db  # noqa: E402
from waterfall.config import from_mapping  # noqa: E402
from waterfall.enrich import run_enrichment  # noqa: E402
from waterfall.fake.config import FakeConfig  # noqa: E402
from waterfall.fake.vendor import base_path  # noqa: E402

PROVIDERS = ("hunter", "findymail", "icypeas")
LEAD_CONCURRENCY = 8
CONFIG = {
    "order": {"domain": ["hunter"], "email": ["findymail", "icypeas", "hunter"], "verify": ["hunter"], "phone": []},
    "lead_concurrency": LEAD_CONCURRENCY,
    "budget": {"per_lead": None, "per_run": None},
    "defaults": {"rps": None, "rpm": None, "concurrency": 8, "timeout_s": 10.0,
                 "retries": {"attempts": 2, "backoff_s": 0.01, "max_backoff_s": 0.05}},
    "providers": {"icypeas": {"poll_interval_s": 0.01, "poll_timeout_s": 5.0}},
}


def main(warehouse: str, url: str, run_id: str) -> None:
    con = db.connect(warehouse)
    try:
        report = run_enrichment(con, "crash", from_mapping(CONFIG, over_defaults=False), env=FakeConfig().env(),
                                base_urls={n: url + base_path(n) for n in PROVIDERS}, run_id=run_id)
        print(f"done {report.credits}")
    finally:
        con.close()


if __name__ == "__main__":
    main(*sys.argv[1:4])
