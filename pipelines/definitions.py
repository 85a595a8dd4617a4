"""The Dagster code location: every firmo asset, resource, job, schedule and sensor.

`dagster dev -m pipelines.definitions` (or `make ui`) loads this module.
"""

from __future__ import annotations

from dagster import Definitions, load_asset_checks_from_modules, load_assets_from_modules

import assets.analytics
import assets.bodacc
import assets.checks
import assets.daily_changes
import assets.exports
import assets.icp
import assets.inpi
import assets.signals
import assets.sirene
import assets.waterfall
from assets.policies import with_policies
from pipelines.jobs import all_jobs
from pipelines.schedules import all_schedules
from pipelines.sensors import all_sensors
from pipelines.resources import (
    ProvidersResource,
    RegistrySourcesResource,
    RneApiResource,
    SireneApiResource,
    warehouse_from_env,
)

ASSET_MODULES = [assets.sirene, assets.inpi, assets.bodacc, assets.daily_changes, assets.signals, assets.icp, assets.waterfall, assets.exports,
                 assets.analytics]


def build_definitions() -> Definitions:
    """Built by a function so tests can rebuild it after pointing the environment elsewhere."""
    return Definitions(
        assets=with_policies(load_assets_from_modules(ASSET_MODULES)),
        asset_checks=load_asset_checks_from_modules([assets.checks]),
        jobs=all_jobs(),
        schedules=all_schedules(),
        sensors=all_sensors(),
        resources={
            "warehouse": warehouse_from_env(),
            "registry_sources": RegistrySourcesResource.from_env(),
            "providers": ProvidersResource.from_env(),
            "sirene_api": SireneApiResource.from_env(),
            "rne_api": RneApiResource.from_env(),
        },
    )


defs = build_definitions()
