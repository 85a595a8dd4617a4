"""Reference tables: code lists the registries use but do not ship (régions, départements, NAF,
catégories juridiques, headcount bands, the communes of the COG with their postal codes and EPCI)
plus a weighted sample of real communes the generator draws from.

They are plain CSV files next to this module (UTF-8, comma, header, no comments) so a reviewer
can check every fact in a diff. Codes are always text: '01', '2A', '0100' keep their leading zeros.

What is complete (every list a value is checked against is) and what is not:
- complete: `headcount_bands` (16 INSEE bands), `regions` (the 18 régions of the COG),
  `departements` (101 + the 8 overseas collectivities 975/977/978/984/986/987/988/989, whose
  région is empty), `communes` (COG 2026: one row per code and type, 37 590 rows: 34 969
  communes, 45 arrondissements municipaux, 2 576 communes déléguées / associées; postal codes,
  EPCI, EPT, former codes), `epci` (the 1 255 EPCI à fiscalité propre), `ept` (the 11
  territories of the Métropole du Grand Paris), NAF rév. 2 (`naf_sections` 21, `naf_divisions`
  88, `naf_codes` all 732 sous-classes with their groupe / classe), NAF 2025 (`naf2025_sections`
  22, `naf2025_divisions` 87, `naf2025_codes` 747), INSEE's correspondence between the two
  (`naf_rev2_to_naf2025`, 1 223 pairs; firmo.reference.naf reads it), the catégories juridiques
  of INSEE's September 2022 edition (`categories_juridiques_n1` 10, `_n2` 39, `_n3` 260),
  the 84 RNE role codes (`role_codes`, read by firmo.reference.roles);
- the generator's drawing list, not a reference anything is checked against: `communes_sample`
  (chef-lieux, some large towns, and the Paris/Lyon/Marseille arrondissement codes SIRENE uses;
  every code is in `communes`). `communes_sample.weight` is the relative number of generated
  companies placed there: per département the weights add up to its population in thousands
  (Paris doubled for its density of head offices).

Where each file comes from: SOURCES.md next to them. Joins against these tables must stay LEFT
joins: the registries carry codes outside any current list (ceased units keep retired codes,
sirene.md §3.4).
"""

from __future__ import annotations

import functools
from pathlib import Path

import duckdb
import polars as pl

from firmo import db

REFERENCE_DIR = Path(__file__).resolve().parent

# table name -> columns that are not text
_TYPED: dict[str, dict[str, pl.DataType]] = {
    "headcount_bands": {"min_employees": pl.Int64(), "max_employees": pl.Int64(), "employer": pl.Boolean()},
    "regions": {},
    "departements": {},
    "communes_sample": {"weight": pl.Int64()},
    "communes": {"population": pl.Int64()},
    "epci": {"population_totale": pl.Int64(), "population_municipale": pl.Int64(), "nb_communes_membres": pl.Int64()},
    "ept": {"nb_communes_membres": pl.Int64()},
    "naf_sections": {},
    "naf_divisions": {},
    "naf_codes": {},
    "naf2025_sections": {},
    "naf2025_divisions": {},
    "naf2025_codes": {},
    "naf_rev2_to_naf2025": {"rev2_targets": pl.Int64(), "naf2025_sources": pl.Int64()},
    "categories_juridiques_n1": {},
    "categories_juridiques_n2": {},
    "categories_juridiques_n3": {},
}
TABLES: tuple[str, ...] = tuple(_TYPED)


@functools.cache
def _read(name: str) -> pl.DataFrame:
    path = REFERENCE_DIR / f"{name}.csv"
    header = path.read_text(encoding="utf-8").split("\n", 1)[0].split(",")
    schema = {col: _TYPED[name].get(col, pl.String()) for col in header}
    return pl.read_csv(path, schema=schema, encoding="utf8")


def read_reference(name: str) -> pl.DataFrame:
    """One reference table as a Polars frame (cached; callers must not mutate it)."""
    if name not in _TYPED:
        raise KeyError(f"unknown reference table {name!r}; known: {', '.join(TABLES)}")
    return _read(name)


def load_reference(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """(Re)build every `ref.<name>` table from the CSVs, each swapped in atomically.

    Idempotent: running it twice leaves the same tables. Returns the row count per table.
    """
    db.ensure_schemas(con)
    return {name: db.replace_table(con, f"ref.{name}", read_reference(name).to_arrow()) for name in TABLES}
