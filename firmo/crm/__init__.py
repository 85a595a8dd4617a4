"""CRM export layer: enriched leads -> HubSpot / Salesforce / Pipedrive import files (or the
HubSpot API), incremental through `exports.ledger`, screened by `firmo.compliance` (suppression,
customers, the registries' prospecting flags) at export time."""

from firmo.crm.csvfile import Limits
from firmo.crm.export import ExportReport, export_leads
from firmo.crm.hubspot_api import HubSpotClient, HubSpotError
from firmo.crm.push import PushReport, push_hubspot
from firmo.crm.tables import ensure_tables

__all__ = [
    "ExportReport",
    "HubSpotClient",
    "HubSpotError",
    "Limits",
    "PushReport",
    "ensure_tables",
    "export_leads",
    "push_hubspot",
]
