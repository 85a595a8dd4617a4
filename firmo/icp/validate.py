"""Check an ICP's values against the reference lists and resolve them to codes, before any query.

What "known" means for each list (firmo.reference says which lists are complete):
- NAF: a pattern is a section letter (`J`), a division (`62`), a groupe (`62.0`), a classe
  (`62.01`) or a sous-classe (`62.01Z`, also accepted as `6201Z`), in NAF rév. 2 or NAF 2025.
  A sous-classe says its nomenclature (rév. 2 codes end in A–F or Z, NAF 2025 codes in Y, G, H,
  J, K or L); a section or prefix does not (NAF 2025 sections run A–V and mean other things from
  J on), so it is read in the file's `criteria.naf.nomenclature` (default `naf_rev2`) unless
  written `naf2025:J` / `naf_rev2:J`. Every pattern must exist in its nomenclature (both lists
  are complete); each also carries the sous-classes of the other nomenclature it reaches through
  INSEE's correspondence, so it selects companies coded only in the other one
  (firmo/sql/icp/scored.sql). `notices` say how patterns were read: sections and prefixes read in the
  default nomenclature, codes of the other nomenclature with their translation, splits and
  merges that widen what is selected.
- régions, départements: complete lists; names match accent- and case-insensitively, codes too.
- communes and EPCI: the complete COG (`ref.communes`, `ref.epci`, `ref.ept`); codes, postal
  codes and names all become INSEE commune codes, a commune standing for its arrondissements and
  absorbed codes too (firmo.icp.places says why). Each resolution is echoed in `notices`.
- catégories juridiques: levels I, II and III (INSEE, September 2022) are complete; an unknown
  code is an error, listing the level-III codes of its level II when that exists.
- decision-maker roles: an RNE role code, or a name that starts the label of RNE roles
  ("Président" -> Président de SAS, Président du conseil d'administration, ...), keeping
  the decision-maker roles when there are any (not the chair of a supervisory board).
  Personas (`{function, seniority}`) were checked by the shape (firmo.icp.config.PersonaTarget);
  an ICP listing only personas gets the default roles for its legal-officer fallback.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from firmo.icp.config import IcpConfig, IcpError, fold, suggest
from firmo.personas import Persona
from firmo.reference import naf as nafref
from firmo.reference import read_reference

NAF_PATTERN = re.compile(r"^(?:[A-V]|\d{2}(?:\.\d(?:\d[A-Z]?)?)?)$")
# `naf2025:J`: the nomenclature of a section or prefix, written before it
NAF_MARKERS = {
    "naf2025": nafref.NAF2025,
    "naf_2025": nafref.NAF2025,
    "naf25": nafref.NAF2025,
    "naf_rev2": nafref.REV2,
    "nafrev2": nafref.REV2,
    "rev2": nafref.REV2,
}
NAF_MARKER = {nafref.NAF2025: "naf2025:", nafref.REV2: "naf_rev2:"}
NAF_LEVEL_WORDS = {
    "section": "section",
    "division": "division",
    "groupe": "group",
    "classe": "class",
    "sous-classe": "code",
}


@dataclass(frozen=True)
class NafTerm:
    """One NAF pattern of an ICP, resolved. `text` is how it is shown and stored: bare for NAF
    rév. 2 and for every sous-classe, `naf2025:` before a NAF 2025 section or prefix, whatever
    the file's default. `translation` holds the sous-classes of the other nomenclature that its
    own sous-classes correspond to (every target of a split)."""

    text: str
    nomenclature: str
    value: str
    translation: tuple[str, ...]

    @property
    def level(self) -> str:
        return nafref.level(self.value)

    @property
    def fit(self) -> int:
        """How precisely the pattern targets (firmo/sql/icp/scored.sql): section 70 ... class or code 100."""
        return {1: 70, 2: 80, 4: 90}.get(len(self.value), 100)

    @property
    def reason(self) -> str:
        """End of the score reason of a company matched on its code in the pattern's nomenclature."""
        if len(self.value) >= 5:
            return "in target"
        return f"in {NAF_LEVEL_WORDS[self.level]} {self.value}"

    @property
    def reason_by_correspondence(self) -> str:
        """... and of a company matched through the correspondence (coded only in the other one)."""
        label = nafref.LABELS[self.nomenclature]
        if len(self.value) >= 5:
            return f"in target ({label} {self.value}, by correspondence)"
        return f"in {label} {NAF_LEVEL_WORDS[self.level]} {self.value} (by correspondence)"


@dataclass
class ResolvedIcp:
    """An ICP whose values are all known codes, ready to bind as query parameters."""

    config: IcpConfig
    naf_include: list[str] = field(default_factory=list)  # NafTerm.text of each pattern
    naf_exclude: list[str] = field(default_factory=list)
    naf_include_terms: list[NafTerm] = field(default_factory=list)
    naf_exclude_terms: list[NafTerm] = field(default_factory=list)
    regions: list[str] = field(default_factory=list)
    departements: list[str] = field(default_factory=list)
    communes: list[str] = field(default_factory=list)  # criteria.communes and criteria.epci, as INSEE codes
    legal_forms: list[str] = field(default_factory=list)
    role_groups: list[list[str]] = field(default_factory=list)  # RNE role codes, by priority
    role_names: list[str] = field(default_factory=list)
    personas: list[Persona] = field(default_factory=list)  # criteria.decision_makers' personas, by priority
    warnings: list[str] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)  # how values were read ('Lyon' → 69123 + 9 arrondissements)

    @property
    def name(self) -> str:
        return self.config.name


