"""`crm_exports` runs after `crm_accounts`: the read-back is one of its upstreams (the export's last
gate reads its holds and customers), the lead-delivery job pulls before it exports, and the
automation neither waits for a read-back that never ran nor re-exports on a read-back alone."""

from __future__ import annotations

from dagster import (
    AssetKey,
    AutomationCondition,
    DagsterInstance,
    Definitions,
    StaticPartitionsDefinition,
    asset,
    evaluate_automation_conditions,
    materialize,
)

from assets.automation import eager_after_read_back


def test_crm_accounts_is_upstream_of_crm_exports_and_in_the_lead_delivery_job(data_env):
    from pipelines.definitions import build_definitions

    defs = build_definitions()
    graph = defs.resolve_asset_graph()
    assert graph.get(AssetKey("crm_exports")).parent_keys == {
        AssetKey("icp_leads"),
        AssetKey("enriched_leads"),
        AssetKey("crm_accounts"),
    }
    job = defs.resolve_job_def("lead_delivery")
    assert {k.to_user_string() for k in job.asset_layer.executable_asset_keys} == {
        "icp_leads",
        "enriched_leads",
        "crm_accounts",
        "crm_exports",
    }
    upstream = job.graph.dependency_structure.all_upstream_outputs_from_node("crm_exports")
    assert "crm_accounts" in {o.node_name for o in upstream}  # the read-back's op runs before the export's


def _graph(condition: AutomationCondition):
    icps = StaticPartitionsDefinition(["demo"])

    @asset(name="enriched_leads", partitions_def=icps)
    def enriched() -> None:
        return None

    @asset(name="crm_accounts")
    def accounts() -> None:
        return None

    @asset(name="crm_exports", partitions_def=icps, deps=[enriched, accounts], automation_condition=condition)
    def exports() -> None:
        return None

    return enriched, accounts, exports


def _requested(condition: AutomationCondition, *, read_back: bool) -> tuple[int, int]:
    """(exports requested after a read-back alone, after the lead list changed)."""
    enriched, accounts, exports = _graph(condition)
    defs = Definitions(assets=[enriched, accounts, exports])
    instance = DagsterInstance.ephemeral()
    materialize([enriched], partition_key="demo", instance=instance)
    materialize([exports], partition_key="demo", instance=instance, selection=[exports])
    cursor = evaluate_automation_conditions(defs, instance).cursor
    if read_back:
        materialize([accounts], instance=instance)
    after_pull = evaluate_automation_conditions(defs, instance, cursor=cursor)
    materialize([enriched], partition_key="demo", instance=instance)
    after_leads = evaluate_automation_conditions(defs, instance, cursor=after_pull.cursor)
    key = AssetKey("crm_exports")
    return after_pull.get_num_requested(key), after_leads.get_num_requested(key)


def test_a_read_back_never_run_holds_the_export_back_only_with_plain_eager():
    assert _requested(AutomationCondition.eager(), read_back=False) == (0, 0)
    assert _requested(eager_after_read_back(), read_back=False) == (0, 1)


def test_a_read_back_alone_does_not_re_export():
    assert _requested(AutomationCondition.eager(), read_back=True) == (1, 0)
    assert _requested(eager_after_read_back(), read_back=True) == (0, 1)
