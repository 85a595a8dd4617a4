"""Index de l'égalité professionnelle F/H (Ministère du Travail, open_data.md §5): XLSX, 18 columns,
one row per (SIREN, Année). Notes are integers or `NC` (non calculable). An index published by a
UES (unité économique et sociale) lists its member companies in `Entreprises UES (SIREN)` as
"NAME (SIREN),NAME (SIREN)": the core build gives each member the label too (the index is the
UES's, so a member's detail names it). Valid for the year after Année (the site's
`indexYears = year + 1`)."""

from __future__ import annotations

import re

from firmo.identifiers import clean_identifier
from sources.labels.spec import IdColumn, Source

URL = "https://www.data.gouv.fr/datasets/r/d434859f-8d3b-4381-bcdb-ec9200653ae6"
SHEET = "Données publiques Index Egapro"
HEADER = (
    "Année", "Structure", "Tranche d'effectifs", "SIREN", "Raison Sociale", "Nom UES", "Entreprises UES (SIREN)",
    "Région", "Département", "Pays", "Code NAF", "Note Ecart rémunération",
    "Note Ecart taux d'augmentation (hors promotion)", "Note Ecart taux de promotion",
    "Note Ecart taux d'augmentation", "Note Retour congé maternité", "Note Hautes rémunérations", "Note Index",
)  # fmt: skip
UES_MEMBERS = "Entreprises UES (SIREN)"
_MEMBER = re.compile(r"\(\s*([0-9][0-9 .]{4,14})\s*\)")

SOURCE = Source(
    name="egapro",
    title="Index Egalité Professionnelle F/H (Ministère du Travail)",
    url=URL,
    fmt="xlsx",
    ids=(IdColumn("SIREN", accept="siren", pad=True),),
    required_columns=("Année", "SIREN", "Structure", UES_MEMBERS, "Note Index"),
    unique=("SIREN", "Année"),
    max_removal_pct=1.0,
)


def ues_members(text: str | None) -> list[str]:
    """The valid member SIRENs of "OCS (539311373),ORANGE STUDIO (440419240)", in order, once each
    (names may hold commas, so the SIRENs are found in their parentheses)."""
    out: list[str] = []
    for raw in _MEMBER.findall(text or ""):
        siren, _ = clean_identifier(raw, pad=True, accept="siren")
        if siren and siren not in out:
            out.append(siren)
    return out
