"""The demo writer: every label source in its real format for the demo universe, loaded as is."""

from __future__ import annotations

from datetime import timedelta

from sources.demo.labels import write_labels
from sources.demo.universe import build_universe
from sources.labels.catalog import SOURCES
from sources.labels.load import load_labels


def test_demo_labels_load_with_their_rules(con, tmp_path):
    universe = build_universe(300, seed=1)
    files = write_labels(universe, tmp_path / "labels")
    assert set(files) == set(SOURCES)
    report = load_labels(con, {name: [path] for name, path in files.items()})
    assert all(report.loaded[s.table] >= 1 for s in SOURCES.values())
    labels = {r[0] for r in con.execute("SELECT DISTINCT label FROM core.labels").fetchall()}
    assert labels == {"rge", "qualiopi", "organisme_formation", "ess", "egapro", "bio", "siae", "patrimoine_vivant",
                      "achats_responsables", "spectacle"}  # fmt: skip
    # builders hold the RGE rows, companies of 50+ staff the EGAPRO ones
    naf = dict(universe.units.select("siren", "naf").iter_rows())
    rge = [r[0] for r in con.execute("SELECT siren FROM core.labels WHERE label = 'rge'").fetchall()]
    assert rge and all(naf[s][:2] in ("41", "42", "43") for s in rge)
    # the same universe gives the same files
    again = write_labels(universe, tmp_path / "again")
    assert (again["egapro"].read_bytes(), (again["rge"] / "page-00001.json").read_text()) == (
        files["egapro"].read_bytes(), (files["rge"] / "page-00001.json").read_text())  # fmt: skip
    expiring = con.execute(
        "SELECT count(*) FROM core.labels WHERE valid_to BETWEEN ? AND ?",
        [universe.as_of, universe.as_of + timedelta(days=90)],
    ).fetchall()[0][0]
    assert expiring >= 1


def test_demo_bad_identifiers_are_quarantined_within_the_limits(con, tmp_path):
    files = write_labels(build_universe(20_000, seed=3), tmp_path / "labels")
    report = load_labels(con, {name: [path] for name, path in files.items()})
    assert report.rejected["labels.rge"] >= 1
    assert report.rejected["labels.agence_bio"] >= 1
    assert con.execute("SELECT count(*) FROM labels.rejects").fetchall()[0][0] == sum(report.rejected.values())
