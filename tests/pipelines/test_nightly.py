"""One night of the schedule on a small demo: unchanged inputs do almost nothing; a new BODACC
day wakes exactly the derived assets, through the automation conditions the daemon evaluates."""

from __future__ import annotations

import pytest
from dagster import AssetKey, AssetSelection, AutomationCondition, DagsterInstance, DailyPartitionsDefinition, \
    Definitions, asset, evaluate_automation_conditions, materialize

from assets.automation import eager_on_registry_updates
from firmo import db


@pytest.fixture()
def demo_home(data_env, tmp_path, monkeypatch):
    home = tmp_path / "dagster_home"
    home.mkdir()
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    from pipelines.run import run_pipeline

    run_pipeline(demo=True, companies=400, seed=3)
    return home


@pytest.mark.slow
def test_unchanged_night_does_nothing_and_a_new_day_wakes_the_derived_assets(demo_home):
    from pipelines.nightly import run_nightly

    with db.connection(read_only=True) as con:
        (day,) = con.execute("SELECT max(publication_date) FROM bodacc.notices").fetchall()[0]
        signals_before = con.execute("SELECT count(*) FROM core.signals").fetchall()[0][0]
    instance = DagsterInstance.get()

    quiet = run_nightly(day, instance=instance)
    assert [s.materialized for s in quiet.steps] == [[], []]
    assert quiet.steps[-1].what == "automation: nothing requested"

    with db.connection() as con:  # as if that day had not been published yet when we last loaded
        con.execute("DELETE FROM bodacc.notices WHERE publication_date = ?", [day])
    busy = run_nightly(day, instance=instance)
    assert busy.steps[0].materialized == [f"bodacc/notices[{day}]"]
    # round 1: the unpartitioned tables; the per-ICP assets follow once prospects is updated
    assert set(busy.steps[1].materialized) == {"core/signals", "core/prospects", "analytics/snapshot"}
    icps = ("btp_grand_ouest", "formation_qualiopi", "fournisseurs_publics", "pme_croissance", "recruteurs_tech",
            "renovation_rge_nantes", "saas_tech_pme")  # every shipped ICP
    later = {m for step in busy.steps[2:] for m in step.materialized}
    per_icp = {f"{asset}[{icp}]" for asset in ("icp_leads", "enriched_leads", "crm_exports") for icp in icps}
    assert later == per_icp | {"analytics/snapshot"}  # published again once the lists are rebuilt
    assert busy.steps[-1].what == "automation: nothing requested"
    with db.connection(read_only=True) as con:
        assert con.execute("SELECT count(*) FROM core.signals").fetchall()[0][0] == signals_before


def test_missing_bodacc_days_and_never_run_deltas_do_not_hold_the_derivation_back():
    """Plain eager() waits while any upstream partition is missing: today's BODACC day always is."""
    days = DailyPartitionsDefinition(start_date="2026-11-20", end_offset=1)

    @asset(key=["bodacc", "notices"], partitions_def=days)
    def notices():
        return None

    @asset(key=["sirene", "daily_changes"])
    def delta():
        return None

    def derived(condition):
        @asset(key=["core", "signals"], deps=[notices, delta], automation_condition=condition)
        def signals():
            return None
        return signals

    for condition, expected in ((AutomationCondition.eager(), 0), (eager_on_registry_updates(), 1)):
        signals = derived(condition)
        defs = Definitions(assets=[notices, delta, signals])
        instance = DagsterInstance.ephemeral()
        for key in days.get_partition_keys()[:-1]:  # every day but today
            materialize([notices], partition_key=key, instance=instance)
        materialize([signals], instance=instance, selection=AssetSelection.assets(signals))
        first = evaluate_automation_conditions(defs, instance)
        materialize([notices], partition_key=days.get_partition_keys()[-2], instance=instance)  # the nightly load
        second = evaluate_automation_conditions(defs, instance, cursor=first.cursor)
        assert second.get_num_requested(AssetKey(["core", "signals"])) == expected
