"""The index page and GET /api/icps read the same overview (firmo.workspace.queries.icp_overview):
the ICP files with their errors and the lead lists built, the files still listed when the
warehouse cannot be read."""

from __future__ import annotations

import shutil

from starlette.testclient import TestClient

from pipelines.workspace_app import create_app
from tests.icp.warehouse import AS_OF
from tests.workspace.conftest import settings_for

FILES = [
    {"name": "broken", "file": "broken.yaml", "errors": [
        {"field": "criteria.naf.include", "message": "unknown NAF rév. 2 code '99.99Z' (did you mean '99.00Z'?)"},
        {"field": "criteria.regions", "message": "unknown région 'Atlantide'"}]},
    {"name": "tech", "file": "tech.yaml", "errors": []},
]


def test_api_icps_lists_the_files_and_the_lead_lists(client):
    assert client.get("/api/icps").json() == {"icps": FILES, "lead_lists": {"tech": 2}}
    page = client.get("/").text
    assert 'href="/leads/tech"' in page and "run `make run`" not in page


def test_without_a_warehouse_the_files_are_still_listed(warehouse, tmp_path):
    root = tmp_path / "ws"
    shutil.copytree(warehouse / "icps", root / "icps")
    (root / "data").mkdir()
    with TestClient(create_app(settings_for(root), as_of=AS_OF)) as c:
        assert c.get("/api/icps").json() == {"icps": FILES, "lead_lists": {}}
        page = c.get("/")
        assert page.status_code == 200
        assert f"no warehouse at {root / 'data' / 'firmo.duckdb'}: run `make run` or `firmo run` first" in page.text
        assert 'href="/icp/tech"' in page.text
