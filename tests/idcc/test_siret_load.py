"""The SIRET -> IDCC load on the real rows quoted in open_data.md §7.1 and on hand-written files:
padding, 9999, several agreements per SIRET, SIRET cleaning, quarantine with lines, the removal
bound, and core.companies.idcc_codes."""

from __future__ import annotations

from datetime import date

import pytest

from firmo.errors import InputError
from sources.idcc.siret_load import TooManyRemoved, load_siret_idcc

HEADER = "MOIS,SIRET,IDCC,DATE_MAJ\n"


def rows(con, sql):
    return con.execute(sql).fetchall()


def write(tmp_path, text, name="siret_idcc.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_real_sample_rows(con, samples_dir):
    """The header and the two rows read from the live file (RN-2026-09), byte for byte."""
    path = samples_dir / "idcc" / "siret_idcc_sample.csv"
    assert path.read_text().splitlines()[0] == "MOIS,SIRET,IDCC,DATE_MAJ"
    report = load_siret_idcc(con, path)
    assert rows(con, "SELECT * FROM idcc.siret_idcc ORDER BY SIRET") == [
        ("2026-07", "40416412100141", "2614", date(2026, 8, 25)),
        ("2026-07", "44460844215461", "9999", date(2026, 8, 25)),
    ]
    # 9999 = no agreement: kept raw, never in the derived tables
    assert rows(con, "SELECT * FROM core.company_idcc") == [("404164121", "40416412100141", "2614", "2026-07")]
    assert rows(con, "SELECT siren, idcc_codes FROM core.company_idcc_codes") == [("404164121", ["2614"])]
    assert report.loaded == {"idcc.siret_idcc": 2, "core.company_idcc": 1, "core.company_idcc_codes": 1}
    assert report.rejected == {"idcc.siret_idcc": 0}
    assert rows(con, "SELECT count(*) FROM idcc.rejects") == [(0,)]
    columns = rows(con, "SELECT column_name, data_type FROM information_schema.columns "
                        "WHERE table_schema = 'idcc' AND table_name = 'siret_idcc' ORDER BY ordinal_position")  # fmt: skip
    assert columns == [("MOIS", "VARCHAR"), ("SIRET", "VARCHAR"), ("IDCC", "VARCHAR"), ("DATE_MAJ", "DATE")]


MIXED = (
    HEADER
    + "2026-07,40416412100141,2614  ,2026/08/25\n"  # line 2
    + "2026-07,40416412100018,1486  ,2026/08/25\n"  # 3: a second establishment, another agreement
    + "2026-07,40416412100018,2614  ,2026/08/25\n"  # 4: ... and a second agreement for it
    + "2026-07,44460844215461,9999  ,2026/08/25\n"  # 5: no agreement only
    + "2026-07,552013500012,1486  ,2026/08/25\n"  # 6: two leading zeros lost: padded back
    + "2026-07,5520352500013,16    ,2026/08/25\n"  # 7: one lost; IDCC 16 unpadded
    + "2026-06,5520352500013,0016  ,2026/07/20\n"  # 8: same agreement spelt 0016, the month before
    + "2026-07,0552 0352 5000 13,0016  ,2026/08/25\n"  # 9: spaces removed: a repeat of line 7
    + "2026-07,35600000053008,5516  ,2026/08/25\n"  # 10: La Poste (digit-sum SIRET)
    + "2026-07,35600000016414,9999  ,2026/08/25\n"  # 11
    + "2026-07,35600000016414,5516,2026/08/25\n"  # 12
    + "\n"  # 13: blank, skipped
    + "2026-07,4.0416412100141E+13,1486  ,2026/08/25\n"  # 14
    + "2026-07,40416412100142,1486  ,2026/08/25\n"  # 15
    + "2026-07,123,1486  ,2026/08/25\n"  # 16
    + "2026-07,,1486  ,2026/08/25\n"  # 17
    + "2026-07,40416412100026,ABCD  ,2026/08/25\n"  # 18
    + "2026-07,40416412100026,12345 ,2026/08/25\n"  # 19
    + "07/2026,40416412100026,1486  ,2026/08/25\n"  # 20
    + "2026-07,40416412100026,1486  ,25/08/2026\n"  # 21
    + "2026-07,40416412100026\n"  # 22
    + "2026-07,40416412100026,   ,2026/08/25\n"  # 23
)


def test_cleaning_padding_and_several_agreements(con, tmp_path):
    path = write(tmp_path, MIXED)
    report = load_siret_idcc(con, path, max_removal_pct=100)
    assert rows(con, "SELECT * FROM idcc.siret_idcc") == [
        ("2026-07", "00552013500012", "1486", date(2026, 8, 25)),
        ("2026-06", "05520352500013", "0016", date(2026, 7, 20)),
        ("2026-07", "05520352500013", "0016", date(2026, 8, 25)),
        ("2026-07", "35600000016414", "5516", date(2026, 8, 25)),
        ("2026-07", "35600000016414", "9999", date(2026, 8, 25)),
        ("2026-07", "35600000053008", "5516", date(2026, 8, 25)),
        ("2026-07", "40416412100018", "1486", date(2026, 8, 25)),
        ("2026-07", "40416412100018", "2614", date(2026, 8, 25)),
        ("2026-07", "40416412100141", "2614", date(2026, 8, 25)),
        ("2026-07", "44460844215461", "9999", date(2026, 8, 25)),
    ]
    assert report.superseded == 1  # line 9 repeats line 7 once its SIRET is cleaned
    assert rows(con, "SELECT * FROM core.company_idcc") == [
        ("005520135", "00552013500012", "1486", "2026-07"),
        ("055203525", "05520352500013", "0016", "2026-07"),  # latest month of the two
        ("356000000", "35600000016414", "5516", "2026-07"),
        ("356000000", "35600000053008", "5516", "2026-07"),
        ("404164121", "40416412100018", "1486", "2026-07"),
        ("404164121", "40416412100018", "2614", "2026-07"),
        ("404164121", "40416412100141", "2614", "2026-07"),
    ]
    assert rows(con, "SELECT * FROM core.company_idcc_codes") == [
        ("005520135", ["1486"]),
        ("055203525", ["0016"]),
        ("356000000", ["5516"]),
        ("404164121", ["1486", "2614"]),  # distinct, sorted; 444608442 (only 9999) has no row
    ]
    assert rows(con, "SELECT line_number, reason, raw FROM idcc.rejects ORDER BY line_number") == [
        (14, "SIRET in scientific notation", "2026-07,4.0416412100141E+13,1486  ,2026/08/25"),
        (15, "SIRET checksum fails", "2026-07,40416412100142,1486  ,2026/08/25"),
        (16, "SIRET not 14 digits once cleaned", "2026-07,123,1486  ,2026/08/25"),
        (17, "SIRET missing", "2026-07,,1486  ,2026/08/25"),
        (18, "IDCC not a number of 1 to 4 digits", "2026-07,40416412100026,ABCD  ,2026/08/25"),
        (19, "IDCC not a number of 1 to 4 digits", "2026-07,40416412100026,12345 ,2026/08/25"),
        (20, "MOIS not YYYY-MM", "07/2026,40416412100026,1486  ,2026/08/25"),
        (21, "DATE_MAJ not YYYY/MM/DD", "2026-07,40416412100026,1486  ,25/08/2026"),
        (22, "wrong column count: expected 4, found 2", "2026-07,40416412100026"),
        (23, "IDCC missing", "2026-07,40416412100026,   ,2026/08/25"),
    ]
    assert rows(con, "SELECT DISTINCT target_table, source_file FROM idcc.rejects") == [("idcc.siret_idcc", str(path))]
    assert report.rejected == {"idcc.siret_idcc": 10}
    assert report.rejects_by_reason["IDCC not a number of 1 to 4 digits"] == 2


def test_columns_read_by_name_in_any_order(con, tmp_path):
    path = write(tmp_path, "\ufeffSIRET,DATE_MAJ,IDCC,MOIS\r\n40416412100141,2026/08/25,2614  ,2026-07\r\n")
    load_siret_idcc(con, path)
    assert rows(con, "SELECT * FROM idcc.siret_idcc") == [("2026-07", "40416412100141", "2614", date(2026, 8, 25))]


def test_a_file_without_the_columns_is_one_error(con, tmp_path):
    path = write(tmp_path, "siret;idcc\n40416412100141;2614\n")
    with pytest.raises(InputError, match=r"no column MOIS, SIRET, IDCC, DATE_MAJ in the header \(SIRET;IDCC\)"):
        load_siret_idcc(con, path)
    assert rows(con, "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'idcc' "
                     "AND table_name LIKE 'siret_idcc%'") == [(0,)]  # fmt: skip


def _valid_rows(n):
    from firmo.identifiers import is_valid_siret

    out = []
    nic = 10
    while len(out) < n:
        siret = f"404164121{nic:05d}"
        if is_valid_siret(siret):
            out.append(f"2026-07,{siret},1486  ,2026/08/25\n")
        nic += 1
    return out


def test_more_removed_than_tolerated_publishes_nothing(con, tmp_path):
    load_siret_idcc(con, write(tmp_path, HEADER + "2026-07,40416412100141,2614  ,2026/08/25\n", "first.csv"))
    bad = write(tmp_path, HEADER + "".join(_valid_rows(49)) + "2026-07,1.2E+13,1486  ,2026/08/25\n", "bad.csv")
    with pytest.raises(TooManyRemoved) as refused:
        load_siret_idcc(con, bad)  # 1 of 50 = 2 % > 1 %
    assert str(refused.value) == (
        f"{bad}: 1 of 50 rows removed (2.00 %), above the 1 % this source tolerates "
        "(FIRMO_IDCC_MAX_REMOVAL_PCT); nothing published. Reasons: {'SIRET in scientific notation': 1}"
    )
    # the previous load is still what is live, rejects included
    assert rows(con, "SELECT SIRET FROM idcc.siret_idcc") == [("40416412100141",)]
    assert rows(con, "SELECT count(*) FROM idcc.rejects") == [(0,)]
    assert rows(con, "SELECT count(*) FROM information_schema.tables WHERE table_name LIKE '%staging%' "
                     "OR table_name LIKE 'siret_idcc\\_\\_%' ESCAPE '\\'") == [(0,)]  # fmt: skip
    report = load_siret_idcc(con, bad, max_removal_pct=2)
    assert report.loaded["idcc.siret_idcc"] == 49
    assert rows(con, "SELECT line_number, reason FROM idcc.rejects") == [(51, "SIRET in scientific notation")]


def test_core_companies_get_the_codes_of_their_establishments(con, tmp_path):
    """core.companies (here a hand-built one) is rebuilt in the same publish: distinct, sorted,
    9999 left out, NULL when none; a later load replaces the column."""
    con.execute("CREATE TABLE core.companies (siren VARCHAR, name VARCHAR)")
    con.execute("INSERT INTO core.companies VALUES ('404164121', 'A'), ('444608442', 'B'), ('356000000', 'LA POSTE'), "
                "('552081317', 'NO DSN ROW')")  # fmt: skip
    load_siret_idcc(con, write(tmp_path, MIXED), max_removal_pct=100)
    assert rows(con, "SELECT siren, name, idcc_codes FROM core.companies ORDER BY siren") == [
        ("356000000", "LA POSTE", ["5516"]),
        ("404164121", "A", ["1486", "2614"]),
        ("444608442", "B", None),
        ("552081317", "NO DSN ROW", None),
    ]
    load_siret_idcc(con, write(tmp_path, HEADER + "2026-08,44460844215461,1979  ,2026/09/25\n", "next.csv"))
    assert rows(con, "SELECT siren, idcc_codes FROM core.companies ORDER BY siren") == [
        ("356000000", None),
        ("404164121", None),
        ("444608442", ["1979"]),
        ("552081317", None),
    ]
    assert [
        c
        for (c,) in rows(
            con,
            "SELECT column_name FROM information_schema.columns WHERE table_schema = 'core' "
            "AND table_name = 'companies' ORDER BY ordinal_position",
        )
    ] == [  # fmt: skip
        "siren",
        "name",
        "idcc_codes",
    ]
