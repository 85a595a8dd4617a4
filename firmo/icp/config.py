"""ICP files: the YAML an analyst writes to describe an Ideal Customer Profile, as typed models.

Only the *shape* is checked here (unknown keys, types, min <= max, weights in range); whether the
values exist (NAF codes, régions, roles...) is checked against the reference tables in
`firmo.icp.validate`, which turns a file into bound query parameters. Every error of a file is
reported at once, each prefixed with its path in the file (`criteria.headcount: ...`), so the
analyst fixes the file in one go instead of one message per run.

Files are read by `read_icp` with a loader that refuses YAML anchors and aliases and any file over
`MAX_FILE_BYTES`: an ICP never needs either, and nine nested aliases in 457 bytes (a "billion
laughs" file) used to take a minute and 14 GB to validate. A file must also say what it selects:
no `criteria` key is an error, `criteria: {}` (every company) has to be written on purpose.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import Literal, get_args

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from firmo.signals import SIGNAL_TYPES

NAME_RE = re.compile(r"^[a-z][a-z0-9_]{0,62}$")
# The largest shipped ICP is about 1.5 KiB; a file 170 times that is not something an analyst wrote.
MAX_FILE_BYTES = 256 * 1024

# Points one fresh signal of full strength adds to (positive) or takes from (negative) the
# intent score, before decay. A new decision maker or fresh money is the classic buying
# moment; a hiring company buys tools; a creation is weak on its own (most creations are tiny).
DEFAULT_SIGNAL_WEIGHTS: dict[str, float] = {
    "new_decision_maker": 45,
    "capital_increase": 40,
    "new_establishment": 25,
    "headcount_up": 30,
    "recent_creation": 15,
    "head_office_transfer": 20,
    "business_bought": 30,
    "business_sold": 20,
    "headcount_down": 20,
    "collective_proceeding": 60,
    "radiation": 100,
    "company_closed": 100,
    # open data (firmo/sql/signals/from_decp.sql, from_labels.sql, from_jobs.sql, from_hiring_potential.sql):
    # a contract won is fresh money and new work; an expiring label is the moment to sell its
    # renewal; job offers say the company is growing now; a label obtained or a high hiring
    # potential (a statistical estimate, not an event) are weaker on their own
    "contract_won": 40,
    "label_obtained": 15,
    "label_expiring": 30,
    "job_offers": 35,
    "hiring_potential_high": 20,
    # job-change re-checks (firmo/sql/signals/from_job_changes.sql): a past champion joining is the
    # warmest lead there is (strength 1 with a relation, 0.6 without); a departure leaves a seat
    # to fill; a bounce alone is weak
    "job_change_joined": 50,
    "job_change_left": 30,
    "promotion": 20,
    "may_have_left": 5,
}
DEFAULT_ROLES = ["Président", "Directeur général", "Gérant"]


class IcpError(ValueError):
    """An ICP file that cannot be used; `errors` holds one readable line per problem."""

    def __init__(self, source: str, errors: list[str]):
        self.source, self.errors = source, errors
        super().__init__(f"{source}: {len(errors)} error(s) in ICP file\n" + "\n".join(f"  - {e}" for e in errors))


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class Range(_Strict):
    min: float | None = Field(None, ge=0)
    max: float | None = Field(None, ge=0)

    @model_validator(mode="after")
    def _ordered(self) -> Range:
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"min ({_num(self.min)}) is greater than max ({_num(self.max)})")
        return self

    @property
    def active(self) -> bool:
        return self.min is not None or self.max is not None


class Naf(_Strict):
    """Exact codes (`62.01Z` or `62.10Y`), prefixes (`62.0`, `62`) or sections (`J`), in NAF rév. 2
    or NAF 2025. A sous-classe says its nomenclature; a section or prefix is read in
    `nomenclature` unless written `naf2025:J` / `naf_rev2:J` (firmo.icp.validate)."""

    nomenclature: Literal["naf_rev2", "naf2025"] = "naf_rev2"
    include: list[str] = []
    exclude: list[str] = []


class Revenue(Range):
    """Annual revenue in euros; `unknown` says what to do with companies that publish no accounts:
    keep them (revenue does not count in their fit), drop them, or keep them `penalty` fit points lower."""

    unknown: Literal["keep", "drop", "penalty"] = "penalty"
    penalty: float = Field(15, ge=0, le=100)


def _codes_list(value: object) -> object:
    """A code or a list of codes as text: YAML reads `1486` or `M18` unquoted as a number or text."""
    if isinstance(value, (str, int)):
        value = [value]
    return [str(v).strip() for v in value] if isinstance(value, list) else value


class Labels(_Strict):
    """Companies holding labels (`core.labels`, codes of firmo.labels.LABELS): any of `any`, and
    all of `all`, valid on `valid_on` (default: the day scores are computed for)."""

    any: list[str] = []
    all: list[str] = []
    valid_on: date | None = None

    @field_validator("any", "all", mode="before")
    @classmethod
    def _lists(cls, value: object) -> object:
        return _codes_list(value)

    @property
    def active(self) -> bool:
        return bool(self.any or self.all)


class Idcc(_Strict):
    """Companies one of whose establishments applies a collective agreement: IDCC `codes` (4
    digits), or a `search` in the agreements' titles that must name exactly one (firmo.icp.validate)."""

    codes: list[str] = []
    search: str | None = None

    @field_validator("codes", mode="before")
    @classmethod
    def _lists(cls, value: object) -> object:
        return _codes_list(value)

    @property
    def active(self) -> bool:
        return bool(self.codes or self.search)


