"""RNE `roleEntreprise` codes: the facts list shipped with the package, and how to find the
code in a `pouvoir` of any payload vintage.

The role code moved between RNE payload vintages (search-infra #668, api-proxy #253):
Dec-2023 payloads carry it in `individu.descriptionPersonne.role` (persons) or
`entreprise.roleEntreprise` (legal persons), 2024+ payloads in `pouvoir.roleEntreprise`. Some
pouvoirs only carry `libelleRoleEntreprise`, which is mapped back to its code. Code 99 ("Autre")
is refined by the free text `autreRoleEntreprise` (search-infra #740).
"""

from __future__ import annotations

import csv
import re
import unicodedata
from functools import lru_cache
from pathlib import Path

ROLE_CODES_CSV = Path(__file__).with_name("role_codes.csv")
OTHER_ROLE = "99"


@lru_cache(maxsize=1)
def role_codes() -> dict[str, tuple[str, bool]]:
    """code -> (label, decision_maker) for the 84 codes of the INPI dictionary + annuaire list."""
    with ROLE_CODES_CSV.open(encoding="utf-8", newline="") as handle:
        return {
            row["role_code"]: (row["role_label"], row["decision_maker"] == "true")
            for row in csv.DictReader(handle)
        }


def _label_key(label: str) -> str:
    """Accent-, case- and apostrophe-insensitive key, so "Directeur Général" matches
    "directeur general" and the typographic apostrophes of the dictionary match ASCII ones."""
    text = unicodedata.normalize("NFKD", label).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()


@lru_cache(maxsize=1)
def _code_by_label() -> dict[str, str]:
    return {_label_key(label): code for code, (label, _) in role_codes().items()}


def _text(value: object) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def resolve_role(pouvoir: dict) -> tuple[str | None, str | None]:
    """(role_code, role_label) of one pouvoir, whatever its vintage.

    First non-empty of pouvoir.roleEntreprise, entreprise.roleEntreprise,
    individu.descriptionPersonne.role, then the code of libelleRoleEntreprise. The label is the
    official one for the code, `autreRoleEntreprise` for code 99 when given, else the payload's
    own label (unknown codes keep whatever the registry says).
    """
    individu = pouvoir.get("individu") or {}
    person = individu.get("descriptionPersonne") or {}
    company = pouvoir.get("entreprise") or {}
    payload_label = _text(pouvoir.get("libelleRoleEntreprise"))
    code = (
        _text(pouvoir.get("roleEntreprise"))
        or _text(company.get("roleEntreprise"))
        or _text(person.get("role"))
        or (_code_by_label().get(_label_key(payload_label)) if payload_label else None)
    )
    if code is not None and code.isdigit():
        code = str(int(code))  # "073" and "73" are the same role
    other = _text(pouvoir.get("autreRoleEntreprise"))
    if code == OTHER_ROLE and other:
        return code, other
    known = role_codes().get(code) if code else None
    return code, (known[0] if known else payload_label)
