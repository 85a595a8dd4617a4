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
- labels: the codes of firmo.labels.LABELS (complete: the loaders write no other).
- IDCC: 4-digit codes (`176` is `0176`; 9999, "no agreement", is refused); a `search` is matched
  against the agreements' titles in the warehouse's ref.idcc when the ICP runs (firmo.icp.score),
  since the titles are loaded, not shipped.
- near: a commune by code, postal code or name (firmo.icp.places), which must be one commune;
  its point is looked up when the ICP runs (firmo.geo.commune_point), or `lat` / `lon`.
- CPV prefixes: 1 to 8 digits; ROME prefixes: a letter and up to 4 digits (`M18`, `M1805`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from firmo.icp.config import IcpConfig, IcpError, fold, suggest
from firmo.labels import LABELS
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
IDCC_RE = re.compile(r"^\d{1,4}$")
NO_IDCC = "9999"  # DSN: no collective agreement / undetermined
CPV_RE = re.compile(r"^\d{1,8}$")
ROME_RE = re.compile(r"^[A-N]\d{0,4}$")
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


@dataclass(frozen=True)
class NearPlace:
    """The centre of criteria.near: a commune (its point is read from the warehouse when the ICP
    runs) or a point given in the file; `name` is how reasons name it ('... km from Nantes')."""

    name: str
    radius_km: float
    commune_code: str | None = None
    lat: float | None = None
    lon: float | None = None


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
    labels_any: list[str] = field(default_factory=list)  # firmo.labels codes
    labels_all: list[str] = field(default_factory=list)
    idcc_codes: list[str] = field(default_factory=list)  # 4-digit IDCC (a search adds its code when the ICP runs)
    idcc_search: str | None = None  # criteria.idcc.search, resolved against ref.idcc by firmo.icp.score
    near: NearPlace | None = None
    cpv_prefixes: list[str] = field(default_factory=list)
    buyer_categories: list[str] = field(default_factory=list)  # folded (fold())
    rome_prefixes: list[str] = field(default_factory=list)
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


def _labels(values: list[str], where: str, errors: list[str]) -> list[str]:
    out = []
    for raw in values:
        code = raw.strip().lower().replace("-", "_").replace(" ", "_")
        if code in LABELS:
            out.append(code)
        else:
            errors.append(f"{where}: unknown label {raw!r}{suggest(raw, LABELS)}; known: {', '.join(LABELS)}")
    return list(dict.fromkeys(out))


def idcc_code(raw: str) -> str | None:
    """'176' / '0176' -> '0176'; None when it is not an IDCC."""
    value = raw.strip()
    return value.zfill(4) if IDCC_RE.match(value) else None


def _idcc(codes: list[str], search: str | None, errors: list[str]) -> list[str]:
    out = []
    for raw in codes:
        code = idcc_code(raw)
        if code is None:
            errors.append(f"criteria.idcc.codes: {raw!r} is not an IDCC (1 to 4 digits, e.g. 1486 or 0176)")
        elif code == NO_IDCC:
            errors.append("criteria.idcc.codes: 9999 means 'no collective agreement', it selects nothing")
        else:
            out.append(code)
    if search is not None and not fold(search):
        errors.append("criteria.idcc.search: empty search (write a word of the agreement's title, e.g. syntec)")
    return sorted(set(out))


def resolve_idcc_search(search: str, titles: dict[str, str]) -> tuple[str | None, str | None]:
    """The one IDCC whose title contains every word of `search` (accent- and case-insensitive):
    (code, None), or (None, the error listing the candidates or the closest words)."""
    words = fold(search).split()
    found = sorted(c for c, t in titles.items() if c != NO_IDCC and all(w in fold(t).split() for w in words))
    if not found:  # also accept the words as parts of the title's words ('metallurgie' in 'metallurgies')
        found = sorted(c for c, t in titles.items() if c != NO_IDCC and all(w in fold(t) for w in words))
    if len(found) == 1:
        return found[0], None
    if not found:
        vocabulary = sorted({w for t in titles.values() for w in fold(t).split() if len(w) > 2})
        hints = [suggest(w, vocabulary).removeprefix(" (did you mean ").removesuffix("?)") for w in words]
        hint = " ".join(h.strip("'") for h in hints if h)
        return None, (
            f"criteria.idcc.search: no collective agreement title contains {search!r}"
            + (f" (did you mean {hint!r}?)" if hint else "")
        )
    shown = "; ".join(f"{c} {titles[c]}" for c in found[:8]) + (
        f"; and {len(found) - 8} more" if len(found) > 8 else ""
    )
    return None, (
        f"criteria.idcc.search: {search!r} matches {len(found)} collective agreements: {shown}; "
        "write more words of the title or list the codes in criteria.idcc.codes"
    )


def _near(config: IcpConfig, errors: list[str], warnings: list[str], notices: list[str]) -> NearPlace | None:
    near = config.criteria.near
    if near is None:
        return None
    if near.commune is None:
        assert near.lat is not None and near.lon is not None  # the model requires both without a commune
        return NearPlace(name=f"{near.lat:g}, {near.lon:g}", radius_km=near.radius_km, lat=near.lat, lon=near.lon)
    from firmo.icp.places import place_index, resolve_communes

    where = "criteria.near.commune"
    found = resolve_communes([near.commune], where=where)
    errors += found.errors
    warnings += found.warnings
    if found.errors:
        return None
    index = place_index()
    communes = [
        c for c in dict.fromkeys(found.codes) if c in index.current and index.current[c].parent not in found.codes
    ]
    if len(communes) != 1:
        names = ", ".join(f"{index.current[c].name} ({c})" for c in communes)
        errors.append(f"{where}: {near.commune!r} stands for {len(communes)} communes ({names}): name one commune")
        return None
    place = index.current[communes[0]]
    notices.append(f"{where}: {near.commune!r} → {place.name} ({place.code}), within {near.radius_km:g} km")
    return NearPlace(name=place.name, radius_km=near.radius_km, commune_code=place.code)


def _prefixes(values: list[str], pattern: re.Pattern, where: str, example: str, errors: list[str]) -> list[str]:
    out = []
    for raw in values:
        value = raw.strip().upper().replace(" ", "")
        if pattern.match(value):
            out.append(value)
        else:
            errors.append(f"{where}: {raw!r} is not a prefix ({example})")
    return sorted(set(out))


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
        labels_any=_labels(c.labels.any, "criteria.labels.any", errors),
        labels_all=_labels(c.labels.all, "criteria.labels.all", errors),
        idcc_codes=_idcc(c.idcc.codes, c.idcc.search, errors),
        idcc_search=c.idcc.search,
        near=_near(config, errors, warnings, notices),
        cpv_prefixes=_prefixes(
            c.public_contracts.cpv_prefixes if c.public_contracts else [],
            CPV_RE,
            "criteria.public_contracts.cpv_prefixes",
            "1 to 8 digits of a CPV code, e.g. 45 or 72200000",
            errors,
        ),
        buyer_categories=sorted({fold(b) for b in (c.public_contracts.buyer_categories if c.public_contracts else [])}),
        rome_prefixes=_prefixes(
            c.hiring.rome_prefixes if c.hiring else [],
            ROME_RE,
            "criteria.hiring.rome_prefixes",
            "a ROME letter and up to 4 digits, e.g. M18 or M1805",
            errors,
        ),
        warnings=warnings,
        notices=notices,
    )
    if c.labels.valid_on is not None and not c.labels.active:
        errors.append("criteria.labels.valid_on: no labels listed (write any: [...] or all: [...])")
    if c.require_decision_maker and not c.decision_makers:
        errors.append("criteria.require_decision_maker: no decision_makers listed")
    errors.extend(_alert_problems(config))
    if errors:
        raise IcpError(source, errors)
    return resolved


def _alert_problems(config: IcpConfig) -> list[str]:
    """Rules of `alerts:` that the shape allows but that cannot work together: two rules with one
    name (alerts are keyed by rule name, the second would never fire), two digests."""
    errors: list[str] = []
    seen: dict[str, int] = {}
    for i, rule in enumerate(config.alerts):
        name = rule.rule_name
        if name in seen:
            errors.append(f"alerts.{i}: rule name {name!r} is already rule {seen[name]} (give one of them a `name:`)")
        seen.setdefault(name, i)
    if sum(1 for r in config.alerts if r.digest) > 1:
        errors.append("alerts: at most one digest rule per ICP")
    return errors


def load_icp(path) -> ResolvedIcp:
    """Read, check and resolve an ICP file (the one call the CLI and the asset make)."""
    from firmo.icp.config import read_icp

    return resolve(read_icp(path), source=str(path))
