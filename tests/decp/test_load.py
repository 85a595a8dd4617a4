"""load_decp on hand-built consolidated files: every documented quirk with its exact outcome."""

from __future__ import annotations

from datetime import date

import duckdb
import pytest

from firmo.errors import InputError
from firmo.quality.guard import RowCountRefused, guarded_loads
from sources.decp.load import TooManyRejects, load_decp
from sources.decp.quality import GUARDED
from sources.decp.read import DecpFormatError
from tests.decp.helpers import row, write_csv

TODAY = date(2026, 11, 1)


def quirky_rows():
    return [
        row(),  # plain
        row(sourceDataset="pes_marche", sourceFile="pes.json"),  # same key from another platform: a duplicate
        row(
            uid="U2",
            titulaire_id="   33487372600239",
            montant="12311111111.0",
            codeCPV="45211350-7",
            dateNotification="2024-05-02+02:00",
            dureeMois="NC",
            objet="NC",
        ),  # fmt: skip
        row(
            uid="U2",
            titulaire_id="ESB85535615",
            titulaire_typeIdentifiant="TVA",
            montant="12311111111.0",
            dateNotification="2024-05-02+02:00",
        ),  # fmt: skip
        row(uid="U3", titulaire_id="868768687576575", montant="-5", dateNotification="5021-02-18"),
        row(
            uid="U4",
            titulaire_id="1234567800012",
            montant="NC",
            dateNotification="September, 16 2021 00:00:00",
            codeCPV="4521",
        ),  # 13 digits: a SIRET that lost its leading zero  # fmt: skip
        row(uid="U5", montant="80000", dateNotification="0002-11-30", modification_id="0", donneesActuelles="false"),
        row(uid="U5", montant="90000", dateNotification="2025-06-01", modification_id="1", donneesActuelles="true"),
        row(uid="U6", titulaire_id="1.23E+13", titulaire_typeIdentifiant="SIRET", codeCPV="CPV?"),
        row(uid="U7", titulaire_id="44306184100047", titulaire_typeIdentifiant=None),  # type missing, 14 chars
    ]


@pytest.fixture()
def loaded(tmp_path):
    con = duckdb.connect()
    report = load_decp(con, write_csv(tmp_path / "decp.csv", quirky_rows()), today=TODAY)
    return con, report


def test_counts_of_the_quirks(loaded):
    con, report = loaded
    assert report.loaded == {"decp.marches": 8, "core.public_contracts": 5}
    assert (report.historical, report.duplicates, report.superseded) == (1, 1, 2)
    assert report.non_siret == {"SIRET (not 14 digits)": 2, "TVA": 1}  # kept, counted, not rejected
    assert report.rejected == {"decp.marches": 0}
    assert report.repairs == {
        "montant: sentinel -> NULL": 2,
        "dateNotification: in the future -> NULL": 1,
        "codeCPV: CPV? is not a CPV code -> NULL": 1,
        "titulaire_typeIdentifiant: missing, 14-character id taken as SIRET": 1,
        "montant: negative -> NULL": 1,
        "titulaire_id: leading zeros restored": 1,
        "dateNotification: implausible -> NULL": 1,
    }
    assert report.cursor == date(2025, 6, 1)


def test_values_after_cleaning(loaded):
    con, _ = loaded
    got = con.execute(
        "SELECT uid, titulaire_id, titulaire_typeIdentifiant, montant, codeCPV, dateNotification, dureeMois, objet, "
        "sourceDataset, repairs FROM decp.marches ORDER BY uid, titulaire_id"
    ).fetchall()
    voirie, plain = "Travaux de voirie", "45233140"
    assert got == [
        ("2100000000001323MAPA01", "55204599900869", "SIRET", 150000.0, plain, date(2025, 3, 4), 12, voirie,
         "decp_aife", []),
        ("U2", "33487372600239", "SIRET", None, "45211350", date(2024, 5, 2), None, None, "decp_aife",
         ["montant: sentinel 12311111111 -> NULL"]),
        ("U2", "ESB85535615", "TVA", None, plain, date(2024, 5, 2), 12, voirie, "decp_aife",
         ["montant: sentinel 12311111111 -> NULL"]),
        ("U3", "868768687576575", "SIRET", None, plain, None, 12, voirie, "decp_aife",
         ["montant: negative -> NULL", "dateNotification: 5021-02-18 in the future -> NULL"]),
        ("U4", "01234567800012", "SIRET", None, "45210000", date(2021, 9, 16), 12, voirie, "decp_aife",
         ["titulaire_id: leading zeros restored"]),
        ("U5", "55204599900869", "SIRET", 90000.0, plain, date(2025, 6, 1), 12, voirie, "decp_aife", []),
        ("U6", "1.23E+13", "SIRET", 150000.0, None, date(2025, 3, 4), 12, voirie, "decp_aife",
         ["codeCPV: CPV? is not a CPV code -> NULL"]),
        ("U7", "44306184100047", "SIRET", 150000.0, plain, date(2025, 3, 4), 12, voirie, "decp_aife",
         ["titulaire_typeIdentifiant: missing, 14-character id taken as SIRET"]),
    ]  # fmt: skip


