"""Label Entreprise du Patrimoine Vivant (open_data.md §10): a `;` CSV on data.gouv; only its
`SIRET` column is certain (the one search-infra reads, stripped), the rest is kept as published."""

from __future__ import annotations

from sources.labels.spec import IdColumn, Source

URL = "https://www.data.gouv.fr/datasets/r/9bca3cea-1659-422d-8c4d-40137b2a1ee8"

SOURCE = Source(
    name="patrimoine_vivant",
    title="Entreprises du Patrimoine Vivant (label EPV)",
    url=URL,
    fmt="csv",
    ids=(IdColumn("SIRET", accept="siret", pad=True),),
    required_columns=("SIRET",),
    max_removal_pct=2.0,
)
