"""Hand-built SIRENE stock files for tests: exact rows, so expected values are known."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from stdnum import luhn

from sources.sirene.schema import ETABLISSEMENTS_COLUMNS, UNITES_LEGALES_COLUMNS


def siren(prefix: str) -> str:
    """A valid SIREN from an 8-digit prefix (python-stdnum computes the check digit)."""
    assert len(prefix) == 8
    return prefix + luhn.calc_check_digit(prefix)


def siret(siren_: str, nic_prefix: str = "0001") -> str:
    body = siren_ + nic_prefix
    return body + luhn.calc_check_digit(body)


def ul_row(siren_: str, **values: str) -> dict[str, str]:
    row = {c: "" for c in UNITES_LEGALES_COLUMNS}
    row.update(
        siren=siren_, statutDiffusionUniteLegale="O", dateCreationUniteLegale="2015-03-01",
        trancheEffectifsUniteLegale="12", anneeEffectifsUniteLegale="2023",
        dateDernierTraitementUniteLegale="2025-12-06T05:25:38", nombrePeriodesUniteLegale="2",
        categorieEntreprise="PME", dateDebut="2015-03-01", etatAdministratifUniteLegale="A",
        denominationUniteLegale=f"SOCIETE {siren_}", categorieJuridiqueUniteLegale="5710",
        activitePrincipaleUniteLegale="62.01Z", nomenclatureActivitePrincipaleUniteLegale="NAFRev2",
        nicSiegeUniteLegale=siret(siren_, "0001")[9:], activitePrincipaleNAF25UniteLegale="62.10Y",
    )
    row.update(values)
    return row


def etab_row(siret_: str, **values: str) -> dict[str, str]:
    row = {c: "" for c in ETABLISSEMENTS_COLUMNS}
    row.update(
        siren=siret_[:9], nic=siret_[9:], siret=siret_, statutDiffusionEtablissement="O",
        dateCreationEtablissement="2015-03-01", trancheEffectifsEtablissement="12",
        dateDernierTraitementEtablissement="2025-12-06T05:25:38", etablissementSiege="true",
        nombrePeriodesEtablissement="1", numeroVoieEtablissement="12", typeVoieEtablissement="RUE",
        libelleVoieEtablissement="DE LA PAIX", codePostalEtablissement="69002",
        libelleCommuneEtablissement="LYON", codeCommuneEtablissement="69382", dateDebut="2015-03-01",
        etatAdministratifEtablissement="A", activitePrincipaleEtablissement="62.01Z",
        nomenclatureActivitePrincipaleEtablissement="NAFRev2", caractereEmployeurEtablissement="O",
    )
    row.update(values)
    return row


def write_csv(path: Path, columns: list[str], rows: list[dict[str, str] | str]) -> Path:
    """Rows as dicts (rendered by header) or raw strings (written verbatim, for broken lines)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        if isinstance(row, str):
            out.write(row + "\n")
        else:
            writer.writerow([row.get(c, "") for c in columns])
    path.write_text(out.getvalue(), encoding="utf-8")
    return path
