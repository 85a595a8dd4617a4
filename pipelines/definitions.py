"""The Dagster code location: every firmo asset, resource, job, schedule and sensor.

`dagster dev -m pipelines.definitions` (or `make ui`) loads this module; `defs` is lazy
(`@definitions`): the environment is read when Dagster loads the code location, not when the
module is imported, and `build_definitions(settings)` builds another set from other settings.
"""

from __future__ import annotations

from dagster import AssetsDefinition, Definitions, definitions, load_asset_checks_from_modules, load_assets_from_modules

import assets.alerts
import assets.analytics
import assets.bodacc
import assets.checks
import assets.daily_changes
import assets.decp
import assets.exports
import assets.geoloc
import assets.icp
import assets.idcc
import assets.inpi
import assets.jobs
import assets.labels
import assets.rechecks
import assets.signals
import assets.sirene
import assets.waterfall
from assets.bodacc import BODACC_KEY, build_bodacc_notices
from assets.partitions import bodacc_partitions
from assets.policies import with_policies
from assets.resources import resources_from_settings
from firmo.settings import Settings
from pipelines.jobs import all_jobs
from pipelines.schedules import all_schedules
from pipelines.sensors import all_sensors

ASSET_MODULES = [
    assets.sirene,
    assets.inpi,
    assets.bodacc,
    assets.decp,
    assets.geoloc,
    assets.idcc,
    assets.labels,
    assets.jobs,
    assets.daily_changes,
    assets.signals,
    assets.icp,
    assets.waterfall,
    assets.rechecks,
    assets.exports,
    assets.analytics,
    assets.alerts,
]


def build_definitions(settings: Settings | None = None) -> Definitions:
    """Every definition, its resources built from `settings` (default: `Settings.from_env()`,
    read now). Two calls with two settings objects give two independent code locations: each
    resource holds its own paths, endpoints and which secrets are set."""
    settings = settings or Settings.from_env()
    bodacc_days = bodacc_partitions(settings.bodacc_start)  # the partitions are definitions: built here
    loaded = [
        a
        for a in load_assets_from_modules(ASSET_MODULES)
        if not (isinstance(a, AssetsDefinition) and BODACC_KEY in a.keys)
    ]
    jobs = all_jobs()
    nightly = next(job for job in jobs if job.name == "nightly")  # its partitions: the assets' (bodacc_days)
    return Definitions(
        assets=with_policies([*loaded, build_bodacc_notices(bodacc_days)]),
        asset_checks=load_asset_checks_from_modules([assets.checks]),
        jobs=jobs,
        schedules=all_schedules(settings.nightly_cron, nightly, bodacc_days),
        sensors=all_sensors(settings.poll_minutes),
        resources=resources_from_settings(settings),
    )


@definitions
def defs() -> Definitions:
    """The code location `dagster dev` / `dagster job execute -m pipelines.definitions` load."""
    return build_definitions()
