"""A synthetic but realistic French business universe, the single source every fake registry
file (SIRENE, INPI, BODACC) is written from, so that the three agree with each other.

`build_universe(n_companies, seed, as_of)` is deterministic for its arguments and vectorised
(numpy + Polars): names come from seeded Faker pools, never one Faker call per row, so a
million companies build in seconds. Shares (legal forms, activities, sizes, closures, places)
live in `mix.py`; the contract is /tmp/universe_contract.md (units, establishments, officers,
events).
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

import numpy as np
import polars as pl

from sources.demo import ids, mix
from sources.demo.establishments import build_establishments
from sources.demo.events import build_events
from sources.demo.names import Pools, build_pools, denominations, domains, first_names, pick
from sources.demo.officers import build_officers
from sources.demo.places import PlaceSampler

log = logging.getLogger(__name__)

EPOCH = dt.date(1970, 1, 1)
UNKNOWN_DATE = dt.date(1900, 1, 1)  # SIRENE's "date non renseignée" (sirene.md §3.2)


@dataclass(frozen=True)
class Universe:
    units: pl.DataFrame
    establishments: pl.DataFrame
    officers: pl.DataFrame
    events: pl.DataFrame
    seed: int = 42
    as_of: dt.date = dt.date(2026, 11, 1)


def days(d: dt.date) -> int:
    return (d - EPOCH).days


def to_dates(day_numbers: np.ndarray, name: str) -> pl.Series:
    return pl.Series(name, day_numbers.astype(np.int32)).cast(pl.Date)


def build_universe(n_companies: int, seed: int = 42, as_of: dt.date = dt.date(2026, 11, 1)) -> Universe:
    """Units, establishments, officers and events of `n_companies` legal units."""
    if n_companies < 1:
        raise ValueError("n_companies must be >= 1")
    rng = np.random.default_rng([seed, 1])
    pools = build_pools(seed)
    sampler = PlaceSampler()
    units, place_rows = _units(rng, pools, sampler, n_companies, as_of)
    establishments, siege = build_establishments(
        np.random.default_rng([seed, 2]), pools, sampler, units, place_rows, as_of
    )
    units = units.with_columns(pl.concat_str([pl.col("siren"), siege]).alias("siret_siege")).select(UNIT_COLUMNS)
    officers = build_officers(np.random.default_rng([seed, 3]), pools, units, as_of)
    events = build_events(np.random.default_rng([seed, 4]), units, establishments, officers, sampler, as_of)
    log.info(
        "universe: %d units, %d establishments, %d officers, %d events",
        units.height,
        establishments.height,
        officers.height,
        events.height,
    )
    return Universe(units, establishments, officers, events, seed, as_of)


UNIT_COLUMNS = [
    "siren",
    "is_person",
    "denomination",
    "last_name",
    "first_name",
    "sex",
    "categorie_juridique",
    "naf",
    "naf25",
    "tranche_effectifs",
    "categorie_entreprise",
    "date_creation",
    "active",
    "date_closed",
    "statut_diffusion",
    "siret_siege",
    "commune_code",
    "commune_name",
    "postal_code",
    "departement",
    "region",
    "domain",
    "capital",
]


def _choice(rng: np.random.Generator, weights: dict, n: int) -> np.ndarray:
    keys, p = mix.normalised(weights)
    return np.array(keys, dtype=object)[rng.choice(len(keys), size=n, p=p)]


def _units(rng: np.random.Generator, pools: Pools, sampler: PlaceSampler, n: int, as_of: dt.date):
    is_person = rng.random(n) < mix.PERSON_SHARE

    forms = list(mix.COMPANY_FORMS)
    form_w = np.array([mix.COMPANY_FORMS[f][0] for f in forms])
    form_idx = rng.choice(len(forms), size=n, p=form_w / form_w.sum())
    form = np.where(is_person, "1000", np.array(forms)[form_idx])
    kind = np.where(is_person, "person", np.array([mix.COMPANY_FORMS[f][1] for f in forms])[form_idx])
    holding = np.isin(form, mix.HOLDING_FORMS) & (rng.random(n) < mix.HOLDING_SHARE)
    kind = np.where(holding, "holding", kind)

    naf = np.empty(n, dtype=object)
    for pool, weights in mix.POOLS.items():
        rows = np.flatnonzero(kind == pool)
        if rows.size:
            naf[rows] = _choice(rng, weights, rows.size)

    # creation: half recent (exponential, mean 6 years), half spread over 70 years
    today = days(as_of)
    age = np.where(rng.random(n) < 0.5, rng.exponential(6 * 365.25, n), rng.random(n) * 70 * 365.25)
    age = np.minimum(age, 75 * 365.25).astype(np.int64) + 1
    created = today - age

    # closures: likelier with age and for sole traders; public bodies and copropriétés persist
    raw = (0.15 + 0.85 * np.minimum(age / (25 * 365.25), 1.0)) * np.where(is_person, 1.35, 0.85)
    raw = np.where(np.isin(kind, ("public", "copro")), 0.0, raw)
    p_closed = np.clip(raw * (1 - mix.ACTIVE_SHARE) / raw.mean(), 0, 0.97)
    active = rng.random(n) >= p_closed
    closed_at = created + 1 + (rng.random(n) * (today - created - 1)).astype(np.int64)
    closed_at = np.where(active, 0, np.maximum(closed_at, created + 1))
    # a few old ceased units have no known creation date
    unknown = ~active & (created < days(dt.date(1975, 1, 1))) & (rng.random(n) < 0.08)
    created = np.where(unknown, days(UNKNOWN_DATE), created)

    band = np.empty(n, dtype=object)
    groups = {
        "closed": (~active, mix.BANDS_CLOSED),
        "person": (active & is_person, mix.BANDS_ACTIVE_PERSON),
        "company": (active & ~is_person, mix.BANDS_ACTIVE_COMPANY),
    }
    for mask, band_weights in groups.values():
        rows = np.flatnonzero(mask)
        band[rows] = _choice(rng, band_weights, rows.size)
    non_employer = np.isin(kind, mix.NON_EMPLOYER_POOLS)
    band = np.where(non_employer & (band != None), "NN", band)  # noqa: E711 (numpy elementwise)
    public = kind == "public"
    band = np.where(
        public, _choice(rng, {"11": 3, "12": 3, "21": 2, "22": 1, "31": 0.4, "32": 0.6, "41": 0.2}, n), band
    )
    young = (today - created) < 365
    band = np.where(young & active & ~public, np.where(rng.random(n) < 0.5, "NN", None), band)  # type: ignore[call-overload]  # numpy's stubs refuse a None scalar; at run time it gives an object array
    band_index = _band_index(band)

    category = np.where(
        band_index >= mix.BAND_ORDER.index("52"), "GE", np.where(band_index >= mix.BAND_ORDER.index("32"), "ETI", "PME")
    )
    category = np.where(active & ~young & (rng.random(n) < 0.9), category, None)  # type: ignore[call-overload]  # numpy's stubs refuse a None scalar; at run time it gives an object array

    p_share = np.where(is_person, mix.P_SHARE_PERSON, mix.P_SHARE_COMPANY)
    statut = np.where(rng.random(n) < p_share, "P", "O")

    place_rows = sampler.anywhere(rng, n)
    place = sampler.columns(place_rows)

    sex = np.where(is_person, np.where(rng.random(n) < 0.6, "M", "F"), None)  # type: ignore[call-overload]  # numpy's stubs refuse a None scalar; at run time it gives an object array
    first = first_names(rng, pools, np.where(sex == None, "M", sex))  # noqa: E711
    last = pick(rng, pools.last_names, n)
    denom = denominations(rng, pools, _strings(kind), _strings(naf), place["city"])

    person_s = pl.Series(is_person)
    name_base = pl.select(
        pl.when(person_s).then(pl.concat_str([first, last], separator=" ")).otherwise(denom)
    ).to_series()
    p_domain = np.select([is_person, np.isin(kind, ("sci", "copro")), kind == "association"], [0.65, 0.08, 0.6], 0.88)
    domain = domains(rng, name_base)
    domain = pl.select(pl.when(pl.Series(rng.random(n) < p_domain)).then(domain)).to_series()

    capital = rng.choice(mix.CAPITALS, size=n, p=mix.CAPITAL_WEIGHTS / mix.CAPITAL_WEIGHTS.sum())
    capital = capital * np.power(10.0, np.maximum(0, band_index - 5) * 0.5).astype(np.int64)
    has_capital = ~is_person & ~np.isin(kind, mix.NO_CAPITAL_POOLS)

    naf_s = _strings(naf, "naf")
    sirens = ids.zero_pad(ids.draw_sirens(rng, n), 9, "siren")
    frame = pl.DataFrame(
        {
            "siren": sirens,
            "is_person": is_person,
            "denomination": pl.select(pl.when(~person_s).then(denom)).to_series(),
            "last_name": pl.select(pl.when(person_s).then(last)).to_series(),
            "first_name": pl.select(pl.when(person_s).then(first)).to_series(),
            "sex": _strings(sex),
            "categorie_juridique": _strings(form),
            "naf": naf_s,
            "naf25": _naf25(rng, naf_s, sirens, active),
            "tranche_effectifs": _strings(band),
            "categorie_entreprise": _strings(category),
            "date_creation": to_dates(created, "date_creation"),
            "active": active,
            "date_closed": to_dates(closed_at, "date_closed"),
            "statut_diffusion": _strings(statut),
            "kind": _strings(kind),
            "domain": domain,
            "capital": pl.Series(np.where(has_capital, capital, 0)),
        }
    ).with_columns(
        pl.when(pl.col("active")).then(None).otherwise(pl.col("date_closed")).alias("date_closed"),
        pl.when(pl.col("capital") > 0).then(pl.col("capital")).alias("capital"),
    )
    frame = pl.concat([frame, place.drop("city")], how="horizontal").with_columns(pl.Series("city", place["city"]))
    return frame, place_rows


def _strings(values: np.ndarray, name: str = "") -> pl.Series:
    """numpy str/object array (None = null) -> Polars String series."""
    return pl.Series(name, values.tolist(), dtype=pl.String)


def _band_index(band: np.ndarray) -> np.ndarray:
    """Band codes -> position in BAND_ORDER (-1 for null), to compare sizes."""
    lookup = {b: i for i, b in enumerate(mix.BAND_ORDER)}
    return _strings(band).replace_strict(lookup, default=-1, return_dtype=pl.Int64).fill_null(-1).to_numpy()


def naf2025_of(naf: pl.Expr, siren: pl.Expr) -> pl.Expr:
    """The NAF 2025 code INSEE's correspondence gives a NAF rév. 2 code; for a split, one of its
    targets picked by the SIREN (so a unit and its establishments agree, with no random draw).
    NULL for a code outside the table (rév. 1 codes of old ceased units)."""
    from firmo.reference import read_reference

    pairs = read_reference("naf_rev2_to_naf2025").group_by("naf_rev2", maintain_order=True).agg("naf2025")
    targets = naf.replace_strict(
        dict(zip(pairs["naf_rev2"].to_list(), pairs["naf2025"].to_list(), strict=True)),
        default=None,
        return_dtype=pl.List(pl.String),
    )
    return targets.list.get(siren.str.slice(0, 9).cast(pl.Int64, strict=False) % targets.list.len(), null_on_oob=True)


def _naf25(rng: np.random.Generator, naf: pl.Series, sirens: pl.Series, active: np.ndarray) -> pl.Series:
    """NAF 2025 code, null for ceased units and for ~20 % of active ones (not yet recoded)."""
    mapped = pl.select(naf2025_of(pl.lit(naf), pl.lit(sirens))).to_series()
    keep = active & (rng.random(len(naf)) >= mix.NAF25_MISSING_SHARE)
    return pl.select(pl.when(pl.Series(keep)).then(mapped)).to_series().alias("naf25")
