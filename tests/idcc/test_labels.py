"""ref.idcc from the DARES and KALI workbooks (open_data.md §7.2): DARES's 5-digit IDCC and its
sheet by name, KALI's header after three lines and latest DEBUT, the join without leading zeros,
the DARES link scraped from its page, and an HTML answer in place of the workbook refused."""

from __future__ import annotations

import zipfile
from datetime import date, datetime

import pytest

from firmo.errors import InputError
from firmo.xlsx import iter_text_rows, read_sheet, write_xlsx
from sources.idcc.download import fetch_dares, fetch_kali
from sources.idcc.labels import dares_link, load_idcc_labels, read_dares, read_kali

SYNTEC = (
    "Convention collective nationale des bureaux d'études techniques, des cabinets d'ingénieurs-conseils "
    "et des sociétés de conseils"
)
HCR = "Convention collective nationale des hôtels, cafés, restaurants (HCR)"
POSTE = "Convention d'entreprise La Poste - France Télécom"
PHARMA = "Convention collective nationale de l'industrie pharmaceutique"
KALI_HEADER = [None, "IDCC", "ID", "TITRE", "NATURE", "ETAT", "DEBUT", "FIN", "URL", "CC_TI"]


def dares_workbook(path, rows):
    """The DARES layout: the agreements on sheet 'Conventions de branche' (not the first one)."""
    return write_xlsx(
        path, {"Lisez-moi": [["Suivi historique des conventions collectives"]], "Conventions de branche": rows}
    )


def kali_workbook(path, rows):
    """The KALI layout: three lines, then the header with a first unnamed column."""
    return write_xlsx(path, {"Feuil1": [["Liste des correspondances"], [], [], KALI_HEADER, *rows]})


@pytest.fixture()
def workbooks(tmp_path):
    dares = dares_workbook(
        tmp_path / "Dares_Suivi_Historique_convention_collective_2026.xlsx",
        [
            ["IDCC", "Libellé"],
            ["00176", PHARMA],
            ["01486", SYNTEC],
            ["01979", "  " + HCR + " "],
            ["05516", POSTE],
            ["0ABC", "pas un IDCC"],  # row 6: quarantined
            ["01486", "repeated"],  # a repeat: the first kept
        ],
    )
    kali = kali_workbook(
        tmp_path / "kali.xlsx",
        [
            [None, 1486, "KALICONT000000000001", SYNTEC + " (ancien)", "IDCC", "ABROGE", date(1987, 12, 15), date(2020, 1, 1), "u1", None],
            [None, 1486, "KALICONT000000000001", SYNTEC, "IDCC", "VIGUEUR_ETEN", date(2021, 6, 1), None, "u2", None],
            [None, "176", "KALICONT000000000002", PHARMA, "IDCC", "VIGUEUR_ETEN", "2019-03-11", None, "u3", None],
            [None, 1979, "KALICONT000000000003", HCR, "IDCC", "VIGUEUR_ETEN", "30/04/1997", None, "u4", None],
            [None, 1979, "KALICONT000000000004", HCR + " (avenant)", "IDCC", "VIGUEUR", date(1990, 1, 1), None, "u5", None],
            [None, 2120, "KALICONT000000000005", "Convention collective nationale de la banque", "IDCC", "VIGUEUR_ETEN", date(2000, 1, 10), None, "u6", None],
            [None, None, "KALICONT000000000006", "sans IDCC", "IDCC", "VIGUEUR", date(2000, 1, 1), None, "u7", None],
        ],
    )  # fmt: skip
    return dares, kali


def test_dares_and_kali_read_by_name(workbooks):
    dares, kali = workbooks
    titles, rejects, repeated = read_dares(dares)
    assert titles == {"0176": PHARMA, "1486": SYNTEC, "1979": HCR, "5516": POSTE}
    assert rejects == [(6, "IDCC not a number of 1 to 4 digits", "['0ABC', 'pas un IDCC']")]
    assert repeated == 1
    latest, kali_rejects, superseded = read_kali(kali)
    assert {k: (v["kali_id"], v["etat"], v["debut"], v["url"]) for k, v in latest.items()} == {
        "1486": ("KALICONT000000000001", "VIGUEUR_ETEN", date(2021, 6, 1), "u2"),  # latest DEBUT of the ID
        "0176": ("KALICONT000000000002", "VIGUEUR_ETEN", date(2019, 3, 11), "u3"),
        "1979": ("KALICONT000000000003", "VIGUEUR_ETEN", date(1997, 4, 30), "u4"),  # latest of two IDs
        "2120": ("KALICONT000000000005", "VIGUEUR_ETEN", date(2000, 1, 10), "u6"),
    }
    assert [(n, r) for n, r, _ in kali_rejects] == [(11, "IDCC not a number of 1 to 4 digits")]
    assert superseded == 2


