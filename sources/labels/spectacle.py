"""Déclarations des entrepreneurs de spectacles vivants (ministère de la Culture, open_data.md §10):
a **Latin-1** `;` CSV; `siren_siret` is a SIRET for a company, a SIREN for a person; only rows
with `statut_recepisse = Valide` make the label (the Invalide ones stay in the raw table)."""

from __future__ import annotations

from sources.labels.spec import IdColumn, Source

URL = "https://www.data.gouv.fr/datasets/r/fb6c3b2e-da8c-4e69-a719-6a96329e4cb2"
VALID = "Valide"
HEADER = (
    "numero_recepisse", "date_validite", "date_depot_dossier", "statut_recepisse", "categorie", "type_declaration",
    "type_declarant", "raison_sociale", "code_postal_siret", "siren_siret", "nom_lieu", "code_postal_lieu",
    "code_naf_ape", "geoloc_cp_siret", "region_siret", "departement_siret", "date_expire_licence",
    "date_retrait_licence",
)  # fmt: skip

SOURCE = Source(
    name="spectacle",
    title="Déclarations des entrepreneurs de spectacles vivants",
    url=URL,
    fmt="csv",
    encoding="latin-1",
    ids=(IdColumn("siren_siret", accept="either", pad=True),),
    required_columns=("siren_siret", "statut_recepisse", "numero_recepisse"),
    max_removal_pct=5.0,
)