class Near(_Strict):
    """Companies with an active, precisely located establishment (any of them, not only the head
    office) within `radius_km` of a commune (code, postal code or name) or of `lat` / `lon`."""

    commune: str | None = None
    lat: float | None = Field(None, ge=-90, le=90)
    lon: float | None = Field(None, ge=-180, le=180)
    radius_km: float = Field(gt=0, le=200)

    @field_validator("commune", mode="before")
    @classmethod
    def _text(cls, value: object) -> object:
        return str(value) if isinstance(value, int) else value

    @model_validator(mode="after")
    def _one_centre(self) -> Near:
        has_point = self.lat is not None or self.lon is not None
        if self.commune is not None and has_point:
            raise ValueError("give either commune or lat/lon, not both")
        if self.commune is None and (self.lat is None or self.lon is None):
            raise ValueError("give a commune, or both lat and lon")
        return self


class PublicContracts(_Strict):
    """Companies that won public contracts (`core.public_contracts`, DECP) notified in the last
    `within_days`: at least `min_contracts` of them and `min_amount` euros in total (the amounts
    of the contracts, which co-contractors share), optionally in CPV prefixes and for buyer categories."""

    within_days: int = Field(365, ge=1, le=3650)
    min_contracts: int = Field(1, ge=1)
    min_amount: float | None = Field(None, ge=0)
    cpv_prefixes: list[str] = []
    buyer_categories: list[str] = []

    @field_validator("cpv_prefixes", "buyer_categories", mode="before")
    @classmethod
    def _lists(cls, value: object) -> object:
        return _codes_list(value)


class Hiring(_Strict):
    """Companies with at least `min_offers` job offers (`core.job_offers`, France Travail, matched
    to the company; temp agencies never count) published in the last `within_days`, optionally in ROME prefixes."""

    within_days: int = Field(30, ge=1, le=365)
    min_offers: int = Field(1, ge=1)
    rome_prefixes: list[str] = []

    @field_validator("rome_prefixes", mode="before")
    @classmethod
    def _lists(cls, value: object) -> object:
        return _codes_list(value)


def _default_roles() -> list[str | PersonaTarget]:
    return list(DEFAULT_ROLES)


class PersonaTarget(_Strict):
    """`{function: finance, seniority: head}` in criteria.decision_makers (firmo.personas)."""

    function: str
    seniority: Literal["head", "manager", "any"] = "head"

    @classmethod
    def parse(cls, value: dict, index: int) -> PersonaTarget:
        from firmo.personas import FUNCTIONS, TARGET_SENIORITIES

        where = f"item {index + 1}"
        unknown = [k for k in value if k not in cls.model_fields]
        if unknown:
            key = str(unknown[0])
            raise ValueError(
                f"{where}: unknown persona key {key!r}{suggest(key, cls.model_fields)}; allowed: function, seniority"
            )
        function = str(value.get("function") or "")
        if function not in FUNCTIONS:
            raise ValueError(
                f"{where}: unknown persona function {function!r}{suggest(function, FUNCTIONS)}; known: {', '.join(FUNCTIONS)}"
            )
        seniority = str(value.get("seniority", "head"))
        if seniority not in TARGET_SENIORITIES:
            raise ValueError(
                f"{where}: unknown persona seniority {seniority!r}{suggest(seniority, TARGET_SENIORITIES)}; "
                f"known: {', '.join(TARGET_SENIORITIES)}"
            )
        return cls(function=function, seniority=seniority)


