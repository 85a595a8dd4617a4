"""Resources: one per external system, configured from the environment.

- `warehouse`: the DuckDB file (dagster-duckdb's resource, with the project's settings).
- `registry_sources`: where each registry file comes from. By default the generated demo files
  (offline); `FIRMO_SOURCES=live` switches to the stable data.gouv / INPI / DILA addresses, and
  each source can be overridden one by one (a path or a URL).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator

import duckdb
from dagster import ConfigurableResource
from dagster_duckdb import DuckDBResource

from firmo import db, settings


class WarehouseResource(DuckDBResource):
    """DuckDB warehouse; every connection has the firmo schemas and macros ready."""

    @contextlib.contextmanager
    def get_connection(self) -> Iterator[duckdb.DuckDBPyConnection]:  # type: ignore[override]
        with super().get_connection() as con:
            db.ensure_schemas(con)
            yield con


def warehouse_from_env() -> WarehouseResource:
    config: dict[str, object] = {
        "memory_limit": settings.duckdb_memory_limit(),
        "preserve_insertion_order": False,
    }
    if settings.duckdb_threads():
        config["threads"] = settings.duckdb_threads()
    path = settings.db_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    return WarehouseResource(database=str(path), connection_config=config)


def _demo(name: str) -> str:
    return str(settings.demo_dir() / name)


def _live(kind: str) -> str:
    from sources.sirene.download import stock_urls

    return stock_urls(kind, "parquet")


class RegistrySourcesResource(ConfigurableResource):
    """Paths or URLs of the registry files; local paths are read in place, URLs downloaded."""

    sirene_unites_legales: str
    sirene_etablissements: str

    @classmethod
    def from_env(cls) -> "RegistrySourcesResource":
        live = os.environ.get("FIRMO_SOURCES", "demo").lower() == "live"
        return cls(
            sirene_unites_legales=os.environ.get("FIRMO_SIRENE_UL_SOURCE")
            or (_live("unites_legales") if live else _demo("sirene/StockUniteLegale_utf8.zip")),
            sirene_etablissements=os.environ.get("FIRMO_SIRENE_ETAB_SOURCE")
            or (_live("etablissements") if live else _demo("sirene/StockEtablissement_utf8.zip")),
        )
