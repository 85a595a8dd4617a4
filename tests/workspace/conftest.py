"""A small generated warehouse on disk for the workspace tests: the ICP tests' universe
(tests/icp/conftest.py), one lead list `tech` built from icps/tech.yaml, and its enriched copy
with one contact, so every count, score and mask below can be checked by hand."""

from __future__ import annotations

from datetime import date, datetime

import duckdb
import pytest
from starlette.testclient import TestClient

from firmo.icp import build_leads, load_icp
from firmo.settings import Settings
from pipelines.workspace_app import create_app
from tests.icp.conftest import OFFICERS, REVENUES, SIGNALS, UNIVERSE
from tests.icp.warehouse import AS_OF, build_warehouse, signal

TECH = """\
criteria:
  naf:
    include: ["62"]
scoring:
  tiers: {hot: 70, warm: 40}
"""
BROKEN = """\
criteria:
  naf:
    include: ["99.99Z"]
  regions: [Atlantide]
"""
BODACC_SIGNAL = signal("000000001", "capital_increase", date(2025, 6, 1), label="augmentation de capital",
                       source="bodacc")
BODACC_SIGNAL["source_ref"] = "A202506011234"
CONTACT = {"email": "jeanne.martin@acme.fr", "email_status": "valid", "email_source": "dropcontact",
           "email_found_at": datetime(2025, 6, 2, 9, 0), "phone": "+33 1 23 45 67 89", "phone_type": "landline",
           "phone_source": "kaspr", "phone_found_at": datetime(2025, 6, 3, 10, 0), "website_domain": "acme.fr",
           "domain_source": "sirene"}


@pytest.fixture(scope="session")
def warehouse(tmp_path_factory):
    root = tmp_path_factory.mktemp("workspace")
    icps = root / "icps"
    icps.mkdir()
    (icps / "tech.yaml").write_text(TECH)
    (icps / "broken.yaml").write_text(BROKEN)
    path = root / "data" / "firmo.duckdb"
    path.parent.mkdir()
    con = duckdb.connect(str(path))
    build_warehouse(con, UNIVERSE, signals=[*SIGNALS, BODACC_SIGNAL], officers=OFFICERS, revenues=REVENUES)
    build_leads(con, load_icp(icps / "tech.yaml"), as_of=AS_OF, csv_dir=root / "leads")
    columns = ", ".join(f"CAST(NULL AS {'TIMESTAMP' if k.endswith('_at') else 'VARCHAR'}) AS {k}" for k in CONTACT)
    con.execute(f"CREATE TABLE leads.tech_enriched AS SELECT *, {columns} FROM leads.tech")
    sets = ", ".join(f"{k} = ?" for k in CONTACT)
    con.execute(f"UPDATE leads.tech_enriched SET {sets} WHERE siren = '000000001'", list(CONTACT.values()))
    con.close()
    return root


def settings_for(root, **env) -> Settings:
    return Settings.from_env({"FIRMO_DATA_DIR": str(root / "data"), "FIRMO_ICP_DIR": str(root / "icps"), **env})


@pytest.fixture()
def client(warehouse):
    with TestClient(create_app(settings_for(warehouse), as_of=AS_OF)) as c:
        yield c
