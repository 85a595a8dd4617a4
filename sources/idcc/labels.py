"""The names of the collective agreements: `ref.idcc` from the DARES list and DILA's KALI list
(open_data.md §7.2, as search-infra `metadata/cc` builds them).

- DARES (Ministère du Travail) publishes an .xlsx whose name and folder "change every few
  months": its link is scraped from the page https://travail-emploi.gouv.fr/conventions-collectives-nomenclatures
  (prefix `Dares_Suivi_Historique_convention_collective_`). Sheet `Conventions de branche`,
  columns `IDCC` (zero-padded to 5 digits, `00176`) and `Libellé`. The site sometimes answers 200
  with an HTML page instead of the file: the zip signature is checked and such an answer refused.
- KALI (data.gouv resource 02b67492-…): an .xlsx read as pandas `header=0, skiprows=3` reads it,
  i.e. the header on the 4th row, columns `IDCC` (not padded, `176`), `ID` (KALICONT id), `TITRE`,
  `NATURE`, `ETAT`, `DEBUT`, `FIN`, `URL`, `CC_TI` (a first unnamed column ignored). Several rows
  per ID: the latest `DEBUT` per ID is kept, then the latest per IDCC.
Joined on the IDCC without its leading zeros, stored on 4 digits (`0176`) like every IDCC in firmo.
`ref.idcc` (idcc, title, kali_id, nature, etat, url): one row per IDCC of either list; the title
is DARES's `Libellé`, else KALI's `TITRE` (La Poste's 5516 is in DARES only, as in annuaire).
"""

from __future__ import annotations

import re
import time
from collections import Counter
from datetime import date, datetime
from html import unescape
from pathlib import Path
from urllib.parse import urljoin

import duckdb
import pyarrow as pa

from firmo import db
from firmo.errors import InputError, reading
from firmo.xlsx import Cell, read_sheet, require_xlsx
from sources.report import LoadReport

TABLE = "ref.idcc"
REJECTS = "idcc.rejects"
DARES_SHEET = "Conventions de branche"
DARES_PREFIX = "Dares_Suivi_Historique_convention_collective_"
KALI_HEADER_ROW = 4  # pandas header=0 after skiprows=3
_HREF = re.compile(r"""href\s*=\s*["']([^"']+)["']""", re.I)
SCHEMA = pa.schema(
    [
        ("idcc", pa.string()),
        ("title", pa.string()),
        ("kali_id", pa.string()),
        ("nature", pa.string()),
        ("etat", pa.string()),
        ("url", pa.string()),
    ]
)


def dares_link(html: str, page_url: str) -> str:
    """The DARES workbook's absolute URL in the page: the last link (by file name, which carries
    the date) whose file name starts with DARES_PREFIX and ends in .xlsx."""
    links = []
    for href in _HREF.findall(html):
        href = unescape(href).strip()
        name = href.split("?")[0].rstrip("/").rsplit("/", 1)[-1]
        if name.startswith(DARES_PREFIX) and name.lower().endswith(".xlsx"):
            links.append((name, urljoin(page_url, href)))
    if not links:
        raise InputError(
            f"{page_url}: no link to a {DARES_PREFIX}*.xlsx file in the page; has the DARES page changed? "
            "Give the workbook's path or URL in FIRMO_IDCC_DARES_SOURCE"
        )
    return max(links)[1]


def normalise_idcc(value: Cell) -> str | None:
    """An IDCC on 4 digits ('00176', '176', 176 -> '0176'); None when it is not one."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, float):
        if not value.is_integer():
            return None
        value = int(value)
    text = str(value).strip().replace(" ", "").lstrip("0") or "0"
    if not text.isdigit() or len(text) > 4 or text == "0":
        return None
    return text.zfill(4)


def _text(value: Cell) -> str | None:
    if value is None:
        return None
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    text = " ".join(str(value).split())
    return text or None


def _date(value: Cell) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _text(value)
    if not text:
        return None
    for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def _header(rows: list[list[Cell]], row_number: int, needed: tuple[str, ...], path: Path, what: str) -> dict[str, int]:
    """Column positions by (upper-cased, trimmed) name in the header row `row_number` (1-based)."""
    names = [(_text(v) or "").upper() for v in (rows[row_number - 1] if len(rows) >= row_number else [])]
    missing = [n for n in needed if n.upper() not in names]
    if missing:
        raise InputError(
            f"{path}: not the {what} layout: no column {', '.join(missing)} on row {row_number} "
            f"({', '.join(n for n in names if n) or 'empty'})"
        )
    return {n: names.index(n.upper()) for n in needed}


def _dares_header_row(rows: list[list[Cell]]) -> int:
    """The DARES sheet's header row: the first of the first 10 rows holding IDCC and LIBELLÉ."""
    for i, row in enumerate(rows[:10], start=1):
        names = {(_text(v) or "").upper() for v in row}
        if "IDCC" in names and "LIBELLÉ" in names:
            return i
    return 1


def read_dares(path: str | Path) -> tuple[dict[str, str], list[tuple[int, str, str]], int]:
    """DARES workbook -> ({idcc: title}, rejects (row, reason, raw), repeated rows)."""
    path = Path(path)
    require_xlsx(path, "the DARES collective agreements workbook")
    with reading(path):
        rows = read_sheet(path, DARES_SHEET)
    header = _dares_header_row(rows)
    cols = _header(rows, header, ("IDCC", "Libellé"), path, f"DARES sheet {DARES_SHEET!r}")
    titles: dict[str, str] = {}
    rejects: list[tuple[int, str, str]] = []
    repeated = 0
    for number, row in enumerate(rows[header:], start=header + 1):
        if not any(v is not None and _text(v) for v in row):
            continue
        raw_idcc = row[cols["IDCC"]] if len(row) > cols["IDCC"] else None
        title = _text(row[cols["Libellé"]]) if len(row) > cols["Libellé"] else None
        idcc = normalise_idcc(raw_idcc)
        if idcc is None:
            rejects.append((number, "IDCC not a number of 1 to 4 digits", repr(row)[:2000]))
        elif not title:
            rejects.append((number, "Libellé missing", repr(row)[:2000]))
        elif idcc in titles:
            repeated += 1
        else:
            titles[idcc] = title
    return titles, rejects, repeated


