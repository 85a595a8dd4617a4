"""The generated RNE files carry `diffusionCommerciale: false` on a small share of units, drawn apart
from the SIRENE status (opposed `O` units, opposed `P` units, `P` units that did not oppose), and
the `/diff` changes it for a few units; the real loaders keep the latest payload's flag."""

from __future__ import annotations

import datetime as dt
import json

from sources.demo.inpi import commercial_opposition, write_inpi
from sources.demo.universe import build_universe
from sources.inpi.rne_load import apply_rne_updates, load_rne


def test_generated_opposition_differs_from_sirene_and_the_diff_wins(con, tmp_path):
    universe = build_universe(3000, seed=11, as_of=dt.date(2026, 11, 1))
    opposed, flipped = commercial_opposition(universe)
    statut = dict(zip(universe.units["siren"].to_list(), universe.units["statut_diffusion"].to_list(), strict=True))
    files = write_inpi(universe, tmp_path / "inpi")

    load_rne(con, [files["rne_stock"]])
    loaded = dict(con.execute("SELECT siren, diffusion_commerciale FROM inpi.companies").fetchall())
    assert {s for s, flag in loaded.items() if flag is False} == opposed
    by_status = {(statut[s], s in opposed) for s in loaded}
    assert by_status == {("O", False), ("O", True), ("P", True), ("P", False)}  # the flags really differ
    assert (len(opposed), sum(statut[s] == "O" for s in opposed)) == (85, 35)   # 2.8 %, 35 of them 'O'

    diff = json.loads(files["rne_diff"].read_text())
    apply_rne_updates(con, diff)
    after = dict(con.execute("SELECT siren, diffusion_commerciale FROM inpi.companies").fetchall())
    changed = {i["company"]["siren"] for i in diff} & flipped
    assert len(changed) == 8
    assert {s for s in changed if after[s] == loaded[s]} == set()           # the later payload won
    assert {s for s in loaded if s not in changed and after[s] != loaded[s]} == set()
