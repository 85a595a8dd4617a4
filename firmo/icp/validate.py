"""Check an ICP's values against the reference lists and resolve them to codes, before any query.

What "known" means for each list (firmo.reference says which lists are complete):
- NAF: a pattern is a section letter (`J`), a division (`62`), a group (`62.0`), a class
  (`62.01`) or a sub-class (`62.01Z`, also accepted as `6201Z`). Its section / division must exist
  (those lists are complete). `ref.naf_codes` is only a subset of the 732 sub-classes, so a
  sub-class missing from it is an error only in a division whose list is known to be complete
  (`OFFICIAL_SUBCLASSES` below holds the official count for the divisions we checked by hand);
  elsewhere it is accepted with a warning saying only its shape and division were checked.
- régions, départements: complete lists; names match accent- and case-insensitively, codes too.
- communes and EPCI: the complete COG (`ref.communes`, `ref.epci`, `ref.ept`); codes, postal
  codes and names all become INSEE commune codes, a commune standing for its arrondissements and
  absorbed codes too (firmo.icp.places says why). Each resolution is echoed in `notices`.
- catégories juridiques: levels 1 and 2 are complete; a level-3 code missing from the subset is
  accepted with a warning when its level 2 exists.
- decision-maker roles: an RNE role code, or a name that starts the label of RNE roles
  ("Président" -> Président de SAS, Président du conseil d'administration, ...), keeping
  the decision-maker roles when there are any (not the chair of a supervisory board).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from firmo.icp.config import IcpConfig, IcpError, fold, suggest
from firmo.reference import read_reference

# Official number of NAF rév. 2 sub-classes in divisions checked by hand against the INSEE
# nomenclature; a division whose ref.naf_codes rows reach this count is complete.
OFFICIAL_SUBCLASSES = {"02": 4, "03": 4, "58": 9, "61": 4, "62": 5, "63": 4, "69": 2, "70": 3, "71": 5,
                       "72": 3, "73": 3, "74": 5, "75": 1, "97": 1, "99": 1}
NAF_PATTERN = re.compile(r"^(?:[A-U]|\d{2}(?:\.\d(?:\d[A-Z]?)?)?)$")


@dataclass
class ResolvedIcp:
    """An ICP whose values are all known codes, ready to bind as query parameters."""

    config: IcpConfig
    naf_include: list[str] = field(default_factory=list)
    naf_exclude: list[str] = field(default_factory=list)
    regions: list[str] = field(default_factory=list)
    departements: list[str] = field(default_factory=list)
    communes: list[str] = field(default_factory=list)  # criteria.communes and criteria.epci, as INSEE codes
    legal_forms: list[str] = field(default_factory=list)
    role_groups: list[list[str]] = field(default_factory=list)  # RNE role codes, by priority
    role_names: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)  # how values were read ('Lyon' → 69123 + 9 arrondissements)

    @property
    def name(self) -> str:
        return self.config.name


def _codes(table: str, column: str = "code") -> list[str]:
    return read_reference(table)[column].to_list()


@lru_cache(maxsize=1)
def _naf_index() -> tuple[frozenset[str], dict[str, list[str]]]:
    naf = read_reference("naf_codes")
    by_div: dict[str, list[str]] = {}
    for code, div in zip(naf["code"].to_list(), naf["division"].to_list(), strict=True):
        by_div.setdefault(div, []).append(code)
    return frozenset(_codes("naf_divisions")), by_div


def normalise_naf(pattern: str) -> str:
    """'6201z' -> '62.01Z'; ' j ' -> 'J'; anything else is returned upper-cased for the shape check."""
    text = str(pattern).strip().upper()
    if re.fullmatch(r"\d{4}[A-Z]?", text):
        text = f"{text[:2]}.{text[2:]}"
    return text


def _naf(patterns: list[str], where: str, errors: list[str], warnings: list[str]) -> list[str]:
    divisions, by_div = _naf_index()
    sections = set(_codes("naf_sections"))
    out = []
    for raw in patterns:
        code = normalise_naf(raw)
        if not NAF_PATTERN.match(code):
            errors.append(f"{where}: {raw!r} is not a NAF code, prefix or section (expected e.g. 62.01Z, 62.0, 62 or J)")
            continue
        if len(code) == 1:
            if code not in sections:
                errors.append(f"{where}: unknown NAF section {code!r}")
                continue
        elif code[:2] not in divisions:
            errors.append(f"{where}: unknown NAF code {code!r}: there is no division {code[:2]}")
            continue
        elif len(code) == 6 and code not in by_div.get(code[:2], []):
            known = by_div.get(code[:2], [])
            if len(known) == OFFICIAL_SUBCLASSES.get(code[:2], -1):
                errors.append(f"{where}: unknown NAF code {code!r}{suggest(code, known, cutoff=0.5)}")
                continue
            warnings.append(f"{where}: NAF code {code!r} is not in firmo's NAF list (a subset): only its shape "
                            f"and division {code[:2]} were checked")
        out.append(code)
    return out


def _by_name_or_code(values: list[str], table: str, what: str, where: str, errors: list[str], pad: int = 0) -> list[str]:
    ref = read_reference(table)
    codes, names = ref["code"].to_list(), ref["name"].to_list()
    by_key = {fold(n): c for c, n in zip(codes, names, strict=True)}
    out = []
    for raw in values:
        value = raw.strip()
        if pad and value.isdigit() and len(value) < pad:
            value = value.zfill(pad)
        if value.upper() in codes:
            out.append(value.upper())
        elif fold(value) in by_key:
            out.append(by_key[fold(value)])
        else:
            errors.append(f"{where}: unknown {what} {raw!r}{suggest(raw, names)}")
    return out


def _communes(communes: list[str], epci: list[str], errors: list[str], warnings: list[str],
              notices: list[str]) -> list[str]:
    """criteria.communes and criteria.epci -> one sorted list of INSEE codes (the place index is
    only built when a file names places: it reads the 37 590 communes)."""
    from firmo.icp.places import resolve_communes, resolve_epci

    codes: set[str] = set()
    for values, resolver in ((communes, resolve_communes), (epci, resolve_epci)):
        if values:
            found = resolver(values)
            codes.update(found.codes)
            errors += found.errors
            warnings += found.warnings
            notices += found.notices
    return sorted(codes)


def _legal_forms(values: list[str], where: str, errors: list[str], warnings: list[str]) -> list[str]:
    levels = {1: set(_codes("categories_juridiques_n1")), 2: set(_codes("categories_juridiques_n2")),
              4: set(_codes("categories_juridiques_n3"))}
    out = []
    for raw in values:
        code = raw.strip()
        if not code.isdigit() or len(code) not in levels:
            errors.append(f"{where}: {raw!r} is not a catégorie juridique code (1, 2 or 4 digits, e.g. 5, 57 or 5710)")
        elif code in levels[len(code)]:
            out.append(code)
        elif len(code) == 4 and code[:2] in levels[2]:
            warnings.append(f"{where}: catégorie juridique {code} is not in firmo's level-III list (a subset): "
                            f"only its level II ({code[:2]}) was checked")
            out.append(code)
        else:
            errors.append(f"{where}: unknown catégorie juridique {code!r}")
    return out


def _roles(values: list[str], where: str, errors: list[str]) -> list[list[str]]:
    from sources.inpi.roles import role_codes

    roles = role_codes()
    groups = []
    for raw in values:
        value = raw.strip()
        if value in roles:
            groups.append([value])
            continue
        key = fold(value)
        matches = [(c, dm) for c, (label, dm) in roles.items() if key and (fold(label) + " ").startswith(key + " ")]
        # "Président" means the one who decides, not the chair of a supervisory board
        codes = [c for c, dm in matches if dm] or [c for c, _ in matches]
        if codes:
            groups.append(codes)
        else:
            errors.append(f"{where}: unknown decision-maker role {raw!r}"
                          f"{suggest(raw, [label for label, _ in roles.values()])}")
    return groups


def resolve(config: IcpConfig, source: str = "<icp>") -> ResolvedIcp:
    """Resolve every value of the ICP to reference codes; raise IcpError listing all problems."""
    c, errors, warnings, notices = config.criteria, [], [], []
    resolved = ResolvedIcp(
        config=config,
        naf_include=_naf(c.naf.include, "criteria.naf.include", errors, warnings),
        naf_exclude=_naf(c.naf.exclude, "criteria.naf.exclude", errors, warnings),
        regions=_by_name_or_code(c.regions, "regions", "région", "criteria.regions", errors),
        departements=_by_name_or_code(c.departements, "departements", "département", "criteria.departements",
                                      errors, pad=2),
        communes=_communes(c.communes, c.epci, errors, warnings, notices),
        legal_forms=_legal_forms(c.legal_forms, "criteria.legal_forms", errors, warnings),
        role_groups=_roles(c.decision_makers, "criteria.decision_makers", errors),
        role_names=list(c.decision_makers),
        warnings=warnings,
        notices=notices,
    )
    if c.require_decision_maker and not c.decision_makers:
        errors.append("criteria.require_decision_maker: no decision_makers listed")
    if errors:
        raise IcpError(source, errors)
    return resolved


def load_icp(path) -> ResolvedIcp:
    """Read, check and resolve an ICP file (the one call the CLI and the asset make)."""
    from firmo.icp.config import read_icp

    return resolve(read_icp(path), source=str(path))
