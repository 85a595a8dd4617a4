"""Where generated companies are: real communes from `firmo/reference/communes_sample.csv`,
drawn by weight (population-ish), so every région appears in proportion to its size and the
codes are ones a loader will meet in the real file (Paris arrondissements, 2A/2B, 97x, 98x)."""

from __future__ import annotations

import functools
import re

import numpy as np
import polars as pl

from firmo.reference import read_reference
from sources.demo.names import ascii_upper

_ARRONDISSEMENT = re.compile(r"^(Paris|Lyon|Marseille) (\d+)(?:er|e) Arrondissement$")


def sirene_commune_label(name: str) -> str:
    """Commune name as SIRENE writes it: 'Paris 8e Arrondissement' -> 'PARIS 8', 'Nîmes' -> 'NIMES'."""
    match = _ARRONDISSEMENT.match(name)
    if match:
        return f"{match.group(1).upper()} {int(match.group(2))}"
    return ascii_upper(name)


def city_name(name: str) -> str:
    """Town name without arrondissement, for company names: 'Lyon 3e Arrondissement' -> 'LYON'."""
    match = _ARRONDISSEMENT.match(name)
    return match.group(1).upper() if match else ascii_upper(name)


@functools.cache
def communes() -> pl.DataFrame:
    """The drawable communes, sorted by département, with région and SIRENE labels."""
    deps = read_reference("departements").select(
        pl.col("code").alias("departement"), pl.col("region_code").alias("region")
    )
    frame = (
        read_reference("communes_sample")
        .join(deps, on="departement", how="left")
        .sort("departement", "code")
        .with_columns(
            pl.col("name").map_elements(sirene_commune_label, return_dtype=pl.String).alias("sirene_label"),
            pl.col("name").map_elements(city_name, return_dtype=pl.String).alias("city"),
        )
    )
    return frame


class PlaceSampler:
    """Vectorised draws of commune row indices, anywhere or within a given département."""

    def __init__(self) -> None:
        frame = communes()
        self.frame = frame
        weights = frame["weight"].to_numpy().astype(float)
        self.cum = np.cumsum(weights)
        deps = frame["departement"].to_numpy()
        self.dep_codes, starts = np.unique(deps, return_index=True)
        ends = np.append(starts[1:], len(deps))
        self.dep_lo = np.where(starts > 0, self.cum[starts - 1], 0.0)
        self.dep_hi = self.cum[ends - 1]
        self.dep_index = {code: i for i, code in enumerate(self.dep_codes)}
        self.row_dep = np.searchsorted(self.dep_codes, deps)

    def anywhere(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return np.searchsorted(self.cum, rng.random(n) * self.cum[-1], side="right")

    def same_departement(self, rng: np.random.Generator, rows: np.ndarray) -> np.ndarray:
        """For each given commune row, another commune of its département (weighted)."""
        d = self.row_dep[rows]
        target = self.dep_lo[d] + rng.random(len(rows)) * (self.dep_hi[d] - self.dep_lo[d])
        return np.minimum(np.searchsorted(self.cum, target, side="right"), len(self.cum) - 1)

    def columns(self, rows: np.ndarray) -> pl.DataFrame:
        """commune_code, commune_name, postal_code, departement, region (+ city) for row indices."""
        return self.frame.select(
            pl.col("code").alias("commune_code"),
            pl.col("sirene_label").alias("commune_name"),
            "postal_code",
            "departement",
            "region",
            "city",
        )[rows]
