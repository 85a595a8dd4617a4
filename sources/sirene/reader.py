"""Open a SIRENE stock file of any published vintage and format as a typed DuckDB query.

The stock comes as a zipped CSV, a plain or gzipped CSV (what a user may have unzipped), or a
parquet file. Columns are bound by *header name* against `schema.py`, never by position: a
2019 file (33 / 48 columns) loads with NULL in the later columns, a file with a column INSEE
adds tomorrow loads with that column reported and ignored. The CSV reader is given the
declared type of every column (no sniffing), so column-count errors and impossible values
(`2023-02-30`) are caught by DuckDB's own reject store, with their physical line numbers, at
no cost over a bare read.
"""

from __future__ import annotations

import logging
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from firmo.errors import InputError
from firmo.sqlfiles import quote_ident
from sources import table_file
from sources.sirene import schema
from sources.table_file import sql_literal

log = logging.getLogger(__name__)

KINDS = ("unites_legales", "etablissements")
_MEMBER_HINT = {"unites_legales": "StockUniteLegale", "etablissements": "StockEtablissement"}


class SireneFormatError(InputError):
    """The file cannot be a SIRENE stock of the requested kind (wrong file, truncated header...)."""


@dataclass
class StockSource:
    """A stock file ready to be scanned: where it is, its format, its header."""

    kind: str
    original: str  # what the user gave (path or URL), for reports and rejects
    path: Path  # readable file (extracted CSV for a zip)
    fmt: str  # 'csv' or 'parquet'
    header: list[str]
    parquet_types: dict[str, str] = field(default_factory=dict)
    extracted: bool = False  # path is a temporary extraction to delete after the load

    @property
    def declared(self) -> list[tuple[str, str]]:
        return schema.UNITES_LEGALES if self.kind == "unites_legales" else schema.ETABLISSEMENTS

    @property
    def missing_columns(self) -> list[str]:
        present = set(self.header)
        return [name for name, _ in self.declared if name not in present]

    @property
    def unknown_columns(self) -> list[str]:
        known = {name for name, _ in self.declared}
        return [name for name in self.header if name not in known]

    @property
    def vintage(self) -> str:
        """Human label of the layout, from the columns present (sirene.md §1.3-1.4)."""
        n_known = len(self.declared) - len(self.missing_columns)
        return f"{n_known}/{len(self.declared)} known columns ({len(self.header)} in file)"

    def cleanup(self) -> None:
        if self.extracted:
            self.path.unlink(missing_ok=True)


def open_stock(kind: str, path: Path, *, original: str | None = None, workdir: Path | None = None) -> StockSource:
    """Identify the format of `path` and read its header; extract a zip member when needed."""
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, not {kind!r}")
    if not path.is_file():
        raise FileNotFoundError(f"SIRENE {kind} file not found: {path}")
    original = original or str(path)
    fmt = table_file.sniff(path)
    if fmt == "parquet":
        types = table_file.parquet_types(path)
        src = StockSource(kind, original, path, "parquet", list(types), parquet_types=types)
    elif fmt == "zip":

        def hinted(members: list[zipfile.ZipInfo]) -> list[zipfile.ZipInfo]:
            return [m for m in members if _MEMBER_HINT[kind].lower() in m.filename.lower()]

        target, header = table_file.extract_csv(
            path,
            original,
            workdir or path.parent,
            pick=hinted,
            wanted=f"{_MEMBER_HINT[kind]}*",
            error=SireneFormatError,
        )
        src = StockSource(kind, original, target, "csv", header, extracted=True)
    else:
        src = StockSource(kind, original, path, "csv", table_file.csv_header(path, SireneFormatError))
    _check_required(src)
    return src


def _check_required(src: StockSource) -> None:
    required = schema.UNITES_LEGALES_REQUIRED if src.kind == "unites_legales" else schema.ETABLISSEMENTS_REQUIRED
    lacking = [c for c in required if c not in src.header]
    if lacking:
        raise SireneFormatError(
            f"{src.original} is not a SIRENE {src.kind} stock: header lacks {', '.join(lacking)} "
            f"(found {len(src.header)} columns starting with {', '.join(src.header[:4])})"
        )


def scan_sql(src: StockSource, rejects_table: str, *, all_varchar: bool = False) -> str:
    """A SELECT over the file yielding every declared column, typed, under INSEE's names.

    Missing columns come out as typed NULLs. For CSV the reader types the columns itself and
    sends malformed lines to `rejects_table` (DuckDB's reject store); for parquet, values are
    cast here and `__cast_errors` lists the columns that would not cast, for the caller to
    quarantine (a text, NULL when all cast). `__row` is the parquet row number (1-based); NULL for CSV.
    """
    declared = dict(src.declared)
    if src.fmt == "csv":
        columns = {name: "VARCHAR" if all_varchar else declared.get(name, "VARCHAR") for name in src.header}
        columns_sql = "{" + ", ".join(f"'{sql_literal(n)}': '{t}'" for n, t in columns.items()) + "}"
        scan = (
            f"read_csv($path, header = true, auto_detect = false, columns = {columns_sql}, "
            "delim = ',', quote = '\"', escape = '\"', strict_mode = true, "
            f"store_rejects = true, rejects_table = '{rejects_table}', "
            f"rejects_scan = '{rejects_table}_scan', rejects_limit = 0)"
        )
        select = [
            f"{quote_ident(n)}" if n in columns else f"CAST(NULL AS {t}) AS {quote_ident(n)}" for n, t in src.declared
        ]
        return f"SELECT {', '.join(select)}, CAST(NULL AS VARCHAR) AS __cast_errors, CAST(NULL AS BIGINT) AS __row FROM {scan}"

    select, checks = [], []
    for name, target in src.declared:
        q = quote_ident(name)
        have = src.parquet_types.get(name)
        if have is None:
            select.append(f"CAST(NULL AS {target}) AS {q}")
        elif name in ("nic", "nicSiegeUniteLegale") and have != "VARCHAR":
            # data.gouv wrote these as BIGINT until Feb 2026 (sirene.md §1.7): 65 means '00065'.
            select.append(f"lpad(CAST({q} AS VARCHAR), 5, '0') AS {q}")
        elif have == target or (target == "VARCHAR"):
            select.append(f"CAST({q} AS {target}) AS {q}")
        else:
            select.append(f"TRY_CAST({q} AS {target}) AS {q}")
            checks.append(
                f"CASE WHEN {q} IS NOT NULL AND TRY_CAST({q} AS {target}) IS NULL "
                f"THEN '{name}=' || CAST({q} AS VARCHAR) END"
            )
    # concat_ws skips NULLs: one string per row, far cheaper than building a list per row.
    errors = f"nullif(concat_ws(', ', {', '.join(checks)}), '')" if checks else "CAST(NULL AS VARCHAR)"
    return (
        f"SELECT {', '.join(select)}, {errors} AS __cast_errors, file_row_number + 1 AS __row "
        "FROM read_parquet($path, file_row_number = true)"
    )
