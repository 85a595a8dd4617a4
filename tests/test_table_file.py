"""sources/table_file.py, the one sniff / zip member / header of the SIRENE and geolocation
readers: exact answers on small files written here."""

from __future__ import annotations

import gzip
import zipfile

import pytest

from sources import table_file


class Refused(ValueError):
    pass


def _zip(path, members: dict[str, str]):
    with zipfile.ZipFile(path, "w") as zf:
        for name, text in members.items():
            zf.writestr(name, text)
    return path


def _named(name):
    return lambda members: [m for m in members if name in m.filename]


def test_sniff_and_header(tmp_path):
    plain = tmp_path / "a.csv"
    plain.write_text("\ufeffsiret ; x;y\n1;2;3\n", encoding="utf-8")
    packed = tmp_path / "a.csv.gz"
    packed.write_bytes(gzip.compress(b"siren,nom\n1,a\n"))
    archive = _zip(tmp_path / "a.zip", {"a.csv": "siren\n"})
    assert [table_file.sniff(p) for p in (plain, packed, archive)] == ["csv", "csv", "zip"]
    assert table_file.csv_header(plain, Refused, delimiter=";") == ["siret", "x", "y"]
    assert table_file.csv_header(packed, Refused) == ["siren", "nom"]
    empty = tmp_path / "empty.csv"
    empty.write_text("\n")
    with pytest.raises(Refused, match=r"empty\.csv: empty file, no header line$"):
        table_file.csv_header(empty, Refused)
    assert table_file.sql_literal("l'an") == "l''an"


def test_extract_csv_picks_the_wanted_member(tmp_path):
    archive = _zip(tmp_path / "stock.zip", {"README.csv": "x\n", "dir/StockEtab.csv": "siret,nic\n1,2\n"})
    target, header = table_file.extract_csv(
        archive, "the stock", tmp_path / "work", pick=_named("Stock"), wanted="Stock*", error=Refused
    )
    assert (target.name, header, target.read_text()) == (
        ".stock.dir_StockEtab.csv.extracting",
        ["siret", "nic"],
        "siret,nic\n1,2\n",
    )
    with pytest.raises(Refused, match=r"^the stock: several CSV members and none named Other\*$"):
        table_file.extract_csv(archive, "the stock", tmp_path, pick=_named("Other"), wanted="Other*", error=Refused)
    lone = _zip(tmp_path / "lone.zip", {"any.csv": "a;b\n"})
    assert table_file.extract_csv(lone, "lone", tmp_path, pick=_named("x"), wanted="x", error=Refused, delimiter=";")[
        1
    ] == ["a", "b"]
    with pytest.raises(Refused, match=r"^none: zip holds no \.csv member \(\['a\.txt'\]\)$"):
        table_file.extract_csv(
            _zip(tmp_path / "none.zip", {"a.txt": ""}), "none", tmp_path, pick=_named("a"), wanted="a", error=Refused
        )


def test_an_extracted_member_without_header_is_removed(tmp_path):
    archive = _zip(tmp_path / "e.zip", {"e.csv": ""})
    with pytest.raises(Refused, match="empty file, no header line"):
        table_file.extract_csv(archive, "e", tmp_path / "work", pick=_named("e"), wanted="e", error=Refused)
    assert list((tmp_path / "work").iterdir()) == []
