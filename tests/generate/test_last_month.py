"""The demo's previous monthly SIRENE stock: what makes the hiring signal appear in `make run`."""

from __future__ import annotations

import datetime as dt
import json

import polars as pl

from sources.demo.dataset import last_month


def test_last_month_has_the_former_band_of_recent_headcount_moves(small_universe):
    before = last_month(small_universe)
    cutoff = small_universe.as_of - dt.timedelta(days=60)
    moves = {}
    for ev in (small_universe.events.filter(pl.col("event_type").is_in(["headcount_up", "headcount_down"])
                                            & (pl.col("event_date") > cutoff)).sort("event_id").to_dicts()):
        moves.setdefault(ev["siren"], json.loads(ev["details"])["band_before"])
    now = dict(small_universe.units.select("siren", "tranche_effectifs").iter_rows())
    then = dict(before.units.select("siren", "tranche_effectifs").iter_rows())
    changed = {s for s in now if now[s] != then[s]}
    assert moves and changed == {s for s, band in moves.items() if band != now[s]}
    assert all(then[s] == moves[s] for s in changed)
    assert before.units.height == small_universe.units.height