def test_ref_idcc_joins_both_lists_on_the_unpadded_idcc(con, workbooks):
    dares, kali = workbooks
    report = load_idcc_labels(con, dares, kali)
    assert con.execute("SELECT * FROM ref.idcc").fetchall() == [
        ("0176", PHARMA, "KALICONT000000000002", "IDCC", "VIGUEUR_ETEN", "u3"),
        ("1486", SYNTEC, "KALICONT000000000001", "IDCC", "VIGUEUR_ETEN", "u2"),
        ("1979", HCR, "KALICONT000000000003", "IDCC", "VIGUEUR_ETEN", "u4"),
        ("2120", "Convention collective nationale de la banque", "KALICONT000000000005", "IDCC", "VIGUEUR_ETEN", "u6"),
        ("5516", POSTE, None, None, None, None),  # DARES only, as annuaire shows it
    ]
    assert report.loaded == {"ref.idcc": 5}
    assert report.rejected == {"ref.idcc": 2}
    assert con.execute("SELECT source_file, line_number, reason FROM idcc.rejects ORDER BY 1").fetchall() == [
        (str(dares), 6, "IDCC not a number of 1 to 4 digits"),
        (str(kali), 11, "IDCC not a number of 1 to 4 digits"),
    ]


def test_a_kali_file_of_another_layout_is_one_error(tmp_path):
    wrong = write_xlsx(tmp_path / "k.xlsx", {"Feuil1": [KALI_HEADER[1:], [1486, "KALICONT1"]]})
    with pytest.raises(InputError, match=r"not the KALI list layout: no column IDCC, ID, TITRE, NATURE, ETAT, "
                                         r"DEBUT, URL on row 4 \(empty\)"):  # fmt: skip
        read_kali(wrong)


PAGE = """<html><body><h1>Conventions collectives : nomenclatures</h1>
<a href="/files/Dares_Suivi_Historique_convention_collective_2025_12.xlsx">décembre 2025</a>
<a href='/files/2026/Dares_Suivi_Historique_convention_collective_2026_06.xlsx?v=2'>juin 2026</a>
<a href="/files/autre.xlsx">autre</a></body></html>"""


def test_dares_link_is_the_latest_workbook_of_the_page():
    assert dares_link(PAGE, "https://travail-emploi.gouv.fr/conventions-collectives-nomenclatures") == (
        "https://travail-emploi.gouv.fr/files/2026/Dares_Suivi_Historique_convention_collective_2026_06.xlsx?v=2"
    )
    with pytest.raises(InputError, match="no link to a Dares_Suivi_Historique_convention_collective_"):
        dares_link("<html><a href='/x.xlsx'>x</a></html>", "https://travail-emploi.gouv.fr/p")


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def test_dares_fetched_through_its_page(site, workbooks, tmp_path):
    dares, _ = workbooks
    site.serve("/files/2026/Dares_Suivi_Historique_convention_collective_2026_06.xlsx", dares.read_bytes(), XLSX)
    page = site.serve("/conventions-collectives-nomenclatures", PAGE.encode(), "text/html; charset=utf-8")
    path = fetch_dares(page, tmp_path / "raw")
    assert path.name == "Dares_Suivi_Historique_convention_collective_2026_06.xlsx"
    assert path.read_bytes() == dares.read_bytes()
    assert read_dares(path)[0]["5516"] == POSTE


def test_dares_answering_html_instead_of_the_workbook_is_refused(site, tmp_path):
    """The site "answers 200 with an HTML page instead of the file": one clear line, no zip trace."""
    site.serve(
        "/files/2026/Dares_Suivi_Historique_convention_collective_2026_06.xlsx",
        b"<!DOCTYPE html><html><body>Service momentanement indisponible</body></html>",
        "text/html",
    )
    page = site.serve("/conventions-collectives-nomenclatures", PAGE.encode(), "text/html")
    with pytest.raises(InputError) as refused:
        fetch_dares(page, tmp_path / "raw")
    message = str(refused.value)
    assert "\n" not in message
    assert message == (
        f"{tmp_path / 'raw' / 'Dares_Suivi_Historique_convention_collective_2026_06.xlsx'}: the DARES workbook "
        f"({site.base}/files/2026/Dares_Suivi_Historique_convention_collective_2026_06.xlsx) is an HTML page, "
        "not an .xlsx workbook (no PK zip signature; publishers' sites sometimes answer 200 with a page instead "
        "of the file): try again later, or give the workbook's path"
    )


