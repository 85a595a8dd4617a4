"""The parsers on the real published files in tests/fixtures/bodacc, exact values."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from sources.bodacc.load import load_bodacc, parse_file
from tests.bodacc.conftest import notices


def test_dila_taz_sample_every_notice_with_its_family(samples_dir):
    parsed = parse_file(samples_dir / "bodacc" / "RCS-A_BXA20200072.taz")
    rows = parsed.notices.to_pylist()
    assert (len(rows), parsed.rejects) == (295, [])
    assert Counter(r["family"] for r in rows) == {"creation": 228, "vente": 36, "immatriculation": 31}
    assert {r["publication_date"] for r in rows} == {dt.date(2020, 4, 10)}
    assert {(r["edition"], r["parution"], r["source"]) for r in rows} == {("A", "20200072", "dila")}
    assert sum(1 for r in rows if r["sirens"]) == 293


def test_dila_immatriculation_fields(samples_dir, con):
    load_bodacc(con, [samples_dir / "bodacc" / "RCS-A_BXA20200072.taz"])
    row = con.execute(
        "SELECT id, notice_number, notice_type, family, sirens, company_name, tribunal, departement, city, "
        "capital_amount, officers_text, previous_notice_id, status FROM bodacc.notices WHERE id = 'A20200072100'"
    ).fetchall()[0]
    assert row[:10] == ("A20200072100", 100, "annonce", "immatriculation", ["811044262"], "LANGA SOLAR FINANCIERE 1",
                        "GREFFE DU TRIBUNAL DE COMMERCE DE MONTPELLIER", "34", "Montpellier", 5000.0)
    assert row[10].startswith("Président : ENGIE GREEN FRANCE (SASU)")
    assert row[11:] == (None, "active")


def test_dila_vente_seller_and_buyer(samples_dir, con):
    load_bodacc(con, [samples_dir / "bodacc" / "RCS-A_BXA20200072.taz"])
    row = con.execute("SELECT family, sirens, seller_sirens, company_name, city, capital_amount FROM bodacc.notices "
                      "WHERE id = 'A202000721'").fetchall()[0]
    # the buyer is a company being created (no SIREN yet); the seller's SIREN is in the previous owner
    assert row == ("vente", [], ["827556382"], "VIEUX BOIS ALPINS ET MATERIAUX", "Saint-Pons", 10000.0)
    assert con.execute("SELECT count(*) FROM bodacc.notices WHERE family = 'vente' AND len(seller_sirens) > 0"
                       ).fetchall() == [(31,)]


def test_ods_v1_search_answer(samples_dir, con):
    report = load_bodacc(con, [samples_dir / "bodacc" / "ods_v1_records_sample.json"])
    assert (report.loaded, report.rejected) == ({"bodacc.notices": 3}, {"bodacc.notices": 0})
    assert notices(con, "id", "publication_date", "edition", "notice_number", "family", "sirens", "company_name",
                   "tribunal", "departement", "description", "source") == [
        ("B20220227446", dt.date(2022, 11, 23), "B", 446, "radiation", ["880878145"], "Ganymède",
         "GAAAreffe du Tribunal de Commerce de Paris", "75", None, "ods"),
        ("C202101554392", dt.date(2021, 8, 11), "C", 4392, "dpc", ["880878145"], "Ganymède",
         "GREFFE DU TRIBUNAL DE COMMERCE DE PARIS", "75", "Comptes annuels et rapports", "ods"),
        ("C202200902528", dt.date(2022, 5, 8), "C", 2528, "dpc", ["880878145"], "Ganymède",
         "Greffe du Tribunal de Commerce de paris", "75", "Comptes annuels et rapports", "ods"),
    ]
