"""Write a universe as the SIRENE stock files INSEE publishes, byte-for-byte in their format.

- `StockUniteLegale_utf8.zip` / `StockEtablissement_utf8.zip`: one CSV member each, UTF-8
  without BOM, `,`, `"` quoting only where needed, LF, lowercase true/false, empty = null,
  dates YYYY-MM-DD, `dateDernierTraitement*` as `2025-12-06T05:25:38` (sirene.md §1.6).
- `StockUniteLegale_utf8.parquet` / `StockEtablissement_utf8.parquet`: typed like data.gouv's
  conversion (§1.7), optionally with the pre-Feb-2026 BIGINT `nic` / `nicSiegeUniteLegale`.
- `vintage`: 'current' (35 / 54 columns), '2024' (34 / 53, format 3.11 before NAF 2025) or
  '2019' (33 / 48, format 3.9).
- `naf2025_only=True` writes the stock as it may look after the NAF 2025 switchover
  (1 January 2027, sirene.md §3.3): every active unit and establishment carries its NAF 2025 code
  in `activitePrincipale*` with nomenclature `NAF2025`, and the NAF25 columns are empty, so the
  NAF 2025 code is the only one; ceased units keep their code (INSEE does not recode them).
- `broken_lines=True` appends a handful of defective lines to the CSVs only, each listed with
  its physical line number in `generation_manifest.json`, so the loader's quarantine can be
  tested against exact expectations.

Writing is chunked (rows are rendered, written and dropped per chunk; the zip member and the
parquet file are streamed), so millions of rows need no more memory than the universe itself.
Files appear atomically (written under a temporary name, then renamed).
"""

from __future__ import annotations

import io
import json
import logging
import os
import zipfile
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

from sources.demo.defects import inject_defects
from sources.demo.sirene_rows import etablissement_rows, unite_legale_rows
from sources.demo.universe import Universe, naf2025_of
from sources.sirene import schema

log = logging.getLogger(__name__)

CHUNK_ROWS = 200_000
DATETIME_FORMAT = "%Y-%m-%dT%H:%M:%S"
MANIFEST_NAME = "generation_manifest.json"
VINTAGES = ("current", "2024", "2019")
FORMATS = ("csv_zip", "parquet")

# Columns absent from older vintages (sirene.md §1.3 / §1.4)
_NAF25 = {"UL": "activitePrincipaleNAF25UniteLegale", "ET": "activitePrincipaleNAF25Etablissement"}
ABSENT: dict[str, dict[str, set[str]]] = {
    "current": {"UL": set(), "ET": set()},
    "2024": {"UL": {_NAF25["UL"]}, "ET": {_NAF25["ET"]}},
    "2019": {
        "UL": {_NAF25["UL"], "societeMissionUniteLegale"},
        "ET": {
            _NAF25["ET"],
            "dernierNumeroVoieEtablissement",
            "indiceRepetitionDernierNumeroVoieEtablissement",
            "identifiantAdresseEtablissement",
            "coordonneeLambertAbscisseEtablissement",
            "coordonneeLambertOrdonneeEtablissement",
        },
    },
}
# parquet columns typed other than VARCHAR / DATE / TIMESTAMP / BOOLEAN (sirene.md §1.7)
PARQUET_BIGINT = {
    "UL": (
        "anneeEffectifsUniteLegale",
        "nombrePeriodesUniteLegale",
        "anneeCategorieEntreprise",
        "categorieJuridiqueUniteLegale",
    ),
    "ET": ("anneeEffectifsEtablissement", "nombrePeriodesEtablissement"),
}
NIC_COLUMNS = {"UL": "nicSiegeUniteLegale", "ET": "nic"}
STEMS = {"UL": "StockUniteLegale_utf8", "ET": "StockEtablissement_utf8"}
KEYS = {"UL": "unites_legales", "ET": "etablissements"}


def columns_for(kind: str, vintage: str = "current") -> list[str]:
    """Header of a stock file of that vintage, in INSEE's order."""
    if vintage not in VINTAGES:
        raise ValueError(f"vintage must be one of {VINTAGES}, not {vintage!r}")
    names = schema.UNITES_LEGALES_COLUMNS if kind == "UL" else schema.ETABLISSEMENTS_COLUMNS
    return [c for c in names if c not in ABSENT[vintage][kind]]


