"""load_bodacc: corrections, quarantine, per-day idempotency, every export shape, signals."""

from __future__ import annotations

import datetime as dt
import json

from firmo.signals import build_signals
from sources.bodacc.load import load_bodacc
from tests.bodacc.conftest import notices, ods_record, write_export

D = dt.date


def test_rectificatif_supersedes_and_annulation_cancels(tmp_path, con):
    records = [
        ods_record("A202500101", "2025-01-02", "creation", siren="443061841"),
        ods_record("A202500102", "2025-01-02", "creation", siren="880878145"),
        ods_record("A202500201", "2025-01-05", "creation", siren="443061841", typeavis="rectificatif",
                   previous=("A", "20250010", 1)),
        ods_record("A202500202", "2025-01-05", "creation", siren="880878145", typeavis="annulation",
                   previous=("A", "20250010", 2)),
    ]
    load_bodacc(con, [write_export(tmp_path / "x.json", records)])
    assert notices(con, "id", "notice_type", "previous_notice_id", "status") == [
        ("A202500101", "annonce", None, "rectified"),
        ("A202500102", "annonce", None, "annulled"),
        ("A202500201", "rectificatif", "A202500101", "active"),
        ("A202500202", "annulation", "A202500102", "annulation"),
    ]


def test_correction_arriving_on_a_later_day_resolves_the_stored_notice(tmp_path, con):
    first = write_export(tmp_path / "d1.json", [ods_record("A202500101", "2025-01-02", "creation")])
    later = write_export(tmp_path / "d2.json", [
        ods_record("A202500301", "2025-01-09", "creation", typeavis="annulation", previous=("A", "20250010", 1))])
    load_bodacc(con, [first], window=(D(2025, 1, 2), D(2025, 1, 3)))
    load_bodacc(con, [later], window=(D(2025, 1, 9), D(2025, 1, 10)))
    assert notices(con, "id", "status") == [("A202500101", "annulled"), ("A202500301", "annulation")]


def test_an_annulled_notice_is_not_a_signal(tmp_path, con):
    records = [
        ods_record("A202500101", "2025-01-02", "radiation", siren="443061841", radiationaurcs='{"radiationPM": "O"}'),
        ods_record("A202500102", "2025-01-02", "radiation", siren="880878145", radiationaurcs='{"radiationPM": "O"}'),
        ods_record("A202500202", "2025-01-05", "radiation", siren="880878145", typeavis="annulation",
                   previous=("A", "20250010", 2)),
    ]
    load_bodacc(con, [write_export(tmp_path / "x.json", records)])
    build_signals(con, as_of=D(2025, 6, 1))
    assert con.execute("SELECT siren, signal_type, signal_date, polarity, source_ref FROM core.signals "
                       "WHERE source = 'bodacc'").fetchall() == [
        ("443061841", "radiation", D(2025, 1, 2), "negative", "A202500101")]


def test_dateless_and_broken_rows_are_quarantined_with_line_and_reason(tmp_path, con):
    path = tmp_path / "day.jsonl"
    good = ods_record("A202500101", "2025-01-02")
    path.write_text("\n".join([json.dumps(good), "{broken", json.dumps(dict(good, id="A202500102", dateparution=None))]) + "\n")
    report = load_bodacc(con, [path])
    assert (report.loaded, report.rejected) == ({"bodacc.notices": 1}, {"bodacc.notices": 2})
    rejects = con.execute("SELECT line_number, reason FROM bodacc.rejects ORDER BY line_number").fetchall()
    assert rejects[0][0] == 2 and rejects[0][1].startswith("unparsable JSON line: ")
    assert rejects[1] == (3, "no usable publication date (missing)")
    # reloading the same file does not pile up its rejects
    load_bodacc(con, [path])
    assert con.execute("SELECT count(*) FROM bodacc.rejects").fetchall() == [(2,)]


def test_a_window_is_replaced_exactly_and_rerunning_it_changes_nothing(tmp_path, con):
    day = (D(2025, 1, 2), D(2025, 1, 3))
    both = write_export(tmp_path / "a.json", [ods_record("A202500101", "2025-01-02"),
                                              ods_record("A202500102", "2025-01-02"),
                                              ods_record("A202500501", "2025-01-05")])
    report = load_bodacc(con, [both], window=day)
    assert (report.loaded, report.superseded) == ({"bodacc.notices": 2}, 1)
    load_bodacc(con, [both], window=day)
    assert notices(con, "id") == [("A202500101",), ("A202500102",)]
    # the publisher withdrew a notice of that day: the day now holds exactly what the file says
    load_bodacc(con, [write_export(tmp_path / "b.json", [ods_record("A202500101", "2025-01-02")])], window=day)
    assert notices(con, "id") == [("A202500101",)]


def test_csv_export_with_semicolons_and_a_bad_line(tmp_path, con):
    rec = ods_record("A202500101", "2025-01-02", "creation")
    header = ["id", "publicationavis", "parution", "dateparution", "numeroannonce", "typeavis", "familleavis",
              "registre", "commercant", "listepersonnes"]
    def line(r):  # noqa: E306
        return ";".join('"' + str(r.get(k) or "").replace('"', '""') + '"' for k in header)
    path = tmp_path / "annonces-commerciales.csv"
    path.write_text("\n".join([";".join(header), line(rec), '"A202500102";"A";"only three"',
                               line(dict(rec, id="A202500103", numeroannonce=3))]) + "\n", encoding="utf-8-sig")
    report = load_bodacc(con, [path])
    assert notices(con, "id", "family", "sirens") == [("A202500101", "creation", ["443061841"]),
                                                      ("A202500103", "creation", ["443061841"])]
    assert con.execute("SELECT line_number, reason FROM bodacc.rejects").fetchall() == [
        (3, "wrong column count: expected 10, found 3")]
    assert report.rejects_by_reason == {"wrong column count": 1}


def test_v21_results_answer(tmp_path, con):
    path = tmp_path / "v21.json"
    path.write_text(json.dumps({"total_count": 1, "results": [
        ods_record("B202500101", "2025-01-02", "modification", registre=["443061841", "443 061 841"])]}))
    load_bodacc(con, [path])
    assert notices(con, "id", "edition", "family", "sirens") == [("B202500101", "B", "modification", ["443061841"])]


def test_unknown_file_type_is_a_clear_error(tmp_path, con):
    import pytest

    from sources.bodacc.readers import BodaccFormatError

    bad = tmp_path / "notices.xlsx"
    bad.write_bytes(b"PK")
    with pytest.raises(BodaccFormatError, match="unknown BODACC file type"):
        load_bodacc(con, [bad])
    assert con.execute("SELECT count(*) FROM bodacc.notices").fetchall() == [(0,)]
