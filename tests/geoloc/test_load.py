"""The geolocation load on hand-written rows in the documented format (open_data.md §8.1: no real
sample of the file exists in public repositories, so the rows follow the 19-column header of
datagouvfr_data_pipelines `config_geoloc.json`, `;`-separated, `[ND]` for masked values)."""

from __future__ import annotations

import zipfile
from pathlib import Path

import duckdb
import pytest

from firmo import db, geo
from firmo.identifiers import is_valid_siret
from sources.geoloc.load import TooManyRemoved, load_geoloc
from sources.geoloc.reader import GeolocFormatError

HEADER = (
    "siret;x;y;qualite_xy;epsg;plg_qp24;plg_iris;plg_zus;plg_qp15;plg_qva;plg_code_commune;distance_precision;"
    "qualite_qp24;qualite_iris;qualite_zus;qualite_qp15;qualite_qva;y_latitude;x_longitude"
)


def _luhn_digit(body: str) -> str:
    for d in "0123456789":
        digits = body + d
        total = sum(
            (int(c) * 2 - 9 if int(c) * 2 > 9 else int(c) * 2) if i % 2 else int(c)
            for i, c in enumerate(reversed(digits))
        )
        if total % 10 == 0:
            return d
    raise AssertionError


def siret(n: int, nic: int = 1) -> str:
    """A valid SIRET: SIREN from 8 digits of `n` + Luhn, NIC 4 digits + Luhn over the 14."""
    siren = f"{n:08d}"
    siren += _luhn_digit(siren)
    body = siren + f"{nic:04d}"
    value = body + _luhn_digit(body)
    assert is_valid_siret(value)
    return value


S = {name: siret(n) for n, name in enumerate(
    ["paris", "versailles", "masked", "random", "fallback", "deleguee", "former", "island", "padded", "spaced",
     "closed"], start=11110000)}  # fmt: skip
LEADING_ZERO = siret(1234567)  # '01234567x...': written without its leading zero
assert LEADING_ZERO.startswith("0")


def row(siret_value: str, lat: str, lon: str, quality: str = "11", commune: str = "", precision: str = "5.0") -> str:
    """A line in the file's column order; x / y as Lambert-93-looking numbers (never read)."""
    fields = [siret_value, "652469.0", "6862035.3", quality, "2154", "", "", "", "", "", commune, precision]
    return ";".join(fields + ["", "", "", "", "", lat, lon])


def good_rows() -> list[str]:
    return [
        row(S["paris"], "48.8566", "2.3522", commune="75101"),
        row(S["versailles"], "48.8049", "2.1204", quality="12", commune="78646", precision="12.5"),
        row(S["masked"], "[ND]", "[ND]", quality="[ND]", commune="75101", precision="[ND]"),
        row(S["random"], "48.8570", "2.3500", quality="33", commune="75101", precision="1500.0"),
        row(S["fallback"], "48.8600", "2.3400", commune=""),  # commune from SIRENE
        row(S["deleguee"], "46.30", "5.10", commune="01039"),  # Béon, déléguée of 01138
        row(S["former"], "46.20", "5.20", commune="01126"),  # former code merged into 01033
        row(S["island"], "48.0380", "-4.8500", commune="29083"),  # Île-de-Sein: no EPCI
        row(LEADING_ZERO[1:], "48.8566", "2.3522", commune="75101"),  # 13 digits: padded
        row(f"{S['spaced'][:3]} {S['spaced'][3:6]} {S['spaced'][6:9]} {S['spaced'][9:]}", "48.85", "2.35", commune="75101"),
        row(S["closed"], "48.8500", "2.3600", commune="75101"),
    ]  # fmt: skip


def write_csv(path: Path, lines: list[str], header: str = HEADER) -> Path:
    path.write_text(header + "\n" + "\n".join(lines) + "\n", encoding="utf-8")
    return path


def write_zip(path: Path, lines: list[str]) -> Path:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(
            "GeolocalisationEtablissement_Sirene_pour_etudes_statistiques_utf8.csv", HEADER + "\n" + "\n".join(lines)
        )
    return path


@pytest.fixture
def con() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    db.ensure_schemas(con)
    # the SIRENE establishments the load takes `active` and the fallback commune from
    con.execute(
        "CREATE TABLE sirene.etablissements (siret VARCHAR, codeCommuneEtablissement VARCHAR, "
        "etatAdministratifEtablissement VARCHAR)"
    )
    con.executemany(
        "INSERT INTO sirene.etablissements VALUES (?, ?, ?)",
        [(S["paris"], "75101", "A"), (S["fallback"], "75108", "A"), (S["closed"], "75101", "F")],
    )
    return con


def locations(con) -> dict[str, tuple]:
    rows = con.execute(
        "SELECT siret, siren, latitude, longitude, geocode_quality, precise, precision_m, commune_code, epci_siren, "
        "active, grid_cell FROM core.establishment_locations"
    ).fetchall()
    return {r[0]: r[1:] for r in rows}


