"""The nightly delta assets through Dagster: skipped without credentials, applied with them
(API Sirene and the RNE API answered by respx), keys kept out of the run's records."""

from __future__ import annotations

import json

import httpx
import respx
from dagster import DagsterInstance, materialize

from assets.daily_changes import rne_daily_changes, sirene_daily_changes
from firmo import db
from firmo.settings import Settings
from assets.resources import PathsResource, RneApiResource, SireneApiResource, WarehouseResource
from sources.sirene.ingest import load_sirene
from sources.sirene.schema import ETABLISSEMENTS_COLUMNS, UNITES_LEGALES_COLUMNS
from tests.sirene.builders import etab_row, siren, siret, ul_row, write_csv
from tests.sirene_api.sirene_api_payloads import UL_016750697, page

SIRENE = "https://sirene.test/api-sirene/3.11"
RNE = "https://rne.test"
KEY = "insee-k3y-never-logged"


def run(instance, warehouse, **resources):
    return materialize([sirene_daily_changes, rne_daily_changes], instance=instance, resources={
        "warehouse": WarehouseResource(database=str(warehouse)),
        "paths": PathsResource.from_settings(Settings.from_env()),
        "sirene_api": resources.get("sirene_api", SireneApiResource()),
        "rne_api": resources.get("rne_api", RneApiResource())})


def observations(instance, result):
    return sorted(e.dagster_event.asset_observation_data.asset_observation.metadata["result"].value
                  for e in instance.all_logs(result.run_id) if e.dagster_event and e.dagster_event.is_asset_observation)


def test_without_credentials_nothing_is_asked_and_nothing_materialized(data_env):
    instance = DagsterInstance.ephemeral()
    result = run(instance, data_env / "w.duckdb")
    assert result.success and result.get_asset_materialization_events() == []
    assert observations(instance, result) == [
        "skipped: INPI_USERNAME / INPI_PASSWORD are not set",
        "skipped: INSEE_API_KEY is not set (the monthly stock still loads)"]


def test_with_credentials_the_changes_are_applied(data_env, tmp_path, samples_dir):
    a = siren("12345678")
    warehouse = data_env / "w.duckdb"
    with db.connection(warehouse) as con:
        load_sirene(con, unites_legales=write_csv(tmp_path / "ul.csv", UNITES_LEGALES_COLUMNS, [ul_row(a)]),
                    etablissements=write_csv(tmp_path / "et.csv", ETABLISSEMENTS_COLUMNS, [etab_row(siret(a))]))
    diff = json.loads((samples_dir / "inpi" / "rne_companies_diff.json").read_text())
    instance = DagsterInstance.ephemeral()
    with respx.mock(assert_all_called=True) as mock:
        units = mock.get(f"{SIRENE}/siren").mock(return_value=httpx.Response(
            200, json=page("unitesLegales", [UL_016750697], "*", "*", 1)))
        mock.get(f"{SIRENE}/siret").mock(return_value=httpx.Response(404, json={"header": {"statut": 404}}))
        mock.post(f"{RNE}/api/sso/login").mock(return_value=httpx.Response(200, json={"token": "t0k"}))
        mock.get(f"{RNE}/api/companies/diff").mock(return_value=httpx.Response(200, json=diff))
        result = run(instance, warehouse,
                     sirene_api=SireneApiResource(api_key=KEY, base_url=SIRENE),
                     rne_api=RneApiResource(username="me", password="pw-secret", base_url=RNE))
    assert result.success
    assert units.calls[0].request.url.params["q"] == "dateDernierTraitementUniteLegale:[2025-12-06T05:25:38 TO *]"
    meta = {m.asset_key.to_user_string(): m.metadata for m in
            (e.event_specific_data.materialization for e in result.get_asset_materialization_events())}
    assert meta["sirene/daily_changes"]["core.companies rows"].value == 2
    assert (meta["inpi/daily_changes"]["diff items"].value, meta["inpi/daily_changes"]["companies updated"].value) == (2, 2)
    with db.connection(warehouse, read_only=True) as con:
        assert con.execute("SELECT siren, denominationUniteLegale FROM sirene.unites_legales ORDER BY 1").fetchall() == [
            ("016750697", "ETS J VIRLY S A"), (a, f"SOCIETE {a}")]
        assert con.execute("SELECT count(*) FROM inpi.officers").fetchall()[0][0] == 4
    records = "".join(str(e) for e in instance.all_logs(result.run_id)) + str(meta)
    assert KEY not in records and "pw-secret" not in records
