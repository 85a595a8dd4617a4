"""Hand-built enriched leads (the export's input contract) and an in-memory warehouse whose
core.companies holds the units the leads name (the export's last gate reads it)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import duckdb
import polars as pl
import pytest

from firmo.db import ensure_schemas

NOW = datetime(2026, 3, 2, 9, 30, 0)

LEAD_SCHEMA = {
    "icp": pl.String, "siren": pl.String, "siret": pl.String, "company_name": pl.String, "street": pl.String,
    "postal_code": pl.String, "city": pl.String, "country": pl.String, "region_name": pl.String,
    "naf_code": pl.String, "naf_division": pl.String, "naf_division_label": pl.String,
    "headcount_band": pl.String, "employees_min": pl.Int64, "employees_max": pl.Int64,
    "annual_revenue": pl.Int64, "legal_form_label": pl.String, "creation_date": pl.Date,
    "website_domain": pl.String, "first_name": pl.String, "last_name": pl.String, "job_title": pl.String,
    "email": pl.String, "email_status": pl.String, "email_source": pl.String, "email_found_at": pl.Date,
    "phone": pl.String, "phone_type": pl.String, "phone_source": pl.String, "phone_found_at": pl.Date,
    "fit_score": pl.Int64, "intent_score": pl.Int64, "score": pl.Int64, "tier": pl.String,
    "score_reasons": pl.List(pl.String), "statut_diffusion": pl.String, "lead_updated_at": pl.Datetime("us"),
    "linkedin_url": pl.String,
}


def lead(**overrides: Any) -> dict[str, Any]:
    """A complete, exportable lead (Acme SAS, Paris, hot); override any field."""
    base: dict[str, Any] = {
        "icp": "saas_paris", "siren": "552100554", "siret": "55210055400013", "company_name": "Acme SAS",
        "street": "12 rue de la Paix", "postal_code": "75002", "city": "Paris", "country": "France",
        "region_name": "Île-de-France", "naf_code": "62.01Z", "naf_division": "62",
        "naf_division_label": "Programmation, conseil et autres activités informatiques",
        "headcount_band": "12", "employees_min": 20, "employees_max": 49, "annual_revenue": 3200000,
        "legal_form_label": "SAS, société par actions simplifiée", "creation_date": date(2015, 6, 1),
        "website_domain": "acme.fr", "first_name": "Jeanne", "last_name": "Martin", "job_title": "Présidente",
        "email": "jeanne.martin@acme.fr", "email_status": "valid", "email_source": "hunter",
        "email_found_at": date(2026, 2, 20), "phone": "+33612345678", "phone_type": "mobile",
        "phone_source": "lusha", "phone_found_at": date(2026, 2, 21), "fit_score": 90, "intent_score": 70,
        "score": 84, "tier": "hot", "score_reasons": ["NAF 62.01Z in ICP", "20-49 employees"],
        "statut_diffusion": "O", "lead_updated_at": datetime(2026, 3, 1, 22, 0, 0), "linkedin_url": None,
    }
    unknown = set(overrides) - set(base)
    assert not unknown, unknown
    return {**base, **overrides}


def frame(*leads: dict[str, Any]) -> pl.DataFrame:
    return pl.DataFrame(list(leads), schema=LEAD_SCHEMA)


def golden_leads() -> pl.DataFrame:
    """Three exportable leads covering every branch of the layouts, plus one 'P' unit."""
    return frame(
        lead(linkedin_url="https://www.linkedin.com/in/jeanne-martin-4b2a/"),
        lead(
            siren="732829320", siret="73282932000074", company_name='Dupont, Fils & "Cie"', street=None,
            postal_code="69003", city="Lyon", region_name="Auvergne-Rhône-Alpes", naf_code="70.22Z",
            naf_division="70", naf_division_label="Activités des sièges sociaux ; conseil de gestion",
            headcount_band="53", employees_min=None, employees_max=None, annual_revenue=None,
            website_domain=None, first_name="Luc", last_name="Dupont", job_title="Directeur général",
            email=None, email_status=None, email_source=None, email_found_at=None, phone="+33478000000",
            phone_type="direct", phone_source="kaspr", phone_found_at=date(2026, 1, 5), score=55, tier="warm",
            score_reasons=[],
        ),
        lead(
            siren="443061841", siret="44306184100047", company_name="Boulangerie Éclair", postal_code="33000",
            city="Bordeaux", street="3 cours de l'Intendance", naf_code="10.71C", naf_division="10",
            naf_division_label="Industries alimentaires", annual_revenue=410000, headcount_band="NN", employees_min=None,
            website_domain="eclair.fr", first_name="Anne", last_name="Roux", job_title="Gérante",
            email="Anne.Roux@Eclair.fr", email_source="dropcontact", email_found_at=date(2026, 2, 1),
            phone=None, phone_type=None, phone_source=None, phone_found_at=None, score=20, tier="cold",
            score_reasons=["small company"],
        ),
        lead(siren="356000000", siret="35600000000048", company_name="Secret SARL", email="x@secret.fr",
             statut_diffusion="P"),
    )


# SIREN -> (diffusible, active): what core.companies says of the units the test leads name
REGISTRY = {"552100554": (True, True), "732829320": (True, True), "443061841": (True, True),
            "880878145": (True, True), "356000000": (False, True)}


def registry(con: duckdb.DuckDBPyConnection, units: dict[str, tuple[bool, bool]] | None = None) -> None:
    """(Re)write core.companies with the columns the last gate reads."""
    con.execute("CREATE OR REPLACE TABLE core.companies (siren VARCHAR, diffusible BOOLEAN, active BOOLEAN)")
    rows = [(s, d, a) for s, (d, a) in (REGISTRY if units is None else units).items()]
    if rows:
        con.executemany("INSERT INTO core.companies VALUES (?, ?, ?)", rows)


@pytest.fixture()
def con() -> duckdb.DuckDBPyConnection:
    connection = duckdb.connect(":memory:")
    ensure_schemas(connection)
    registry(connection)
    yield connection
    connection.close()
