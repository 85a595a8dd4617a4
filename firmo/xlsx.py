"""Read (and, for the demo and the tests, write) one sheet of an Office Open XML workbook (.xlsx).

Why it exists: some publishers (DARES, DILA's KALI list, the EGAPRO index) publish only .xlsx, and
no spreadsheet library is among firmo's dependencies (openpyxl is not installed, and DuckDB's
excel extension cannot be fetched offline). An .xlsx is a zip of XML parts; a sheet of values is
a few dozen lines of standard library: the workbook names its sheets, the relationships say which
part holds each, cells are numbers, shared strings or inline strings, and a number is a date
when its cell style says so (built-in date formats 14-22, 45-47, or a custom format with d/m/y).
Formulas give their cached value; formatting, merged cells and charts are ignored.

Two readers over one parser, for the two kinds of callers: `read_sheet` gives typed values (the
IDCC lists: dates, integers), `iter_text_rows` gives each cell's text as the publisher typed it
(numbers as written in the XML, `94`, not `94.0`, so SIRENs and years never become floats) for
loaders that keep raw text (the labels' EGAPRO index). Both stream the sheet with `iterparse`, so
memory stays flat on a 40,000-row file.

`is_xlsx` checks the zip signature: publishers' sites sometimes answer 200 with an HTML page
instead of the file, and a load must refuse that with one clear line rather than a zip trace.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator, Sequence
from datetime import date, datetime, timedelta
from pathlib import Path
from xml.etree import ElementTree as ET
from xml.sax.saxutils import escape

from firmo.errors import InputError

ZIP_SIGNATURE = b"PK\x03\x04"
_NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL_NS = {"r": "http://schemas.openxmlformats.org/package/2006/relationships"}
_BUILTIN_DATE_FORMATS = set(range(14, 23)) | {45, 46, 47}
_EXCEL_EPOCH = datetime(1899, 12, 30)  # serial 1 = 1900-01-01 with Excel's 1900 leap-year quirk
_CELL_REF = re.compile(r"([A-Z]+)(\d+)")
_ROW_TAG = f"{{{_NS['m']}}}row"
_SI_TAG = f"{{{_NS['m']}}}si"
_FIXED_TIME = (1980, 1, 1, 0, 0, 0)  # written parts' timestamp: the same rows give the same bytes

Cell = str | float | int | date | datetime | bool | None


def is_xlsx(path: str | Path) -> bool:
    """True when the file starts with the zip signature (an .xlsx is a zip archive)."""
    with Path(path).open("rb") as fh:
        return fh.read(4) == ZIP_SIGNATURE


def require_xlsx(path: str | Path, what: str) -> None:
    """Refuse a file that is not a zip archive, saying what it looks like instead (one line)."""
    path = Path(path)
    if is_xlsx(path):
        return
    head = path.read_bytes()[:512].lstrip().lower()
    looks = "an HTML page" if head.startswith((b"<!doctype html", b"<html")) or b"<html" in head else "not a zip"
    raise InputError(
        f"{path}: {what} is {looks}, not an .xlsx workbook (no PK zip signature; publishers' sites "
        "sometimes answer 200 with a page instead of the file): try again later, or give the workbook's path"
    )


def sheet_names(path: str | Path) -> list[str]:
    with zipfile.ZipFile(path) as zf:
        return [name for name, _ in _sheets(zf)]


def read_sheet(path: str | Path, sheet: str | int = 0) -> list[list[Cell]]:
    """The rows of one sheet (by name, or position from 0) as lists of values, gaps as None.

    Values: str for text, int/float for numbers, date/datetime for date-styled numbers (a
    whole-day value is a date), bool for booleans. Trailing empty cells of a row are dropped;
    empty rows are kept (as []) so row positions match the sheet's row numbers."""
    with zipfile.ZipFile(path) as zf:
        part = _sheet_part(zf, path, sheet)
        strings = _shared_strings(zf)
        date_styles = _date_styles(zf)
        rows: list[list[Cell]] = []
        for row in _row_elements(zf, part):
            number = int(row.get("r") or len(rows) + 1)
            while len(rows) < number - 1:
                rows.append([])
            values: list[Cell] = []
            for col, c in _cells(row):
                while len(values) < col:
                    values.append(None)
                values.append(_value(c, strings, date_styles))
            while values and values[-1] is None:
                values.pop()
            rows.append(values)
    return rows


