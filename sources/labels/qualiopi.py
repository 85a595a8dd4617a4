"""Liste publique des organismes de formation (DGEFP, open_data.md §3): one row per declaration
number (NDA), the Opendatasoft CSV export with column *labels* (`use_labels=true`, `;`). Every
NDA makes an `organisme_formation`; `Certifications` not empty makes it `qualiopi` too. Its dates
come in two formats in one record ("01/01/2023" beside "2023-12-31")."""

from __future__ import annotations

from sources.labels.spec import IdColumn, Source

URL = (
    "https://dgefp.opendatasoft.com/api/explore/v2.1/catalog/datasets/liste-publique-des-of-v2/exports/csv"
    "?lang=fr&timezone=Europe%2FBerlin&use_labels=true&delimiter=%3B"
)
NDA = "Numéro Déclaration Activité"
SIREN = "Code SIREN"
SIRET = "Siret Etablissement Déclarant"
CERTIFICATIONS = "Certifications"
# The 43 labels of the export (open_data.md §3); only the first three columns search-infra reads
# are certain, so only they are required.
HEADER = (
    NDA, "Numéro Déclaration Activité Précédent", "denomination", SIREN, SIRET,
    "Adresse Organisme de Formation", "Code Postal Organisme de Formation", "Ville Organisme de Formation",
    "Code Région Organisme de Formation", "geocodageban", "Actions de formations", "Bilans de compétences", "VAE",
    "Actions de formations par apprentissage", "Dénomination Organisme Etranger Représenté",
    "Adresse Organisme Etranger Représenté", "Code Postal Organisme Etranger Représenté",
    "Ville Organisme Etranger Représenté", "Pays Organisme Etranger Représenté", "Date dernière déclaration",
    "Début d'exercice", "Fin d'exercice", "Code Spécialité 1", "Libellé Spécialité 1", "Code Spécialité 2",
    "Libellé Spécialité 2", "Code Spécialité 3", "Libellé Spécialité 3", "Nombre de stagiaires",
    "Nombre de stagiaires confiés par un autre Organisme de formation", "Effectifs de formateurs", "Code Commune",
    "Nom Officiel Commune / Arrondissement Municipal", "Code Officiel EPCI", "Nom Officiel EPCI",
    "Code Officiel Département", "Nom Officiel Département", "Nom Officiel Région", "Code Officiel Région",
    "Toutes spécialités de l'organisme de formation", "Organisme Formation Géocodé", CERTIFICATIONS, "random_id",
)  # fmt: skip

SOURCE = Source(
    name="qualiopi",
    title="Liste publique des organismes de formation (DGEFP)",
    url=URL,
    fmt="csv",
    ids=(IdColumn(SIREN, accept="siren", pad=True), IdColumn(SIRET, accept="siret", pad=True, required=False)),
    required_columns=(NDA, SIREN, CERTIFICATIONS),
    unique=(NDA,),
    max_removal_pct=2.0,
)
