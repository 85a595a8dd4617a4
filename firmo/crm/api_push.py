"""The CRM API push, one entry for every caller: `firmo export --push <crm>` and the workspace's
"Push to CRM" action build the client and run the push through these two functions, so both
send the same leads with the same checks (the export's screening and last gate, suppression,
customers, CRM disqualifications, the ledger's new-or-changed rule) and both refuse a CRM that
the settings do not configure with the same one line naming the variable to set.

A client is built before anything is read or written: a missing credential stops a push before
the warehouse is opened. The credential is never part of a message.
"""

from __future__ import annotations

from typing import Any

import duckdb
import polars as pl

from firmo.settings import Settings

API_CRMS = ("hubspot", "pipedrive", "salesforce")  # the CRMs a push delivers to through their API


class NotConfigured(ValueError):
    """The settings lack the CRM's credential (or give an unusable one): one line, no secret."""


def _reveal(secret: Any) -> str | None:
    return secret.get_secret_value() if secret is not None else None


def configured(settings: Settings) -> tuple[str, ...]:
    """The CRMs whose credential the settings hold (what the workspace offers to push to)."""
    out = []
    if settings.hubspot_token():
        out.append("hubspot")
    if settings.pipedrive_api_token is not None:
        out.append("pipedrive")
    if settings.salesforce_client_id and (settings.salesforce_private_key or settings.salesforce_client_secret):
        out.append("salesforce")
    return tuple(out)


def api_client(settings: Settings, crm: str) -> Any:
    """The API client of `crm` the settings describe (a context manager); NotConfigured when a
    setting is missing or unusable, before any call."""
    if crm not in API_CRMS:
        raise NotConfigured(f"{crm}: not a CRM the push knows (one of {', '.join(API_CRMS)})")
    if crm == "hubspot":
        from firmo.crm.hubspot_api import HubSpotClient, HubSpotError

        try:
            return HubSpotClient(settings.hubspot_token(), base_url=settings.hubspot_base_url)
        except HubSpotError as exc:
            raise NotConfigured(f"{exc} (or HUBSPOT_SERVICE_KEY)") from None
    if crm == "pipedrive":
        from firmo.crm.pipedrive_api import PipedriveClient, PipedriveError

        try:
            return PipedriveClient(
                _reveal(settings.pipedrive_api_token),
                base_url=settings.pipedrive_api_url,
                token_budget=settings.pipedrive_token_budget,
            )
        except PipedriveError as exc:
            raise NotConfigured(str(exc)) from None
    from firmo.crm.salesforce_api import SalesforceClient, SalesforceError

    try:
        return SalesforceClient(
            client_id=settings.salesforce_client_id,
            username=settings.salesforce_username,
            private_key=_reveal(settings.salesforce_private_key),
            client_secret=_reveal(settings.salesforce_client_secret),
            login_url=settings.salesforce_login_url,
            instance_url=settings.salesforce_instance_url,
            bulk_threshold=settings.salesforce_bulk_threshold,
        )
    except SalesforceError as exc:
        raise NotConfigured(str(exc)) from None
    except (OSError, ValueError):  # the key's text is never shown
        raise NotConfigured(
            "FIRMO_SALESFORCE_PRIVATE_KEY: not a readable PEM RSA private key (a file path or the PEM itself)"
        ) from None


def push(
    crm: str,
    leads: pl.DataFrame,
    *,
    con: duckdb.DuckDBPyConnection,
    client: Any,
    settings: Settings,
    full: bool = False,
    dry_run: bool = False,
) -> Any:
    """Run the push of `crm` (push_hubspot, push_pipedrive or push_salesforce) with the settings'
    options; returns its report. A dry run of HubSpot or Salesforce takes `client=None`."""
    days = settings.crm_disqualified_days
    if crm == "hubspot":
        from firmo.crm.push import push_hubspot

        return push_hubspot(leads, con=con, client=client, full=full, dry_run=dry_run, disqualified_days=days)
    if crm == "pipedrive":
        from firmo.crm.push_pipedrive import push_pipedrive

        return push_pipedrive(leads, con=con, client=client, full=full, dry_run=dry_run, disqualified_days=days)
    if crm == "salesforce":
        from firmo.crm.push_salesforce import push_salesforce

        return push_salesforce(
            leads,
            con=con,
            client=client,
            lead_object=settings.salesforce_lead_object,
            full=full,
            dry_run=dry_run,
            disqualified_days=days,
        )
    raise NotConfigured(f"{crm}: not a CRM the push knows (one of {', '.join(API_CRMS)})")
