"""The two date formats of the label sources (identifier cleaning: tests/test_identifiers.py)."""

from __future__ import annotations

from datetime import date

from sources.labels.clean import parse_date


def test_parse_date_reads_both_formats_of_the_dgefp_list():
    assert parse_date("01/01/2023") == date(2023, 1, 1)
    assert parse_date("2023-12-31") == date(2023, 12, 31)
    assert parse_date("2020-05-20T10:25:27.284Z") == date(2020, 5, 20)
    assert parse_date("31/02/2023") is None
    assert parse_date(None) is None
