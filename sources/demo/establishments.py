"""Establishments (SIRET) of the generated units: every unit has its siège, bigger ones have
more sites (about 1.3 per unit overall, heavy-tailed: a national chain has hundreds)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

from sources.demo import ids, mix
from sources.demo.names import Pools, pick, streets
from sources.demo.places import PlaceSampler

EPOCH = dt.date(1970, 1, 1)

# extra sites by headcount band (Poisson mean), on top of a small geometric count
EXTRA_SITES_BY_BAND = {
    "11": 0.5,
    "12": 1,
    "21": 2,
    "22": 4,
    "31": 6,
    "32": 10,
    "41": 20,
    "42": 40,
    "51": 80,
    "52": 150,
    "53": 300,
}
MAX_SITES = 2000

ESTABLISHMENT_COLUMNS = [
    "siren",
    "nic",
    "siret",
    "is_siege",
    "active",
    "date_creation",
    "tranche_effectifs",
    "naf",
    "commune_code",
    "commune_name",
    "postal_code",
    "departement",
    "street_number",
    "street_type",
    "street_name",
    "statut_diffusion",
]


def build_establishments(
    rng: np.random.Generator,
    pools: Pools,
    sampler: PlaceSampler,
    units: pl.DataFrame,
    unit_place_rows: np.ndarray,
    as_of: dt.date,
) -> tuple[pl.DataFrame, pl.Series]:
    """Returns (establishments, nic of each unit's siège aligned on `units`)."""
    n = units.height
    is_person = units["is_person"].to_numpy()
    band = units["tranche_effectifs"]
    extra = rng.geometric(np.where(is_person, 0.9, 0.76)) - 1
    lam = band.replace_strict(EXTRA_SITES_BY_BAND, default=0.0, return_dtype=pl.Float64).fill_null(0.0).to_numpy()
    extra = extra + rng.poisson(lam)
    count = np.minimum(1 + extra, MAX_SITES).astype(np.int64)

    total = int(count.sum())
    unit = np.repeat(np.arange(n), count)
    starts = np.cumsum(count) - count
    k = np.arange(total) - np.repeat(starts, count)
    siege_k = np.where(rng.random(n) < 0.75, 0, (rng.random(n) * count).astype(np.int64))
    is_siege = k == siege_k[unit]

    siren_int = units["siren"].cast(pl.Int64).to_numpy()
    nic_int = ids.siret_nic(siren_int[unit], k + 1)
    nic = ids.zero_pad(nic_int, 5, "nic")
    siren = units["siren"].gather(unit)

    today = (as_of - EPOCH).days
    unit_active = units["active"].to_numpy()
    created = (units["date_creation"].cast(pl.Int32).to_numpy()).astype(np.int64)
    closed = units["date_closed"].cast(pl.Int32).fill_null(today).to_numpy().astype(np.int64)
    real_created = np.maximum(created, (dt.date(1950, 1, 1) - EPOCH).days)
    span = np.maximum(closed - real_created, 1)
    u = rng.random(total)
    est_created = real_created[unit] + (np.power(u, 0.6) * span[unit]).astype(np.int64)
    est_created = np.where(k == 0, created[unit], est_created)
    active = unit_active[unit] & (is_siege | (rng.random(total) < 0.65))

    # places: the siège is where the unit is; other sites mostly nearby
    rows = unit_place_rows[unit].copy()
    others = np.flatnonzero(~is_siege)
    nearby = rng.random(others.size) < 0.55
    rows[others[nearby]] = sampler.same_departement(rng, rows[others[nearby]])
    rows[others[~nearby]] = sampler.anywhere(rng, int((~nearby).sum()))
    place = sampler.columns(rows).drop("region", "city")

    band_idx = (
        band.replace_strict({b: i for i, b in enumerate(mix.BAND_ORDER)}, default=-1, return_dtype=pl.Int64)
        .fill_null(-1)
        .to_numpy()[unit]
    )
    lower = np.maximum(band_idx - rng.integers(1, 4, size=total), mix.BAND_ORDER.index("00"))
    est_band_idx = np.where(is_siege | (band_idx < mix.BAND_ORDER.index("01")), band_idx, lower)
    order = pl.Series(list(mix.BAND_ORDER) + [None], dtype=pl.String)
    est_band = order.gather(np.where(est_band_idx < 0, len(mix.BAND_ORDER), est_band_idx))

    naf = units["naf"].gather(unit)
    other_activity = ~is_siege & (rng.random(total) < 0.08) & ~is_person[unit]
    naf = naf.scatter(np.flatnonzero(other_activity), pick(rng, list(mix.POOLS["business"]), int(other_activity.sum())))

    frame = pl.DataFrame(
        {
            "siren": siren,
            "nic": nic,
            "is_siege": is_siege,
            "active": active,
            "date_creation": pl.Series(est_created.astype(np.int32)).cast(pl.Date),
            "tranche_effectifs": est_band,
            "naf": naf,
            "statut_diffusion": units["statut_diffusion"].gather(unit),
        }
    )
    frame = pl.concat([frame, place, streets(rng, pools, total)], how="horizontal")
    frame = frame.with_columns(pl.concat_str(["siren", "nic"]).alias("siret")).select(ESTABLISHMENT_COLUMNS)
    siege_nic = nic.filter(pl.Series(is_siege))
    return frame, siege_nic
