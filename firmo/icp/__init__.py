"""Ideal Customer Profiles: YAML files under `icps/` turned into ranked, explained lead lists.

Public API (plain functions; the Dagster assets and the CLI call these):
- `load_icp(path) -> ResolvedIcp`: read, check and resolve a file (raises `IcpError`);
- `build_prospects(con) -> int`: core.prospects, the pre-joined table ICPs scan;
- `preview(con, icp, as_of=None, top=20) -> Preview`: counts and the first leads, writes nothing;
- `build_leads(con, icp, as_of=None, csv_dir=None) -> BuildResult`: leads.<icp> table + CSV;
- `repair_lead_csvs(con) -> list[str]`: rewrite each CSV that is not its table's copy (build does it first).
"""

from firmo.icp.config import IcpConfig, IcpError, parse_icp, read_icp
from firmo.icp.leads import BuildResult, build_leads, leads_table, repair_lead_csvs
from firmo.icp.prospects import build_prospects
from firmo.icp.score import Preview, preview, query_params
from firmo.icp.validate import ResolvedIcp, load_icp, resolve

__all__ = [
    "BuildResult",
    "IcpConfig",
    "IcpError",
    "Preview",
    "ResolvedIcp",
    "build_leads",
    "build_prospects",
    "leads_table",
    "load_icp",
    "parse_icp",
    "preview",
    "query_params",
    "read_icp",
    "repair_lead_csvs",
    "resolve",
]
