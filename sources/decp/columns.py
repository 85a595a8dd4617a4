"""The consolidated tabular DECP (decp-processing's `decp.parquet` / `decp.csv`): its columns, the
addresses it is published at, and the constants of its documented quirks (shared/docs/open_data.md §1).

The column list is `reference/schema_base.json` of decp-processing (published as `schema.json`) plus
`acheteur_categorie`, which the published file carries. Everything is read by header name, never by
position: decp-processing appends unexpected columns at the end with a warning (`sort_columns`), so
a file may have more columns than this list (tolerated, logged) or fewer (the optional ones are
NULL). The `type` is the type the raw table `decp.marches` stores; identifiers the schema calls
"integer" (`acheteur_id`, `titulaire_id`, `lieuExecution_code`) are VARCHAR, since an integer loses
the leading zeros of a SIRET or a postal code and a titulaire id may be a VAT number.
"""

from __future__ import annotations

RESOURCE_PARQUET = "11cea8e8-df3e-4ed1-932b-781e2635e432"
RESOURCE_CSV = "22847056-61df-452d-837d-8b8ceadbfc52"
DATA_GOUV_BASE = "https://www.data.gouv.fr/datasets/r/"
STOCK_URL = DATA_GOUV_BASE + RESOURCE_PARQUET  # the stock: always the latest decp.parquet
CSV_URL = DATA_GOUV_BASE + RESOURCE_CSV
TABULAR_API = "https://tabular-api.data.gouv.fr/api"  # + /resources/<csv resource>/data/
STOCK_FILENAME = "decp.parquet"

# decp-processing replaces any montant whose integer part has more than 11 digits by this value
# "pour les retrouver facilement" (clean.py): it means "absurd amount", never an amount.
SENTINEL_AMOUNT = 12_311_111_111.0
# the documented duplicate key (transform.py concat_parquet_files)
KEY = ("uid", "titulaire_id", "titulaire_typeIdentifiant", "dateNotification")
CONTRACT_TYPES = ("Fournitures", "Services", "Travaux")

V, D, N, B, F = "VARCHAR", "DATE", "INTEGER", "BOOLEAN", "DOUBLE"
COLUMNS: tuple[tuple[str, str], ...] = (
    ("uid", V),
    ("id", V),
    ("nature", V),
    ("acheteur_id", V),
    ("acheteur_nom", V),
    ("titulaire_id", V),
    ("titulaire_typeIdentifiant", V),
    ("titulaire_nom", V),
    ("objet", V),
    ("montant", F),
    ("type", V),
    ("codeCPV", V),
    ("procedure", V),
    ("techniques", V),
    ("dureeMois", N),
    ("dureeRestanteMois", F),
    ("offresRecues", N),
    ("dateNotification", D),
    ("datePublicationDonnees", D),
    ("formePrix", V),
    ("typesPrix", V),
    ("attributionAvance", B),
    ("tauxAvance", F),
    ("marcheInnovant", B),
    ("modalitesExecution", V),
    ("considerationsSociales", V),
    ("considerationsEnvironnementales", V),
    ("ccag", V),
    ("sousTraitanceDeclaree", B),
    ("typeGroupementOperateurs", V),
    ("origineUE", F),
    ("origineFrance", F),
    ("lieuExecution_code", V),
    ("lieuExecution_typeCode", V),
    ("idAccordCadre", V),
    ("titulaire_distance", N),
    ("acheteur_categorie", V),
    ("acheteur_commune_code", V),
    ("acheteur_commune_nom", V),
    ("acheteur_departement_code", V),
    ("acheteur_departement_nom", V),
    ("acheteur_region_code", V),
    ("acheteur_region_nom", V),
    ("acheteur_latitude", F),
    ("acheteur_longitude", F),
    ("titulaire_categorie", V),
    ("titulaire_commune_code", V),
    ("titulaire_commune_nom", V),
    ("titulaire_departement_code", V),
    ("titulaire_departement_nom", V),
    ("titulaire_region_code", V),
    ("titulaire_region_nom", V),
    ("titulaire_latitude", F),
    ("titulaire_longitude", F),
    ("modification_id", N),
    ("donneesActuelles", B),
    ("sourceDataset", V),
    ("sourceFile", V),
)
NAMES = tuple(name for name, _ in COLUMNS)
TYPES = dict(COLUMNS)
# without these the file is not the consolidated DECP (or not a version firmo understands)
REQUIRED = ("uid", "acheteur_id", "titulaire_id", "titulaire_typeIdentifiant", "montant", "dateNotification",
            "donneesActuelles")  # fmt: skip
