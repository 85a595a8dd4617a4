"""Organic operators (Agence Bio, open_data.md §6): the `api/gouv/operateurs` API, paged with
`nb` / `debut` until `items` is empty; `nbTotal` is a string. An operator is `bio` only with a
certificate whose `etatCertification` is "ENGAGEE" (valid from its `dateEngagement`). The `siret`
field holds a SIRET or a SIREN, and is sometimes invalid (search-infra tolerates 5 %)."""

from __future__ import annotations

from sources.labels.spec import IdColumn, Source

URL = "https://opendata.agencebio.org/api/gouv/operateurs/"
PAGE_SIZE = 1000
ENGAGED = "ENGAGEE"
COLUMNS = (
    "id",
    "raisonSociale",
    "denominationcourante",
    "siret",
    "numeroBio",
    "codeNAF",
    "dateMaj",
    "reseau",
    "categories",
    "activites",
    "adressesOperateurs",
    "productions",
    "certificats",
    "mixite",
    "datePremierEngagement",
)  # fmt: skip  (the phone, e-mail and manager fields are never kept)

SOURCE = Source(
    name="agence_bio",
    title="Opérateurs bio (Agence Bio, API Professionnels Bio)",
    url=URL,
    fmt="pages",
    ids=(IdColumn("siret", accept="either"),),
    required_columns=("siret", "certificats"),
    columns=COLUMNS,
    items_key="items",
    max_removal_pct=5.0,
)