def test_kali_html_refused(site, tmp_path):
    url = site.serve("/datasets/r/02b67492", b"<html><p>maintenance</p></html>", "text/html")
    with pytest.raises(InputError, match=r"the KALI agreements list is an HTML page, not an \.xlsx workbook"):
        fetch_kali(url, tmp_path / "raw")


def test_xlsx_reader_on_a_real_workbook(samples_dir):
    """DGCL's EPCI composition file (written by openpyxl: inline strings, numbers)."""
    rows = read_sheet(samples_dir / "xlsx" / "epcicom2025_dgcl_first300rows.xlsx", "Epcicom2025")
    assert len(rows) == 301
    assert rows[0][:4] == ["dept", "siren", "raison_sociale", "nature_juridique"]
    assert rows[1] == ["01", 200029999, "CC Rives de l'Ain - Pays du Cerdon", "CC", "FPU", 14, 15156, 14873, "01",
                       "01304", 210103040, "Pont-d'Ain", 2912, 2862]  # fmt: skip


def test_xlsx_reader_shared_strings_dates_and_gaps(tmp_path):
    """What spreadsheet programs write and the demo writer does not: shared strings, rich text,
    a custom date format, a datetime, a gap between cells."""
    ns = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    path = tmp_path / "x.xlsx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr(
            "xl/workbook.xml",
            f'<workbook {ns} xmlns:r="{rel}"><sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>',
        )
        zf.writestr(
            "xl/_rels/workbook.xml.rels",
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{rel}/worksheet" Target="/xl/worksheets/s.xml"/></Relationships>',
        )
        zf.writestr(
            "xl/sharedStrings.xml",
            f"<sst {ns}><si><t>IDCC</t></si><si><r><t>Libel</t></r><r><t>lé</t></r></si></sst>",
        )
        zf.writestr(
            "xl/styles.xml",
            f'<styleSheet {ns}><numFmts><numFmt numFmtId="164" formatCode="dd/mm/yyyy"/>'
            '<numFmt numFmtId="165" formatCode="0.00"/></numFmts>'
            '<cellXfs><xf numFmtId="0"/><xf numFmtId="164"/><xf numFmtId="165"/><xf numFmtId="22"/></cellXfs></styleSheet>',
        )
        zf.writestr(
            "xl/worksheets/s.xml",
            f'<worksheet {ns}><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c><c r="C1" t="s"><v>1</v></c></row>'
            '<row r="3"><c r="A3" s="1"><v>44197</v></c><c r="B3" s="2"><v>1.5</v></c>'
            '<c r="C3" s="3"><v>44197.5</v></c><c r="D3" t="b"><v>1</v></c><c r="E3"><v>176</v></c></row>'
            "</sheetData></worksheet>",
        )
    assert read_sheet(path, "s") == [
        ["IDCC", None, "Libellé"],
        [],
        [date(2021, 1, 1), 1.5, datetime(2021, 1, 1, 12, 0), True, 176],
    ]
    # the text reader (labels' raw tables): the same cells as the publisher typed them, row numbers kept
    assert list(iter_text_rows(path, "S")) == [
        (1, ["IDCC", None, "Libellé"]),
        (3, ["44197", "1.5", "44197.5", "true", "176"]),
    ]


def test_the_writer_gives_the_same_bytes_for_the_same_rows(tmp_path):
    rows = {"Feuil1": [["IDCC", "TITRE"], [1486, "Syntec"], [date(2024, 1, 31), None, 2.0]]}
    first = write_xlsx(tmp_path / "a.xlsx", rows).read_bytes()
    assert write_xlsx(tmp_path / "b.xlsx", rows).read_bytes() == first
    assert list(iter_text_rows(tmp_path / "a.xlsx")) == [
        (1, ["IDCC", "TITRE"]),
        (2, ["1486", "Syntec"]),
        (3, ["45322", None, "2"]),
    ]
