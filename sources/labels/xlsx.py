"""Read (and, for the demo, write) the first sheet of an XLSX workbook with the standard library.

Why not a spreadsheet library: EGAPRO publishes its index only as XLSX, a zip of XML parts that
needs none of a library's styling machinery to read; streaming the sheet with `iterparse` keeps
memory flat on the ~40,000-row file and adds no dependency. Cells are returned as text, as the
publisher typed them (numbers as written in the XML, `94`, not `94.0`), so SIRENs and years are
never turned into floats; a shared string, an inline string, a number and a boolean are read,
formulas give their cached value. Rows are numbered as the sheet numbers them (header = 1).
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from xml.etree.ElementTree import iterparse
from xml.sax.saxutils import escape

NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
REL_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_REF = re.compile(r"([A-Z]+)([0-9]+)")


def _column_index(letters: str) -> int:
    index = 0
    for char in letters:
        index = index * 26 + (ord(char) - 64)
    return index - 1


def _shared_strings(archive: zipfile.ZipFile) -> list[str]:
    if "xl/sharedStrings.xml" not in archive.namelist():
        return []
    strings: list[str] = []
    with archive.open("xl/sharedStrings.xml") as handle:
        for _, element in iterparse(handle):
            if element.tag == f"{NS}si":
                strings.append("".join(t.text or "" for t in element.iter(f"{NS}t")))
                element.clear()
    return strings


def _first_sheet(archive: zipfile.ZipFile) -> tuple[str, str]:
    """(sheet name, path of its part) of the workbook's first sheet."""
    from xml.etree.ElementTree import fromstring

    workbook = fromstring(archive.read("xl/workbook.xml"))
    sheet = workbook.find(f"{NS}sheets/{NS}sheet")
    if sheet is None:
        raise ValueError("workbook has no sheet")
    rel_id = sheet.get(f"{REL_NS}id")
    rels = fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    for rel in rels:
        if rel.get("Id") == rel_id:
            target = rel.get("Target", "")
            target = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
            return sheet.get("name", ""), target
    return sheet.get("name", ""), "xl/worksheets/sheet1.xml"


def sheet_name(path: Path) -> str:
    with zipfile.ZipFile(path) as archive:
        return _first_sheet(archive)[0]


def iter_rows(path: Path) -> Iterator[tuple[int, list[str | None]]]:
    """(row number, cell texts) of the first sheet; a missing cell is None."""
    with zipfile.ZipFile(path) as archive:
        strings = _shared_strings(archive)
        _, part = _first_sheet(archive)
        with archive.open(part) as handle:
            for _, element in iterparse(handle):
                if element.tag != f"{NS}row":
                    continue
                cells: dict[int, str | None] = {}
                for position, cell in enumerate(element.iter(f"{NS}c")):
                    ref = _REF.match(cell.get("r", ""))
                    col = _column_index(ref.group(1)) if ref else position
                    kind = cell.get("t", "n")
                    if kind == "inlineStr":
                        value: str | None = "".join(t.text or "" for t in cell.iter(f"{NS}t"))
                    else:
                        v = cell.find(f"{NS}v")
                        text = v.text if v is not None else None
                        if text is None:
                            value = None
                        elif kind == "s":
                            value = strings[int(text)]
                        elif kind == "b":
                            value = "true" if text == "1" else "false"
                        elif kind == "n" and text.endswith(".0"):
                            value = text[:-2]
                        else:
                            value = text
                    cells[col] = value
                number = int(element.get("r") or 0)
                width = max(cells) + 1 if cells else 0
                yield number, [cells.get(i) for i in range(width)]
                element.clear()


def _letters(index: int) -> str:
    out = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        out = chr(65 + rem) + out
    return out


def write_workbook(path: Path, sheet: str, rows: Sequence[Sequence[object]]) -> None:
    """A minimal valid XLSX of one sheet, text as inline strings and int/float as numbers (the
    demo's EGAPRO file; spreadsheet programs open it)."""
    lines = []
    for r, row in enumerate(rows, start=1):
        cells = []
        for c, value in enumerate(row):
            if value is None or value == "":
                continue
            ref = f"{_letters(c)}{r}"
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                cells.append(f'<c r="{ref}"><v>{value}</v></c>')
            else:
                cells.append(
                    f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{escape(str(value))}</t></is></c>'
                )
        lines.append(f'<row r="{r}">{"".join(cells)}</row>')
    sheet_xml = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        f'<worksheet xmlns="{NS[1:-1]}"><sheetData>{"".join(lines)}</sheetData></worksheet>'
    )
    parts = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            "</Types>"
        ),
        "_rels/.rels": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" '
            'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
            'Target="xl/workbook.xml"/></Relationships>'
        ),
        "xl/workbook.xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            f'<workbook xmlns="{NS[1:-1]}" xmlns:r="{REL_NS[1:-1]}">'
            f'<sheets><sheet name="{escape(sheet)}" sheetId="1" r:id="rId1"/></sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" '
            'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
            'Target="worksheets/sheet1.xml"/></Relationships>'
        ),
        "xl/worksheets/sheet1.xml": sheet_xml,
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts.items():  # a fixed timestamp: the same rows give the same bytes
            archive.writestr(zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0)), text, zipfile.ZIP_DEFLATED)
