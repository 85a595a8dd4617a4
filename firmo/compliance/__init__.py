"""Compliance: who may be enriched, exported or kept, used by enrichment (`waterfall`) and export
(`firmo.crm`) alike, so it depends on neither.

- `suppression`: the suppression and existing-customers lists and their in-memory index;
- `normalise`: the canonical (and, for personal data, hashed) form of the identifiers they hold;
- `forget`: erasure / objection requests; `compaction`: making an erasure real on disk;
- `retention`: the 3-year purge of prospect contact data;
- `prospecting`: the two registry flags that forbid prospecting a unit (SIRENE `P`, RNE opposition);
- `tables`: the compliance tables and the names of the other tables holding personal data.
"""

from firmo.compliance.forget import ForgetResult, default_targets, forget
from firmo.compliance.retention import RetentionRule, default_rules, purge_expired
from firmo.compliance.suppression import (
    ImportResult,
    SuppressionIndex,
    add_customers,
    import_customers_csv,
    import_suppression_csv,
    is_suppressed,
    suppress,
)
from firmo.compliance.tables import ensure_tables

__all__ = [
    "ForgetResult",
    "ImportResult",
    "RetentionRule",
    "SuppressionIndex",
    "add_customers",
    "default_rules",
    "default_targets",
    "ensure_tables",
    "forget",
    "import_customers_csv",
    "import_suppression_csv",
    "is_suppressed",
    "purge_expired",
    "suppress",
]
