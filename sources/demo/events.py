"""Dated facts the registries publish (creations, officer changes, capital increases, new
sites, headcount moves, transfers, sales, collective proceedings, closures, radiations).

Most fall within the two years before `as_of`, a third of the synthetic ones in the last 90
days, so a demo run shows every signal type. Details are small JSON objects (contract).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

from sources.demo import mix
from sources.demo.officers import recent_day
from sources.demo.places import PlaceSampler

EPOCH = dt.date(1970, 1, 1)
WINDOW_DAYS = 730
COLUMNS = ["siren", "event_id", "event_type", "event_date", "details"]


def _frame(siren: pl.Series, event_type: str, day: np.ndarray, details: pl.Series | str) -> pl.DataFrame:
    n = len(siren)
    det = details if isinstance(details, pl.Series) else pl.Series([details] * n, dtype=pl.String)
    return pl.DataFrame(
        {
            "siren": siren,
            "event_type": pl.Series([event_type] * n, dtype=pl.String),
            "event_day": pl.Series(np.asarray(day, dtype=np.int64)),
            "details": det.alias("details"),
        }
    )


def _json_str(values: pl.Series) -> pl.Series:
    """Strings -> JSON string literals."""
    escaped = values.str.replace_all("\\", "\\\\", literal=True).str.replace_all('"', '\\"', literal=True)
    return '"' + escaped + '"'


def _details(**fields: pl.Series | str) -> pl.Series:
    """A JSON object per row from already JSON-encoded values (Series, or one literal for all rows)."""
    frame = pl.DataFrame({k: v.cast(pl.String) for k, v in fields.items() if isinstance(v, pl.Series)})
    pieces: list[pl.Expr] = []
    for i, (key, value) in enumerate(fields.items()):
        pieces.append(pl.lit(("{" if i == 0 else ", ") + f'"{key}": '))
        pieces.append(pl.col(key) if isinstance(value, pl.Series) else pl.lit(value))
    pieces.append(pl.lit("}"))
    if frame.width == 0:
        raise ValueError("at least one column value is needed")
    return frame.select(pl.concat_str(pieces).alias("details")).to_series()


def build_events(
    rng: np.random.Generator,
    units: pl.DataFrame,
    establishments: pl.DataFrame,
    officers: pl.DataFrame,
    sampler: PlaceSampler,
    as_of: dt.date,
) -> pl.DataFrame:
    today = (as_of - EPOCH).days
    start = today - WINDOW_DAYS
    n = units.height
    created = units["date_creation"].cast(pl.Int32).to_numpy().astype(np.int64)
    closed = units["date_closed"].cast(pl.Int32).fill_null(-(10**6)).to_numpy().astype(np.int64)
    active = units["active"].to_numpy()
    is_person = units["is_person"].to_numpy()
    siren = units["siren"]
    parts: list[pl.DataFrame] = []

    def recent(rows: np.ndarray) -> np.ndarray:
        return np.minimum(np.maximum(recent_day(rng, rows.size, as_of), created[rows] + 1), today)

    rows = np.flatnonzero(created >= start)
    parts.append(_frame(siren.gather(rows), "creation", created[rows], "{}"))

    # officer changes: a replaced officer (out) and his successor (in), or a new second officer
    off = officers.with_columns(
        pl.col("start_date").cast(pl.Int32).alias("s"), pl.col("end_date").cast(pl.Int32).alias("e")
    )
    outgoing = off.filter(pl.col("e").is_not_null()).select(
        "siren", pl.col("officer_id").alias("out"), pl.col("e").alias("day")
    )
    incoming = off.filter(pl.col("e").is_null()).select(
        "siren", pl.col("officer_id").alias("in"), pl.col("s").alias("day")
    )
    pairs = outgoing.join(incoming, on=["siren", "day"], how="inner").unique(
        ["siren", "out"], keep="first", maintain_order=True
    )
    paired_in = set(pairs["in"].to_list())
    added = incoming.filter(
        (pl.col("day") >= start)
        & ~pl.col("in").is_in(list(paired_in))
        & (pl.col("day") > pl.col("day").min().over("siren"))
    )
    for frame, has_out in ((pairs, True), (added, False)):
        out = frame["out"] if has_out else "null"
        parts.append(
            _frame(
                frame["siren"],
                "officer_change",
                frame["day"].to_numpy(),
                _details(officer_id_in=frame["in"], officer_id_out=out),
            )
        )

    capital = units["capital"].fill_null(0).to_numpy()
    rows = np.flatnonzero(active & (capital > 1) & (rng.random(n) < 0.04))
    before = np.maximum(1, (capital[rows] * rng.uniform(0.1, 0.8, rows.size)).astype(np.int64))
    parts.append(
        _frame(
            siren.gather(rows),
            "capital_increase",
            recent(rows),
            _details(capital_before=pl.Series(before), capital_after=pl.Series(capital[rows])),
        )
    )

    est = establishments.filter(~pl.col("is_siege") & (pl.col("date_creation").cast(pl.Int32) >= start))
    parts.append(
        _frame(
            est["siren"],
            "new_establishment",
            est["date_creation"].cast(pl.Int32).to_numpy(),
            _details(siret=_json_str(est["siret"])),
        )
    )

    band = units["tranche_effectifs"]
    idx = (
        band.replace_strict({b: i for i, b in enumerate(mix.BAND_ORDER)}, default=-1, return_dtype=pl.Int64)
        .fill_null(-1)
        .to_numpy()
    )
    order = pl.Series(mix.BAND_ORDER, dtype=pl.String)
    rows = np.flatnonzero(active & (idx >= mix.BAND_ORDER.index("01")) & (rng.random(n) < 0.06))
    up = rng.random(rows.size) < 0.6
    top = len(mix.BAND_ORDER) - 1
    before_idx = np.where(up, idx[rows] - 1, np.minimum(idx[rows] + 1, top))
    for kind, mask in (("headcount_up", up), ("headcount_down", ~up & (idx[rows] < top))):
        r = rows[mask]
        parts.append(
            _frame(
                siren.gather(r),
                kind,
                recent(r),
                _details(band_before=_json_str(order.gather(before_idx[mask])), band_after=_json_str(band.gather(r))),
            )
        )

    rows = np.flatnonzero(active & (rng.random(n) < 0.02))
    from_code = sampler.frame["code"].gather(sampler.anywhere(rng, rows.size))
    parts.append(
        _frame(
            siren.gather(rows),
            "transfer",
            recent(rows),
            _details(from_commune=_json_str(from_code), to_commune=_json_str(units["commune_code"].gather(rows))),
        )
    )

    companies = units.filter(pl.col("denomination").is_not_null())["denomination"]
    rows = np.flatnonzero(
        active
        & ~np.isin(units["categorie_juridique"].to_numpy(), ("6540", "9110", "7210", "7346"))
        & (rng.random(n) < 0.01)
    )
    buyers = companies.gather(rng.integers(0, max(len(companies), 1), rows.size))
    parts.append(_frame(siren.gather(rows), "sale", recent(rows), _details(buyer=_json_str(buyers))))

    # closures in the window: closure, often a liquidation before, a radiation after
    rows = np.flatnonzero(~active & (closed >= start))
    parts.append(_frame(siren.gather(rows), "closure", closed[rows], "{}"))
    liq = rows[(rng.random(rows.size) < 0.35) & ~is_person[rows]]
    liq_day = np.maximum(closed[liq] - rng.integers(30, 300, liq.size), created[liq] + 1)
    parts.append(_frame(siren.gather(liq), "collective_proceeding", liq_day, '{"kind": "liquidation"}'))
    rad_day = closed[rows] + rng.integers(15, 120, rows.size)
    r = rows[rad_day <= today]
    parts.append(_frame(siren.gather(r), "radiation", rad_day[rad_day <= today], "{}"))
    rows = np.flatnonzero(active & ~is_person & (rng.random(n) < 0.012))
    kinds = pl.Series(["sauvegarde", "redressement", "liquidation"]).gather(
        rng.choice(3, rows.size, p=[0.25, 0.55, 0.2])
    )
    parts.append(_frame(siren.gather(rows), "collective_proceeding", recent(rows), _details(kind=_json_str(kinds))))

    events = pl.concat(parts).filter(pl.col("event_day") <= today)
    events = events.with_columns(pl.col("event_day").cast(pl.Int32).cast(pl.Date).alias("event_date"))
    events = events.sort("event_date", "siren", "event_type", maintain_order=True)
    return events.with_row_index("event_id", offset=1).with_columns(pl.col("event_id").cast(pl.Int64)).select(COLUMNS)