def _codes(table: str, column: str = "code") -> list[str]:
    return read_reference(table)[column].to_list()


def normalise_naf(pattern: str) -> str:
    """'6201z' -> '62.01Z'; ' j ' -> 'J'; anything else is returned upper-cased for the shape check."""
    return nafref.normalise(pattern)


def _split_marker(raw: object) -> tuple[str | None, str, str | None]:
    """'naf2025:J' -> (NAF2025, 'J', None); '62.01Z' -> (None, '62.01Z', None); an unknown
    marker -> (None, the rest, the marker) so that the caller reports it."""
    text = str(raw).strip()
    found = re.fullmatch(r"([A-Za-z][A-Za-z0-9_ .]*?)\s*:\s*(.*)", text)
    if not found:
        return None, text, None
    key = found.group(1).lower().replace(" ", "_").replace(".", "")
    if key in NAF_MARKERS:
        return NAF_MARKERS[key], found.group(2), None
    return None, found.group(2), found.group(1)


def naf_term(raw: object, default: str = nafref.REV2) -> tuple[NafTerm | None, str | None]:
    """Resolve one NAF pattern: (term, None), or (None, the error without its location)."""
    marker, body, bad_marker = _split_marker(raw)
    shown = str(raw).strip()
    if bad_marker is not None:
        return None, f"{shown!r}: unknown nomenclature {bad_marker!r} (write e.g. naf2025:J or naf_rev2:J)"
    code = nafref.normalise(body)
    if not NAF_PATTERN.match(code):
        return None, f"{shown!r} is not a NAF code, prefix or section (expected e.g. 62.01Z, 62.0, 62 or J)"
    if len(code) == 6:
        nom = nafref.nomenclature_of(code)
        if nom is None:
            guess = nafref.NAF2025 if code[-1] in "YGHJKL" else nafref.REV2
            known = list(nafref.nomenclature(guess).labels)
            near = [c for c in known if c[:2] == code[:2]] or known
            return None, f"unknown {nafref.LABELS[guess]} code {code!r}{suggest(code, near, cutoff=0.5)}"
        if marker is not None and marker != nom:
            return None, f"{code!r} is a {nafref.LABELS[nom]} code, not {nafref.LABELS[marker]}"
    else:
        nom = marker or default
        ref, label = nafref.nomenclature(nom), nafref.LABELS[nom]
        if len(code) == 1:
            if code not in ref.sections:
                other = nafref.other(nom)
                hint = (
                    f" ({nafref.LABELS[other]} has one: write '{NAF_MARKER[other]}{code}')"
                    if code in nafref.nomenclature(other).sections
                    else ""
                )
                return None, f"unknown {label} section {code!r}{hint}"
        elif code[:2] not in ref.divisions:
            return None, f"unknown {label} code {code!r}: there is no division {code[:2]}"
        elif not ref.members(code):
            near = sorted({c[: len(code)] for c in ref.labels if c[:2] == code[:2]})
            return None, (
                f"unknown {label} {NAF_LEVEL_WORDS[nafref.level(code)]} {code!r}{suggest(code, near, cutoff=0.5)}"
            )
    members = nafref.nomenclature(nom).members(code)
    text = code if len(code) == 6 or nom == nafref.REV2 else NAF_MARKER[nom] + code
    return NafTerm(text=text, nomenclature=nom, value=code, translation=tuple(nafref.translate(members, nom))), None


def _few(codes: list[str] | tuple[str, ...], limit: int = 6) -> str:
    codes = list(codes)
    return ", ".join(codes[:limit]) + (f" and {len(codes) - limit} more" if len(codes) > limit else "")


