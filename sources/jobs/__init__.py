"""Hiring signals from France Travail: the Offres d'emploi v2 API (job offers, matched to SIRENE
establishments by name, commune and NAF) and La Bonne Boîte v2 (hiring potential by SIRET)."""