def test_public_contracts_one_row_per_uid_and_siren_siret_titulaires_only(loaded):
    con, _ = loaded
    assert con.execute(
        "SELECT uid, siren, siret, notification_date, amount, cpv_code, contract_type, buyer_siret, buyer_name, "
        "buyer_category, co_contractors, source_dataset FROM core.public_contracts ORDER BY uid"
    ).fetchall() == [
        ("2100000000001323MAPA01", "552045999", "55204599900869", date(2025, 3, 4), 150000.0, "45233140", "Travaux",
         "21000000000013", "COMMUNE DE TEST", "Commune", 1, "decp_aife"),
        ("U2", "334873726", "33487372600239", date(2024, 5, 2), None, "45211350", "Travaux", "21000000000013",
         "COMMUNE DE TEST", "Commune", 2, "decp_aife"),  # the VAT co-contractor counts, is not a row
        ("U4", "012345678", "01234567800012", date(2021, 9, 16), None, "45210000", "Travaux", "21000000000013",
         "COMMUNE DE TEST", "Commune", 1, "decp_aife"),
        ("U5", "552045999", "55204599900869", date(2025, 6, 1), 90000.0, "45233140", "Travaux", "21000000000013",
         "COMMUNE DE TEST", "Commune", 1, "decp_aife"),  # the current modification only
        ("U7", "443061841", "44306184100047", date(2025, 3, 4), 150000.0, "45233140", "Travaux", "21000000000013",
         "COMMUNE DE TEST", "Commune", 1, "decp_aife"),
    ]  # fmt: skip
    assert con.execute("SELECT siren, count(DISTINCT uid) FROM core.public_contracts GROUP BY 1 ORDER BY 1").fetchall() == [
        ("012345678", 1), ("334873726", 1), ("443061841", 1), ("552045999", 2)]  # fmt: skip


def test_defence_buyer_absent_from_sirene_gets_its_name(tmp_path):
    con = duckdb.connect()
    load_decp(con, write_csv(tmp_path / "d.csv", [row(acheteur_id="13001536500013", acheteur_nom=None)]), today=TODAY)
    assert con.execute("SELECT buyer_siret, buyer_name FROM core.public_contracts").fetchall() == [
        ("13001536500013", "Ministère des Armées")]  # fmt: skip


def test_unreadable_rows_are_quarantined_with_file_line_and_reason(tmp_path):
    path = write_csv(tmp_path / "decp.csv", [row(uid="A1", objet="sur\ndeux lignes"), row(uid="A2")])
    good = path.read_text(encoding="utf-8")
    header = good.splitlines()[0]
    n = header.count(",") + 1
    broken = '"A3",' + ",".join(["x"] * n) + "\n"  # one field too many
    path.write_text(good + broken + write_csv(tmp_path / "tail.csv", [row(uid=None, titulaire_id="1"),
                    row(uid="A5", donneesActuelles="peut-etre")]).read_text(encoding="utf-8").split("\n", 1)[1],
                    encoding="utf-8")  # fmt: skip
    con = duckdb.connect()
    report = load_decp(con, path, today=TODAY, max_reject_share=1)
    assert report.loaded["decp.marches"] == 2
    assert report.rejected == {"decp.marches": 3}
    assert report.rejects_by_reason == {
        "unreadable CSV record": 1,
        "uid missing": 1,
        "donneesActuelles is not true/false": 1,
    }
    rejects = con.execute(
        "SELECT target_table, source_file, line_number, reason FROM decp.rejects ORDER BY line_number"
    ).fetchall()
    assert rejects == [
        (
            "decp.marches",
            str(path),
            5,
            f"unreadable CSV record (TOO MANY COLUMNS: Expected Number of Columns: {n} Found: {n + 1})",
        ),
        ("decp.marches", str(path), 6, "uid missing"),
        ("decp.marches", str(path), 7, "donneesActuelles is not true/false: peut-etre"),
    ]  # fmt: skip  (line 1 header, 2-3 the two-line objet, 4 A2, 5 the broken record)


def test_too_many_rejects_refuse_the_load_and_keep_the_tables(tmp_path):
    con = duckdb.connect()
    load_decp(con, write_csv(tmp_path / "a.csv", [row(), row(uid="B")]), today=TODAY)
    bad = write_csv(tmp_path / "b.csv", [row(uid=None), row(uid="C")])
    with pytest.raises(TooManyRejects, match="1 of 2 rows quarantined"):
        load_decp(con, bad, today=TODAY, max_reject_share=0.1)
    assert con.execute("SELECT uid FROM decp.marches ORDER BY uid").fetchall() == [("2100000000001323MAPA01",), ("B",)]


def test_header_by_name_extra_columns_tolerated_required_ones_refused(tmp_path):
    from sources.decp.columns import NAMES

    shuffled = ["colonne_nouvelle", *reversed(NAMES)]
    con = duckdb.connect()
    report = load_decp(con, write_csv(tmp_path / "x.csv", [row(colonne_nouvelle="?")], shuffled), today=TODAY)
    assert report.extra_columns == ["colonne_nouvelle"]
    assert con.execute("SELECT uid, titulaire_id FROM decp.marches").fetchall() == [
        ("2100000000001323MAPA01", "55204599900869")
    ]
    without = [n for n in NAMES if n != "donneesActuelles"]
    with pytest.raises(DecpFormatError, match="no column donneesActuelles"):
        load_decp(con, write_csv(tmp_path / "y.csv", [row()], without), today=TODAY)
    assert issubclass(DecpFormatError, InputError)


def test_the_row_count_guard_refuses_a_truncated_stock(tmp_path):
    con = duckdb.connect()
    rows = [row(uid=f"U{i}") for i in range(50)]
    with guarded_loads(con, GUARDED, min_ratio=0.98):
        load_decp(con, write_csv(tmp_path / "full.csv", rows), today=TODAY)
    with (
        pytest.raises(RowCountRefused, match="decp.marches would have 10 rows"),
        guarded_loads(con, GUARDED, min_ratio=0.98),
    ):
        load_decp(con, write_csv(tmp_path / "cut.csv", rows[:10]), today=TODAY)
    assert con.execute("SELECT count(*) FROM decp.marches").fetchall() == [(50,)]