def iter_text_rows(path: str | Path, sheet: str | int = 0) -> Iterator[tuple[int, list[str | None]]]:
    """(row number as the sheet numbers it, cell texts) of one sheet, streamed; a missing cell is None.

    Text as the publisher typed it: a number as written in the XML (`94.0` read as `94`), a
    boolean as `true`/`false`, a date-styled number as its serial (no style is applied)."""
    with zipfile.ZipFile(path) as zf:
        part = _sheet_part(zf, path, sheet)
        strings = _shared_strings(zf)
        for row in _row_elements(zf, part):
            cells = {col: _text_value(c, strings) for col, c in _cells(row)}
            width = max(cells) + 1 if cells else 0
            yield int(row.get("r") or 0), [cells.get(i) for i in range(width)]


def _sheet_part(zf: zipfile.ZipFile, path: str | Path, sheet: str | int) -> str:
    """The zip part of a sheet given by position (from 0) or name (exact, else trimmed and case-blind)."""
    sheets = _sheets(zf)
    if isinstance(sheet, int):
        if sheet >= len(sheets):
            raise InputError(f"{path}: the workbook has {len(sheets)} sheet(s), no sheet #{sheet + 1}")
        return sheets[sheet][1]
    found = [p for n, p in sheets if n == sheet] or [p for n, p in sheets if n.strip().lower() == sheet.lower()]
    if not found:
        raise InputError(f"{path}: no sheet {sheet!r} (sheets: {', '.join(n for n, _ in sheets)})")
    return found[0]


def _row_elements(zf: zipfile.ZipFile, part: str) -> Iterator[ET.Element]:
    """The sheet's <row> elements in order, each cleared once the caller is done with it."""
    with zf.open(part) as handle:
        for _, element in ET.iterparse(handle):
            if element.tag == _ROW_TAG:
                yield element
                element.clear()


def _cells(row: ET.Element) -> Iterator[tuple[int, ET.Element]]:
    """(column from 0, <c>) of a row; a cell without a reference follows the previous one."""
    col = -1
    for c in row.iterfind("m:c", _NS):
        ref = _CELL_REF.match(c.get("r") or "")
        col = _column_index(ref.group(1)) if ref else col + 1
        yield col, c


def _sheets(zf: zipfile.ZipFile) -> list[tuple[str, str]]:
    """(sheet name, zip part) in workbook order."""
    workbook = ET.fromstring(zf.read("xl/workbook.xml"))
    rels = ET.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
    targets = {r.get("Id"): r.get("Target") or "" for r in rels.iterfind("r:Relationship", _PKG_REL_NS)}
    out = []
    for s in workbook.iterfind("m:sheets/m:sheet", _NS):
        target = targets.get(s.get(f"{{{_REL_NS}}}id"), "")
        part = target.lstrip("/") if target.startswith("/") else "xl/" + target
        out.append((s.get("name") or "", part))
    return out


def _text(node: ET.Element) -> str:
    """A string item: its <t> runs joined (rich text has several, phonetic <rPh> runs excluded)."""
    direct = node.find("m:t", _NS)
    if direct is not None:
        return direct.text or ""
    return "".join(t.text or "" for r in node.iterfind("m:r", _NS) for t in r.iterfind("m:t", _NS))


def _shared_strings(zf: zipfile.ZipFile) -> list[str]:
    if "xl/sharedStrings.xml" not in zf.namelist():
        return []
    strings: list[str] = []
    with zf.open("xl/sharedStrings.xml") as handle:  # streamed: a big sheet has a big string table
        for _, element in ET.iterparse(handle):
            if element.tag == _SI_TAG:
                strings.append(_text(element))
                element.clear()
    return strings


def _date_styles(zf: zipfile.ZipFile) -> set[int]:
    """Indexes of the cell formats (cellXfs) whose number format is a date."""
    if "xl/styles.xml" not in zf.namelist():
        return set()
    root = ET.fromstring(zf.read("xl/styles.xml"))
    custom = {
        int(f.get("numFmtId") or -1): (f.get("formatCode") or "") for f in root.iterfind("m:numFmts/m:numFmt", _NS)
    }

    def is_date(fmt_id: int) -> bool:
        if fmt_id in _BUILTIN_DATE_FORMATS:
            return True
        # quoted text, [colours]/[locales] and escaped characters are not format letters
        code = re.sub(r'"[^"]*"|\[[^\]]*\]|\\.', "", custom.get(fmt_id, "")).lower()
        return "d" in code or "y" in code or ("m" in code and "h" not in code and "s" not in code)

    return {i for i, xf in enumerate(root.iterfind("m:cellXfs/m:xf", _NS)) if is_date(int(xf.get("numFmtId") or 0))}


