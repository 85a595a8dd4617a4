"""RGE, Reconnu Garant de l'Environnement (ADEME, open_data.md §2): one row per SIRET x
qualification x domaine x organisme, read from the data-fair `lines` API (no bulk file: the
dataset is a filtered view). Paged with the `next` cursor, never `skip` (size + skip <= 10,000,
HTTP 400 beyond); `lien_date_fin = 2099-01-01` means open-ended."""

from __future__ import annotations

from sources.labels.spec import IdColumn, Source

URL = "https://data.ademe.fr/data-fair/api/v1/datasets/liste-des-entreprises-rge-2/lines"
PAGE_SIZE = 10_000  # the API's largest page (size + skip <= 10,000)
OPEN_END = "2099-01-01"
COLUMNS = (
    "siret", "nom_entreprise", "adresse", "code_postal", "commune", "latitude", "longitude", "telephone",
    "email", "site_internet", "code_qualification", "nom_qualification", "url_qualification",
    "nom_certificat", "domaine", "meta_domaine", "organisme", "particulier", "lien_date_debut", "lien_date_fin",
)  # fmt: skip

SOURCE = Source(
    name="rge",
    title="Liste des entreprises RGE (ADEME)",
    url=URL,
    fmt="pages",
    ids=(IdColumn("siret", accept="siret"),),
    required_columns=("siret", "code_qualification", "domaine"),
    columns=COLUMNS,
    items_key="results",
    max_removal_pct=1.0,
)
