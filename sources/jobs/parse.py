"""France Travail answers -> flat rows under the publisher's field names, personal data dropped.

Why a whitelist: an offer carries `contact{nom, coordonnees1, courriel, telephone...}` (the
recruiter's name and details) and `agence{courriel, telephone}`, personal data firmo must not
store (open_data.md §9), and a free-text `description` that often repeats them. Only the fields
named in OFFER_FIELDS are read, nested ones flattened as `<object>_<field>`
(`lieuTravail.commune` -> `lieuTravail_commune`), so nothing else can reach a file or a table:
the raw JSON-lines file the fetch writes already holds the flattened rows.

An offer without an id, or whose dateCreation cannot be read, is quarantined with its reason
when the raw file is loaded (`check_offer`).
La Bonne Boîte companies keep their documented field names; their SIRET is cleaned the
search-infra way (digits only, left-padded when at most 3 zeros are missing, 14 digits kept) and
then checked like every other open-data SIRET (Luhn, La Poste's exception): a SIRET that fails is
no establishment firmo can join, so the row is quarantined with its reason, not loaded
(`firmo.identifiers.clean_identifier`, the shared rule).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any

from firmo.identifiers import clean_identifier

# flattened column -> (path in the offer, DuckDB type)
OFFER_FIELDS: dict[str, tuple[tuple[str, ...], str]] = {
    "id": (("id",), "VARCHAR"),
    "intitule": (("intitule",), "VARCHAR"),
    "dateCreation": (("dateCreation",), "TIMESTAMP"),
    "dateActualisation": (("dateActualisation",), "TIMESTAMP"),
    "lieuTravail_libelle": (("lieuTravail", "libelle"), "VARCHAR"),
    "lieuTravail_commune": (("lieuTravail", "commune"), "VARCHAR"),
    "lieuTravail_codePostal": (("lieuTravail", "codePostal"), "VARCHAR"),
    "lieuTravail_latitude": (("lieuTravail", "latitude"), "DOUBLE"),
    "lieuTravail_longitude": (("lieuTravail", "longitude"), "DOUBLE"),
    "romeCode": (("romeCode",), "VARCHAR"),
    "romeLibelle": (("romeLibelle",), "VARCHAR"),
    "appellationlibelle": (("appellationlibelle",), "VARCHAR"),
    "typeContrat": (("typeContrat",), "VARCHAR"),
    "typeContratLibelle": (("typeContratLibelle",), "VARCHAR"),
    "natureContrat": (("natureContrat",), "VARCHAR"),
    "experienceExige": (("experienceExige",), "VARCHAR"),
    "alternance": (("alternance",), "BOOLEAN"),
    "nombrePostes": (("nombrePostes",), "INTEGER"),
    "accessibleTH": (("accessibleTH",), "BOOLEAN"),
    "qualificationCode": (("qualificationCode",), "VARCHAR"),
    "codeNAF": (("codeNAF",), "VARCHAR"),
    "secteurActivite": (("secteurActivite",), "VARCHAR"),
    "secteurActiviteLibelle": (("secteurActiviteLibelle",), "VARCHAR"),
    "trancheEffectifEtab": (("trancheEffectifEtab",), "VARCHAR"),
    "entreprise_nom": (("entreprise", "nom"), "VARCHAR"),
    "entreprise_entrepriseAdaptee": (("entreprise", "entrepriseAdaptee"), "BOOLEAN"),
    "origineOffre_origine": (("origineOffre", "origine"), "VARCHAR"),
    "offresManqueCandidats": (("offresManqueCandidats",), "BOOLEAN"),
}
# What an offer holds that is never read (personal data, or free text repeating it).
NEVER_STORED = ("contact", "agence", "description", "entreprise.description")

LBB_FIELDS: dict[str, str] = {
    "siret": "VARCHAR",
    "company_name": "VARCHAR",
    "office_name": "VARCHAR",
    "naf": "VARCHAR",
    "naf_label": "VARCHAR",
    "rome": "VARCHAR",
    "city": "VARCHAR",
    "citycode": "VARCHAR",
    "postcode": "VARCHAR",
    "department_number": "VARCHAR",
    "headcount_min": "INTEGER",
    "headcount_max": "INTEGER",
    "hiring_potential": "DOUBLE",
    "is_high_potential": "BOOLEAN",
}


class RowError(ValueError):
    """Why one row is quarantined."""


def _at(obj: Any, path: tuple[str, ...]) -> Any:
    for key in path:
        if not isinstance(obj, Mapping):
            return None
        obj = obj.get(key)
    return obj


def parse_timestamp(value: Any) -> datetime | None:
    """'2026-11-03T10:02:41.000Z' / '+02:00' -> naive UTC datetime; None when empty."""
    if value in (None, ""):
        return None
    text = str(value).strip().replace("Z", "+00:00")
    when = datetime.fromisoformat(text)
    if when.tzinfo is not None:
        when = when.astimezone(UTC).replace(tzinfo=None)
    return when


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = " ".join(str(value).split())
    return text or None


def _int(value: Any) -> int | None:
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        return int(float(value))
    except (TypeError, ValueError):
        return None


def _float(value: Any) -> float | None:
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _bool(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    return None


def _typed(value: Any, kind: str) -> Any:
    if kind == "INTEGER":
        return _int(value)
    if kind == "DOUBLE":
        return _float(value)
    if kind == "BOOLEAN":
        return _bool(value)
    return _text(value)


def flatten_offer(offer: Any) -> dict[str, Any]:
    """The whitelisted fields of one offer, flattened, as the raw file holds them (dates still the
    API's text). Nothing outside OFFER_FIELDS is read: `contact`, `agence`, `description` never
    leave this function. A value that is not a JSON object gives an empty row (rejected at load)."""
    if not isinstance(offer, Mapping):
        return {}
    row: dict[str, Any] = {}
    for column, (path, kind) in OFFER_FIELDS.items():
        value = _at(offer, path)
        row[column] = _text(value) if kind == "TIMESTAMP" else _typed(value, kind)
    return row


def check_offer(row: Mapping[str, Any]) -> dict[str, Any]:
    """A raw-file row typed for jobs.offres (timestamps parsed, only OFFER_FIELDS kept); raises
    RowError for a row firmo cannot key or date."""
    if not isinstance(row, Mapping):
        raise RowError("not a JSON object")
    typed = {column: row.get(column) for column in OFFER_FIELDS}
    if not typed["id"]:
        raise RowError("missing id")
    try:
        typed["dateCreation"] = parse_timestamp(typed["dateCreation"])
        typed["dateActualisation"] = parse_timestamp(typed["dateActualisation"])
    except (TypeError, ValueError):
        raise RowError("unreadable date") from None
    if typed["dateCreation"] is None:
        raise RowError("missing dateCreation")
    for column, (_, kind) in OFFER_FIELDS.items():
        if kind != "TIMESTAMP":
            typed[column] = _typed(typed[column], kind)
    return typed


def clean_siret(value: Any) -> tuple[str | None, str | None]:
    """(SIRET, None) or (None, reason): the Common conventions' cleaning (digits only, no scientific
    notation, 11 to 13 digits left-padded) and the checksum every open-data SIRET passes
    (`firmo.identifiers.clean_identifier`), so a La Bonne Boîte row joins SIRENE as the others do."""
    return clean_identifier(value, pad=True, accept="siret")


def flatten_company(item: Any, observed: date) -> dict[str, Any]:
    """One La Bonne Boîte company as the raw file holds it: the LBB_FIELDS, plus the day it was seen."""
    if not isinstance(item, Mapping):
        return {}
    row = {name: _typed(item.get(name), kind) for name, kind in LBB_FIELDS.items()}
    row["observed_date"] = observed.isoformat()
    return row


def check_company(row: Mapping[str, Any]) -> dict[str, Any]:
    """A raw-file company typed for jobs.labonneboite, its SIRET cleaned and checked; raises
    RowError with the cleaning's reason (`siret: SIRET fails its checksum`, as the label loads word
    it) when the SIRET is not one, counted against the load's maximum removal share."""
    if not isinstance(row, Mapping) or not row:
        raise RowError("not a JSON object")
    siret, reason = clean_siret(row.get("siret"))
    if siret is None:
        raise RowError(f"siret: {reason}")
    typed = {name: _typed(row.get(name), kind) for name, kind in LBB_FIELDS.items()}
    typed["siret"] = siret
    try:
        typed["observed_date"] = date.fromisoformat(str(row.get("observed_date")))
    except ValueError:
        raise RowError("unreadable observed_date") from None
    return typed
