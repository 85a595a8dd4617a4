"""Identifier cleaning per open_data.md "Common conventions", and the two date formats."""

from __future__ import annotations

from datetime import date

import pytest

from sources.labels.clean import clean_identifier, parse_date


@pytest.mark.parametrize(
    ("value", "pad", "accept", "expected"),
    [
        ("84370107900017", False, "siret", ("84370107900017", None)),
        ("843 701 079 00017", False, "siret", ("84370107900017", None)),
        ("356.000.000", False, "siren", ("356000000", None)),
        ("58801481", True, "siren", ("058801481", None)),  # achats responsables: a zero lost
        ("58801481", False, "siren", (None, "identifier not 9 digits")),
        ("33280", True, "siren", (None, "identifier not 9 digits")),  # more than 3 zeros missing: not padded
        ("1.23E+13", True, "either", (None, "identifier in scientific notation (digits lost)")),
        ("", False, "either", (None, "identifier missing")),
        (None, False, "either", (None, "identifier missing")),
        ("843701078", False, "siren", (None, "SIREN fails its checksum")),
        ("84370107900018", False, "siret", (None, "SIRET fails its checksum")),
        ("35600000000048", False, "either", ("35600000000048", None)),
        ("302474648", False, "either", ("302474648", None)),  # Agence Bio: a SIREN in `siret`
        ("30247464801571", False, "siren", (None, "identifier not 9 digits")),
    ],
)
def test_clean_identifier(value, pad, accept, expected):
    assert clean_identifier(value, pad=pad, accept=accept) == expected


def test_parse_date_reads_both_formats_of_the_dgefp_list():
    assert parse_date("01/01/2023") == date(2023, 1, 1)
    assert parse_date("2023-12-31") == date(2023, 12, 31)
    assert parse_date("2020-05-20T10:25:27.284Z") == date(2020, 5, 20)
    assert parse_date("31/02/2023") is None
    assert parse_date(None) is None
