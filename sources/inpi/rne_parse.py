"""Turn one RNE company payload (any vintage) into officer rows and one company row.

A payload is what `GET /api/companies/{siren}` returns, one item of `/api/companies?siren[]=`,
the `company` of a `/diff` item, or one element of a bulk-stock JSON array: the same object
everywhere. Its `formality.content` holds exactly one of `personneMorale` (companies),
`personnePhysique` (entrepreneurs individuels) or `exploitation` (farms); all three list their
directors in `composition.pouvoirs`, and a `personnePhysique` is also run by its own
`identite.entrepreneur`.

A legal-person officer (`typeDePersonne: "ENTREPRISE"`) keeps what the look-through of holdings
needs (firmo/lookthrough.py): its SIREN (`entreprise.siren`, kept only when it is a valid French
SIREN: a foreign company has none, or its own register's number), its name, its country, and its
permanent representative when the payload names one (`pouvoir.representant.descriptionPersonne`,
else `entreprise.individuRepresentant`; the 2023 sample carries only the `*Present` flags there).

Nothing about birth (date, month, place) or nationality leaves this module: the RNE publishes
them, but the product has no use for them and keeping them would be personal data to justify.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from firmo.identifiers import is_valid_siren
from firmo.reference.roles import rank_codes, role_label
from sources.inpi.roles import resolve_roles

PAYLOAD_KINDS = ("personneMorale", "personnePhysique", "exploitation")
ENTREPRENEUR_ROLE = "101"
# what a legal-person officer adds (text columns, last in inpi.officers: added after the others)
LEGAL_PERSON_COLUMNS = ("company_officer_country", "representative_family_name", "representative_given_names")
OFFICER_COLUMNS = (
    "siren", "officer_kind", "family_name", "given_names", "company_officer_siren",
    "company_officer_name", "role_code", "role_codes", "role_label", "start_date", "active",
    "representant_id", "updated_at", "source_file", *LEGAL_PERSON_COLUMNS,
)  # fmt: skip
COMPANY_COLUMNS = (
    "siren", "payload_kind", "denomination", "legal_form", "diffusion_commerciale",
    "officers", "updated_at", "source_file",
)  # fmt: skip


class RejectedPayload(ValueError):
    """A payload that cannot be used at all; the message is the reason stored in rejects,
    written '<kind>: <value>' so that reports can count reasons by kind."""


@dataclass
class ParsedCompany:
    siren: str
    updated_at: datetime | None
    company: dict[str, Any]
    officers: list[dict[str, Any]] = field(default_factory=list)
    # (reason, pouvoir) of single pouvoirs that could not be read; the rest of the payload stands
    bad_pouvoirs: list[tuple[str, dict]] = field(default_factory=list)


def iter_payloads(document: Any) -> Iterator[Any]:
    """Company payloads in a decoded JSON document of any RNE shape.

    Accepts a single company, a bare array of companies (search, stock files), an array of
    `{"company": {...}}` (diff) or a single `{"company": {...}}` (one NDJSON flux line).
    Items are yielded unvalidated: `parse_company` decides what is a reject.
    """
    items = document if isinstance(document, list) else [document]
    for item in items:
        if isinstance(item, dict) and "company" in item and "formality" not in item:
            yield item["company"]
        else:
            yield item


def _text(value: object) -> str | None:
    if value is None:
        return None
    text = " ".join(str(value).split())
    return text or None


def _date(value: object) -> date | None:
    """`2023-10-15` or `2020-10-12T00:00:00+02:00` -> date; anything else -> None."""
    text = _text(value)
    if not text or len(text) < 10:
        return None
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        return None


def parse_timestamp(value: object) -> datetime | None:
    """RNE timestamps carry an offset (`2024-07-03T06:35:07+02:00`); stored as naive UTC."""
    text = _text(value)
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment


def normalise_siren(value: object) -> str | None:
    """Digits only ("889 924 320" -> "889924320"); None when nothing is left."""
    text = _text(value)
    if text is None:
        return None
    digits = "".join(ch for ch in text if ch.isdigit())
    return digits or None


def _given_names(person: dict) -> str | None:
    names = person.get("prenoms")
    if isinstance(names, list):
        return _text(" ".join(str(n) for n in names if n))
    return _text(names)


def _officer_siren(company: dict) -> str | None:
    """`entreprise.siren` cleaned ("887 722 262" -> "887722262"), None unless a valid SIREN: a
    foreign holding carries no SIREN, or its own register's number, which the RNE cannot resolve."""
    siren = normalise_siren(company.get("siren"))
    return siren if siren and is_valid_siren(siren) else None


