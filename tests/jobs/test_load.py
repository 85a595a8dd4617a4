"""From the stand-in France Travail to jobs.offres / jobs.labonneboite: no contact data ever
stored, rejects with file, line and reason, upsert by id, La Bonne Boîte skipped without access."""

from __future__ import annotations

import json
import logging
from datetime import date

import pytest

from firmo import db
from sources.jobs.client import FranceTravailClient
from sources.jobs.fake import FakeConfig, FakeFranceTravail
from sources.jobs.fetch import fetch_labonneboite, fetch_offers
from sources.jobs.load import LoadError, load_labonneboite, load_offers
from sources.jobs.parse import NEVER_STORED, clean_siret
from tests.jobs.conftest import RECRUITER, RECRUITER_MAIL

TODAY = date(2026, 11, 30)


@pytest.fixture()
def con(tmp_path):
    with db.connection(tmp_path / "w.duckdb") as c:
        yield c


def client_for(fake):
    return FranceTravailClient(
        "firmo-demo-client",
        "firmo-demo-secret",
        token_url=fake.token_url,
        api_url=fake.api_url,
        offers_rate=1000,
        lbb_rate=1000,
    )


def test_no_contact_names_stored_anywhere(tmp_path, con, offers_847):
    with FakeFranceTravail(offers_847, config=FakeConfig(offers_rate=1000)) as fake, client_for(fake) as client:
        summary = fetch_offers(client, tmp_path / "raw", departements=["34", "75"], today=TODAY, days_back=30)
    assert (summary.rows, summary.by_departement) == (847, {"34": 847})
    raw = summary.path.read_text(encoding="utf-8")
    for personal in (RECRUITER, RECRUITER_MAIL, "agence.340", "Contactez", '"contact', '"agence', '"description'):
        assert personal not in raw
    report = load_offers(con, [summary.path])
    assert (report.loaded, report.rejected) == ({"jobs.offres": 847}, {"jobs.offres": 0})
    columns = db.columns_of(con, "jobs.offres")
    assert not {c for c in columns if c.split("_")[0] in ("contact", "agence", "description")}
    assert NEVER_STORED == ("contact", "agence", "description", "entreprise.description")
    dump = json.dumps(con.execute("SELECT * FROM jobs.offres").fetchall(), default=str)
    assert RECRUITER not in dump and RECRUITER_MAIL not in dump
    row = con.execute(
        "SELECT id, intitule, dateCreation, lieuTravail_commune, lieuTravail_codePostal, lieuTravail_latitude, "
        "romeCode, typeContrat, nombrePostes, codeNAF, entreprise_nom FROM jobs.offres WHERE id = 'T000029'"
    ).fetchall()
    assert [tuple(str(v) for v in r) for r in row] == [
        (
            "T000029",
            "Développeur H/F",
            "2026-11-02 10:00:00",
            "34172",
            "34000",
            "43.6",
            "M1805",
            "CDI",
            "2",
            "62.01Z",
            "ACME",
        )
    ]


def test_rejects_and_upsert_by_id(tmp_path, con):
    first = tmp_path / "offres_1.jsonl"
    first.write_text(
        "\n".join(
            [
                json.dumps({"id": "A", "dateCreation": "2026-11-01T10:00:00.000Z", "intitule": "v1"}),
                json.dumps({"id": "", "dateCreation": "2026-11-01T10:00:00.000Z"}),
                json.dumps({"id": "B", "dateCreation": "hier"}),
                "{not json",
                json.dumps({"id": "C", "dateCreation": "2026-11-02T10:00:00+02:00"}),
            ]
        )
        + "\n"
    )
    report = load_offers(con, [first])
    assert report.loaded == {"jobs.offres": 2}
    assert report.rejects_by_reason == {"missing id": 1, "unreadable date": 1, "not JSON": 1}
    assert con.execute("SELECT source_file, line_number, reason FROM jobs.rejects ORDER BY line_number").fetchall() == [
        (str(first), 2, "missing id"),
        (str(first), 3, "unreadable date"),
        (str(first), 4, "not JSON"),
    ]
    second = tmp_path / "offres_2.jsonl"
    second.write_text(json.dumps({"id": "A", "dateCreation": "2026-11-01T10:00:00Z", "intitule": "v2"}) + "\n")
    load_offers(con, [second])
    assert con.execute(
        "SELECT id, intitule, CAST(dateCreation AS VARCHAR) FROM jobs.offres ORDER BY id"
    ).fetchall() == [
        ("A", "v2", "2026-11-01 10:00:00"),
        ("C", None, "2026-11-02 08:00:00"),  # +02:00 stored as UTC
    ]
    assert con.execute("SELECT count(*) FROM jobs.rejects").fetchall() == [(3,)]  # the first file's, kept


COMPANIES = [
    {
        "siret": "111 111 111 00011",
        "company_name": "ACME",
        "rome": "M1805",
        "department_number": "34",
        "hiring_potential": 4.2,
        "is_high_potential": True,
    },
    {
        "siret": "2222222200022",
        "company_name": "BETA",
        "rome": "M1805",
        "department_number": "34",
        "hiring_potential": 1.5,
        "is_high_potential": False,
    },
]


def test_la_bonne_boite_skipped_once_without_habilitation(tmp_path, caplog):
    caplog.set_level(logging.WARNING)
    with FakeFranceTravail([], COMPANIES, FakeConfig(lbb_access=False)) as fake, client_for(fake) as client:
        summary = fetch_labonneboite(client, tmp_path, searches=[("34", "M1805"), ("34", "F1703")], today=TODAY)
        stats = fake.stats()
    assert (summary.path, summary.skipped, summary.requests) == (None, "no habilitation (HTTP 403)", 1)
    assert stats["labonneboite 403"] == 1
    assert caplog.text.count("La Bonne Boîte: this France Travail application has no access") == 1
    assert list(tmp_path.iterdir()) == []


def test_la_bonne_boite_into_core_hiring_potential(tmp_path, con):
    with FakeFranceTravail([], COMPANIES, FakeConfig(lbb_rate=1000)) as fake, client_for(fake) as client:
        summary = fetch_labonneboite(client, tmp_path, searches=[("34", "M1805")], today=TODAY)
    report = load_labonneboite(con, [summary.path])
    assert report.loaded == {"jobs.labonneboite": 2, "core.hiring_potential": 2}
    assert con.execute("SELECT * FROM core.hiring_potential ORDER BY siret").fetchall() == [
        ("02222222200022", "022222222", "M1805", 1.5, False, TODAY),  # 13 digits: its zero put back
        ("11111111100011", "111111111", "M1805", 4.2, True, TODAY),
    ]
    bad = tmp_path / "labonneboite_bad.jsonl"
    bad.write_text(json.dumps({"siret": "12", "observed_date": "2026-11-30"}) + "\n")
    with pytest.raises(LoadError, match="1 of 1 rows have no usable SIRET"):
        load_labonneboite(con, [bad])
    assert db.row_count(con, "core.hiring_potential") == 2  # nothing published


def test_clean_siret():
    assert clean_siret("111 111 111 00011") == "11111111100011"
    assert clean_siret("1.1111111100011E+13") is None
    assert clean_siret("11111111100") == "00011111111100"
    assert clean_siret("1111111110") is None
    assert clean_siret(None) is None
