"""The demo writer: the real column set, deterministic, and the quirks it promises, loaded."""

from __future__ import annotations

from datetime import date

import duckdb
import polars as pl

from sources.decp.columns import NAMES
from sources.decp.load import load_decp
from sources.demo.decp import write_decp
from sources.demo.universe import build_universe


def test_demo_files_in_the_real_format_and_loadable(tmp_path):
    universe = build_universe(3000, seed=1)
    paths = write_decp(universe, tmp_path / "a")
    again = write_decp(universe, tmp_path / "b")
    stock, delta = pl.read_parquet(paths["stock"]), pl.read_parquet(paths["delta"])
    assert stock.columns == list(NAMES) and delta.columns == list(NAMES)
    assert stock.equals(pl.read_parquet(again["stock"])) and delta.equals(pl.read_parquet(again["delta"]))
    sirens = set(universe.units["siren"])
    winners = set(stock.filter(pl.col("titulaire_typeIdentifiant") == "SIRET")["titulaire_id"].str.slice(0, 9))
    assert winners <= sirens and 0.01 < len(winners) / len(sirens) < 0.05
    # seed 1, 3,000 companies: exact, so a change of the generator is seen
    assert (stock.height, delta.height, stock["acheteur_id"].n_unique()) == (119, 3, 10)
    assert stock.filter(~pl.col("donneesActuelles")).height == 3  # older modification states
    assert stock.filter(pl.col("titulaire_typeIdentifiant") == "TVA").height == 5
    assert delta["dateNotification"].min() == date(2026, 10, 31)  # the last days: what the delta serves
    con = duckdb.connect()
    report = load_decp(con, paths["stock"], today=universe.as_of)
    assert report.rejected == {"decp.marches": 0}
    assert report.loaded == {"decp.marches": 115, "core.public_contracts": 111}
    assert (report.duplicates, report.historical, report.non_siret) == (1, 3, {"TVA": 4})
    assert con.execute("SELECT count(*) FROM core.public_contracts WHERE amount = 12311111111").fetchall() == [(0,)]


def test_sentinel_amounts_appear_at_volume(tmp_path):
    from sources.decp.columns import SENTINEL_AMOUNT
    from sources.demo.decp import contract_rows

    rows = contract_rows(build_universe(20_000, seed=3))
    sentinel = sum(r["montant"] == SENTINEL_AMOUNT for r in rows)
    assert 0 < sentinel < 0.02 * len(rows)
