"""The published SIRENE stock layouts, column by column, with the type each column is loaded as.

Order is INSEE's current order (35 columns for StockUniteLegale since the 16 Dec 2025 stock,
54 for StockEtablissement). Files are always read by *header name*: older vintages (33/34 and
48/53 columns) simply lack some names, which load as NULL. Codes that carry leading zeros or
the `[ND]` mask (siren, nic, codes postaux, catégorie juridique, Lambert x/y) stay VARCHAR.
"""

from __future__ import annotations

# (column, DuckDB type) ------------------------------------------------------------------------
UNITES_LEGALES: list[tuple[str, str]] = [
    ("siren", "VARCHAR"),
    ("statutDiffusionUniteLegale", "VARCHAR"),
    ("unitePurgeeUniteLegale", "BOOLEAN"),
    ("dateCreationUniteLegale", "DATE"),
    ("sigleUniteLegale", "VARCHAR"),
    ("sexeUniteLegale", "VARCHAR"),
    ("prenom1UniteLegale", "VARCHAR"),
    ("prenom2UniteLegale", "VARCHAR"),
    ("prenom3UniteLegale", "VARCHAR"),
    ("prenom4UniteLegale", "VARCHAR"),
    ("prenomUsuelUniteLegale", "VARCHAR"),
    ("pseudonymeUniteLegale", "VARCHAR"),
    ("identifiantAssociationUniteLegale", "VARCHAR"),
    ("trancheEffectifsUniteLegale", "VARCHAR"),
    ("anneeEffectifsUniteLegale", "SMALLINT"),
    ("dateDernierTraitementUniteLegale", "TIMESTAMP"),
    ("nombrePeriodesUniteLegale", "SMALLINT"),
    ("categorieEntreprise", "VARCHAR"),
    ("anneeCategorieEntreprise", "SMALLINT"),
    ("dateDebut", "DATE"),
    ("etatAdministratifUniteLegale", "VARCHAR"),
    ("nomUniteLegale", "VARCHAR"),
    ("nomUsageUniteLegale", "VARCHAR"),
    ("denominationUniteLegale", "VARCHAR"),
    ("denominationUsuelle1UniteLegale", "VARCHAR"),
    ("denominationUsuelle2UniteLegale", "VARCHAR"),
    ("denominationUsuelle3UniteLegale", "VARCHAR"),
    ("categorieJuridiqueUniteLegale", "VARCHAR"),
    ("activitePrincipaleUniteLegale", "VARCHAR"),
    ("nomenclatureActivitePrincipaleUniteLegale", "VARCHAR"),
    ("nicSiegeUniteLegale", "VARCHAR"),
    ("economieSocialeSolidaireUniteLegale", "VARCHAR"),
    ("societeMissionUniteLegale", "VARCHAR"),
    ("caractereEmployeurUniteLegale", "VARCHAR"),
    ("activitePrincipaleNAF25UniteLegale", "VARCHAR"),
]

ETABLISSEMENTS: list[tuple[str, str]] = [
    ("siren", "VARCHAR"),
    ("nic", "VARCHAR"),
    ("siret", "VARCHAR"),
    ("statutDiffusionEtablissement", "VARCHAR"),
    ("dateCreationEtablissement", "DATE"),
    ("trancheEffectifsEtablissement", "VARCHAR"),
    ("anneeEffectifsEtablissement", "SMALLINT"),
    ("activitePrincipaleRegistreMetiersEtablissement", "VARCHAR"),
    ("dateDernierTraitementEtablissement", "TIMESTAMP"),
    ("etablissementSiege", "BOOLEAN"),
    ("nombrePeriodesEtablissement", "SMALLINT"),
    ("complementAdresseEtablissement", "VARCHAR"),
    ("numeroVoieEtablissement", "VARCHAR"),
    ("indiceRepetitionEtablissement", "VARCHAR"),
    ("dernierNumeroVoieEtablissement", "VARCHAR"),
    ("indiceRepetitionDernierNumeroVoieEtablissement", "VARCHAR"),
    ("typeVoieEtablissement", "VARCHAR"),
    ("libelleVoieEtablissement", "VARCHAR"),
    ("codePostalEtablissement", "VARCHAR"),
    ("libelleCommuneEtablissement", "VARCHAR"),
    ("libelleCommuneEtrangerEtablissement", "VARCHAR"),
    ("distributionSpecialeEtablissement", "VARCHAR"),
    ("codeCommuneEtablissement", "VARCHAR"),
    ("codeCedexEtablissement", "VARCHAR"),
    ("libelleCedexEtablissement", "VARCHAR"),
    ("codePaysEtrangerEtablissement", "VARCHAR"),
    ("libellePaysEtrangerEtablissement", "VARCHAR"),
    ("identifiantAdresseEtablissement", "VARCHAR"),
    ("coordonneeLambertAbscisseEtablissement", "VARCHAR"),
    ("coordonneeLambertOrdonneeEtablissement", "VARCHAR"),
    ("complementAdresse2Etablissement", "VARCHAR"),
    ("numeroVoie2Etablissement", "VARCHAR"),
    ("indiceRepetition2Etablissement", "VARCHAR"),
    ("typeVoie2Etablissement", "VARCHAR"),
    ("libelleVoie2Etablissement", "VARCHAR"),
    ("codePostal2Etablissement", "VARCHAR"),
    ("libelleCommune2Etablissement", "VARCHAR"),
    ("libelleCommuneEtranger2Etablissement", "VARCHAR"),
    ("distributionSpeciale2Etablissement", "VARCHAR"),
    ("codeCommune2Etablissement", "VARCHAR"),
    ("codeCedex2Etablissement", "VARCHAR"),
    ("libelleCedex2Etablissement", "VARCHAR"),
    ("codePaysEtranger2Etablissement", "VARCHAR"),
    ("libellePaysEtranger2Etablissement", "VARCHAR"),
    ("dateDebut", "DATE"),
    ("etatAdministratifEtablissement", "VARCHAR"),
    ("enseigne1Etablissement", "VARCHAR"),
    ("enseigne2Etablissement", "VARCHAR"),
    ("enseigne3Etablissement", "VARCHAR"),
    ("denominationUsuelleEtablissement", "VARCHAR"),
    ("activitePrincipaleEtablissement", "VARCHAR"),
    ("nomenclatureActivitePrincipaleEtablissement", "VARCHAR"),
    ("caractereEmployeurEtablissement", "VARCHAR"),
    ("activitePrincipaleNAF25Etablissement", "VARCHAR"),
]

UNITES_LEGALES_COLUMNS = [name for name, _ in UNITES_LEGALES]
ETABLISSEMENTS_COLUMNS = [name for name, _ in ETABLISSEMENTS]

# Without these a file cannot be a stock of that kind: refuse it with a clear error rather
# than load a table of NULLs (e.g. an établissement file passed as unités légales).
UNITES_LEGALES_REQUIRED = (
    "siren",
    "statutDiffusionUniteLegale",
    "dateCreationUniteLegale",
    "etatAdministratifUniteLegale",
    "categorieJuridiqueUniteLegale",
    "activitePrincipaleUniteLegale",
    "nicSiegeUniteLegale",
)
ETABLISSEMENTS_REQUIRED = (
    "siren",
    "nic",
    "siret",
    "statutDiffusionEtablissement",
    "etablissementSiege",
    "etatAdministratifEtablissement",
    "codeCommuneEtablissement",
)

# Columns a person could be identified by; masked with `[ND]` for statut P (sirene.md §4).
ND_MARK = "[ND]"