def read_kali(path: str | Path) -> tuple[dict[str, dict], list[tuple[int, str, str]], int]:
    """KALI workbook -> ({idcc: row of the latest DEBUT}, rejects, rows superseded by a later DEBUT)."""
    path = Path(path)
    require_xlsx(path, "the KALI agreements list")
    with reading(path):
        rows = read_sheet(path, 0)
    names = ("IDCC", "ID", "TITRE", "NATURE", "ETAT", "DEBUT", "URL")
    cols = _header(rows, KALI_HEADER_ROW, names, path, "KALI list")
    latest_by_id: dict[str, dict] = {}
    rejects: list[tuple[int, str, str]] = []
    read = 0
    for number, row in enumerate(rows[KALI_HEADER_ROW:], start=KALI_HEADER_ROW + 1):
        if not any(v is not None and _text(v) for v in row):
            continue
        read += 1
        values = {n: (row[i] if len(row) > i else None) for n, i in cols.items()}
        idcc = normalise_idcc(values["IDCC"])
        kali_id = _text(values["ID"])
        if idcc is None:
            rejects.append((number, "IDCC not a number of 1 to 4 digits", repr(row)[:2000]))
            continue
        if not kali_id:
            rejects.append((number, "ID (KALICONT) missing", repr(row)[:2000]))
            continue
        record: dict = {
            "idcc": idcc,
            "kali_id": kali_id,
            "title": _text(values["TITRE"]),
            "nature": _text(values["NATURE"]),
            "etat": _text(values["ETAT"]),
            "url": _text(values["URL"]),
            "debut": _date(values["DEBUT"]),
        }
        key = kali_id
        if key not in latest_by_id or _later(record, latest_by_id[key]):
            latest_by_id[key] = record
    by_idcc: dict[str, dict] = {}
    for record in latest_by_id.values():
        current = by_idcc.get(record["idcc"])
        if current is None or _later(record, current):
            by_idcc[record["idcc"]] = record
    return by_idcc, rejects, read - len(rejects) - len(by_idcc)


def _later(a: dict, b: dict) -> bool:
    """a's DEBUT is later than b's (an unknown DEBUT is the earliest); ties: the larger KALI id."""
    return (a["debut"] or date.min, a["kali_id"]) > (b["debut"] or date.min, b["kali_id"])


def idcc_rows(dares: dict[str, str], kali: dict[str, dict]) -> list[dict]:
    """ref.idcc rows: every IDCC of either list, DARES's title first."""
    rows = []
    for idcc in sorted(set(dares) | set(kali)):
        k = kali.get(idcc, {})
        rows.append(
            {
                "idcc": idcc,
                "title": dares.get(idcc) or k.get("title"),
                "kali_id": k.get("kali_id"),
                "nature": k.get("nature"),
                "etat": k.get("etat"),
                "url": k.get("url"),
            }
        )
    return rows


def load_idcc_labels(con: duckdb.DuckDBPyConnection, dares: str | Path, kali: str | Path) -> LoadReport:
    """Read both workbooks, publish `ref.idcc` with the rejects in `idcc.rejects` (one transaction)."""
    started = time.perf_counter()
    report = LoadReport(sources=[str(dares), str(kali)])
    titles, dares_rejects, repeated = read_dares(dares)
    latest, kali_rejects, superseded = read_kali(kali)
    rows = idcc_rows(titles, latest)
    con.execute("CREATE SCHEMA IF NOT EXISTS idcc")
    con.execute(db.REJECTS_DDL.format(table=REJECTS))
    staging = db.staging_name(TABLE)
    rejects_staging = "idcc.rejects_labels__staging"
    db.drop_staging(con, TABLE)
    db.create_rejects_staging(con, rejects_staging)
    try:
        con.register("__idcc_rows", pa.Table.from_pylist(rows, schema=SCHEMA))
        try:
            con.execute(f"CREATE TABLE {staging} AS SELECT * FROM __idcc_rows ORDER BY idcc")
        finally:
            con.unregister("__idcc_rows")
        records = [(TABLE, str(dares), n, r, raw) for n, r, raw in dares_rejects]
        records += [(TABLE, str(kali), n, r, raw) for n, r, raw in kali_rejects]
        if records:
            con.executemany(
                f"INSERT INTO {rejects_staging} (target_table, source_file, line_number, reason, raw) "
                "VALUES (?, ?, ?, ?, ?)",
                records,
            )
        db.publish(con, [TABLE], rejects={REJECTS: [TABLE]}, rejects_staging=rejects_staging)
    finally:
        db.drop_staging(con, TABLE)
        con.execute(f"DROP TABLE IF EXISTS {rejects_staging}")
    report.loaded[TABLE] = len(rows)
    report.rejected[TABLE] = len(dares_rejects) + len(kali_rejects)
    report.rejects_by_reason = dict(Counter(r for _, r, _ in dares_rejects + kali_rejects))
    report.superseded = repeated + superseded
    report.seconds = time.perf_counter() - started
    return report
