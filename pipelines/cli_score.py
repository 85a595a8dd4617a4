"""`firmo score ... --enrich / --push <crm>`: a scored list enriched and delivered through the
code paths a lead list uses, never a copy of them.

- `--enrich`: the scored rows are published as a lead list, leads.<icp>__<list stem> (the very
  columns of leads.<icp>: `firmo.icp.byol.publish_list`), and the contact waterfall runs on it
  (`waterfall.enrich.run_enrichment`, as the `enriched_leads` asset does), giving
  leads.<icp>__<list stem>_enriched;
- `--push <crm>`: the scored (and enriched) rows go through `firmo.crm.api_push.push`, the
  function `firmo export --push` and the workspace call: the same last gate (P units, RNE
  opposition, closed units, suppression, customers, a CRM's recent disqualification) and the same
  ledger, so a re-run pushes only what changed. Rows that were not scored (outside the ICP,
  unmatched, ambiguous, refused) are in no lead frame, so they are never pushed.

The CRM clients are built before anything is scored or written: a missing credential stops the
command with the line `firmo export` gives.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import typer

from firmo.errors import InputError
from firmo.settings import Settings

PUSH_CRMS = ("hubspot", "pipedrive", "salesforce")  # as `firmo export --push`


def push_clients(settings: Settings, crms: Sequence[str], *, dry_run: bool) -> dict[str, Any]:
    """CRM -> its API client (None for the HubSpot and Salesforce dry runs, which make no call),
    or an InputError naming the unknown CRM or the missing setting."""
    from firmo.crm.api_push import NotConfigured, api_client

    unknown = [c for c in crms if c not in PUSH_CRMS]
    if unknown:
        raise InputError(f"--push {unknown[0]}: not one of {', '.join(PUSH_CRMS)}")
    clients: dict[str, Any] = {}
    for crm in dict.fromkeys(crms):
        if dry_run and crm != "pipedrive":
            clients[crm] = None
            continue
        try:
            clients[crm] = api_client(settings, crm)
        except NotConfigured as exc:
            raise InputError(str(exc)) from None
    return clients


def enrich_list(con: Any, name: str, icp: Any, settings: Settings) -> str:
    """Run the contact waterfall over leads.<name> with the settings' providers, DNS resolver and
    the ICP's personas (what the `enriched_leads` asset gives it); returns what it did, one line."""
    from firmo.icp.authority import AuthorityPlan
    from firmo.settings import provider_key_var
    from waterfall.config import load_config
    from waterfall.dns import MxResolver
    from waterfall.enrich import run_enrichment

    env = {provider_key_var(n): str(settings.provider_key(n)) for n in settings.provider_keys}
    report = run_enrichment(
        con,
        name,
        load_config(settings.waterfall_config),
        env=env,
        base_urls=settings.provider_base_urls,
        plan=AuthorityPlan.of(icp),
        resolver=MxResolver(settings.dns_resolver, timeout=3.0),
    )
    f = report.funnel
    return (
        f"enriched {report.table}: {f['leads']:,} leads, {f['not blocked']:,} not blocked, "
        f"{f['email found']:,} emails ({f['email valid']:,} valid), {f['phone found']:,} phones; "
        f"{report.credits:g} credits"
    )


def push_leads(leads: Any, con: Any, clients: dict[str, Any], settings: Settings, *, dry_run: bool) -> list[str]:
    """Push `leads` to each CRM of `clients` through firmo.crm.api_push.push; what each did."""
    import httpx

    from firmo.crm import HubSpotError
    from firmo.crm.api_push import push
    from pipelines.cli_crm import _push_pipedrive, format_push, format_push_dry_run
    from pipelines.cli_crm_api import push_salesforce_text

    lines = []
    for crm, client in clients.items():
        if crm == "pipedrive":
            lines.append(_push_pipedrive(leads, con, client, settings, full=False, dry_run=dry_run))
        elif crm == "salesforce":
            lines.append(push_salesforce_text(leads, con, client, settings, full=False, dry_run=dry_run))
        else:
            try:
                report = push("hubspot", leads, con=con, client=client, settings=settings, dry_run=dry_run)
            except (HubSpotError, httpx.HTTPError) as exc:
                typer.secho(
                    f"HubSpot push stopped ({exc}); the push is not recorded in exports.ledger, "
                    "so the next run sends it again",
                    fg=typer.colors.RED,
                    err=True,
                )
                raise typer.Exit(1) from None
            lines.append(format_push_dry_run(report) if dry_run else format_push(report))
    return lines
