"""Bad rows are quarantined with file, line and reason; the good rows load; nothing is dropped."""

from __future__ import annotations

import pytest

from firmo import db
from sources.sirene.ingest import TooManyRejects, _physical_line, load_sirene
from sources.sirene.reader import SireneFormatError
from sources.sirene.schema import ETABLISSEMENTS_COLUMNS, UNITES_LEGALES_COLUMNS
from tests.sirene.builders import etab_row, siren, siret, ul_row, write_csv

A, B, C = siren("12345678"), siren("87654321"), siren("55555555")
BAD_SIREN = A[:8] + str((int(A[8]) + 1) % 10)   # valid length, wrong check digit


@pytest.fixture()
def files(tmp_path):
    ul = write_csv(tmp_path / "ul.csv", UNITES_LEGALES_COLUMNS, [
        ul_row(A),                                                   # line 2
        ul_row(B, dateCreationUniteLegale="2023-02-30"),             # line 3: impossible date
        "too,few,columns",                                           # line 4
        ul_row(BAD_SIREN),                                           # line 5: checksum
        ul_row(C, trancheEffectifsUniteLegale="NN", categorieEntreprise=""),  # line 6
    ])
    et = write_csv(tmp_path / "et.csv", ETABLISSEMENTS_COLUMNS, [
        etab_row(siret(A, "0001")),                                  # line 2
        etab_row(siret(A, "0002"), etablissementSiege="false", dateCreationEtablissement="2024-13-01"),  # 3
        etab_row(siret(C, "0001")),                                  # line 4
        etab_row(siret(C, "0001")[:13]),                             # line 5: 13-digit SIRET
        ",".join(["x"] * (len(ETABLISSEMENTS_COLUMNS) + 1)),         # line 6: one column too many
        etab_row(siret(C, "0002"), etablissementSiege="false"),      # line 7
    ])
    return ul, et


def rejects(con):
    return con.execute(
        "SELECT target_table, line_number, reason FROM sirene.rejects ORDER BY target_table, line_number"
    ).fetchall()


def test_bad_rows_are_quarantined_with_line_and_reason(data_env, files):
    ul, et = files
    with db.connection() as con:
        report = load_sirene(con, unites_legales=ul, etablissements=et, max_reject_ratio=1.0)
        assert rejects(con) == [
            ("sirene.etablissements", 3, "impossible date '2024-13-01' in dateCreationEtablissement"),
            ("sirene.etablissements", 5, f"invalid SIRET '{siret(C, '0001')[:13]}': 13 digits, expected 14"),
            ("sirene.etablissements", 6, f"wrong column count: expected {len(ETABLISSEMENTS_COLUMNS)}, found {len(ETABLISSEMENTS_COLUMNS) + 1}"),
            ("sirene.unites_legales", 3, "impossible date '2023-02-30' in dateCreationUniteLegale"),
            ("sirene.unites_legales", 4, f"wrong column count: expected {len(UNITES_LEGALES_COLUMNS)}, found 3"),
            ("sirene.unites_legales", 5, f"invalid SIREN '{BAD_SIREN}': checksum (Luhn) fails"),
        ]
        assert sorted(r[0] for r in con.execute("SELECT siren FROM sirene.unites_legales").fetchall()) == sorted([A, C])
        assert con.execute("SELECT count(*) FROM sirene.etablissements").fetchone()[0] == 3
        assert report.tables["unites_legales"].rows_loaded == 2
        assert report.tables["unites_legales"].rows_rejected == 3
        assert report.tables["etablissements"].rows_read == 6
        # raw keeps what was read, for the analyst who fixes the source
        raw = con.execute("SELECT raw FROM sirene.rejects WHERE line_number = 4 AND target_table = 'sirene.unites_legales'").fetchone()[0]
        assert raw == "too,few,columns"


def test_too_many_rejects_publishes_nothing(data_env, files):
    ul, et = files
    with db.connection() as con:
        with pytest.raises(TooManyRejects, match="3 of 5 rows rejected"):
            load_sirene(con, unites_legales=ul, etablissements=et, max_reject_ratio=0.1)
        assert not db.table_exists(con, "sirene.unites_legales")
        assert not db.table_exists(con, "sirene.unites_legales__staging")
        assert con.execute("SELECT count(*) FROM sirene.rejects").fetchone()[0] == 0


def test_wrong_file_is_a_clear_error(data_env, files):
    ul, et = files
    with db.connection() as con:
        with pytest.raises(SireneFormatError, match="is not a SIRENE unites_legales stock: header lacks"):
            load_sirene(con, unites_legales=et, etablissements=et)


