"""Deliberately defective lines appended to generated SIRENE CSVs, with what a loader must say.

Four lines per file, one per kind of defect a real stock can carry or a loader must survive:
a row with one column missing, a SIREN failing its Luhn check, an identifier of the wrong
length (SIRET in the établissement file, NIC du siège in the unité légale file) and an
impossible date (2023-02-30). Each uses a SIREN absent from the universe, so it creates no
duplicate key and the expected reject count is exactly the number of defects.
"""

from __future__ import annotations

import csv
import io

import numpy as np
import polars as pl

from sources.demo import ids
from sources.demo.universe import Universe

IMPOSSIBLE_DATE = "2023-02-30"


def _fresh_sirens(universe: Universe, kind: str, count: int) -> list[str]:
    rng = np.random.default_rng([universe.seed, 12 if kind == "UL" else 13])
    candidates = ids.zero_pad(ids.draw_sirens(rng, count * 4 + 8), 9, "siren")
    unused = candidates.filter(~candidates.is_in(universe.units["siren"].implode()))
    return unused.head(count).to_list()


def _bad_checksum(siren: str) -> str:
    return siren[:8] + str((int(siren[8]) + 1) % 10)


def _nic(siren: str) -> str:
    return f"{int(ids.siret_nic(np.array([int(siren)]), np.array([1]))[0]):05d}"


def _line(fields: list[str]) -> str:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerow(fields)
    return buf.getvalue()


def inject_defects(kind: str, base: pl.DataFrame, universe: Universe, first_line: int) -> tuple[list[str], list[dict]]:
    """Defective CSV lines built from one good row, and their manifest entries.

    `first_line` is the physical line number (header = 1) the first defect will occupy.
    """
    from sources.demo.sirene import csv_bytes  # late import: sirene imports this module

    cols = base.columns
    template = next(csv.reader(io.StringIO(csv_bytes(base, header=False).decode("utf-8"))))
    sirens = _fresh_sirens(universe, kind, 4)
    date_col = "dateCreationUniteLegale" if kind == "UL" else "dateCreationEtablissement"
    length_col = "nicSiegeUniteLegale" if kind == "UL" else "siret"
    specs = [
        ("wrong_column_count", sirens[0], None, None),
        ("invalid_siren_checksum", _bad_checksum(sirens[1]), None, None),
        ("siret_wrong_length" if kind == "ET" else "nic_wrong_length", sirens[2], length_col, None),
        ("impossible_date", sirens[3], date_col, IMPOSSIBLE_DATE),
    ]
    lines, entries = [], []
    for offset, (defect, siren, column, value) in enumerate(specs):
        row = dict(zip(cols, template, strict=True))
        row["siren"] = siren
        entry: dict = {"line": first_line + offset, "kind": defect, "siren": siren}
        if kind == "ET":
            row["nic"] = _nic(siren)
            row["siret"] = siren + row["nic"]
            entry["siret"] = row["siret"]
        if defect.endswith("wrong_length") and column is not None:
            row[column] = row["siret"][:13] if kind == "ET" else "1234"
            value = row[column]
            entry["siret" if kind == "ET" else "nic"] = value
        elif value is not None and column is not None:
            row[column] = value
        fields = [row[c] for c in cols]
        if defect == "wrong_column_count":
            fields = fields[:-1]
            entry["columns"] = len(fields)
        if column is not None:
            entry["column"], entry["value"] = column, value
        lines.append(_line(fields))
        entries.append(entry)
    return lines, entries
