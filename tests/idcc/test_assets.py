"""The IDCC assets in Dagster on the demo files: three raw files, the SIRET multi-asset, ref.idcc,
with the counts in their metadata and the tables in the warehouse."""

from __future__ import annotations

import duckdb
from dagster import AssetKey, DagsterInstance, materialize

from assets.idcc import idcc_dares_file, idcc_kali_file, idcc_siret_file, idcc_tables, ref_idcc
from assets.resources import PathsResource, RegistrySourcesResource, warehouse_resource
from firmo.settings import Settings
from sources.demo.idcc import write_idcc
from sources.demo.universe import build_universe


def test_idcc_assets_materialize_from_the_demo_files(tmp_path):
    files = write_idcc(build_universe(400, seed=3), tmp_path / "demo")
    settings = Settings.from_env({"FIRMO_DATA_DIR": str(tmp_path / "data")})
    sources = RegistrySourcesResource(
        sirene_unites_legales="", sirene_etablissements="", inpi_rne=[], inpi_ratios="", bodacc=[],
        idcc_siret=files["siret_idcc"], idcc_dares=files["dares"], idcc_kali=files["kali"],
    )  # fmt: skip
    with DagsterInstance.ephemeral() as instance:
        result = materialize(
            [idcc_siret_file, idcc_dares_file, idcc_kali_file, idcc_tables, ref_idcc],
            instance=instance,
            resources={
                "warehouse": warehouse_resource(settings),
                "registry_sources": sources,
                "paths": PathsResource.from_settings(settings),
            },
        )
    assert result.success
    meta = {
        m.asset_key.to_user_string(): m.metadata
        for m in result.get_asset_materialization_events()
        for m in [m.materialization]
    }
    with duckdb.connect(str(settings.db_path), read_only=True) as con:
        for key, table in (("idcc/siret_idcc", "idcc.siret_idcc"), ("core/company_idcc", "core.company_idcc"),
                           ("core/company_idcc_codes", "core.company_idcc_codes"), ("ref/idcc", "ref.idcc")):  # fmt: skip
            count = con.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0]
            assert meta[key]["dagster/row_count"].value == count
        assert con.execute("SELECT count(*) FROM ref.idcc").fetchall() == [(13,)]
    assert AssetKey(["raw", "idcc", "dares"]).to_user_string() in meta
