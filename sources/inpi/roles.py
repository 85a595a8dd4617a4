"""RNE `roleEntreprise` codes: how to find the code in a `pouvoir` of any payload vintage. The
facts list and the pure lookups on codes (labels, decision rank) are firmo.reference.roles.

The role code moved between RNE payload vintages (search-infra #668, api-proxy #253):
Dec-2023 payloads carry it in `individu.descriptionPersonne.role` (persons) or
`entreprise.roleEntreprise` (legal persons), 2024+ payloads in `pouvoir.roleEntreprise`. Some
pouvoirs only carry `libelleRoleEntreprise`, which is mapped back to its code. Code 99 ("Autre")
is refined by the free text `autreRoleEntreprise` (search-infra #740).

One pouvoir may hold several roles: a label such as "Président du conseil
d'administration,Directeur général", or a `secondRoleEntreprise`. The officer then stays one row
with every code (`role_codes`) and, as `role_code`, the highest-ranked decision maker among them,
so an ICP targeting either role finds the person and the person is counted once.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from firmo.reference.roles import rank_codes, role_codes, role_label


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


def _normal_code(value: str | None) -> str | None:
    if value is not None and value.isdigit():
        return str(int(value))  # "073" and "73" are the same role
    return value


def _codes_of_label(label: str) -> tuple[list[str], bool]:
    """Codes a `libelleRoleEntreprise` names: the whole label when it is one known role, else its
    comma-separated parts ("Président du conseil d'administration,Directeur général" -> 51, 53).
    Parts are joined back greedily, so a label with a comma of its own ("Personne physique,
    exploitant en commun") still maps; a part that is no known role maps to nothing, and the
    second value says whether every part was mapped."""
    by_label = _code_by_label()
    whole = by_label.get(_label_key(label))
    if whole:
        return [whole], True
    parts = label.split(",")
    codes, start, complete = [], 0, True
    while start < len(parts):
        for end in range(len(parts), start, -1):
            code = by_label.get(_label_key(",".join(parts[start:end])))
            if code:
                codes.append(code)
                start = end
                break
        else:
            start, complete = start + 1, False
    return codes, complete


def resolve_roles(pouvoir: dict) -> tuple[list[str], str | None]:
    """(every role code, role_label) of one pouvoir, whatever its vintage; the codes are ranked
    by `rank_codes`, so the first is the officer's `role_code`.

    The main code is the first non-empty of pouvoir.roleEntreprise, entreprise.roleEntreprise,
    individu.descriptionPersonne.role, then the code(s) of libelleRoleEntreprise
    (inpi_bodacc.md §1.5). A label holding several roles adds each of them, and
    `secondRoleEntreprise` adds its code. The label is the official one of each code (joined by
    ", " when there are several), `autreRoleEntreprise` for code 99 when given, else the payload's
    own label (unknown codes keep whatever the registry says).
    """
    individu = pouvoir.get("individu") or {}
    person = individu.get("descriptionPersonne") or {}
    company = pouvoir.get("entreprise") or {}
    payload_label = _text(pouvoir.get("libelleRoleEntreprise"))
    label_codes, complete = _codes_of_label(payload_label) if payload_label else ([], True)
    main = _normal_code(
        _text(pouvoir.get("roleEntreprise")) or _text(company.get("roleEntreprise")) or _text(person.get("role"))
    )
    codes = [main] if main else label_codes[:1]
    if len(label_codes) > 1:
        codes += label_codes
    second = _normal_code(_text(pouvoir.get("secondRoleEntreprise")))
    if pouvoir.get("indicateurSecondRoleEntreprise") is False:
        second = None  # the registry says the second role is not held
    if second:
        codes.append(second)
    if not codes or (not complete and not main and not second):
        # nothing known, or only part of the label: the registry's own words, kept whole
        return rank_codes(codes), payload_label
    codes = rank_codes(codes)
    return codes, role_label(codes, payload_label, _text(pouvoir.get("autreRoleEntreprise")))
