"""load_ratios on the real samples and on every trap of the export (shared/docs/inpi_bodacc.md §5.4)."""

from __future__ import annotations

import datetime as dt
import gzip

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from sources.inpi.ratios import load_ratios
from sources.inpi.ratios_read import RatiosFormatError

AS_OF = dt.date(2026, 11, 1)
HEADER = "siren;date_cloture_exercice;chiffre_d_affaires;marge_brute;ebe;ebit;resultat_net;type_bilan;confidentiality"


def _rows(con, sql, params=None):
    return con.execute(sql, params or []).fetchall()


def _fin(con, siren):
    return _rows(con, "SELECT fiscal_year_end, type_bilan, revenue, gross_margin, ebitda, ebit, net_income, quality_flags "
                      "FROM inpi.financials WHERE siren = ? ORDER BY fiscal_year_end, type_bilan", [siren])  # fmt: skip


def test_real_csv_sample(con, inpi_samples):
    report = load_ratios(con, inpi_samples / "ratios_inpi_bce_sample.csv", as_of=AS_OF)
    assert report.loaded == {"inpi.financials": 14, "core.latest_financials": 2}
    assert report.rejected == {"inpi.financials": 0}
    d = dt.date
    assert _fin(con, "487444697") == [
        (d(2019, 12, 31), "C", None, None, None, None, 15750, ["confidential_zero"]),
        (d(2020, 12, 31), "C", 532463, 487417, 37552, 3629, 2198, []),
        (d(2021, 12, 31), "C", None, None, None, None, -715690, ["confidential_zero"]),
        (d(2022, 12, 31), "C", 1848367, 1231872, -514706, -660304, -693623, []),  # confidential but given
    ]
    k_rows = [r for r in _fin(con, "552032534") if r[1] == "K"]
    assert k_rows == [
        (d(2016, 12, 31), "K", 21944000000, 21944000000, None, None, None, ["k_ebitda_is_revenue", "k_zero_amount"]),
        (d(2018, 12, 31), "K", 24812000000, 24812000000, None, None, 2559000000, ["k_ebitda_is_revenue", "k_zero_amount"]),
        (d(2019, 12, 31), "K", None, None, None, None, 2028000000, ["k_scale_suspect"]),  # 25,287,000: thousands
        (d(2021, 12, 31), "K", 24281000000, 11521000000, 11521000000, 2257000000, 1992000000, []),
        (d(2022, 12, 31), "K", 24281000000, 11521000000, 3340000000, 2257000000, None, ["k_zero_amount"]),
    ]
    assert _rows(con, "SELECT siren, fiscal_year_end, type_bilan, revenue, confidentiality FROM core.latest_financials ORDER BY siren") == [
        ("487444697", d(2022, 12, 31), "C", 1848367, "Partiellement confidentiel"),
        ("552032534", d(2023, 12, 31), "C", 699000000, "Public"),
    ]


def test_real_ods_api_json_sample(con, inpi_samples):
    report = load_ratios(con, inpi_samples / "ratios_inpi_bce_api_confidential.json", as_of=AS_OF)
    assert report.loaded["inpi.financials"] == 4
    rows = _rows(con, "SELECT fiscal_year_end, confidentiality, revenue FROM inpi.financials ORDER BY 1")
    assert [(r[0].year, r[1], r[2]) for r in rows] == [
        (2019, "Partiellement confidentiel", None), (2020, "Public", 532463),
        (2021, "Partiellement confidentiel", None), (2022, "Partiellement confidentiel", 1848367)]


