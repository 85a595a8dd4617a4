"""Derived intent signals: what happened lately to each company, from all three registries."""

from datetime import date

from dagster import AssetExecutionContext, AssetKey, Config, MetadataValue, asset

from assets.automation import eager_on_registry_updates
from assets.common import WAREHOUSE_POOL, preview
from assets.resources import WarehouseResource
from firmo.metadata import bar_chart
from firmo.signals import build_signals


class SignalsConfig(Config):
    """`as_of`: the day the window ends (default today, ISO date); `lookback_days`: its length."""

    as_of: str | None = None
    lookback_days: int = 730


@asset(
    automation_condition=eager_on_registry_updates(),
    key=["core", "signals"],
    group_name="core",
    kinds={"duckdb"},
    owners=["team:data-engineering"],
    deps=[
        AssetKey(["core", "companies"]),
        AssetKey(["inpi", "officers"]),
        AssetKey(["bodacc", "notices"]),
        AssetKey(["sirene", "daily_changes"]),
        AssetKey(["inpi", "daily_changes"]),
        # open-data signals (contract won, label obtained / expiring, job offers, hiring
        # potential): each part runs only when its table is loaded (firmo.signals.PARTS)
        AssetKey(["core", "public_contracts"]),
        AssetKey(["core", "labels"]),
        AssetKey(["core", "job_offers"]),
        AssetKey(["core", "hiring_potential"]),
    ],
    pool=WAREHOUSE_POOL,
)
def signals(context: AssetExecutionContext, config: SignalsConfig, warehouse: WarehouseResource):
    """One row per dated event that says a company may buy now (new decision maker, capital
    increase, new establishment, hiring...) or should not be approached (collective proceedings,
    radiation, closure), with evidence pointing to the registry record."""
    as_of = date.fromisoformat(config.as_of) if config.as_of else date.today()
    with warehouse.get_connection() as con:
        counts = build_signals(con, as_of=as_of, lookback_days=config.lookback_days)
        context.add_output_metadata(
            {
                "dagster/row_count": sum(counts.values()),
                "as_of": as_of.isoformat(),
                "signals by type": MetadataValue.md(bar_chart(sorted(counts.items(), key=lambda kv: -kv[1]))),
                "preview": preview(con, "core.signals", ["siren", "signal_type", "signal_date", "label", "evidence"]),
            }
        )