def test_load_values(con, tmp_path):
    report = load_geoloc(con, write_zip(tmp_path / "geo.zip", good_rows()), workdir=tmp_path)
    assert report.loaded == {"geo.geolocalisation": 11, "core.establishment_locations": 11, "core.commune_points": 7}
    assert report.rejected == {"geo.geolocalisation": 0}
    loc = locations(con)
    paris_cell = geo.grid_cell(48.8566, 2.3522)
    assert loc[S["paris"]] == (S["paris"][:9], 48.8566, 2.3522, "11", True, 5.0, "75101", "200054781", True, paris_cell)
    assert loc[S["versailles"]] == (
        S["versailles"][:9], 48.8049, 2.1204, "12", True, 12.5, "78646", "247800584", None, geo.grid_cell(48.8049, 2.1204)
    )  # fmt: skip
    # [ND]: no coordinates, no quality, not precise, kept with its commune
    assert loc[S["masked"]] == (S["masked"][:9], None, None, None, False, None, "75101", "200054781", None, None)
    # 33: coordinates kept, not precise
    assert loc[S["random"]][3:5] == ("33", False)
    assert loc[S["random"]][1:3] == (48.857, 2.35)
    # commune from SIRENE when plg_code_commune is empty, then its EPCI
    assert loc[S["fallback"]][6:9] == ("75108", "200054781", True)
    assert loc[S["deleguee"]][6:8] == ("01039", "200040350")  # the EPCI of its commune nouvelle 01138
    assert loc[S["former"]][6:8] == ("01126", "240100891")  # the EPCI of 01033
    assert loc[S["island"]][6:8] == ("29083", None)
    assert loc[S["closed"]][8] is False
    assert LEADING_ZERO in loc and S["spaced"] in loc  # cleaned per the Common conventions
    assert con.execute(f"SELECT siret FROM geo.geolocalisation WHERE siret = '{LEADING_ZERO}'").fetchall()
    # stored by grid cell, NULL cells last
    cells = [r[0] for r in con.execute("SELECT grid_cell FROM core.establishment_locations").fetchall()]
    assert cells == sorted(cells, key=lambda c: (c is None, c))
    # raw table: the publisher's 19 columns, as published
    raw = con.execute(f"SELECT * FROM geo.geolocalisation WHERE siret = '{S['masked']}'").fetchall()[0]
    assert raw == (S["masked"], "652469.0", "6862035.3", "[ND]", "2154", None, None, None, None, None, "75101",
                   "[ND]", None, None, None, None, None, "[ND]", "[ND]")  # fmt: skip
    assert [c[0] for c in con.execute("DESCRIBE geo.geolocalisation").fetchall()] == HEADER.split(";")


def test_commune_points(con, tmp_path):
    load_geoloc(con, write_csv(tmp_path / "geo.csv", good_rows()))
    # 75101: paris, random (33), padded, spaced, closed; masked has no point. Medians of 5 values.
    assert geo.commune_point(con, "75101") == (48.8566, 2.3522)
    # Paris as a whole: 75101 and 75108 (the fallback row, 48.86 / 2.34): medians of 6 values
    assert geo.commune_point(con, "75056") == pytest.approx((48.8566, (2.35 + 2.3522) / 2))
    assert geo.commune_point(con, "78646") == (48.8049, 2.1204)
    assert geo.commune_point(con, "13055") is None


def test_rejects_with_lines_and_reasons(con, tmp_path):
    good = good_rows()
    lines = [
        good[0],  # line 2
        "not;a;geoloc;line",  # 3: malformed
        row("12345678901234", "48.85", "2.35"),  # 4: checksum
        good[1],  # 5
        row(S["paris"], "48.80", "2.30"),  # 6: duplicate of line 2
        row(siret(99990001), "48,85x", "2.35"),  # 7: unparseable
        row(siret(99990002), "0.0", "0.0"),  # 8: outside France
        row(siret(99990003), "652469.0", "6862035.3"),  # 9: Lambert-93 metres in the WGS84 columns
        row(siret(99990004), "48.85", "[ND]"),  # 10: one coordinate only
        row("3.5600000000048E+13", "48.85", "2.35"),  # 11: scientific notation
        row("", "48.85", "2.35"),  # 12: no SIRET
        row("12345", "48.85", "2.35"),  # 13: too short to pad
        row(siret(99990005), "-20.882", "55.45", commune="97411"),  # 14: La Réunion, kept
        row(siret(99990006), "-17.54", "-149.57", commune="98735"),  # 15: Papeete, kept
    ]
    report = load_geoloc(con, write_csv(tmp_path / "geo.csv", lines), max_removal_pct=50)
    rejects = con.execute(
        "SELECT line_number, reason FROM geo.rejects WHERE target_table = 'geo.geolocalisation' ORDER BY line_number"
    ).fetchall()
    assert rejects == [
        (3, "malformed line: wrong number of ';'-separated columns"),
        (4, "SIRET checksum fails"),
        (6, "duplicate SIRET (the first line is kept)"),
        (7, "unparseable coordinates"),
        (8, "coordinates outside France"),
        (9, "coordinates outside France"),
        (10, "only one of y_latitude / x_longitude given"),
        (11, "SIRET in scientific notation"),
        (12, "missing SIRET"),
        (13, "SIRET not 14 digits once cleaned"),
    ]
    assert report.loaded["geo.geolocalisation"] == 4
    assert report.rejected == {"geo.geolocalisation": 10}
    assert report.rejects_by_reason["coordinates outside France"] == 2
    raw = con.execute("SELECT raw, source_file FROM geo.rejects WHERE line_number = 11").fetchall()[0]
    assert '"siret":"3.5600000000048E+13"' in raw[0] and raw[1] == str(tmp_path / "geo.csv")
    assert con.execute("SELECT raw FROM geo.rejects WHERE line_number = 3").fetchall() == [("not;a;geoloc;line",)]


