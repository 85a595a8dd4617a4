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


def company(siret: str, name: str, potential: float) -> dict:
    return {
        "siret": siret,
        "company_name": name,
        "rome": "M1805",
        "department_number": "34",
        "hiring_potential": potential,
        "is_high_potential": potential >= 3.5,
    }


# The fake serves them by hiring potential, highest first: the raw file's lines 1 to 4.
COMPANIES = [
    company("111 111 118 00001", "ACME", 4.2),  # Luhn-valid, spaced
    company("35600000053008", "LA POSTE", 3.0),  # La Poste: digit sum a multiple of 5, not Luhn
    company("2222222800003", "BETA", 1.5),  # Luhn-valid once its lost leading zero is put back
    company("111 111 111 00011", "GAMMA", 1.0),  # fails Luhn (was loaded before the checksum)
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
    report = load_labonneboite(con, [summary.path], max_removal=0.25)
    assert report.loaded == {"jobs.labonneboite": 3, "core.hiring_potential": 3}
    assert report.rejects_by_reason == {"siret: SIRET fails its checksum": 1}
    assert con.execute("SELECT * FROM core.hiring_potential ORDER BY siret").fetchall() == [
        ("02222222800003", "022222228", "M1805", 1.5, False, TODAY),  # 13 digits: its zero put back
        ("11111111800001", "111111118", "M1805", 4.2, True, TODAY),
        ("35600000053008", "356000000", "M1805", 3.0, False, TODAY),
    ]
    assert con.execute("SELECT target_table, source_file, line_number, reason FROM jobs.rejects").fetchall() == [
        ("jobs.labonneboite", str(summary.path), 4, "siret: SIRET fails its checksum")
    ]
    bad = tmp_path / "labonneboite_bad.jsonl"
    bad.write_text(json.dumps({"siret": "12", "observed_date": "2026-11-30"}) + "\n")
    with pytest.raises(LoadError, match="1 of 1 rows have no usable SIRET"):
        load_labonneboite(con, [bad])
    assert db.row_count(con, "core.hiring_potential") == 3  # nothing published


def test_la_bonne_boite_checksum_counts_against_the_removal_share(tmp_path, con):
    """One Luhn failure in four is 25 %, past the default 5 %: refused as a whole, as a format change."""
    with FakeFranceTravail([], COMPANIES, FakeConfig(lbb_rate=1000)) as fake, client_for(fake) as client:
        summary = fetch_labonneboite(client, tmp_path, searches=[("34", "M1805")], today=TODAY)
    with pytest.raises(LoadError, match="1 of 4 rows have no usable SIRET"):
        load_labonneboite(con, [summary.path])
    assert not db.table_exists(con, "core.hiring_potential")


def test_clean_siret():
    assert clean_siret("111 111 118 00001") == ("11111111800001", None)
    assert clean_siret("111 111 111 00011") == (None, "SIRET fails its checksum")
    assert clean_siret("35600000053008") == ("35600000053008", None)  # La Poste's rule
    assert clean_siret("1.1111111800001E+13") == (None, "identifier in scientific notation (digits lost)")
    assert clean_siret("22222228") == (None, "identifier not 14 digits")
    assert clean_siret("11111200009") == ("00011111200009", None)  # three lost zeros put back
    assert clean_siret("11111111100") == (None, "SIRET fails its checksum")
    assert clean_siret(None) == (None, "identifier missing")
