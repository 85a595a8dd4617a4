"""The demo's offers (sources/demo/jobs.py) served by the stand-in France Travail, end to end:
fetched, loaded without contact data, matched to the demo's SIRENE stock."""

from __future__ import annotations

import csv
import json
from datetime import date

from firmo import db
from firmo.identifiers import is_valid_siret
from sources.demo.jobs import write_jobs
from sources.demo.sirene import write_sirene_stock
from sources.demo.universe import build_universe
from sources.jobs.client import FranceTravailClient
from sources.jobs.fake import FakeConfig, FakeFranceTravail
from sources.jobs.refresh import refresh_jobs
from sources.sirene.ingest import load_sirene


def test_demo_offers_end_to_end(tmp_path):
    universe = build_universe(2000, seed=1)
    files = write_jobs(universe, tmp_path / "jobs")
    data = json.loads(files["offres"].read_text(encoding="utf-8"))
    with open(files["truth"], encoding="utf-8") as f:
        truth = list(csv.DictReader(f))
    offers = data["resultats"]
    assert data["as_of"] == "2026-11-01"
    assert len(offers) == len(truth) == len({o["id"] for o in offers})
    assert all("contact" in o for o in offers)  # the real API's shape: recruiter details included...
    assert not any("siret" in json.dumps(o).lower() for o in offers)  # ...but never the answer
    kinds = {t["variant"] for t in truth}
    assert {"exact", "temp_agency"} <= kinds
    stocks = write_sirene_stock(universe, tmp_path / "sirene", formats=("parquet",), broken_lines=False)
    companies = json.loads(files["labonneboite"].read_text(encoding="utf-8"))["items"]
    assert [c["siret"] for c in companies if not is_valid_siret(c["siret"])] == []  # the load checks them
    config = FakeConfig(offers_rate=1000, lbb_rate=1000, shift_days=29)  # generated for 1 November, run on 30
    places = [o["lieuTravail"].get("commune") or o["lieuTravail"]["codePostal"] for o in offers]
    deps = sorted({p[:3] if p[:2] in ("97", "98") else p[:2] for p in places})
    with (
        db.connection(tmp_path / "w.duckdb") as con,
        FakeFranceTravail(offers, companies, config) as fake,
        FranceTravailClient(
            config.client_id,
            config.client_secret,
            token_url=fake.token_url,
            api_url=fake.api_url,
            offers_rate=1000,
            lbb_rate=1000,
        ) as client,
    ):
        load_sirene(
            con, unites_legales=stocks["unites_legales_parquet"], etablissements=stocks["etablissements_parquet"]
        )
        result = refresh_jobs(
            con, client, tmp_path / "raw", today=date(2026, 11, 30), days_back=60, departements=deps, threshold=0.85
        )
        assert result.reports[0].loaded == {"jobs.offres": len(offers)}
        assert "Contactez" not in result.offers_fetch.path.read_text(encoding="utf-8")
        rows = dict(con.execute("SELECT offer_id, siret FROM core.job_offers").fetchall())
        credited = {o: s for o, s in rows.items() if s}
        wrong = [o for o, s in credited.items() if next(t for t in truth if t["offer_id"] == o)["siret"][:9] != s[:9]]
        assert len(rows) == len(offers) and credited and not wrong
        assert con.execute(
            "SELECT count(*) FROM core.job_offers WHERE temp_agency AND siren IS NOT NULL"
        ).fetchall() == [(0,)]
        assert db.row_count(con, "core.hiring_potential") > 0
        assert con.execute("SELECT count(*) FROM jobs.rejects WHERE target_table = 'jobs.labonneboite'").fetchall() == [
            (0,)
        ]
