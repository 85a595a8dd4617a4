"""INSEE's GeolocalisationEtablissement_Sirene_pour_etudes_statistiques: one point per SIRET."""
