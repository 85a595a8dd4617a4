"""Places in an ICP (`criteria.communes`, `criteria.epci`) resolved to the INSEE commune codes
SIRENE gives head offices, against the complete COG in `ref.communes` / `ref.epci` / `ref.ept`.

What a value means, and why:
- a **commune** (by code or by name) is its whole territory as SIRENE may code it: the commune's
  own code, its arrondissements municipaux (SIRENE codes Paris, Lyon and Marseille establishments
  by arrondissement, 75101..75120, never 75056: sirene.md §5), and the codes it absorbed (the
  COG's former codes and its communes déléguées / associées), since a unit keeps the code of its
  last address change and can still carry an absorbed commune's code (sirene.md §5).
- an **arrondissement** code or name (`75108`, `Paris 8e`) is that arrondissement only.
- a **postal code** is every commune that La Poste lists under it (one postal code often serves
  several communes: all are selected and the check says so); in Paris, Lyon and Marseille, the
  arrondissements that have it. A bare 5-digit value is read as an INSEE code when it is one (the
  language ICP files have always used), else as a postal code, else as a former code; `CP 13001`
  and `INSEE 13001` force a reading. When a code reads both ways the file gets a warning.
- a **name** matches accent-, case- and punctuation-insensitively (`st` = `saint`); a name several
  communes share is an error listing them with their département, to be written
  `Saint-Denis (93)` (département code or name) or as a code. The name of a commune déléguée
  selects its commune nouvelle, with a warning (SIRENE codes it with the new commune's code).
- an **EPCI** (`criteria.epci`, its SIREN or name) is the territory of each of its member
  communes; the 11 EPT of the Métropole du Grand Paris are accepted the same way.
Every resolution is echoed as a notice (`'Lyon' → 69123 + 9 arrondissements + 1 former code`):
`firmo icp check` and `preview` print them.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import NamedTuple

import polars as pl

from firmo.icp.config import fold
from firmo.reference import read_reference

CODE_RE = re.compile(r"^(?:\d{5}|2[AB]\d{3})$")
_FORCED_RE = re.compile(r"^(cp|code postal|insee|code insee)\s*:?\s*(\S+)$", re.IGNORECASE)
_QUALIFIED_RE = re.compile(r"^(.*?)\s*\(([^()]+)\)\s*$")
_ARRONDISSEMENT_RE = re.compile(r"^(paris|lyon|marseille) (\d{1,2})(?:er|e)? arrondissement$")
CURRENT = ("commune-actuelle", "arrondissement-municipal")
SHOWN = 8  # candidates / communes listed in one message


def name_key(text: str) -> str:
    """fold() plus the usual abbreviations: 'St-Étienne' == 'saint etienne'."""
    words = fold(text).split()
    return " ".join({"st": "saint", "ste": "sainte"}.get(w, w) for w in words)


def _name_key_expr(names: pl.Expr) -> pl.Expr:
    """name_key() over a column at once (same result: a test compares them on every commune)."""
    return (
        names.str.normalize("NFKD")
        .str.replace_all(r"[^\x00-\x7F]", "")
        .str.to_lowercase()
        .str.replace_all(r"[^a-z0-9]+", " ")
        .str.strip_chars()
        .str.replace_all(r"\bst\b", "saint")
        .str.replace_all(r"\bste\b", "sainte")
    )


def _epci_key(text: str) -> str:
    key = f" {fold(text)} "
    for long, short in (
        (" communaute de communes ", " cc "),
        (" communaute d agglomeration ", " ca "),
        (" communaute urbaine ", " cu "),
    ):
        key = key.replace(long, short)
    return key.strip()


def _epci_core(key: str) -> str:
    """'ca du grand avignon coga' -> 'grand avignon coga': the name without its kind and article."""
    return re.sub(r"^(?:cc|ca|cu|metropole)(?: (?:de la|de l|des|du|de|d))? ", "", key)


class Place(NamedTuple):
    code: str
    name: str
    kind: str  # commune-actuelle / arrondissement-municipal / commune-deleguee / commune-associee
    departement: str
    parent: str | None  # commune of an arrondissement, chef-lieu of a commune déléguée / associée
    postal_codes: tuple[str, ...]
    population: int | None
    epci: str | None
    ept: str | None

    def label(self) -> str:
        return f"{self.name} ({self.departement})"


@dataclass
class PlaceIndex:
    """Lookups over ref.communes / ref.epci / ref.ept, built once per process."""

    current: dict[str, Place] = field(default_factory=dict)  # commune-actuelle and arrondissement codes
    arrondissements: dict[str, list[str]] = field(default_factory=dict)  # commune -> its arrondissements
    absorbed: dict[str, list[str]] = field(default_factory=dict)  # commune -> former / délégué codes
    absorbed_by: dict[str, str] = field(default_factory=dict)  # former / délégué code -> its commune
    by_name: dict[str, list[Place]] = field(default_factory=dict)  # current places by name_key
    delegated_by_name: dict[str, list[Place]] = field(default_factory=dict)  # communes déléguées / associées
    by_postal: dict[str, list[str]] = field(default_factory=dict)  # postal code -> place codes
    departements: dict[str, str] = field(default_factory=dict)  # code -> name
    groupings: dict[str, tuple[str, str, list[str]]] = field(default_factory=dict)  # SIREN -> (name, type, members)
    grouping_names: dict[str, list[str]] = field(default_factory=dict)  # _epci_key (with, without acronym) -> SIRENs
    grouping_cores: dict[str, list[str]] = field(default_factory=dict)  # the same without kind -> SIRENs

    def territory(self, code: str) -> list[str]:
        """Every code SIRENE may give a unit inside this current commune or arrondissement."""
        return [code, *self.arrondissements.get(code, []), *self.absorbed.get(code, [])]


@lru_cache(maxsize=1)
def place_index() -> PlaceIndex:
    index = PlaceIndex()
    communes = read_reference("communes")
    rows = communes.select(
        "code_insee",
        "nom",
        "type",
        "departement_code",
        "commune_parente",
        "codes_postaux",
        "population",
        "epci_siren",
        "ept_siren",
        "anciens_codes",
        _name_key_expr(pl.col("nom")).alias("key"),
    ).iter_rows()
    others: list[tuple[str, Place]] = []
    for code, name, kind, dep, parent, postal, population, epci, ept, former, key in rows:
        place = Place(code, name, kind, dep, parent, tuple(postal.split("|")) if postal else (), population, epci, ept)
        if kind not in CURRENT:
            others.append((key, place))
            continue
        index.current[code] = place
        keys = {key}
        if kind == "arrondissement-municipal":
            match = _ARRONDISSEMENT_RE.match(key)
            index.arrondissements.setdefault(parent, []).append(code)
            if match:  # 'Paris 8e Arrondissement' is also 'Paris 8e', 'Paris 8', 'Paris 08'
                city, n = match.group(1), int(match.group(2))
                keys |= {
                    f"{city} {n}",
                    f"{city} {n:02d}",
                    f"{city} {n}e",
                    f"{city} {n}eme",
                    f"{city} {n}{'er' if n == 1 else 'e'}",
                }
        for key in keys:
            index.by_name.setdefault(key, []).append(place)
        for former_code in former.split("|") if former else ():
            index.absorbed.setdefault(code, []).append(former_code)
            index.absorbed_by[former_code] = code
    for key, place in others:
        index.delegated_by_name.setdefault(key, []).append(place)
        if place.parent is not None and place.code not in index.current and place.code not in index.absorbed_by:
            index.absorbed.setdefault(place.parent, []).append(place.code)
            index.absorbed_by[place.code] = place.parent
    for codes in index.absorbed.values():
        codes.sort()
    for code, place in index.current.items():
        if place.kind == "commune-actuelle" and code in index.arrondissements:
            continue  # Paris / Lyon / Marseille postal codes are their arrondissements'
        for postal in place.postal_codes:
            index.by_postal.setdefault(postal, []).append(code)
    deps = read_reference("departements")
    index.departements = dict(zip(deps["code"].to_list(), deps["name"].to_list(), strict=True))

    members: dict[str, list[str]] = {}
    ept_members: dict[str, list[str]] = {}
    for code, place in index.current.items():
        if place.kind == "commune-actuelle":
            if place.epci:
                members.setdefault(place.epci, []).append(code)
            if place.ept:
                ept_members.setdefault(place.ept, []).append(code)
    for table, found in (("epci", members), ("ept", ept_members)):
        ref = read_reference(table)
        for siren, name, kind in ref.select("siren", "nom", "type").iter_rows():
            index.groupings[siren] = (name, kind, sorted(found.get(siren, [])))
            key = _epci_key(name)
            # 'CA du Grand Avignon (COGA)' is also 'CA du Grand Avignon', 'Grand Avignon (COGA)', 'Grand Avignon'
            keys = {key, re.sub(r" \w+$", "", key)} if name.rstrip().endswith(")") else {key}
            for k in keys:
                index.grouping_names.setdefault(k, []).append(siren)
            for k in {_epci_core(k) for k in keys} - keys:
                index.grouping_cores.setdefault(k, []).append(siren)
    return index


@dataclass
class PlaceResolution:
    """Codes for one criterion, with what to tell the analyst."""

    codes: list[str] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def _extent(index: PlaceIndex, code: str) -> str:
    """'69123 + 9 arrondissements + 1 former code' for one current place."""
    parts = [code]
    arr = index.arrondissements.get(code, [])
    if arr:
        parts.append(f"{len(arr)} arrondissements")
    absorbed = index.absorbed.get(code, [])
    if absorbed:
        parts.append(f"{len(absorbed)} former code{'s' if len(absorbed) > 1 else ''}")
    return " + ".join(parts)


def _listing(labels: list[str]) -> str:
    shown = ", ".join(labels[:SHOWN])
    return shown + (f" and {len(labels) - SHOWN} more" if len(labels) > SHOWN else "")


def _closest(index: PlaceIndex, value: str) -> str:
    keys = difflib.get_close_matches(name_key(value), list(index.by_name), n=3, cutoff=0.75)
    labels = []
    for key in keys:
        places = sorted(index.by_name[key], key=lambda p: -(p.population or 0))
        labels += [f"'{p.name}'" if len(places) == 1 else f"'{p.name} ({p.departement})'" for p in places[:2]]
    return _did_you_mean(labels)


def _did_you_mean(labels: list[str]) -> str:
    """ " (did you mean 'A', 'B' or 'C'?)" or ''."""
    if not labels:
        return ""
    return f" (did you mean {', '.join(labels[:-1]) + ' or ' if len(labels) > 1 else ''}{labels[-1]}?)"


def _by_postal(index: PlaceIndex, label: str, postal: str, where: str, out: PlaceResolution) -> None:
    codes = index.by_postal[postal]
    places = sorted((index.current[c] for c in codes), key=lambda p: (name_key(p.name), p.code))
    for place in places:
        out.codes += index.territory(place.code)
    if len(places) == 1:
        out.notices.append(f"{where}: postal code {label} → {places[0].name} ({_extent(index, places[0].code)})")
    else:
        out.notices.append(
            f"{where}: postal code {label} covers {len(places)} communes, all selected: "
            + _listing([f"{p.name} ({p.code})" for p in places])
        )


def _by_code(index: PlaceIndex, label: str, code: str, where: str, out: PlaceResolution, *, forced: str | None) -> None:
    place = index.current.get(code) if forced != "postal" else None
    postal = code in index.by_postal and forced != "insee"
    if place is not None:
        territory = index.territory(code)
        out.codes += territory
        if len(territory) > 1:
            out.notices.append(f"{where}: {label} ({place.name}) → {_extent(index, code)}")
        if postal and forced is None and not set(index.by_postal[code]) <= set(territory):
            others = [index.current[c].name for c in index.by_postal[code] if c not in territory]
            out.warnings.append(
                f"{where}: {label} is read as the INSEE code of {place.label()}; it is also the "
                f"postal code of {_listing(others)}: write 'CP {code}' to select by postal code"
            )
        return
    if postal:
        _by_postal(index, label, code, where, out)
        if forced is None and code in index.absorbed_by:
            out.notices[-1] += (
                f" ({code} is also a former INSEE code, now part of "
                f"{index.current[index.absorbed_by[code]].label()}: 'INSEE {code}' selects that)"
            )
        return
    parent = index.absorbed_by.get(code) if forced != "postal" else None
    if parent is not None:
        out.codes.append(code)
        out.warnings.append(
            f"{where}: {label} is a former commune code, now part of {index.current[parent].label()}: "
            f"only the units still registered under {code} are selected; write {parent} for the "
            "whole commune"
        )
        return
    what = {"postal": "postal code", "insee": "INSEE commune code"}.get(
        forced or "", "INSEE commune code or postal code"
    )
    out.errors.append(f"{where}: unknown {what} {label}")


def _by_name(index: PlaceIndex, raw: str, where: str, out: PlaceResolution) -> None:
    text, qualifier = raw.strip(), None
    match = _QUALIFIED_RE.match(text)
    full = name_key(text)
    if match and full not in index.by_name and full not in index.delegated_by_name:  # 'Bors (Canton de ...)'
        text, qualifier = match.group(1), match.group(2).strip()
    key = name_key(text)
    # a name is a current commune / arrondissement, or a commune déléguée standing for its commune
    candidates: dict[str, tuple[Place, Place | None]] = {}
    for place in index.by_name.get(key, []):
        candidates.setdefault(place.code, (place, None))
    for other in index.delegated_by_name.get(key, []):
        if other.parent is not None:  # a commune déléguée / associée always names its commune
            candidates.setdefault(other.parent, (index.current[other.parent], other))
    if not candidates:
        out.errors.append(f"{where}: unknown commune {raw!r}{_closest(index, text)}")
        return
    if qualifier is not None:
        dep = qualifier.upper().zfill(2) if qualifier.isdigit() else qualifier.upper()
        if dep not in index.departements:
            by_dep_name = {fold(n): c for c, n in index.departements.items()}
            dep = by_dep_name.get(fold(qualifier), "")
        if not dep:
            out.errors.append(
                f"{where}: {raw!r}: {qualifier!r} is not a département (write e.g. "
                f"'{text} (93)' or '{text} (Seine-Saint-Denis)')"
            )
            return
        found = {c: v for c, v in candidates.items() if v[0].departement == dep}
        if not found:
            out.errors.append(
                f"{where}: no commune {text!r} in département {dep} ({index.departements[dep]}); "
                f"there is {_listing(sorted(v[0].label() for v in candidates.values()))}"
            )
            return
        candidates = found
    if len(candidates) > 1:
        ranked = sorted(candidates.values(), key=lambda v: (-(v[0].population or 0), v[0].code))
        labels = [
            f"{p.name} ({p.departement}, {p.code})"
            if d is None
            else f"{d.name} ({p.departement}, commune déléguée of {p.name} {p.code})"
            for p, d in ranked
        ]
        deps = {p.departement for p, _ in ranked}
        hint = f"'{text} ({ranked[0][0].departement})'" if len(deps) == len(ranked) else "the INSEE code"
        out.errors.append(
            f"{where}: {raw!r} is ambiguous, {len(ranked)} communes have this name: "
            f"{_listing(labels)}; write e.g. {hint} or the INSEE code"
        )
        return
    place, delegated = next(iter(candidates.values()))
    out.codes += index.territory(place.code)
    if delegated is not None and name_key(delegated.name) != name_key(place.name):
        out.warnings.append(
            f"{where}: {raw!r} is a commune déléguée of {place.label()}: the whole commune "
            f"{place.code} is selected (SIRENE codes its units with the commune's code)"
        )
    out.notices.append(f"{where}: {raw!r} → {_extent(index, place.code)}")


def resolve_communes(values: list[str], where: str = "criteria.communes") -> PlaceResolution:
    """INSEE codes, postal codes and names -> the INSEE codes they stand for (see module doc)."""
    index, out = place_index(), PlaceResolution()
    for raw in values:
        value = str(raw).strip()
        forced_match = _FORCED_RE.match(value)
        forced = None
        if forced_match:
            forced = "postal" if forced_match.group(1).lower() in ("cp", "code postal") else "insee"
            value = forced_match.group(2)
        code = value.upper().zfill(5) if value.isdigit() and len(value) == 4 else value.upper()
        if CODE_RE.match(code):
            label = repr(str(raw)) + (f" (read as {code})" if code != value.upper() else "")
            _by_code(index, label, code, where, out, forced=forced)
        elif forced or value.isdigit():
            out.errors.append(
                f"{where}: {str(raw)!r} is not a 5-character INSEE or postal code "
                "(e.g. 69123, 2A004, 69001 or 'CP 69001')"
            )
        else:
            _by_name(index, str(raw), where, out)
    return out


def resolve_epci(values: list[str], where: str = "criteria.epci") -> PlaceResolution:
    """EPCI (or EPT) SIRENs and names -> the INSEE codes of their member communes' territories."""
    index, out = place_index(), PlaceResolution()
    for raw in values:
        value = str(raw).strip()
        compact = value.replace(" ", "")
        if compact.isdigit():
            sirens = [compact] if compact in index.groupings else []
            if not sirens:
                out.errors.append(f"{where}: unknown EPCI SIREN {raw!r}")
                continue
        else:
            key = _epci_key(value)
            sirens = (
                index.grouping_names.get(key)
                or index.grouping_cores.get(key)
                or index.grouping_cores.get(_epci_core(key), [])
            )
            if not sirens:
                by_key = {_epci_key(name): name for name, _, _ in index.groupings.values()}
                close = difflib.get_close_matches(key, list(by_key), n=3, cutoff=0.6)
                out.errors.append(f"{where}: unknown EPCI {raw!r}{_did_you_mean([repr(by_key[k]) for k in close])}")
                continue
            if len(sirens) > 1:
                labels = [
                    f"{index.groupings[s][0]} (SIREN {s}, départements "
                    f"{'/'.join(sorted({index.current[c].departement for c in index.groupings[s][2]}))})"
                    for s in sorted(sirens)
                ]
                out.errors.append(f"{where}: {raw!r} is ambiguous: {'; '.join(labels)}; write the SIREN")
                continue
        siren = sirens[0]
        name, kind, members = index.groupings[siren]
        codes = [c for member in members for c in index.territory(member)]
        out.codes += codes
        arr = sum(len(index.arrondissements.get(m, [])) for m in members)
        former = sum(len(index.absorbed.get(m, [])) for m in members)
        extent = (
            f"{len(members)} communes"
            + (f" + {arr} arrondissements" if arr else "")
            + (f" + {former} former codes" if former else "")
        )
        out.notices.append(f"{where}: {raw!r} → {name} ({kind}, SIREN {siren}): {extent}")
    return out