def test_too_many_siret_removed_fails_and_publishes_nothing(con, tmp_path):
    load_geoloc(con, write_csv(tmp_path / "first.csv", good_rows()))
    before = locations(con)
    bad = good_rows()[:3] + [row("12345678901234", "48.85", "2.35")]  # 1 of 4 = 25 %
    with pytest.raises(TooManyRemoved, match=r"1 of 4 SIRETs removed .*25.00 % > 1.0 %"):
        load_geoloc(con, write_csv(tmp_path / "second.csv", bad))
    assert locations(con) == before  # the live tables are untouched
    assert con.execute("SELECT count(*) FROM geo.rejects").fetchall() == [(0,)]
    leftovers = con.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_name LIKE '%staging%' OR table_name LIKE '__geoloc%'"
    ).fetchall()
    assert leftovers == []
    # the same file passes with a looser bound, and replaces the tables and their rejects
    report = load_geoloc(con, write_csv(tmp_path / "second.csv", bad), max_removal_pct=30)
    assert report.loaded["core.establishment_locations"] == 3
    assert con.execute("SELECT line_number, reason FROM geo.rejects").fetchall() == [(5, "SIRET checksum fails")]


def test_reload_replaces_rejects_of_the_previous_file(con, tmp_path):
    load_geoloc(con, write_csv(tmp_path / "a.csv", good_rows() + ["x;y"]))
    assert con.execute("SELECT count(*) FROM geo.rejects").fetchall() == [(1,)]
    load_geoloc(con, write_csv(tmp_path / "b.csv", good_rows()))
    assert con.execute("SELECT count(*) FROM geo.rejects").fetchall() == [(0,)]


def test_columns_read_by_name_in_any_order_and_parquet_with_fewer_columns(con, tmp_path):
    names = HEADER.split(";")
    order = list(reversed(names))
    lines = [";".join(reversed(line.split(";"))) for line in good_rows()]
    load_geoloc(con, write_csv(tmp_path / "reversed.csv", lines, header=";".join(order)))
    reversed_locations = locations(con)
    load_geoloc(con, write_csv(tmp_path / "plain.csv", good_rows()))
    assert reversed_locations == locations(con)
    # parquet with the 14 columns seen in the published parquet (no qualite_qp24 ... qualite_qva), one bad row
    fourteen = names[:12] + names[-2:]
    assert len(fourteen) == 14
    con.execute(
        f"COPY (SELECT {', '.join(fourteen)} FROM read_csv(?, delim=';', header=true, all_varchar=true)) "
        f"TO '{tmp_path / 'geo.parquet'}' (FORMAT parquet)",
        [str(write_csv(tmp_path / "src.csv", good_rows()[:4] + [row(siret(99990001), "abc", "2.35")]))],
    )
    report = load_geoloc(con, tmp_path / "geo.parquet")
    assert report.loaded["core.establishment_locations"] == 4
    assert con.execute("SELECT line_number, reason FROM geo.rejects").fetchall() == [(5, "unparseable coordinates")]
    assert con.execute("SELECT count(qualite_iris), count(qualite_xy) FROM geo.geolocalisation").fetchall() == [(0, 4)]


def test_without_sirene_active_is_unknown(tmp_path):
    con = duckdb.connect()
    db.ensure_schemas(con)
    load_geoloc(con, write_csv(tmp_path / "geo.csv", good_rows()))
    loc = locations(con)
    assert {v[8] for v in loc.values()} == {None}
    assert loc[S["fallback"]][6:8] == (None, None)  # no plg_code_commune and no SIRENE: no commune


def test_not_a_geolocation_file(con, tmp_path):
    path = tmp_path / "other.csv"
    path.write_text("siren;denomination\n123456789;ACME\n")
    with pytest.raises(GeolocFormatError, match="header lacks siret, y_latitude, x_longitude"):
        load_geoloc(con, path)
