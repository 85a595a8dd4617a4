"""Offers in the API's shape for the stand-in France Travail (sources/jobs/fake.py)."""

from __future__ import annotations

import pytest

RECRUITER = "M. Gaspard Invente"
RECRUITER_MAIL = "gaspard.invente@recrutement.example"


def offer(
    i: int, *, day: int = 1, commune: str = "34172", name: str | None = "ACME", naf: str | None = "62.01Z"
) -> dict:
    body = {
        "id": f"T{i:06d}",
        "intitule": "Développeur H/F",
        "description": f"Contactez {RECRUITER} au 06 00 00 00 00",
        "dateCreation": f"2026-11-{day:02d}T10:00:00.000Z",
        "dateActualisation": f"2026-11-{day:02d}T12:00:00.000Z",
        "lieuTravail": {"libelle": "34 - Montpellier", "commune": commune, "codePostal": "34000", "latitude": 43.6},
        "romeCode": "M1805",
        "romeLibelle": "Études et développement informatique",
        "typeContrat": "CDI",
        "nombrePostes": 2,
        "contact": {"nom": RECRUITER, "coordonnees1": f"Courriel : {RECRUITER_MAIL}", "courriel": RECRUITER_MAIL},
        "agence": {"courriel": "agence.340@francetravail.example"},
    }
    if name is not None:
        body["entreprise"] = {"nom": name, "description": "Éditeur de logiciels"}
    if naf is not None:
        body["codeNAF"] = naf
    return body


@pytest.fixture()
def offers_847() -> list[dict]:
    return [offer(i, day=1 + i % 28) for i in range(847)]
