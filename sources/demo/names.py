"""Names, denominations, web domains and street names.

Faker is slow (tens of microseconds a call), so it is called a few thousand times to fill
*pools* (seeded, hence reproducible), and rows then draw pool indices with numpy and assemble
strings with Polars expressions. Values are upper case without accents, like SIRENE's.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import numpy as np
import polars as pl
from faker import Faker


def ascii_upper(text: str) -> str:
    """'Élodie Lefèvre' -> 'ELODIE LEFEVRE' (SIRENE's spelling of names)."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"\s+", " ", plain.upper().replace("'", " ")).strip()


# Activity words used in denominations, by NAF division (fallback: none)
DIVISION_WORDS: dict[str, tuple[str, ...]] = {
    "01": ("EARL", "FERME", "EXPLOITATION"),
    "10": ("BOULANGERIE", "PATISSERIE", "FOURNIL"),
    "41": ("CONSTRUCTION", "BATIMENT", "HABITAT"),
    "43": ("BATIMENT", "RENOVATION", "ELEC", "PLOMBERIE", "TRAVAUX"),
    "45": ("AUTOMOBILES", "GARAGE", "AUTO SERVICES"),
    "46": ("DISTRIBUTION", "NEGOCE", "IMPORT EXPORT"),
    "47": ("BOUTIQUE", "COMMERCE", "SHOP", "MAISON"),
    "49": ("TRANSPORTS", "LOGISTIQUE", "EXPRESS"),
    "55": ("HOTEL", "RESIDENCE"),
    "56": ("RESTAURANT", "BRASSERIE", "PIZZERIA", "CAFE", "BISTROT"),
    "62": ("INFORMATIQUE", "DIGITAL", "SOFTWARE", "TECHNOLOGIES", "IT SERVICES"),
    "63": ("DATA", "CLOUD"),
    "64": ("HOLDING", "INVEST", "PARTICIPATIONS", "FINANCE"),
    "66": ("ASSURANCES", "PATRIMOINE", "COURTAGE"),
    "68": ("IMMOBILIER", "IMMO", "GESTION"),
    "69": ("AVOCATS", "EXPERTISE", "AUDIT", "CONSEIL"),
    "70": ("CONSEIL", "CONSULTING", "PARTNERS", "MANAGEMENT", "STRATEGIE"),
    "71": ("INGENIERIE", "ETUDES", "ARCHITECTURE"),
    "73": ("COMMUNICATION", "MEDIA", "MARKETING"),
    "74": ("DESIGN", "STUDIO", "SERVICES"),
    "77": ("LOCATION",),
    "81": ("PROPRETE", "NETTOYAGE", "ESPACES VERTS"),
    "82": ("SERVICES", "SOLUTIONS"),
    "85": ("FORMATION", "ACADEMIE", "ECOLE"),
    "86": ("SANTE", "MEDICAL", "CABINET"),
    "88": ("SERVICES A DOMICILE",),
    "93": ("SPORT", "FITNESS", "LOISIRS"),
    "96": ("COIFFURE", "BEAUTE", "INSTITUT"),
}
ASSOCIATION_PREFIXES = (
    "ASSOCIATION",
    "ASSOCIATION SPORTIVE",
    "CLUB",
    "AMICALE",
    "COMITE DES FETES DE",
    "UNION SPORTIVE DE",
    "ASSOCIATION DES PARENTS D ELEVES DE",
    "FOYER RURAL DE",
)
PLACE_WORDS = (
    "LES TILLEULS",
    "LES CHENES",
    "DU PARC",
    "DES LILAS",
    "LE MOULIN",
    "LA FONTAINE",
    "DU LAC",
    "LES PINS",
    "SAINT MARTIN",
    "DE LA GARE",
    "BEL AIR",
    "LES ROSES",
    "DU CENTRE",
    "LA COLLINE",
)
STREET_NAMES = (
    "DE LA REPUBLIQUE",
    "VICTOR HUGO",
    "JEAN JAURES",
    "DE LA GARE",
    "DE PARIS",
    "DU GENERAL DE GAULLE",
    "PASTEUR",
    "DE LA LIBERATION",
    "GAMBETTA",
    "DU MARECHAL FOCH",
    "DES LILAS",
    "DE L EGLISE",
    "NATIONALE",
    "DU COMMERCE",
    "DE VERDUN",
    "JULES FERRY",
    "DES ECOLES",
    "DU CHATEAU",
    "CARNOT",
    "DE LA MAIRIE",
    "DU 8 MAI 1945",
    "ANATOLE FRANCE",
    "DES ACACIAS",
    "DU MOULIN",
    "SAINT MARTIN",
)
STREET_TYPES = {
    "RUE": 55,
    "AV": 14,
    "BD": 7,
    "PL": 4,
    "CHE": 6,
    "RTE": 5,
    "ALL": 3,
    "IMP": 3,
    "QUAI": 1,
    "ZI": 1,
    "ZA": 1,
}
TLDS = {".fr": 70, ".com": 25, ".eu": 2, ".net": 3}


@dataclass(frozen=True)
class Pools:
    last_names: pl.Series
    male_first: pl.Series
    female_first: pl.Series
    company_words: pl.Series  # invented brand-like words ('VALMONT', 'LUMIERE')


def build_pools(seed: int, size: int = 4000) -> Pools:
    """Fill the name pools from Faker('fr_FR'), seeded: same seed, same pools."""
    fake = Faker("fr_FR")
    fake.seed_instance(seed)

    def unique(fn, n: int) -> pl.Series:
        values = {ascii_upper(fn()) for _ in range(n)}
        return pl.Series(sorted(v for v in values if v))

    words = {ascii_upper(w) for w in fake.words(nb=size, unique=False)} | {
        ascii_upper(fake.last_name()) for _ in range(size // 4)
    }
    return Pools(
        last_names=unique(fake.last_name, size),
        male_first=unique(fake.first_name_male, size // 2),
        female_first=unique(fake.first_name_female, size // 2),
        company_words=pl.Series(sorted(w for w in words if len(w) >= 4)),
    )


def pick(rng: np.random.Generator, pool: pl.Series | tuple | list, n: int, weights: dict | None = None) -> pl.Series:
    """n values drawn from a pool (uniformly or by weight) as a Polars string series."""
    if weights is not None:
        keys = list(weights)
        p = np.array([weights[k] for k in keys], dtype=float)
        idx = rng.choice(len(keys), size=n, p=p / p.sum())
        return pl.Series(keys, dtype=pl.String).gather(idx)
    series = pool if isinstance(pool, pl.Series) else pl.Series(list(pool), dtype=pl.String)
    return series.gather(rng.integers(0, len(series), size=n))


def first_names(rng: np.random.Generator, pools: Pools, sex: np.ndarray) -> pl.Series:
    """One first name per row matching `sex` ('M'/'F')."""
    n = len(sex)
    male, female = pick(rng, pools.male_first, n), pick(rng, pools.female_first, n)
    return pl.select(pl.when(pl.Series(sex) == "M").then(male).otherwise(female)).to_series().alias("first_name")


def denominations(
    rng: np.random.Generator, pools: Pools, pool_kind: pl.Series, naf: pl.Series, city: pl.Series
) -> pl.Series:
    """Company names shaped after their kind: 'SCI LES TILLEULS', 'DUPONT CONSEIL', 'CLUB LYON'.

    `city` is the upper-case town name of the head office (used by associations and communes).
    """
    n = len(pool_kind)
    word = pl.Series([None] * n, dtype=pl.String)
    div = naf.str.slice(0, 2)
    for d, words in DIVISION_WORDS.items():
        mask = (div == d).to_numpy()
        if mask.any():
            word = word.scatter(np.flatnonzero(mask), pick(rng, words, int(mask.sum())))
    frame = pl.DataFrame(
        {
            "kind": pool_kind,
            "word": word.fill_null("SERVICES"),
            "commune": city,
            "last": pick(rng, pools.last_names, n),
            "brand": pick(rng, pools.company_words, n),
            "place": pick(rng, PLACE_WORDS, n),
            "assoc": pick(rng, ASSOCIATION_PREFIXES, n),
            "style": rng.integers(0, 4, size=n),
        }
    )
    expr = (
        pl.when(pl.col("kind") == "sci")
        .then(
            pl.when(pl.col("style") < 2)
            .then(pl.format("SCI {}", pl.col("last")))
            .otherwise(pl.format("SCI {}", pl.col("place")))
        )
        .when(pl.col("kind") == "copro")
        .then(pl.format("SYNDICAT DES COPROPRIETAIRES RESIDENCE {}", pl.col("place")))
        .when(pl.col("kind") == "association")
        .then(pl.format("{} {}", pl.col("assoc"), pl.col("commune")))
        .when(pl.col("kind") == "public")
        .then(pl.format("COMMUNE DE {}", pl.col("commune")))
        .when(pl.col("kind") == "holding")
        .then(pl.format("{} {}", pl.col("word"), pl.col("last")))
        .when(pl.col("style") == 0)
        .then(pl.format("{} {}", pl.col("last"), pl.col("word")))
        .when(pl.col("style") == 1)
        .then(pl.format("{} {}", pl.col("brand"), pl.col("word")))
        .when(pl.col("style") == 2)
        .then(pl.col("brand"))
        .otherwise(pl.format("{} ET FILS", pl.col("last")))
    )
    return frame.select(expr.alias("denomination")).to_series()


def slug(names: pl.Series) -> pl.Series:
    """'DUPONT CONSEIL' -> 'dupont-conseil' (names are already ASCII)."""
    return (
        names.str.to_lowercase()
        .str.replace_all(r"[^a-z0-9]+", "-")
        .str.strip_chars("-")
        .str.slice(0, 40)
        .str.strip_chars("-")
    )


def domains(rng: np.random.Generator, base: pl.Series) -> pl.Series:
    """Web domains built from a name: slug + weighted TLD."""
    return pl.select(pl.concat_str([slug(base), pick(rng, (), len(base), TLDS)])).to_series().alias("domain")


def streets(rng: np.random.Generator, pools: Pools, n: int) -> pl.DataFrame:
    """street_number (heavy toward small numbers), street_type, street_name."""
    number = np.minimum(rng.geometric(0.05, size=n), 350)
    generic = pick(rng, STREET_NAMES, n)
    person = pl.concat_str([pick(rng, pools.male_first, n), pick(rng, pools.last_names, n)], separator=" ")
    name = pl.select(pl.when(pl.Series(rng.random(n) < 0.6)).then(generic).otherwise(person)).to_series()
    return pl.DataFrame(
        {
            "street_number": pl.Series(number).cast(pl.String),
            "street_type": pick(rng, (), n, STREET_TYPES),
            "street_name": name,
        }
    )
