"""Rows that cannot be used are quarantined with file, line and reason; past a source's removal
share the load fails and nothing is published (the previous tables stay)."""

from __future__ import annotations

import pytest

from firmo.errors import InputError
from sources.labels.load import TooManyRemoved, load_labels

ACHATS = "SIREN;RAISON SOCIALE;PERIMETRE\r\n"


def _write(path, text, encoding="utf-8"):
    path.write_bytes(text.encode(encoding))
    return path


def test_rejects_carry_file_line_and_reason(con, tmp_path):
    lines = ["58801481;A;Groupe", "356000000;B;Entreprise", ";C;Entreprise", "356000000;D", "843701078;E;Groupe"]
    lines += [f"{s};X;Entreprise" for s in ["800329849"] * 45]
    path = _write(tmp_path / "achats.csv", ACHATS + "\r\n".join(lines) + "\r\n")
    report = load_labels(con, {"achats_responsables": [path]}, max_removal_pct={"achats_responsables": 10})
    assert report.loaded == {"labels.achats_responsables": 47, "core.labels": 3}
    assert report.rejected == {"labels.achats_responsables": 3}
    rejects = con.execute(
        "SELECT target_table, source_file, line_number, reason, raw FROM labels.rejects ORDER BY line_number"
    ).fetchall()
    assert rejects == [
        ("labels.achats_responsables", str(path), 4, "SIREN: identifier missing", "RAISON SOCIALE=C; PERIMETRE=Entreprise"),
        ("labels.achats_responsables", str(path), 5, "malformed line (2 fields, header has 3)",
         "malformed line (2 fields, header has 3)"),
        ("labels.achats_responsables", str(path), 6, "SIREN: SIREN fails its checksum",
         "SIREN=843701078; RAISON SOCIALE=E; PERIMETRE=Groupe"),
    ]  # fmt: skip
    assert con.execute('SELECT "SIREN" FROM labels.achats_responsables LIMIT 1').fetchall() == [("058801481",)]


def test_too_many_removed_fails_and_publishes_nothing(con, tmp_path):
    good = _write(tmp_path / "good.csv", ACHATS + "356000000;A;Groupe\r\n")
    load_labels(con, {"achats_responsables": [good]})
    bad = _write(tmp_path / "bad.csv", ACHATS + "356000000;A;Groupe\r\n" + "".join(f"12{i};X;Y\r\n" for i in range(3)))
    with pytest.raises(TooManyRemoved) as refused:
        load_labels(con, {"achats_responsables": [bad]})
    assert str(refused.value) == (
        "labels.achats_responsables: 3 of 4 rows removed (75.0 %), above the 5 % this source allows; nothing "
        "published (3 x SIREN: identifier not 9 digits)"
    )
    assert con.execute('SELECT "SIREN" FROM labels.achats_responsables').fetchall() == [("356000000",)]
    assert con.execute("SELECT count(*) FROM core.labels").fetchall() == [(1,)]
    assert con.execute("SELECT count(*) FROM labels.rejects").fetchall() == [(0,)]
    tables = con.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_name LIKE '%staging%'"
    ).fetchall()
    assert tables == []


def test_duplicate_key_is_quarantined(con, tmp_path):
    header = "SIREN,Nom ou raison sociale de l'entreprise,Famille juridique de l'entreprise\n"
    path = _write(tmp_path / "ess.csv", header + "800329849,A,Associations\n" * 2 + "".join(
        f"{s},B,Coopératives\n" for s in ["356000000"] * 200))  # fmt: skip
    with pytest.raises(TooManyRemoved):
        load_labels(con, {"ess_france": [path]})
    report = load_labels(con, {"ess_france": [path]}, max_removal_pct={"ess_france": 100})
    assert report.rejects_by_reason == {"ess_france: duplicate (SIREN)": 200}
    assert con.execute("SELECT line_number, reason FROM labels.rejects ORDER BY 1 LIMIT 1").fetchall() == [
        (3, "duplicate (SIREN) = (800329849)")
    ]


def test_a_renamed_column_refuses_the_file(con, tmp_path):
    path = _write(tmp_path / "achats.csv", "SIREN;PERIMETRE_LABEL\r\n356000000;Groupe\r\n")
    with pytest.raises(InputError, match=r"column\(s\) 'PERIMETRE' missing"):
        load_labels(con, {"achats_responsables": [path]})


def test_a_latin1_file_read_as_utf8_is_one_error(con, tmp_path):
    path = _write(tmp_path / "achats.csv", ACHATS + "356000000;Société;Groupe\r\n", "latin-1")
    with pytest.raises(InputError, match="achats.csv"):
        load_labels(con, {"achats_responsables": [path]})