def test_duplicate_keys_keep_the_most_recent_row(data_env, tmp_path):
    ul = write_csv(tmp_path / "ul.csv", UNITES_LEGALES_COLUMNS, [
        ul_row(A, denominationUniteLegale="OLD", dateDernierTraitementUniteLegale="2024-01-01T00:00:00"),
        ul_row(A, denominationUniteLegale="NEW", dateDernierTraitementUniteLegale="2025-01-01T00:00:00"),
    ])
    et = write_csv(tmp_path / "et.csv", ETABLISSEMENTS_COLUMNS, [etab_row(siret(A, "0001"))])
    with db.connection() as con:
        load_sirene(con, unites_legales=ul, etablissements=et, max_reject_ratio=1.0)
        assert con.execute("SELECT denominationUniteLegale FROM sirene.unites_legales").fetchall() == [("NEW",)]
        assert con.execute("SELECT reason FROM sirene.rejects").fetchall() == [
            (f"duplicate siren '{A}': a more recently processed row is kept",)
        ]


@pytest.mark.parametrize(
    "ordinal, skipped, line",
    [(1, [], 2), (3, [], 4), (1, [2], 3), (2, [3], 4), (3, [3, 4], 6), (2, [5, 9], 3), (4, [2, 3, 4], 8)],
)
def test_physical_line_mapping(ordinal, skipped, line):
    assert _physical_line(ordinal, skipped) == line


def test_line_numbers_are_the_same_through_the_rescan_fallback(data_env, files, monkeypatch):
    """Many bad rows (or a quoted key) make the loader rescan the file instead of searching prefixes."""
    from sources.sirene import ingest

    ul, et = files
    with db.connection() as con:
        load_sirene(con, unites_legales=ul, etablissements=et, max_reject_ratio=1.0)
        by_prefix = rejects(con)
        monkeypatch.setattr(ingest, "MAX_PREFIXES", 0)
        load_sirene(con, unites_legales=ul, etablissements=et, max_reject_ratio=1.0)
        assert rejects(con) == by_prefix


def test_find_line_numbers(tmp_path):
    from sources.sirene.linefinder import find_line_numbers

    path = tmp_path / "f.csv"
    path.write_text("siren,x\n111,a\n222,b\n111,c\n333,d\n")
    assert find_line_numbers(path, ["111,", "333,", "444,"]) == {"111,": [2, 4], "333,": [5], "444,": []}


def test_parquet_values_that_do_not_cast_are_quarantined_with_their_row(data_env, tmp_path):
    import duckdb

    ul = write_csv(tmp_path / "ul.csv", UNITES_LEGALES_COLUMNS, [ul_row(A), ul_row(C, dateDebut="2023-02-30")])
    et = write_csv(tmp_path / "et.csv", ETABLISSEMENTS_COLUMNS, [etab_row(siret(A, "0001"))])
    ul_pq, et_pq = tmp_path / "ul.parquet", tmp_path / "et.parquet"
    duckdb.execute(f"COPY (SELECT * FROM read_csv('{ul}', all_varchar = true)) TO '{ul_pq}' (FORMAT parquet)")
    duckdb.execute(f"COPY (SELECT * FROM read_csv('{et}', all_varchar = true)) TO '{et_pq}' (FORMAT parquet)")
    with db.connection() as con:
        load_sirene(con, unites_legales=ul_pq, etablissements=et_pq, max_reject_ratio=1.0)
        assert rejects(con) == [("sirene.unites_legales", 2, "impossible value: dateDebut=2023-02-30")]


@pytest.mark.parametrize("fallback", [False, True])
def test_an_invalid_siren_repeated_on_three_lines_is_three_rejects(data_env, tmp_path, monkeypatch, fallback):
    """Each bad line is one reject with its own line (the join once gave n x n rows: 9 for 3)."""
    if fallback:  # the narrow rescan, used when the prefixes are too many or not found
        monkeypatch.setattr("sources.sirene.ingest._lines_by_prefix", lambda src, keys: None)
    ul = write_csv(tmp_path / "ul.csv", UNITES_LEGALES_COLUMNS, [
        ul_row(A),                                                   # line 2
        ul_row(BAD_SIREN, denominationUniteLegale="ONE"),            # line 3
        ul_row(B),                                                   # line 4
        ul_row(BAD_SIREN, denominationUniteLegale="TWO"),            # line 5
        ul_row(BAD_SIREN, denominationUniteLegale="THREE"),          # line 6
    ])
    et = write_csv(tmp_path / "et.csv", ETABLISSEMENTS_COLUMNS, [etab_row(siret(A, "0001"))])
    with db.connection() as con:
        report = load_sirene(con, unites_legales=ul, etablissements=et, max_reject_ratio=1.0)
        assert con.execute(
            "SELECT line_number, reason FROM sirene.rejects WHERE target_table = 'sirene.unites_legales' ORDER BY 1"
        ).fetchall() == [(n, f"invalid SIREN '{BAD_SIREN}': checksum (Luhn) fails") for n in (3, 5, 6)]
        assert report.tables["unites_legales"].rows_rejected == 3
        assert report.tables["unites_legales"].rows_loaded == 2