def test_gzip_bom_capitalised_headers_and_line_numbered_rejects(con, tmp_path):
    lines = [
        "\ufeffSiren;Date_cloture_exercice;Chiffre_d_affaires;Marge_brute;Ebe;Ebit;Resultat_net;Type_bilan;Confidentiality",
        "552032534;2023-12-31;699000000;;;;;C;Public",
        "552032535;2023-12-31;1;;;;;C;Public",          # line 3: checksum
        "552032534;31/12/2023;1;;;;;S;Public",           # line 4: date format
        "552032534;2023",                                 # line 5: malformed
        "487444697;2022-12-31;12k;;;;;C;Public",         # line 6: not a number
        "487444697;2021-12-31;2147483647;5;;;;C;Public",  # line 7: INT32 sentinel
        "487444697;2020-12-31;100;;;;;C;Public",         # line 8: duplicate of line 9
        "487444697;2020-12-31;200;;;;;C;Public",
        "487444697;2045-12-31;1;;;;;C;Public",           # line 10: implausible date
        ";2020-12-31;1;;;;;C;Public",                     # line 11: no siren
        "487444697;2019-12-31;-5;;;;;S;Public",          # line 12: negative revenue
    ]
    path = tmp_path / "ratios.csv.gz"
    path.write_bytes(gzip.compress(("\n".join(lines) + "\n").encode("utf-8")))
    report = load_ratios(con, path, as_of=AS_OF)
    assert report.loaded["inpi.financials"] == 4
    assert _rows(con, "SELECT line_number, reason FROM inpi.rejects ORDER BY line_number") == [
        (3, "invalid SIREN (length or checksum): 552032535"),
        (4, "unparsable date_cloture_exercice: 31/12/2023"),
        (5, "malformed line (wrong number of fields)"),
        (6, "non-numeric chiffre_d_affaires: 12k"),
        (8, "duplicate (siren, date_cloture_exercice, type_bilan), the last line of the file is kept"),
        (10, "implausible date_cloture_exercice: 2045-12-31"),
        (11, "missing siren"),
    ]
    assert report.rejects_by_reason["invalid SIREN (length or checksum)"] == 1
    assert _fin(con, "487444697") == [
        (dt.date(2019, 12, 31), "S", None, None, None, None, None, ["negative_revenue"]),
        (dt.date(2020, 12, 31), "C", 200, None, None, None, None, []),
        (dt.date(2021, 12, 31), "C", None, 5, None, None, None, ["int32_sentinel"]),
    ]


def test_parquet_export_with_labels_numeric_siren_and_sentinel(con, tmp_path):
    table = pa.table({
        "SIREN": pa.array([5520135, 487444697, 487444697, 487444697], pa.int64()),  # 005520135 lost its zeros
        "Date de clôture exercice": ["2023-12-31", "2022-12-31", "2022-12-31", "2022-12-31"],
        "Chiffre d'affaires": pa.array([1000, 2147483647, 900, 800], pa.int32()),
        "Résultat net": pa.array([10, 20, 30, 40], pa.int32()),
        "Type bilan": ["C", "C", "S", "K"],
        "Confidentiality": ["Public"] * 4,
    })  # fmt: skip
    path = tmp_path / "ratios.parquet"
    pq.write_table(table, path)
    report = load_ratios(con, path, as_of=AS_OF)
    assert report.loaded == {"inpi.financials": 4, "core.latest_financials": 2}
    assert _rows(con, "SELECT siren, type_bilan, revenue, net_income FROM core.latest_financials ORDER BY siren") == [
        ("005520135", "C", 1000, 10),
        ("487444697", "C", None, 20),  # C wins over S and K for the same date, even without revenue
    ]


def test_latest_prefers_latest_year_then_c_over_s_over_k(con, tmp_path):
    path = tmp_path / "r.csv"
    path.write_text("\n".join([HEADER, "487444697;2022-12-31;5;;;;;K;Public", "487444697;2022-12-31;4;;;;;S;Public",
                               "487444697;2021-12-31;3;;;;;C;Public", "552032534;2023-06-30;7;;;;;K;Public",
                               "552032534;2023-06-30;6;;;;;S;Public", "552032534;2027-06-30;9;;;;;C;Public"]) + "\n")
    load_ratios(con, path, as_of=AS_OF)
    assert _rows(con, "SELECT siren, fiscal_year_end, type_bilan, revenue FROM core.latest_financials ORDER BY 1") == [
        ("487444697", dt.date(2022, 12, 31), "S", 4),
        ("552032534", dt.date(2023, 6, 30), "S", 6),  # 2027 is after as_of: not yet a "latest"
    ]


def test_missing_column_and_empty_result_fail_without_publishing(con, tmp_path, inpi_samples):
    load_ratios(con, inpi_samples / "ratios_inpi_bce_sample.csv", as_of=AS_OF)
    wrong = tmp_path / "wrong.csv"
    wrong.write_text("siren;chiffre_d_affaires\n487444697;1\n")
    with pytest.raises(RatiosFormatError, match="no column date_cloture_exercice, type_bilan, confidentiality"):
        load_ratios(con, wrong, as_of=AS_OF)
    only_bad = tmp_path / "bad.csv"
    only_bad.write_text(HEADER + "\n123;2020-12-31;1;;;;;C;Public\n")
    with pytest.raises(ValueError, match="no usable ratios row out of 1 read"):
        load_ratios(con, only_bad, as_of=AS_OF)
    assert _rows(con, "SELECT count(*) FROM inpi.financials") == [(14,)]
    assert _rows(con, "SELECT count(*) FROM inpi.rejects") == [(0,)]
