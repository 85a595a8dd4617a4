"""Build DECP files in the consolidated format (the publisher's header, Polars sink_csv defaults)."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from sources.decp.columns import NAMES


def row(**values: Any) -> dict[str, Any]:
    """A current-state row of one SIRET titulaire; keyword arguments override."""
    base: dict[str, Any] = {n: None for n in NAMES}
    base.update(
        uid="2100000000001323MAPA01", id="23MAPA01", nature="Marché", acheteur_id="21000000000013",
        acheteur_nom="COMMUNE DE TEST", acheteur_categorie="Commune", titulaire_id="55204599900869",
        titulaire_typeIdentifiant="SIRET", titulaire_nom="ACME", objet="Travaux de voirie", montant="150000.0",
        type="Travaux", codeCPV="45233140", procedure="Procédure adaptée", dureeMois="12",
        dateNotification="2025-03-04", datePublicationDonnees="2025-03-10", modification_id="0",
        donneesActuelles="true", sourceDataset="decp_aife", sourceFile="aife.json",
    )  # fmt: skip
    base.update(values)
    return base


def write_csv(path: Path, rows: list[dict[str, Any]], header: list[str] | None = None) -> Path:
    header = header or list(NAMES)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        for r in rows:
            writer.writerow(["" if r.get(h) is None else r.get(h) for h in header])
    return path