def _country(pouvoir: dict, company: dict) -> str | None:
    """Country of a legal-person officer: `entreprise.pays`, else its address (`adresseEntreprise`)."""
    address = pouvoir.get("adresseEntreprise") or {}
    found_address = address.get("adresse")
    nested: dict = found_address if isinstance(found_address, dict) else {}
    found = _text(company.get("pays")) or _text(address.get("pays")) or _text(nested.get("pays"))
    return found.upper() if found else None


def _representative(pouvoir: dict, company: dict) -> tuple[str | None, str | None]:
    """(family name, given names) of the permanent representative a legal-person officer names:
    `pouvoir.representant.descriptionPersonne`, else `entreprise.individuRepresentant` (with or
    without its own `descriptionPersonne`). (None, None) when only the `*Present` flags are there."""
    for holder in (pouvoir.get("representant"), company.get("individuRepresentant")):
        if not isinstance(holder, dict):
            continue
        described = holder.get("descriptionPersonne")
        person: dict = described if isinstance(described, dict) else holder
        family = _text(person.get("nom")) or _text(person.get("nomUsage"))
        if family:
            return family, _given_names(person)
    return None, None


def _is_active(pouvoir: dict, today: date) -> bool:
    """`actif` when the payload says it (2024+); older payloads list only current directors,
    so a pouvoir is active unless it has an end date already passed."""
    flag = pouvoir.get("actif")
    if isinstance(flag, bool):
        return flag
    ended = _date(pouvoir.get("dateFin"))
    return ended is None or ended > today


def _start_date(pouvoir: dict, person: dict) -> date | None:
    return (
        _date(pouvoir.get("dateDebut"))
        or _date(person.get("dateEffetRoleDeclarant"))
        or _date(pouvoir.get("dateEffet"))
    )


def _officer(siren: str, pouvoir: dict, today: date) -> dict[str, Any]:
    individu = pouvoir.get("individu") or {}
    person = individu.get("descriptionPersonne") or {}
    company = pouvoir.get("entreprise") or {}
    kind_hint = (_text(pouvoir.get("typeDePersonne")) or "").upper()
    if company and (kind_hint != "INDIVIDU" or not person):
        kind = "company"
    elif person:
        kind = "person"
    else:
        raise RejectedPayload(
            f"pouvoir names neither an individu nor an entreprise: representantId {pouvoir.get('representantId')!r}"
        )
    codes, label = resolve_roles(pouvoir)
    rep_family, rep_given = _representative(pouvoir, company) if kind == "company" else (None, None)
    return {
        "siren": siren,
        "officer_kind": kind,
        "family_name": _text(person.get("nom")) if kind == "person" else None,
        "given_names": _given_names(person) if kind == "person" else None,
        "company_officer_siren": _officer_siren(company) if kind == "company" else None,
        "company_officer_name": _text(company.get("denomination")) if kind == "company" else None,
        "role_code": codes[0] if codes else None,
        "role_codes": codes or None,
        "role_label": label,
        "start_date": _start_date(pouvoir, person),
        "active": _is_active(pouvoir, today),
        "representant_id": _text(pouvoir.get("representantId")),
        "company_officer_country": _country(pouvoir, company) if kind == "company" else None,
        "representative_family_name": rep_family,
        "representative_given_names": rep_given,
    }


def _same_person(officer: dict, family: str, given: str | None) -> bool:
    """A pouvoir naming the owner again: same family name (case-insensitive) and same given
    names, or the same first given name when one side lists fewer."""
    if officer["officer_kind"] != "person" or (officer["family_name"] or "").casefold() != family.casefold():
        return False
    theirs, mine = (officer["given_names"] or "").casefold().split(), (given or "").casefold().split()
    return theirs == mine or (bool(theirs) and bool(mine) and theirs[0] == mine[0])