def _chunks(universe: Universe, kind: str, chunk_rows: int) -> Iterator[pl.DataFrame]:
    """Typed SIRENE rows, sorted like the real files (by siren, then siret), chunk by chunk."""
    units = universe.units.sort("siren")
    if kind == "UL":
        for i, start in enumerate(range(0, units.height, chunk_rows)):
            rng = np.random.default_rng([universe.seed, 10, i])
            yield unite_legale_rows(units.slice(start, chunk_rows), rng, universe.as_of)
        return
    etabs = universe.establishments.sort("siret")
    for i, start in enumerate(range(0, etabs.height, chunk_rows)):
        rng = np.random.default_rng([universe.seed, 11, i])
        chunk = etabs.slice(start, chunk_rows)
        lo = int(units["siren"].search_sorted(chunk["siren"][0], side="left"))
        hi = int(units["siren"].search_sorted(chunk["siren"][-1], side="right"))
        yield etablissement_rows(chunk, units.slice(lo, hi - lo), rng, universe.as_of)


def csv_bytes(frame: pl.DataFrame, *, header: bool) -> bytes:
    buf = io.BytesIO()
    frame.write_csv(
        buf,
        include_header=header,
        separator=",",
        quote_char='"',
        line_terminator="\n",
        datetime_format=DATETIME_FORMAT,
        date_format="%Y-%m-%d",
        null_value="",
        quote_style="necessary",
    )
    return buf.getvalue()


def _arrow(frame: pl.DataFrame, kind: str, integer_nic: bool) -> pa.Table:
    casts = [pl.col(c).cast(pl.Int64) for c in PARQUET_BIGINT[kind] if c in frame.columns]
    if integer_nic:
        casts.append(pl.col(NIC_COLUMNS[kind]).cast(pl.Int64))
    table = frame.with_columns(casts).to_arrow()
    # plain `string` like DuckDB-written files (Polars exports large_string)
    schema_ = pa.schema([f.with_type(pa.string()) if pa.types.is_large_string(f.type) else f for f in table.schema])
    return table.cast(schema_)