def _naf_notices(terms: list[NafTerm], default: str, where: str, verb: str) -> list[str]:
    """How the patterns were read, and where the correspondence widens what they select."""
    out = []
    bare = [term.value for term in terms if len(term.value) < 6 and term.nomenclature == default]
    if bare:
        other = nafref.other(default)
        out.append(
            f"{where}: {', '.join(bare)} read as {nafref.LABELS[default]} (criteria.naf.nomenclature: "
            f"{default}); write '{NAF_MARKER[other]}{bare[0]}' for {nafref.LABELS[other]}"
        )
    codes: dict[tuple[str, tuple[str, ...]], list[NafTerm]] = {}  # sous-classes grouped by translation
    for term in terms:
        if len(term.value) == 6:
            codes.setdefault((term.nomenclature, term.translation), []).append(term)
    for (nom, translation), group in codes.items():
        other = nafref.other(nom)
        label, other_label = nafref.LABELS[nom], nafref.LABELS[other]
        names = ", ".join(term.value for term in group)
        if not translation:
            out.append(
                f"{where}: {names} ({label}) has no {other_label} counterpart: "
                f"only a company with this {label} code is {verb}"
            )
            continue
        mine = {term.value for term in group}
        shared = sorted({c for term in group for c in nafref.shared_with(term.value, nom)} - mine)
        if nom != default:
            names = ", ".join(f"{term.value} ({nafref.nomenclature(nom).labels[term.value]})" for term in group)
            line = f"{where}: {names} {'is' if len(group) == 1 else 'are'} {label} = {other_label} {', '.join(translation)}"
        else:
            line = f"{where}: {names} = {other_label} {', '.join(translation)}"
        if len(translation) > 1:
            line += f" (a split: a company coded only in {other_label} is {verb} on any of them)"
        if shared:
            one = len(translation) == 1
            line += (
                f"; {'that code also receives' if one else 'these codes also receive'} {_few(shared)}: "
                f"a company coded only in {other_label}, with {'it' if one else 'one of them'}, is {verb} too"
            )
        if nom != default or len(translation) > 1 or shared:
            out.append(line)
    for term in terms:
        if len(term.value) == 6:
            continue
        nom, other = term.nomenclature, nafref.other(term.nomenclature)
        label, other_label = nafref.LABELS[nom], nafref.LABELS[other]
        members = set(nafref.nomenclature(nom).members(term.value))
        wider = [code for code in term.translation if any(s not in members for s in nafref.counterparts(code, other))]
        if wider:
            out.append(
                f"{where}: {label} {NAF_LEVEL_WORDS[term.level]} {term.value} reaches {len(term.translation)} "
                f"{other_label} codes through the correspondence; {len(wider)} of them also receive codes "
                f"outside it ({_few(wider)}): a company coded only in {other_label}, with one of these, is {verb}"
            )
    return out


def _naf(
    patterns: list[str], where: str, default: str, errors: list[str], notices: list[str], verb: str
) -> list[NafTerm]:
    out = []
    for raw in patterns:
        term, error = naf_term(raw, default)
        if error:
            errors.append(f"{where}: {error}")
        elif term is not None:
            out.append(term)
    notices.extend(_naf_notices(out, default, where, verb))
    return out


def _by_name_or_code(
    values: list[str], table: str, what: str, where: str, errors: list[str], pad: int = 0
) -> list[str]:
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


def _communes(
    communes: list[str], epci: list[str], errors: list[str], warnings: list[str], notices: list[str]
) -> list[str]:
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


def _legal_forms(values: list[str], where: str, errors: list[str]) -> list[str]:
    levels = {
        1: set(_codes("categories_juridiques_n1")),
        2: set(_codes("categories_juridiques_n2")),
        4: set(_codes("categories_juridiques_n3")),
    }
    out = []
    for raw in values:
        code = raw.strip()
        if not code.isdigit() or len(code) not in levels:
            errors.append(f"{where}: {raw!r} is not a catégorie juridique code (1, 2 or 4 digits, e.g. 5, 57 or 5710)")
        elif code in levels[len(code)]:
            out.append(code)
        elif len(code) == 4 and code[:2] in levels[2]:
            known = sorted(c for c in levels[4] if c[:2] == code[:2])
            errors.append(f"{where}: unknown catégorie juridique {code!r}; level II {code[:2]} has {_few(known, 8)}")
        else:
            errors.append(f"{where}: unknown catégorie juridique {code!r}")
    return out


def _roles(values: list[str], where: str, errors: list[str]) -> list[list[str]]:
    from firmo.reference.roles import role_codes

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
            errors.append(
                f"{where}: unknown decision-maker role {raw!r}{suggest(raw, [label for label, _ in roles.values()])}"
            )
    return groups


def resolve(config: IcpConfig, source: str = "<icp>") -> ResolvedIcp:
    """Resolve every value of the ICP to reference codes; raise IcpError listing all problems."""
    c = config.criteria
    errors: list[str] = []
    warnings: list[str] = []
    notices: list[str] = []
    include = _naf(c.naf.include, "criteria.naf.include", c.naf.nomenclature, errors, notices, "selected")
    exclude = _naf(c.naf.exclude, "criteria.naf.exclude", c.naf.nomenclature, errors, notices, "excluded")
    resolved = ResolvedIcp(
        config=config,
        naf_include=[term.text for term in include],
        naf_exclude=[term.text for term in exclude],
        naf_include_terms=include,
        naf_exclude_terms=exclude,
        regions=_by_name_or_code(c.regions, "regions", "région", "criteria.regions", errors),
        departements=_by_name_or_code(
            c.departements, "departements", "département", "criteria.departements", errors, pad=2
        ),
        communes=_communes(c.communes, c.epci, errors, warnings, notices),
        legal_forms=_legal_forms(c.legal_forms, "criteria.legal_forms", errors),
        role_groups=_roles(c.roles, "criteria.decision_makers", errors),
        role_names=c.roles,
        personas=[Persona(p.function, p.seniority) for p in c.personas],
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