def _entrepreneur(siren: str, identite: dict, officers: list[dict]) -> list[dict]:
    """`officers` with the owner of an entreprise individuelle first, holding their role.

    The owner is `identite.entrepreneur`, with role 101 (Entrepreneur) unless their description
    gives one. When a pouvoir names them again, that pouvoir stays the one row for them (it has
    the start date and the pouvoir id) and keeps the owner's role on top of its own: a pouvoir
    without a role must not strip the owner of theirs. The owner of an EI is active as long as
    the EI exists (a new owner is a new company)."""
    person = ((identite.get("entrepreneur") or {}).get("descriptionPersonne")) or {}
    family, given = _text(person.get("nom")), _given_names(person)
    if not family:
        return officers
    owner_codes, owner_label = resolve_roles({"individu": {"descriptionPersonne": person}})
    owner_codes = owner_codes or [ENTREPRENEUR_ROLE]
    again = next((o for o in officers if _same_person(o, family, given)), None)
    if again is None:
        owner = {
            "siren": siren, "officer_kind": "person", "family_name": family, "given_names": given,
            "company_officer_siren": None, "company_officer_name": None, "role_code": owner_codes[0],
            "role_codes": owner_codes, "role_label": owner_label or role_label(owner_codes),
            "start_date": _date(person.get("dateEffetRoleDeclarant")), "active": True, "representant_id": None,
            "company_officer_country": None, "representative_family_name": None, "representative_given_names": None,
        }  # fmt: skip
        return [owner, *officers]
    codes = rank_codes([*owner_codes, *(again["role_codes"] or [])])
    merged = {
        **again, "role_code": codes[0], "role_codes": codes, "active": True,
        "role_label": again["role_label"] if codes == again["role_codes"] else role_label(codes),
        "start_date": again["start_date"] or _date(person.get("dateEffetRoleDeclarant")),
    }  # fmt: skip
    return [merged, *(o for o in officers if o is not again)]


def _denomination(kind: str, identite: dict) -> str | None:
    name = _text((identite.get("entreprise") or {}).get("denomination"))
    if name or kind != "personnePhysique":
        return name
    person = ((identite.get("entrepreneur") or {}).get("descriptionPersonne")) or {}
    return _text(" ".join(filter(None, [_given_names(person), _text(person.get("nom"))])))


def parse_company(payload: Any, source_file: str, today: date | None = None) -> ParsedCompany:
    """Officers and company facts of one payload; raises `RejectedPayload` with the reason."""
    if not isinstance(payload, dict):
        raise RejectedPayload(f"payload is not a JSON object: {type(payload).__name__}")
    formality = found if isinstance(found := payload.get("formality"), dict) else {}
    raw_siren = payload.get("siren") or formality.get("siren")
    siren = normalise_siren(raw_siren)
    if siren is None:
        raise RejectedPayload("no siren in payload")
    if not is_valid_siren(siren):
        raise RejectedPayload(f"invalid SIREN (length or checksum): {raw_siren!r}")
    content = formality.get("content")
    if not isinstance(content, dict):
        raise RejectedPayload("no formality.content in payload")
    kinds = [k for k in PAYLOAD_KINDS if isinstance(content.get(k), dict)]
    if len(kinds) != 1:
        raise RejectedPayload(f"not exactly one of {'/'.join(PAYLOAD_KINDS)}: {kinds or 'none'}")
    kind = kinds[0]
    body = content[kind]
    identite = body.get("identite") or {}
    today = today or date.today()
    pouvoirs = (body.get("composition") or {}).get("pouvoirs") or []
    officers, bad = [], []
    for pouvoir in pouvoirs:
        try:
            if not isinstance(pouvoir, dict):
                raise RejectedPayload(f"pouvoir is not a JSON object: {type(pouvoir).__name__}")
            officers.append(_officer(siren, pouvoir, today))
        except RejectedPayload as exc:
            bad.append((str(exc), pouvoir))
    if kind == "personnePhysique":
        officers = _entrepreneur(siren, identite, officers)
    updated_at = parse_timestamp(payload.get("updatedAt")) or parse_timestamp(formality.get("updated"))
    for officer in officers:
        officer["updated_at"] = updated_at
        officer["source_file"] = source_file
    company = {
        "siren": siren,
        "payload_kind": kind,
        "denomination": _denomination(kind, identite),
        "legal_form": _text(formality.get("formeJuridique"))
        or _text((content.get("natureCreation") or {}).get("formeJuridique"))
        or _text((identite.get("entreprise") or {}).get("formeJuridique")),
        "diffusion_commerciale": formality.get("diffusionCommerciale")
        if isinstance(formality.get("diffusionCommerciale"), bool)
        else None,
        "officers": len(officers),
        "updated_at": updated_at,
        "source_file": source_file,
    }
    return ParsedCompany(siren, updated_at, company, officers, bad)
