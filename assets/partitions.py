"""The partitions of the assets, in one module both the assets and the jobs, schedules and the
`firmo run` plan read, so that pipelines/ never has to import an asset module for them.

- `icp_partitions`: one dynamic partition per ICP file (the ICP sensor and `firmo run` add and
  remove them; `icp_leads`, `enriched_leads`, `crm_exports` and their checks are partitioned by it).
"""

from dagster import DynamicPartitionsDefinition

ICP_PARTITIONS = "icp"
icp_partitions = DynamicPartitionsDefinition(name=ICP_PARTITIONS)
