"""The Dagster UI serves the project: every asset, check, job, schedule and sensor, over GraphQL.

Starts the real `dagster-webserver` on loopback against `pipelines.definitions` (as `make ui`
does, without the daemon) and asks its GraphQL endpoint what it sees."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

REPO = Path(__file__).resolve().parents[2]
QUERY = """
{
  repositoriesOrError {
    ... on RepositoryConnection {
      nodes {
        name
        assetNodes { assetKey { path } jobNames assetChecksOrError { ... on AssetChecks { checks { name } } } }
        jobs { name }
        schedules { name cronSchedule executionTimezone }
        sensors { name }
      }
    }
  }
}
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def webserver(tmp_path_factory):
    home = tmp_path_factory.mktemp("dagster_home")
    (home / "dagster.yaml").write_text((REPO / "dagster.yaml").read_text())
    env = {**os.environ, "DAGSTER_HOME": str(home), "FIRMO_DATA_DIR": str(tmp_path_factory.mktemp("data"))}
    port = free_port()
    exe = Path(sys.executable).with_name("dagster-webserver")
    proc = subprocess.Popen([str(exe), "-m", "pipelines.definitions", "-h", "127.0.0.1", "-p", str(port)],
                            cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                pytest.fail(f"dagster-webserver exited: {proc.stdout.read().decode()[-3000:]}")
            try:
                if httpx.get(f"{url}/server_info", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.5)
        else:
            pytest.fail("dagster-webserver did not start within 90 s")
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()


LOCATIONS = """
{ workspaceOrError { ... on Workspace { locationEntries { name loadStatus
    locationOrLoadError { __typename ... on PythonError { message } } } } } }
"""


def wait_for_code_location(url: str) -> None:
    """The webserver answers before its code server has loaded the definitions."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        entries = httpx.post(f"{url}/graphql", json={"query": LOCATIONS}, timeout=30).json()[
            "data"]["workspaceOrError"]["locationEntries"]
        if entries and all(e["loadStatus"] == "LOADED" for e in entries):
            errors = [e["locationOrLoadError"] for e in entries if e["locationOrLoadError"]["__typename"] == "PythonError"]
            assert not errors, errors
            return
        time.sleep(0.5)
    pytest.fail("code location not loaded within 120 s")


def test_every_asset_job_schedule_and_sensor_is_served(webserver):
    wait_for_code_location(webserver)
    answer = httpx.post(f"{webserver}/graphql", json={"query": QUERY}, timeout=60).json()
    assert answer["data"]["repositoriesOrError"].get("nodes"), answer
    (repo,) = answer["data"]["repositoriesOrError"]["nodes"]
    assets = {"/".join(n["assetKey"]["path"]) for n in repo["assetNodes"]}
    assert {"sirene/unites_legales", "sirene/etablissements", "core/companies", "inpi/officers",
            "core/latest_financials", "bodacc/notices", "core/signals", "core/prospects", "icp_leads",
            "crm_exports", "analytics/snapshot"} <= assets
    checks = {"/".join(n["assetKey"]["path"]): sorted(c["name"] for c in n["assetChecksOrError"].get("checks", []))
              for n in repo["assetNodes"]}
    assert {asset: names for asset, names in checks.items() if names} == {
        "sirene/unites_legales": ["unites_legales_codes", "unites_legales_row_count", "unites_legales_siren"],
        "sirene/etablissements": ["etablissements_row_count", "etablissements_siret"],
        "core/companies": ["companies_codes", "companies_row_count", "companies_siren"],
        "core/latest_financials": ["latest_financials_row_count", "latest_financials_values"],
        "inpi/officers": ["officers_row_count"],
        "decp/marches": ["decp_marches_row_count", "decp_marches_values"],
        "core/public_contracts": ["public_contracts_row_count", "public_contracts_values"],
        "core/labels": ["labels_row_count", "labels_values"],
        "idcc/siret_idcc": ["siret_idcc_row_count"],
        "core/company_idcc": ["company_idcc_values"],
        "ref/idcc": ["ref_idcc_row_count"],
        "geo/geolocalisation": ["geolocalisation_row_count"],
        "core/establishment_locations": ["establishment_locations_row_count"],
        "core/job_offers": ["job_offers_values"],
        "icp_leads": ["icp_leads_no_opposed_unit", "icp_leads_no_p_unit", "icp_leads_siren",
                      "icp_leads_tier_distribution"],
        "enriched_leads": ["enriched_leads_contacts", "enriched_leads_no_opposed_unit", "enriched_leads_no_p_unit"],
        "crm_exports": ["crm_exports_no_opposed_unit", "crm_exports_no_p_unit"],
    }
    jobs = {j["name"] for j in repo["jobs"]}
    assert {"sirene_reload", "inpi_reload", "bodacc_daily", "registry_loads", "open_data_loads", "derived_tables", "lead_delivery",
            "publish_snapshot", "alert_delivery", "registry_poll_job"} <= jobs
    assert sorted((s["name"], s["executionTimezone"]) for s in repo["schedules"]) == [
        ("alert_digest_schedule", "Europe/Paris"),
        ("crm_contact_recheck_schedule", "Europe/Paris"),
        ("decp_delta_schedule", "Europe/Paris"),
        ("job_change_recheck_schedule", "Europe/Paris"),
        ("nightly_schedule", "Europe/Paris"),
        ("open_data_schedule", "Europe/Paris"),
    ]
    assert {"icp_files_sensor", "registry_files_sensor"} <= {s["name"] for s in repo["sensors"]}
