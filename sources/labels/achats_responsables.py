"""Label Relations fournisseurs et achats responsables (Médiateur des entreprises, open_data.md
§10): a `;` CSV with `SIREN` and `PERIMETRE`. SIRENs lost their leading zeros ("58801481") and
about 3 % are missing, hence the 5 % removal allowed."""

from __future__ import annotations

from sources.labels.spec import IdColumn, Source

URL = "https://www.data.gouv.fr/datasets/r/a61ad4c3-5656-480d-b71c-bfc3cc99c9b0"

SOURCE = Source(
    name="achats_responsables",
    title="Label Relations fournisseurs et achats responsables",
    url=URL,
    fmt="csv",
    ids=(IdColumn("SIREN", accept="siren", pad=True),),
    required_columns=("SIREN", "PERIMETRE"),
    max_removal_pct=5.0,
)