class Criteria(_Strict):
    naf: Naf = Naf()
    headcount: Range = Range()
    revenue: Revenue = Revenue()
    regions: list[str] = []
    departements: list[str] = []
    communes: list[str] = []  # INSEE codes, postal codes or names (firmo.icp.places)
    epci: list[str] = []  # EPCI (or EPT) SIRENs or names
    near: Near | None = None
    labels: Labels = Labels()
    idcc: Idcc = Idcc()
    public_contracts: PublicContracts | None = None
    hiring: Hiring | None = None
    legal_forms: list[str] = []
    age_years: Range = Range()
    employer_only: bool = False
    company_categories: list[Literal["PME", "ETI", "GE"]] = []
    exclude_collective_proceedings: bool = True
    exclude_closed: bool = True
    # RNE roles (labels or codes) and personas ({function, seniority}), in priority order (_decision_makers)
    decision_makers: list[str | PersonaTarget] = Field(default_factory=lambda: _default_roles())
    require_decision_maker: bool = False

    @field_validator("regions", "departements", "communes", "epci", "legal_forms", "decision_makers", mode="before")
    @classmethod
    def _text_list(cls, value: object) -> object:
        """YAML reads `75` or `01` unquoted as numbers; codes are text (leading zeros kept when quoted)."""
        if isinstance(value, (str, int)):
            value = [value]
        return [str(v) if isinstance(v, (str, int, float)) else v for v in value] if isinstance(value, list) else value

    @field_validator("decision_makers", mode="before")
    @classmethod
    def _decision_makers(cls, value: object) -> object:
        """A mapping is a persona, checked here so a bad function is one line with a suggestion."""
        return (
            [PersonaTarget.parse(v, i) if isinstance(v, dict) else v for i, v in enumerate(value)]
            if isinstance(value, list)
            else value
        )

    @property
    def personas(self) -> list[PersonaTarget]:
        """The personas the waterfall searches, in priority order."""
        return [d for d in self.decision_makers if isinstance(d, PersonaTarget)]

    @property
    def roles(self) -> list[str]:
        """The RNE roles of the legal officer: the ones listed, else (personas only) the default
        roles, since the legal officer is every persona's fallback."""
        listed = [d for d in self.decision_makers if isinstance(d, str)]
        return listed or (list(DEFAULT_ROLES) if self.personas else [])


class AuthorityWeights(_Strict):
    """Points (0-100) of the contact the authority criterion and BANT authority grade, by what the
    contact is (firmo/sql/icp/scored.sql, firmo.icp.authority): a person holding a persona the ICP
    targets, the legal officer, a natural person found behind a company officer (holding), the
    company itself as officer. Relative: the best basis an ICP can reach gets 100."""

    persona: float = Field(100, ge=0, le=100)
    officer: float = Field(80, ge=0, le=100)
    holding: float = Field(60, ge=0, le=100)
    company: float = Field(20, ge=0, le=100)


class FitWeights(_Strict):
    naf: float = Field(40, ge=0)
    headcount: float = Field(25, ge=0)
    revenue: float = Field(20, ge=0)
    authority: float = Field(15, ge=0)


class Tiers(_Strict):
    hot: int = Field(70, ge=0, le=100)
    warm: int = Field(45, ge=0, le=100)

    @model_validator(mode="after")
    def _ordered(self) -> Tiers:
        if self.warm > self.hot:
            raise ValueError(f"warm threshold ({self.warm}) is above hot threshold ({self.hot})")
        return self


class Scoring(_Strict):
    fit_weights: FitWeights = FitWeights()
    fit_share: float = Field(0.6, ge=0, le=1, description="combined score = fit_share * fit + (1 - fit_share) * intent")
    half_life_days: float = Field(90, gt=0)
    signal_weights: dict[str, float] = Field(default_factory=dict)
    tiers: Tiers = Tiers()
    authority_weights: AuthorityWeights = AuthorityWeights()

    @field_validator("signal_weights")
    @classmethod
    def _known_signals(cls, value: dict[str, float]) -> dict[str, float]:
        for key, weight in value.items():
            if key not in SIGNAL_TYPES:
                raise ValueError(f"unknown signal type {key!r}{suggest(key, SIGNAL_TYPES)}")
            if not 0 <= weight <= 100:
                raise ValueError(f"weight of {key} must be between 0 and 100, got {_num(weight)}")
        return value

    def weights(self) -> dict[str, float]:
        return {**DEFAULT_SIGNAL_WEIGHTS, **self.signal_weights}


