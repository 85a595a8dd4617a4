"""The two NAF nomenclatures and INSEE's correspondence between them, as Python lookups.

NAF rév. 2 (2008) is what every SIRENE unit carries today; on 1 January 2027 NAF 2025 becomes
the reference nomenclature for APE codes (sirene.md §3.3), so a unit may carry either, and an
ICP may be written in either. Both are five levels: section (a letter), division (`62`), groupe
(`62.0`), classe (`62.01`), sous-classe (`62.01Z`). The sous-classe codes never collide: rév. 2
ends in A–F or Z, NAF 2025 in Y, G, H, J, K or L, so a full code says its nomenclature. Sections
and prefixes do not: NAF 2025 has 22 sections (A–V) whose letters mean other things from J on
(J = édition, K = télécommunications / informatique...), and its divisions reuse numbers.

The correspondence (`ref.naf_rev2_to_naf2025`) pairs sous-classes. A rév. 2 code with one
target translates forward unambiguously (the target may also receive other codes: a merge); a
NAF 2025 code with one antecedent translates back unambiguously (its antecedent may also split
into other codes). Anything else has no single counterpart: `counterpart` returns None and the
callers say why (`split`, `merge`).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass

from firmo.reference import read_reference

REV2 = "naf_rev2"
NAF2025 = "naf2025"
NOMENCLATURES = (REV2, NAF2025)
LABELS = {REV2: "NAF rév. 2", NAF2025: "NAF 2025"}
LEVELS = ("section", "division", "groupe", "classe", "sous-classe")
_TABLES = {
    REV2: ("naf_sections", "naf_divisions", "naf_codes"),
    NAF2025: ("naf2025_sections", "naf2025_divisions", "naf2025_codes"),
}


def other(nomenclature: str) -> str:
    return NAF2025 if nomenclature == REV2 else REV2


@dataclass(frozen=True)
class Nomenclature:
    """One nomenclature's codes: sous-classe -> label, and the section of every division."""

    name: str
    labels: dict[str, str]
    sections: dict[str, str]  # section letter -> label
    divisions: dict[str, tuple[str, str]]  # division -> (section, label)

    def section_of(self, code: str) -> str | None:
        division = self.divisions.get(code[:2])
        return division[0] if division else None

    def members(self, pattern: str) -> list[str]:
        """Sous-classes a section letter or a code prefix stands for, in code order."""
        return list(_members(self.name, pattern))


@functools.cache
def nomenclature(name: str) -> Nomenclature:
    sections, divisions, codes = (read_reference(t) for t in _TABLES[name])
    return Nomenclature(
        name=name,
        labels=dict(zip(codes["code"].to_list(), codes["label"].to_list(), strict=True)),
        sections=dict(zip(sections["code"].to_list(), sections["label"].to_list(), strict=True)),
        divisions={c: (s, label) for c, s, label in divisions.select("code", "section", "label").iter_rows()},
    )


@functools.cache
def _members(name: str, pattern: str) -> tuple[str, ...]:
    nom = nomenclature(name)
    if len(pattern) == 1:
        return tuple(c for c in nom.labels if nom.section_of(c) == pattern)
    return tuple(c for c in nom.labels if c.startswith(pattern))


@functools.cache
def _pairs() -> dict[str, dict[str, tuple[str, ...]]]:
    table = read_reference("naf_rev2_to_naf2025")
    forward: dict[str, list[str]] = {}
    backward: dict[str, list[str]] = {}
    for rev2, naf2025 in table.select("naf_rev2", "naf2025").iter_rows():
        forward.setdefault(rev2, []).append(naf2025)
        backward.setdefault(naf2025, []).append(rev2)
    return {REV2: {k: tuple(v) for k, v in forward.items()}, NAF2025: {k: tuple(v) for k, v in backward.items()}}


def counterparts(code: str, nomenclature_: str) -> tuple[str, ...]:
    """Every code of the other nomenclature this sous-classe corresponds to (empty if none)."""
    return _pairs()[nomenclature_].get(code, ())


def counterpart(code: str, nomenclature_: str) -> str | None:
    """The single code of the other nomenclature, or None for a split (several) or no correspondence."""
    found = counterparts(code, nomenclature_)
    return found[0] if len(found) == 1 else None


def shared_with(code: str, nomenclature_: str) -> tuple[str, ...]:
    """Other codes of the same nomenclature that reach one of this code's counterparts (a merge)."""
    out: list[str] = []
    for target in counterparts(code, nomenclature_):
        out.extend(c for c in counterparts(target, other(nomenclature_)) if c != code and c not in out)
    return tuple(sorted(out))


def nomenclature_of(code: str) -> str | None:
    """REV2 or NAF2025 for a known sous-classe code, None otherwise."""
    for name in NOMENCLATURES:
        if code in nomenclature(name).labels:
            return name
    return None


def translate(codes: list[str] | tuple[str, ...], nomenclature_: str) -> list[str]:
    """Every counterpart of these sous-classes, in code order."""
    found = {t for c in codes for t in counterparts(c, nomenclature_)}
    return sorted(found)


def normalise(text: object) -> str:
    """'6201z' -> '62.01Z'; ' j ' -> 'J'; '6210' -> '62.10'; anything else upper-cased, unchecked."""
    code = str(text).strip().upper()
    if re.fullmatch(r"\d{4}[A-Z]?", code):
        code = f"{code[:2]}.{code[2:]}"
    return code


def level(pattern: str) -> str:
    """Level of a well-formed pattern: 'J' section, '62' division, '62.0' groupe, '62.01' classe."""
    return {1: "section", 2: "division", 4: "groupe", 5: "classe"}.get(len(pattern), "sous-classe")


def cover(codes: Iterable[str], nomenclature_: str) -> list[str]:
    """The fewest patterns (sections, then divisions, groupes, classes, sous-classes) that stand
    for exactly these sous-classes. A level is used only when it holds more than one sous-classe:
    `75.00Z` reads better than division `75` when the division has one code."""
    nom = nomenclature(nomenclature_)
    wanted = set(codes) & set(nom.labels)
    out: list[str] = []

    def walk(prefixes: list[str]) -> None:
        for prefix in prefixes:
            members = nom.members(prefix)
            inside = [c for c in members if c in wanted]
            if not inside:
                continue
            if len(inside) == len(members) and (len(members) > 1 or len(prefix) == 6):
                out.append(prefix)
            elif len(prefix) == 6:
                continue
            else:
                walk(_children(prefix, members))

    walk(sorted(nom.sections))
    return out


def _children(prefix: str, members: list[str]) -> list[str]:
    """The next level down: divisions of a section, groupes of a division, and so on."""
    size = {1: 2, 2: 4, 4: 5, 5: 6}[len(prefix)]
    seen: list[str] = []
    for code in members:
        if code[:size] not in seen:
            seen.append(code[:size])
    return seen
