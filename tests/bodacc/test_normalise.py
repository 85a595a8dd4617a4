"""Quirks of the real files (inpi_bodacc.md §3, §5.1, §5.3), one function at a time."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from sources.bodacc.normalise import (
    NoticeError,
    build_notice,
    normalise_sirens,
    parse_date,
    previous_notice_id,
    repair_text,
)
from tests.bodacc.conftest import ods_record


def test_mojibake_is_repaired_and_recorded():
    repairs: list[str] = []
    assert repair_text("Jugement de clÃ´ture pour insuffisance d'actif", "jugement.famille", repairs) == \
        "Jugement de clôture pour insuffisance d'actif"
    assert repair_text("Greffe du Tribunal de Commerce de Ã‰vry", "tribunal", repairs) == \
        "Greffe du Tribunal de Commerce de Évry"
    assert repairs == ["mojibake repaired in jugement.famille", "mojibake repaired in tribunal"]


def test_clean_text_is_left_alone():
    repairs: list[str] = []
    assert repair_text("  Société Générale à Évry ", "commercant", repairs) == "Société Générale à Évry"
    assert (repair_text("", "ville", repairs), repair_text(None, "ville", repairs), repairs) == (None, None, [])


@pytest.mark.parametrize("text", ["0009-12-02", "5025-05-27", "1213-10-03"])
def test_absurd_dates_become_null_with_a_reason(text):
    repairs: list[str] = []
    assert parse_date(text, "jugement.date", repairs) is None
    assert repairs == [f"absurd date in jugement.date: {text}"]


@pytest.mark.parametrize(("text", "expected"), [
    ("2020-04-10", dt.date(2020, 4, 10)),
    ("2020-04-10T00:00:00+00:00", dt.date(2020, 4, 10)),
    ("10/04/2020", dt.date(2020, 4, 10)),
    ("1er janvier 2020", dt.date(2020, 1, 1)),
    ("10 décembre 2009", dt.date(2009, 12, 10)),
])
def test_every_date_spelling(text, expected):
    repairs: list[str] = []
    assert (parse_date(text, "d", repairs), repairs) == (expected, [])


def test_unreadable_date_is_reported():
    repairs: list[str] = []
    assert parse_date("31/02/2020", "d", repairs) is None
    assert repairs == ["unreadable date in d: 31/02/2020"]


def test_sirens_from_both_registre_spellings_deduplicated_and_checked():
    repairs: list[str] = []
    assert normalise_sirens(["880878145,880 878 145", ["443 061 841", "443061841"], "123456789"], repairs) == \
        ["880878145", "443061841"]
    assert repairs == ["invalid SIREN dropped: 123456789"]


def test_previous_notice_id_from_string_or_object():
    prev = {"nomPublication": "BODACC A", "numeroParution": "20190249", "dateParution": "2019-12-27", "numeroAnnonce": "133"}
    assert previous_notice_id(json.dumps(prev)) == "A20190249133"
    assert previous_notice_id(prev) == "A20190249133"
    assert previous_notice_id([dict(prev, nomPublication="BODACC B")]) == "B20190249133"
    assert previous_notice_id({"nomPublication": "BODACC A"}) is None


def test_v21_registre_array_and_person_array_with_rm_siren():
    rec = ods_record("A202500011", "2025-01-02", registre=["880878145", "880 878 145"], listepersonnes=json.dumps(
        {"personne": [{"typePersonne": "pp", "nom": "Martin", "inscriptionRM": {"numeroIdentificationRM": "443 061 841"}},
                      {"typePersonne": "pm", "denomination": "X"}]}))
    row = build_notice(rec, source="ods", source_file="f.json")
    assert (row["sirens"], row["repairs"]) == (["880878145", "443061841"], [])


def test_collective_proceeding_kind_and_judgment():
    rec = ods_record("A202500012", "2025-01-02", "collective", jugement=json.dumps(
        {"famille": "Jugement d'ouverture", "nature": "Jugement d'ouverture d'une procédure de redressement judiciaire",
         "date": "10 décembre 2024"}))
    row = build_notice(rec, source="ods", source_file="f.json")
    assert (row["family"], row["proceeding_kind"], row["judgment_date"], row["judgment_family"]) == \
        ("collective", "redressement", dt.date(2024, 12, 10), "Jugement d'ouverture")


def test_unparsable_json_field_is_ignored_not_fatal():
    row = build_notice(ods_record("A202500013", "2025-01-02", jugement="{not json"), source="ods", source_file="f")
    assert (row["judgment_nature"], row["sirens"]) == (None, ["443061841"])


@pytest.mark.parametrize(("change", "reason"), [
    ({"dateparution": None}, "no usable publication date (missing)"),
    ({"dateparution": "0009-12-02"}, "no usable publication date (absurd date in dateparution: 0009-12-02)"),
    ({"id": None, "publicationavis": None}, "no notice id (publication letter, parution and notice number all needed)"),
])
def test_notices_that_cannot_be_stored(change, reason):
    with pytest.raises(NoticeError) as err:
        build_notice({**ods_record("A202500014", "2025-01-02"), **change}, source="ods", source_file="f")
    assert str(err.value) == reason


def test_id_rebuilt_from_letter_parution_and_number_when_absent():
    rec = {**ods_record("B202500027", "2025-01-02"), "id": None}
    assert build_notice(rec, source="ods", source_file="f")["id"] == "B202500027"