AlertChannel = Literal["slack", "email", "webhook", "hubspot", "salesforce", "pipedrive"]
ALERT_CHANNELS: tuple[AlertChannel, ...] = ("slack", "email", "webhook", "hubspot", "salesforce", "pipedrive")
ALERT_TRIGGERS = ("enters_tier", "signal_types", "score_rise", "watched", "digest")


class AlertRule(_Strict):
    """One rule of `alerts:` (firmo/alerts/rules.py evaluates it): exactly one trigger, a lead
    entering a tier, a signal of given types on a lead, a score rising by at least N points, any
    signal on a watched account, or the daily digest of the ICP; delivered to `channels`."""

    name: str | None = None  # default: the trigger's name ('enters_tier_hot', 'score_rise_15', ...)
    enters_tier: Literal["hot", "warm"] | None = None
    signal_types: list[str] | None = None
    score_rise: float | None = Field(None, gt=0, le=100)
    watched: Literal[True] | None = None
    digest: Literal["daily"] | None = None
    channels: list[AlertChannel] = Field(default_factory=lambda: list(ALERT_CHANNELS[:1]), min_length=1)

    @field_validator("signal_types", mode="before")
    @classmethod
    def _types(cls, value: object) -> object:
        return [value] if isinstance(value, str) else value

    @field_validator("signal_types")
    @classmethod
    def _known_types(cls, value: list[str] | None) -> list[str] | None:
        for key in value or []:
            if key not in SIGNAL_TYPES:
                raise ValueError(f"unknown signal type {key!r}{suggest(key, SIGNAL_TYPES)}")
        if value is not None and not value:
            raise ValueError("signal_types: list at least one signal type")
        return value

    @model_validator(mode="after")
    def _one_trigger(self) -> AlertRule:
        set_ = [t for t in ALERT_TRIGGERS if getattr(self, t) is not None]
        if len(set_) != 1:
            raise ValueError(
                f"a rule has exactly one of {', '.join(ALERT_TRIGGERS)}"
                + (f" (got {', '.join(set_)})" if set_ else " (got none)")
            )
        if self.name is not None and not NAME_RE.match(self.name):
            raise ValueError(f"rule name {self.name!r} must be lower-case letters, digits and '_'")
        return self

    @property
    def trigger(self) -> str:
        return next(t for t in ALERT_TRIGGERS if getattr(self, t) is not None)

    @property
    def rule_name(self) -> str:
        """The name alerts are keyed by: the one given, else one made from the trigger."""
        if self.name:
            return self.name
        if self.enters_tier:
            return f"enters_tier_{self.enters_tier}"
        if self.score_rise is not None:
            return f"score_rise_{_num(self.score_rise)}".replace(".", "_")
        if self.signal_types:
            return "signal_" + "_".join(sorted(self.signal_types))
        return "watched" if self.watched else "digest_daily"


class IcpConfig(_Strict):
    name: str
    description: str = ""
    criteria: Criteria = Criteria()
    scoring: Scoring = Scoring()
    max_leads: int = Field(5000, ge=1, le=1_000_000)
    alerts: list[AlertRule] = []

    @field_validator("name")
    @classmethod
    def _identifier(cls, value: str) -> str:
        if not NAME_RE.match(value):
            raise ValueError(
                f"ICP name {value!r} must be lower-case letters, digits and '_', starting with a letter "
                "(it becomes the table leads.<name>)"
            )
        return value


def suggest(value: str, choices: Iterable[str], *, cutoff: float = 0.6) -> str:
    """`" (did you mean 'X'?)"` for the closest choice, case- and accent-insensitive, or ''."""
    options = {fold(c): c for c in choices}
    match = difflib.get_close_matches(fold(value), list(options), n=1, cutoff=cutoff)
    return f" (did you mean {options[match[0]]!r}?)" if match else ""


def fold(text: str) -> str:
    """Accent-, case- and punctuation-insensitive key: 'Île-de-France' == 'ile de france'."""
    ascii_text = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", " ", ascii_text.lower()).strip()


def _num(x: float) -> str:
    return f"{x:g}" if x < 1e6 else f"{x:,.0f}"


def _fields_at(model: type[BaseModel], loc: tuple) -> list[str]:
    """Field names allowed at a location of the model tree (for 'did you mean' on unknown keys)."""
    current: type[BaseModel] | None = model
    for part in loc:
        if isinstance(part, int) and current is not None:
            continue  # an item of a list (alerts.0): the model of its items
        if current is None or not isinstance(part, str) or part not in current.model_fields:
            return []
        annotation = current.model_fields[part].annotation
        # `Near | None`: the model inside the optional
        found = [a for a in (annotation, *get_args(annotation)) if isinstance(a, type) and issubclass(a, BaseModel)]
        current = found[0] if found else None
    return list(current.model_fields) if current is not None else []