def write_sirene_stock(
    universe: Universe,
    out_dir: str | Path,
    *,
    formats: tuple[str, ...] | list[str] = FORMATS,
    vintage: str = "current",
    broken_lines: bool = True,
    parquet_integer_nic: bool = False,
    chunk_rows: int = CHUNK_ROWS,
    naf2025_only: bool = False,
) -> dict[str, Path]:
    """Write the stock files; returns their paths keyed e.g. 'unites_legales_csv_zip', plus 'manifest'."""
    unknown = set(formats) - set(FORMATS)
    if unknown:
        raise ValueError(f"unknown formats {sorted(unknown)}; known: {FORMATS}")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths: dict[str, Path] = {}
    manifest: dict = {
        "generator": "sources.demo.sirene",
        "seed": universe.seed,
        "as_of": universe.as_of.isoformat(),
        "vintage": vintage,
        "broken_lines": broken_lines,
        "naf2025_only": naf2025_only,
        "files": {},
    }
    for kind in ("UL", "ET"):
        cols = columns_for(kind, vintage)
        stem = STEMS[kind]
        zip_path = out / f"{stem}.zip" if "csv_zip" in formats else None
        pq_path = out / f"{stem}.parquet" if "parquet" in formats else None
        rows = _write_kind(
            universe,
            kind,
            cols,
            zip_path,
            pq_path,
            parquet_integer_nic,
            broken_lines,
            chunk_rows,
            manifest,
            naf2025_only,
        )
        for fmt, path in (("csv_zip", zip_path), ("parquet", pq_path)):
            if path is not None:
                paths[f"{KEYS[kind]}_{fmt}"] = path
        log.info("%s: %d rows written", stem, rows)
    manifest_path = out / MANIFEST_NAME
    _atomic_write_text(manifest_path, json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")
    paths["manifest"] = manifest_path
    return paths


def _write_kind(
    universe: Universe,
    kind: str,
    cols: list[str],
    zip_path: Path | None,
    pq_path: Path | None,
    integer_nic: bool,
    broken_lines: bool,
    chunk_rows: int,
    manifest: dict,
    naf2025_only: bool = False,
) -> int:
    member = f"{STEMS[kind]}.csv"
    total = universe.units.height if kind == "UL" else universe.establishments.height
    tmp_zip = zip_path.with_name(zip_path.name + ".tmp") if zip_path else None
    tmp_pq = pq_path.with_name(pq_path.name + ".tmp") if pq_path else None
    zf = zipfile.ZipFile(tmp_zip, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) if tmp_zip else None
    writer: pq.ParquetWriter | None = None
    rows = 0
    last: pl.DataFrame | None = None
    handle = None
    try:
        if zf is not None:
            info = zipfile.ZipInfo(
                member, date_time=(universe.as_of.year, universe.as_of.month, universe.as_of.day, 6, 0, 0)
            )
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            handle = zf.open(info, "w", force_zip64=True)
        for chunk in _chunks(universe, kind, chunk_rows):
            chunk = (switched_to_naf2025(chunk, kind) if naf2025_only else chunk).select(cols)
            if handle is not None:
                handle.write(csv_bytes(chunk, header=rows == 0))
            if tmp_pq is not None:
                table = _arrow(chunk, kind, integer_nic)
                if writer is None:
                    writer = pq.ParquetWriter(tmp_pq, table.schema, compression="snappy")
                writer.write_table(table)
            rows += chunk.height
            last = chunk
            if total > 1_000_000:
                log.info("%s: %d / %d rows", member, rows, total)
        defects: list[dict] = []
        if handle is not None:
            if rows == 0:
                handle.write(csv_bytes(pl.DataFrame(schema={c: pl.String for c in cols}), header=True))
            if broken_lines and last is not None:
                lines, defects = inject_defects(kind, last.tail(1), universe, first_line=rows + 2)
                handle.write("".join(lines).encode("utf-8"))
            handle.close()
        manifest["files"][member] = {
            "rows": rows,
            "columns": len(cols),
            "lines": 1 + rows + len(defects),
            "defects": defects,
        }
    except BaseException:
        if handle is not None and not handle.closed:
            handle.close()
        if zf is not None:
            zf.close()
        if writer is not None:
            writer.close()
        for tmp in (tmp_zip, tmp_pq):
            if tmp is not None and tmp.exists():
                tmp.unlink()
        raise
    if zf is not None:
        assert tmp_zip is not None and zip_path is not None  # the zip is opened only for a zip target
        zf.close()
        os.replace(tmp_zip, zip_path)
    if tmp_pq is not None:
        assert pq_path is not None
        if writer is None:  # no rows: still an (empty) typed file
            pq.write_table(_arrow(pl.DataFrame(schema={c: pl.String for c in cols}), kind, False), tmp_pq)
        else:
            writer.close()
        os.replace(tmp_pq, pq_path)
    return rows


def switched_to_naf2025(rows: pl.DataFrame, kind: str) -> pl.DataFrame:
    """Stock rows as after the switchover: active ones coded in NAF 2025 only (SIRENE's own NAF25
    code when the row has one, else the correspondence's), nomenclature NAF2025, NAF25 empty."""
    suffix = "UniteLegale" if kind == "UL" else "Etablissement"
    code, nomenclature, naf25 = (f"activitePrincipale{suffix}", f"nomenclatureActivitePrincipale{suffix}", _NAF25[kind])
    active = pl.col(f"etatAdministratif{suffix}") == "A"
    switch = active & (pl.col(nomenclature) == "NAFRev2")
    return rows.with_columns(
        pl.when(switch)
        .then(pl.coalesce(pl.col(naf25), naf2025_of(pl.col(code), pl.col("siren"))))
        .otherwise(pl.col(code))
        .alias(code),
        pl.when(switch).then(pl.lit("NAF2025")).otherwise(pl.col(nomenclature)).alias(nomenclature),
        pl.lit(None, pl.String).alias(naf25),
    )


def _atomic_write_text(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)
