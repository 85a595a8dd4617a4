"""The demo's IDCC files in the real layouts, and core.companies.idcc_codes through the real
SIRENE load in either order (SIRENE then IDCC, IDCC then SIRENE, SIRENE again)."""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

import pytest

from firmo import db
from firmo.identifiers import is_valid_siret
from firmo.xlsx import read_sheet
from sources.demo.idcc import siret_idcc_rows, write_idcc
from sources.demo.sirene import write_sirene_stock
from sources.demo.universe import build_universe
from sources.idcc.labels import load_idcc_labels
from sources.idcc.siret_load import load_siret_idcc
from sources.sirene.ingest import load_sirene


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo")
    universe = build_universe(3000, seed=7)
    return universe, write_idcc(universe, out / "idcc"), write_sirene_stock(universe, out / "sirene")


def expected_codes(universe) -> dict[str, list[str]]:
    """Per SIREN, what the demo file says, cleaned here by hand (spaces out, zeros back, checksum)."""
    codes: dict[str, set[str]] = defaultdict(set)
    for _, siret, idcc, _ in siret_idcc_rows(universe):
        digits = re.sub(r"[^0-9]", "", siret) if "E+" not in siret else ""
        digits = digits.zfill(14) if 11 <= len(digits) <= 13 else digits
        if is_valid_siret(digits) and idcc.strip() != "9999":
            codes[digits[:9]].add(idcc.strip().zfill(4))
    return {siren: sorted(c) for siren, c in codes.items()}


def test_demo_siret_idcc_file(demo):
    universe, files, _ = demo
    lines = Path(files["siret_idcc"]).read_text(encoding="utf-8").splitlines()
    assert lines[0] == "MOIS,SIRET,IDCC,DATE_MAJ"
    fields = [line.split(",") for line in lines[1:]]
    assert {len(f) for f in fields} == {4}
    assert {f[0] for f in fields} == {"2026-07"} and {f[3] for f in fields} == {"2026/08/25"}
    assert {len(f[2]) for f in fields} == {6}  # right-padded with spaces, as published
    idcc = [f[2].strip() for f in fields]
    assert "9999" in idcc and "573" in idcc and "0573" in idcc  # codes under 1000 spelt both ways
    per_siret = defaultdict(set)
    for f in fields:
        per_siret[f[1]].add(f[2].strip())
    assert sum(len(v) > 1 for v in per_siret.values()) >= 3  # some establishments with two agreements
    assert (
        len([f for f in fields if "E+" in f[1]])
        + len([f for f in fields if re.fullmatch(r"[0-9]{14}", f[1]) and not is_valid_siret(f[1])])
        == len(fields) // 300
    )
    assert siret_idcc_rows(build_universe(3000, seed=7)) == siret_idcc_rows(universe)  # same seed, same file


def test_demo_workbooks_real_layouts(demo):
    _, files, _ = demo
    dares = read_sheet(files["dares"], "Conventions de branche")
    assert dares[0] == ["IDCC", "Libellé"]
    assert all(re.fullmatch(r"[0-9]{5}", r[0]) for r in dares[1:])
    kali = read_sheet(files["kali"], 0)
    assert kali[3] == [None, "IDCC", "ID", "TITRE", "NATURE", "ETAT", "DEBUT", "FIN", "URL", "CC_TI"]
    assert kali[3 + 1][1] == 16  # unpadded


def test_idcc_codes_whichever_loads_last(demo, data_env):
    universe, files, sirene = demo
    expected = expected_codes(universe)
    sirens = set(universe.units["siren"].to_list())
    assert expected and set(expected) <= sirens
    stocks = {"unites_legales": sirene["unites_legales_csv_zip"], "etablissements": sirene["etablissements_csv_zip"]}

    def codes(con):
        return {s: c for s, c in con.execute("SELECT siren, idcc_codes FROM core.companies").fetchall() if c}

    with db.connection(data_env / "a.duckdb") as con:  # SIRENE first: the IDCC load refreshes the column
        load_sirene(con, **stocks)
        assert codes(con) == {}
        load_siret_idcc(con, files["siret_idcc"])
        assert codes(con) == expected
        load_sirene(con, **stocks)  # SIRENE again: core.companies rebuilt with the IDCC table
        assert codes(con) == expected
        assert con.execute("SELECT count(*) FROM core.companies").fetchall() == [(universe.units.height,)]
    with db.connection(data_env / "b.duckdb") as con:  # IDCC first
        load_siret_idcc(con, files["siret_idcc"])
        load_idcc_labels(con, files["dares"], files["kali"])
        load_sirene(con, **stocks)
        assert codes(con) == expected
        # every agreement the demo declares has its name
        assert con.execute(
            "SELECT count(*) FROM core.company_idcc ci LEFT JOIN ref.idcc r USING (idcc) WHERE r.title IS NULL"
        ).fetchall() == [(0,)]
