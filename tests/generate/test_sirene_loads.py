"""The generated stock goes through the project's real SIRENE loader: every good row loads and
the loader quarantines exactly the lines the manifest lists."""

from __future__ import annotations

import json

from firmo import db
from sources.demo.sirene import write_sirene_stock
from sources.sirene.ingest import load_sirene


def test_loader_rejects_exactly_the_manifest_lines(small_universe, data_env, tmp_path):
    paths = write_sirene_stock(small_universe, tmp_path / "stock", formats=("csv_zip",))
    manifest = json.loads(paths["manifest"].read_text())
    with db.connection() as con:
        load_sirene(con, unites_legales=paths["unites_legales_csv_zip"], etablissements=paths["etablissements_csv_zip"])
        for table, member in (("sirene.unites_legales", "StockUniteLegale_utf8.csv"),
                              ("sirene.etablissements", "StockEtablissement_utf8.csv")):
            lines = [r[0] for r in con.execute(
                "SELECT line_number FROM sirene.rejects WHERE target_table = ? ORDER BY 1", [table]).fetchall()]
            assert lines == [d["line"] for d in manifest["files"][member]["defects"]]
            assert db.row_count(con, table) == manifest["files"][member]["rows"]
