"""The partitions of the assets, in one module both the assets and the jobs, schedules and the
`firmo run` plan read, so that pipelines/ never has to import an asset module for them.

- `icp_partitions`: one dynamic partition per ICP file (the ICP sensor and `firmo run` add and
  remove them; `icp_leads`, `enriched_leads`, `crm_exports` and their checks are partitioned by it).
- `bodacc_partitions(start)`: one partition per BODACC publication day; `bodacc_daily` is the one
  with the default start, which the code location rebuilds from its settings.
"""

from datetime import date

from dagster import DailyPartitionsDefinition, DynamicPartitionsDefinition

from firmo.settings import Settings

ICP_PARTITIONS = "icp"
icp_partitions = DynamicPartitionsDefinition(name=ICP_PARTITIONS)


def bodacc_partitions(start: date | str = Settings.model_fields["bodacc_start"].default) -> DailyPartitionsDefinition:
    """One partition per publication day from `start` (FIRMO_BODACC_START, the first day the pipeline
    keeps notices for; older history comes from DILA backfill files). A function because the start
    is a setting: `build_definitions(settings)` builds the asset and the nightly job with its own."""
    return DailyPartitionsDefinition(start_date=str(start), timezone="Europe/Paris", end_offset=1)


bodacc_daily = bodacc_partitions()