def _messages(error: ValidationError) -> list[str]:
    out = []
    for err in error.errors():
        loc = tuple(p for p in err["loc"])
        where = ".".join(str(p) for p in loc) or "(file)"
        if err["type"] == "extra_forbidden":
            key = str(loc[-1])
            allowed = _fields_at(IcpConfig, loc[:-1])
            out.append(f"{where}: unknown key{suggest(key, allowed)}; allowed: {', '.join(allowed)}")
        elif err["type"] == "value_error":
            out.append(f"{where}: {err['ctx']['error']}" if "ctx" in err else f"{where}: {err['msg']}")
        else:
            out.append(f"{where}: {err['msg']} (got {err.get('input')!r})")
    return out


def parse_icp(data: object, *, default_name: str, source: str = "<icp>") -> IcpConfig:
    """Typed ICP from parsed YAML; raises IcpError listing every shape problem."""
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise IcpError(source, ["the file must be a mapping of keys (name, criteria, scoring, max_leads)"])
    data = {"name": default_name, **data}
    try:
        return IcpConfig.model_validate(data)
    except ValidationError as exc:
        raise IcpError(source, _messages(exc)) from None


class _PlainYamlLoader(yaml.SafeLoader):
    """SafeLoader that stops at the first anchor (`&x`) or alias (`*x`), before anything is
    built: an alias repeats a node without repeating its bytes, so nested aliases expand
    exponentially (each of the 9^9 copies is then validated)."""

    def compose_node(self, parent, index):
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            what = f"alias *{event.anchor}" if isinstance(event, yaml.AliasEvent) else f"anchor &{event.anchor}"
            raise _RefusedYaml(
                f"line {event.start_mark.line + 1}: YAML {what} is not allowed in an ICP file "
                "(anchors and aliases can blow a small file up to gigabytes); write the values out"
            )
        return super().compose_node(parent, index)


class _RefusedYaml(Exception):
    """A construct the ICP loader refuses (message: where and why)."""


# A code written without quotes keeps its leading zeros: YAML 1.1 reads 01053 as the octal number
# 555 and the postal code 01000 as 512, so the communes and postal codes of départements 01-09
# would silently become other codes. Digits starting with 0 are text in an ICP file.
_PlainYamlLoader.yaml_implicit_resolvers = {k: list(v) for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()}
_PlainYamlLoader.yaml_implicit_resolvers["0"].insert(0, ("tag:yaml.org,2002:str", re.compile(r"^0[0-9]+$")))


def load_yaml_text(text: str) -> object:
    """Parse one YAML document without anchors or aliases (raises _RefusedYaml or yaml.YAMLError)."""
    loader = _PlainYamlLoader(text)
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()


def read_icp(path: str | Path) -> IcpConfig:
    """Read an ICP YAML file; its name defaults to the file name without extension.

    Refused with one IcpError line, before any parsing cost: a file over MAX_FILE_BYTES, not
    UTF-8, not valid YAML, with an anchor or alias, or nested too deeply; then every shape
    problem at once, including a missing `criteria` key."""
    path = Path(path)
    source = str(path)
    try:
        with path.open("rb") as fh:
            raw = fh.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        raise IcpError(source, ["file not found"]) from None
    except IsADirectoryError:
        raise IcpError(source, ["is a folder, not a file"]) from None
    if len(raw) > MAX_FILE_BYTES:
        raise IcpError(source, [f"file is over {MAX_FILE_BYTES // 1024} KiB: not an ICP file"])
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise IcpError(source, [f"not UTF-8 text (byte {exc.start})"]) from None
    try:
        data = load_yaml_text(text)
    except _RefusedYaml as exc:
        raise IcpError(source, [str(exc)]) from None
    except yaml.YAMLError as exc:
        raise IcpError(source, [f"not valid YAML: {exc}"]) from None
    except RecursionError:
        raise IcpError(source, ["YAML nested too deeply"]) from None
    if data is None:
        raise IcpError(
            source,
            ["the file is empty; an ICP file says what it selects (write `criteria: {}` to select every company)"],
        )
    missing = (
        ["criteria: missing; an ICP file says what it selects (write `criteria: {}` to select every company)"]
        if isinstance(data, dict) and "criteria" not in data
        else []
    )
    try:
        config = parse_icp(data, default_name=path.stem, source=source)
    except IcpError as exc:
        raise IcpError(source, [*missing, *exc.errors]) from None
    if missing:
        raise IcpError(source, missing)
    return config