def _column_index(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n - 1


def _stored(c: ET.Element, strings: list[str]) -> tuple[str, str | None]:
    """(type, text) of a cell as stored: strings resolved (shared and inline become `str`), text
    None for a cell without a value."""
    kind = c.get("t", "n")
    if kind == "inlineStr":
        node = c.find("m:is", _NS)
        return "str", _text(node) if node is not None else ""
    v = c.find("m:v", _NS)
    if v is None or v.text is None:
        return kind, None
    return ("str", strings[int(v.text)]) if kind == "s" else (kind, v.text)


def _value(c: ET.Element, strings: list[str], date_styles: set[int]) -> Cell:
    kind, text = _stored(c, strings)
    if text is None or kind in ("str", "e"):
        return text
    if kind == "b":
        return text == "1"
    number = float(text)
    if int(c.get("s") or 0) in date_styles:
        moment = _EXCEL_EPOCH + timedelta(days=number)
        return moment.date() if number == int(number) else moment
    return int(number) if number.is_integer() and "." not in text and "E" not in text.upper() else number


def _text_value(c: ET.Element, strings: list[str]) -> str | None:
    kind, text = _stored(c, strings)
    if text is None:
        return None
    if kind == "b":
        return "true" if text == "1" else "false"
    if kind == "n" and text.endswith(".0"):
        return text[:-2]
    return text


# --------------------------------------------------------------------------- writing (demo, tests)


def write_xlsx(path: str | Path, sheets: dict[str, Sequence[Sequence[Cell]]]) -> Path:
    """Write a minimal valid workbook: one sheet per entry, text as inline strings, numbers as
    numbers, dates as date-styled serial numbers (style 1, format 14), None as an empty cell.
    What the demo uses to write the publishers' layouts; any spreadsheet program opens it. The
    parts carry a fixed timestamp, so the same rows give the same bytes (and the same checksum)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    names = list(sheets)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:

        def put(name: str, text: str) -> None:
            zf.writestr(zipfile.ZipInfo(name, date_time=_FIXED_TIME), text, zipfile.ZIP_DEFLATED)

        put(
            "[Content_Types].xml",
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/styles.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
            + "".join(
                f'<Override PartName="/xl/worksheets/sheet{i}.xml" '
                'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
                for i in range(1, len(names) + 1)
            )
            + "</Types>",
        )
        put(
            "_rels/.rels",
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
            'officeDocument" Target="xl/workbook.xml"/></Relationships>',
        )
        put(
            "xl/workbook.xml",
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            f'<workbook xmlns="{_NS["m"]}" xmlns:r="{_REL_NS}"><sheets>'
            + "".join(
                f'<sheet name="{escape(n, {chr(34): "&quot;"})}" sheetId="{i}" r:id="rId{i}"/>'
                for i, n in enumerate(names, 1)
            )
            + "</sheets></workbook>",
        )
        put(
            "xl/_rels/workbook.xml.rels",
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            + "".join(
                f'<Relationship Id="rId{i}" Type="{_REL_NS}/worksheet" Target="worksheets/sheet{i}.xml"/>'
                for i in range(1, len(names) + 1)
            )
            + f'<Relationship Id="rId{len(names) + 1}" Type="{_REL_NS}/styles" Target="styles.xml"/>'
            "</Relationships>",
        )
        put(
            "xl/styles.xml",
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            f'<styleSheet xmlns="{_NS["m"]}"><fonts count="1"><font/></fonts>'
            '<fills count="1"><fill/></fills><borders count="1"><border/></borders>'
            '<cellStyleXfs count="1"><xf/></cellStyleXfs>'
            '<cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="14" applyNumberFormat="1"/></cellXfs>'
            "</styleSheet>",
        )
        for i, name in enumerate(names, 1):
            put(f"xl/worksheets/sheet{i}.xml", _sheet_xml(sheets[name]))
    return path


def _column_letters(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _sheet_xml(rows: Sequence[Sequence[Cell]]) -> str:
    out = [f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="{_NS["m"]}"><sheetData>']
    for r, row in enumerate(rows, 1):
        cells = []
        for c, value in enumerate(row):
            ref = f"{_column_letters(c)}{r}"
            if value is None:
                continue
            if isinstance(value, bool):
                cells.append(f'<c r="{ref}" t="b"><v>{int(value)}</v></c>')
            elif isinstance(value, (date, datetime)):
                moment = value if isinstance(value, datetime) else datetime(value.year, value.month, value.day)
                serial = (moment - _EXCEL_EPOCH) / timedelta(days=1)
                cells.append(f'<c r="{ref}" s="1"><v>{serial:g}</v></c>')
            elif isinstance(value, (int, float)):
                cells.append(f'<c r="{ref}"><v>{value}</v></c>')
            else:
                cells.append(
                    f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{escape(str(value))}</t></is></c>'
                )
        out.append(f'<row r="{r}">{"".join(cells)}</row>')
    out.append("</sheetData></worksheet>")
    return "".join(out)
