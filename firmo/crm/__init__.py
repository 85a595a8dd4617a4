"""CRM export layer: enriched leads -> HubSpot / Salesforce / Pipedrive import files (or the
HubSpot API), incremental through `exports.ledger`, screened against `exports.suppression` and
`exports.customers`, with GDPR erasure (`forget`) and the 3-year retention purge."""

from firmo.crm.compliance import (
    ImportResult,
    SuppressionIndex,
    add_customers,
    import_customers_csv,
    import_suppression_csv,
    is_suppressed,
    suppress,
)
from firmo.crm.csvfile import Limits
from firmo.crm.export import ExportReport, export_leads
from firmo.crm.forget import ForgetResult, default_targets, forget
from firmo.crm.hubspot_api import HubSpotClient, HubSpotError
from firmo.crm.push import PushReport, push_hubspot
from firmo.crm.retention import RetentionRule, default_rules, purge_expired
from firmo.crm.tables import ensure_tables

__all__ = [
    "ExportReport", "ForgetResult", "HubSpotClient", "HubSpotError", "ImportResult", "Limits", "PushReport",
    "RetentionRule", "SuppressionIndex", "add_customers", "default_rules", "default_targets", "ensure_tables",
    "export_leads", "forget", "import_customers_csv", "import_suppression_csv", "is_suppressed", "purge_expired",
    "push_hubspot", "suppress",
]
