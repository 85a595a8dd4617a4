"""Universe rows -> SIRENE stock rows (all 35 / 54 columns, typed), one chunk at a time.

The columns INSEE fills but the universe does not model (sigle, prénoms 2-4, dates of last
processing, number of periods, address details, Lambert coordinates...) are drawn here from a
chunk-seeded generator, so the output is deterministic. Statut 'P' rows are masked with
`[ND]` exactly as sirene.md §4 describes: only values that exist are replaced (a company
without a sigle keeps an empty sigle).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

from sources.demo import mix
from sources.demo.universe import naf2025_of
from sources.sirene.schema import ND_MARK

EPOCH = dt.date(1970, 1, 1)
REV2_SINCE = dt.date(2008, 1, 1)

UL_MASK_ALL = [
    "sigleUniteLegale",
    "sexeUniteLegale",
    "prenom1UniteLegale",
    "prenom2UniteLegale",
    "prenom3UniteLegale",
    "prenom4UniteLegale",
    "prenomUsuelUniteLegale",
    "pseudonymeUniteLegale",
    "nomUniteLegale",
    "nomUsageUniteLegale",
]
UL_MASK_PP = [
    "denominationUniteLegale",
    "denominationUsuelle1UniteLegale",
    "denominationUsuelle2UniteLegale",
    "denominationUsuelle3UniteLegale",
]
ET_MASK_ALL = [
    "complementAdresseEtablissement",
    "numeroVoieEtablissement",
    "indiceRepetitionEtablissement",
    "dernierNumeroVoieEtablissement",
    "indiceRepetitionDernierNumeroVoieEtablissement",
    "typeVoieEtablissement",
    "libelleVoieEtablissement",
    "codePostalEtablissement",
    "distributionSpecialeEtablissement",
    "codeCedexEtablissement",
    "libelleCedexEtablissement",
    "identifiantAdresseEtablissement",
    "coordonneeLambertAbscisseEtablissement",
    "coordonneeLambertOrdonneeEtablissement",
    "complementAdresse2Etablissement",
    "numeroVoie2Etablissement",
    "indiceRepetition2Etablissement",
    "typeVoie2Etablissement",
    "libelleVoie2Etablissement",
    "codePostal2Etablissement",
    "distributionSpeciale2Etablissement",
    "codeCedex2Etablissement",
    "libelleCedex2Etablissement",
]
ET_MASK_PP = [
    "enseigne1Etablissement",
    "enseigne2Etablissement",
    "enseigne3Etablissement",
    "denominationUsuelleEtablissement",
]
COMPLEMENTS = (
    "BATIMENT A",
    "ZONE ARTISANALE",
    "RESIDENCE LES PINS",
    "CENTRE COMMERCIAL",
    "ZI NORD",
    "LE BOURG",
    "PARC D ACTIVITES",
    "2EME ETAGE",
)
ARTISAN_DIVISIONS = ("10", "16", "25", "32", "33", "43", "45", "95", "96")


def _mask(columns: list[str], when: pl.Expr) -> list[pl.Expr]:
    return [
        pl.when(when & pl.col(c).is_not_null()).then(pl.lit(ND_MARK)).otherwise(pl.col(c)).alias(c) for c in columns
    ]


def _s(values, name: str, dtype=pl.String) -> pl.Series:
    return pl.Series(name, values, dtype=dtype)


def _day_series(days: np.ndarray, name: str) -> pl.Series:
    return pl.Series(name, days.astype(np.int32)).cast(pl.Date)


def _timestamps(rng: np.random.Generator, lo: np.ndarray, hi: np.ndarray, name: str) -> pl.Series:
    """Random second between day `lo` and day `hi` (day numbers), as a Datetime series."""
    span = np.maximum(hi - lo, 0)
    day = lo + (rng.random(len(lo)) * (span + 1)).astype(np.int64)
    seconds = day * 86400 + rng.integers(3 * 3600, 22 * 3600, len(lo))
    return pl.Series(name, seconds * 1_000_000).cast(pl.Datetime("us"))


def _rev1(naf: pl.Series) -> pl.Series:
    section = naf.str.slice(0, 2).replace_strict(_division_sections(), default="")
    return section.replace_strict(mix.NAFREV1_BY_SECTION, default=mix.NAFREV1_DEFAULT)


_SECTIONS: dict[str, str] = {}


def _division_sections() -> dict[str, str]:
    if not _SECTIONS:
        from firmo.reference import read_reference

        divs = read_reference("naf_divisions")
        _SECTIONS.update(zip(divs["code"].to_list(), divs["section"].to_list(), strict=True))
    return _SECTIONS


def _pick_within(rng: np.random.Generator, values: pl.Series, n: int) -> pl.Series:
    pool = values.drop_nulls()
    if pool.len() == 0:
        return pl.Series([None] * n, dtype=pl.String)
    return pool.gather(rng.integers(0, pool.len(), n))


def unite_legale_rows(units: pl.DataFrame, rng: np.random.Generator, as_of: dt.date) -> pl.DataFrame:
    """StockUniteLegale rows (35 columns, canonical order and types) for a chunk of universe units."""
    n = units.height
    today = (as_of - EPOCH).days
    created = units["date_creation"].cast(pl.Int32).to_numpy().astype(np.int64)
    closed = units["date_closed"].cast(pl.Int32).fill_null(today).to_numpy().astype(np.int64)
    active = units["active"].to_numpy()
    person = units["is_person"].to_numpy()
    real_created = np.maximum(created, (dt.date(1950, 1, 1) - EPOCH).days)
    debut = np.where(active, real_created + (rng.random(n) * (today - real_created)).astype(np.int64), closed)
    rev1 = ~active & (closed < (REV2_SINCE - EPOCH).days) & (rng.random(n) < 0.7)
    band = units["tranche_effectifs"]
    year_eff = np.where(
        active, as_of.year - 2, np.minimum(as_of.year - 2, (closed // 365.25 + 1970).astype(np.int64) - 1)
    )
    cj = units["categorie_juridique"]

    frame = units.select(
        "siren",
        pl.col("statut_diffusion").alias("statutDiffusionUniteLegale"),
        pl.when(pl.Series(~active & (closed < (dt.date(2016, 1, 1) - EPOCH).days) & (rng.random(n) < 0.3)))
        .then(True)
        .alias("unitePurgeeUniteLegale"),
        pl.col("date_creation").alias("dateCreationUniteLegale"),
        pl.when(~pl.col("is_person") & pl.Series(rng.random(n) < 0.06))
        .then(pl.col("denomination").str.extract_all(r"\b[A-Z]").list.join(""))
        .alias("sigleUniteLegale"),
        pl.col("sex").alias("sexeUniteLegale"),
        pl.col("first_name").alias("prenom1UniteLegale"),
        pl.when(pl.col("is_person") & pl.Series(rng.random(n) < 0.35))
        .then(_pick_within(rng, units["first_name"], n))
        .alias("prenom2UniteLegale"),
        pl.lit(None, pl.String).alias("prenom3UniteLegale"),
        pl.lit(None, pl.String).alias("prenom4UniteLegale"),
        pl.col("first_name").alias("prenomUsuelUniteLegale"),
        pl.lit(None, pl.String).alias("pseudonymeUniteLegale"),
        pl.when(pl.col("categorie_juridique").str.starts_with("92") & pl.Series(rng.random(n) < 0.7))
        .then(pl.format("W{}", pl.Series(rng.integers(0, 10**9, n)).cast(pl.String).str.zfill(9)))
        .alias("identifiantAssociationUniteLegale"),
        pl.col("tranche_effectifs").alias("trancheEffectifsUniteLegale"),
        pl.when(band.is_not_null() & (band != "NN")).then(pl.Series(year_eff)).alias("anneeEffectifsUniteLegale"),
        _timestamps(
            rng,
            np.maximum(np.where(active, today - 1500, closed), real_created),
            np.full(n, today - 3),
            "dateDernierTraitementUniteLegale",
        ),
        pl.Series(1 + rng.poisson(1.3, n) + (~active).astype(np.int64)).alias("nombrePeriodesUniteLegale"),
        pl.col("categorie_entreprise").alias("categorieEntreprise"),
        pl.when(pl.col("categorie_entreprise").is_not_null())
        .then(pl.lit(as_of.year - 3, pl.Int64))
        .alias("anneeCategorieEntreprise"),
        _day_series(debut, "dateDebut"),
        pl.when(pl.col("active")).then(pl.lit("A")).otherwise(pl.lit("C")).alias("etatAdministratifUniteLegale"),
        pl.col("last_name").alias("nomUniteLegale"),
        pl.when((pl.col("sex") == "F") & pl.Series(rng.random(n) < 0.12))
        .then(_pick_within(rng, units["last_name"], n))
        .alias("nomUsageUniteLegale"),
        pl.col("denomination").alias("denominationUniteLegale"),
        pl.when(~pl.col("is_person") & pl.Series(rng.random(n) < 0.03))
        .then(pl.format("{} GROUPE", pl.col("denomination").str.extract(r"^(\S+)")))
        .alias("denominationUsuelle1UniteLegale"),
        pl.lit(None, pl.String).alias("denominationUsuelle2UniteLegale"),
        pl.lit(None, pl.String).alias("denominationUsuelle3UniteLegale"),
        pl.col("categorie_juridique").alias("categorieJuridiqueUniteLegale"),
        pl.when(pl.Series(rev1))
        .then(_rev1(units["naf"]))
        .otherwise(pl.col("naf"))
        .alias("activitePrincipaleUniteLegale"),
        pl.when(pl.Series(rev1))
        .then(pl.lit("NAFRev1"))
        .otherwise(pl.lit("NAFRev2"))
        .alias("nomenclatureActivitePrincipaleUniteLegale"),
        pl.col("siret_siege").str.slice(9, 5).alias("nicSiegeUniteLegale"),
        pl.when(cj.str.starts_with("92") | (cj == "9300"))
        .then(pl.lit("O"))
        .when(pl.Series(~person & active & (rng.random(n) < 0.15)))
        .then(pl.lit("N"))
        .alias("economieSocialeSolidaireUniteLegale"),
        pl.when((cj == "5710") & pl.Series(rng.random(n) < 0.004))
        .then(pl.lit("O"))
        .when(pl.Series(~person & active & (rng.random(n) < 0.15)))
        .then(pl.lit("N"))
        .alias("societeMissionUniteLegale"),
        pl.lit(None, pl.String).alias("caractereEmployeurUniteLegale"),  # "plus gérée, toujours null"
        pl.col("naf25").alias("activitePrincipaleNAF25UniteLegale"),
    )
    frame = frame.with_columns(
        pl.col("anneeEffectifsUniteLegale").cast(pl.Int64), pl.col("nombrePeriodesUniteLegale").cast(pl.Int64)
    )
    p = pl.col("statutDiffusionUniteLegale") == "P"
    return frame.with_columns(_mask(UL_MASK_ALL, p) + _mask(UL_MASK_PP, p & pl.Series(person)))


def etablissement_rows(
    etabs: pl.DataFrame, units: pl.DataFrame, rng: np.random.Generator, as_of: dt.date
) -> pl.DataFrame:
    """StockEtablissement rows (54 columns) for a chunk of establishments; `units` must hold their units."""
    n = etabs.height
    today = (as_of - EPOCH).days
    joined = etabs.join(
        units.select(
            "siren",
            "is_person",
            "first_name",
            "denomination",
            "date_closed",
            "naf25",
            pl.col("active").alias("unit_active"),
        ),
        on="siren",
        how="left",
        maintain_order="left",
    )
    created = joined["date_creation"].cast(pl.Int32).to_numpy().astype(np.int64)
    real_created = np.maximum(created, (dt.date(1950, 1, 1) - EPOCH).days)
    unit_closed = joined["date_closed"].cast(pl.Int32).fill_null(today).to_numpy().astype(np.int64)
    active = joined["active"].to_numpy()
    person = joined["is_person"].to_numpy()
    own_close = real_created + 1 + (rng.random(n) * np.maximum(unit_closed - real_created - 1, 0)).astype(np.int64)
    ended = np.where(joined["unit_active"].to_numpy(), own_close, np.minimum(own_close, unit_closed))
    ended = np.where(joined["is_siege"].to_numpy() & ~joined["unit_active"].to_numpy(), unit_closed, ended)
    debut = np.where(active, real_created + (rng.random(n) * (today - real_created)).astype(np.int64), ended)
    rev1 = ~active & (ended < (REV2_SINCE - EPOCH).days) & (rng.random(n) < 0.7)
    overseas = joined["departement"].str.len_chars().to_numpy() == 3
    has_geo = ~overseas & (rng.random(n) < np.where(active, 0.75, 0.3))
    band = joined["tranche_effectifs"]
    has_number = rng.random(n) < 0.87
    naf = joined["naf"]

    frame = joined.select(
        "siren",
        "nic",
        "siret",
        pl.col("statut_diffusion").alias("statutDiffusionEtablissement"),
        pl.col("date_creation").alias("dateCreationEtablissement"),
        pl.col("tranche_effectifs").alias("trancheEffectifsEtablissement"),
        pl.when(band.is_not_null() & (band != "NN"))
        .then(pl.lit(as_of.year - 2, pl.Int64))
        .alias("anneeEffectifsEtablissement"),
        pl.when(pl.col("naf").str.slice(0, 2).is_in(ARTISAN_DIVISIONS) & pl.Series(rng.random(n) < 0.35))
        .then(pl.col("naf").str.replace(".", "", literal=True) + "Z")
        .alias("activitePrincipaleRegistreMetiersEtablissement"),
        _timestamps(
            rng,
            np.maximum(np.where(active, today - 1500, ended), real_created),
            np.full(n, today - 3),
            "dateDernierTraitementEtablissement",
        ),
        pl.col("is_siege").alias("etablissementSiege"),
        pl.Series(1 + rng.poisson(0.9, n) + (~active).astype(np.int64)).alias("nombrePeriodesEtablissement"),
        pl.lit(None, pl.String).alias("complementAdresseEtablissement"),  # filled below
        pl.when(pl.Series(has_number)).then(pl.col("street_number")).alias("numeroVoieEtablissement"),
        pl.when(pl.Series(has_number & (rng.random(n) < 0.04)))
        .then(_s(np.where(rng.random(n) < 0.75, "B", "T"), "i"))
        .alias("indiceRepetitionEtablissement"),
        pl.lit(None, pl.String).alias("dernierNumeroVoieEtablissement"),
        pl.lit(None, pl.String).alias("indiceRepetitionDernierNumeroVoieEtablissement"),
        pl.col("street_type").alias("typeVoieEtablissement"),
        pl.col("street_name").alias("libelleVoieEtablissement"),
        pl.col("postal_code").alias("codePostalEtablissement"),
        pl.col("commune_name").alias("libelleCommuneEtablissement"),
        *(
            pl.lit(None, pl.String).alias(c)
            for c in ("libelleCommuneEtrangerEtablissement", "distributionSpecialeEtablissement")
        ),
        pl.col("commune_code").alias("codeCommuneEtablissement"),
        *(
            pl.lit(None, pl.String).alias(c)
            for c in (
                "codeCedexEtablissement",
                "libelleCedexEtablissement",
                "codePaysEtrangerEtablissement",
                "libellePaysEtrangerEtablissement",
            )
        ),
        pl.when(pl.Series(has_geo))
        .then(
            pl.format(
                "{}_{}",
                pl.Series(rng.integers(0, 10**9, n)).cast(pl.String).str.zfill(9),
                _s(np.where(rng.random(n) < 0.9, "B", "C"), "t"),
            )
        )
        .alias("identifiantAdresseEtablissement"),
        pl.when(pl.Series(has_geo))
        .then(pl.Series(np.round(rng.uniform(120_000, 1_150_000, n), 1)).cast(pl.String))
        .alias("coordonneeLambertAbscisseEtablissement"),
        pl.when(pl.Series(has_geo))
        .then(pl.Series(np.round(rng.uniform(6_100_000, 7_100_000, n), 1)).cast(pl.String))
        .alias("coordonneeLambertOrdonneeEtablissement"),
        *(pl.lit(None, pl.String).alias(c) for c in SECONDARY_ADDRESS),
        _day_series(debut, "dateDebut"),
        pl.when(pl.col("active")).then(pl.lit("A")).otherwise(pl.lit("F")).alias("etatAdministratifEtablissement"),
        pl.when(pl.Series(rng.random(n) < 0.15) & pl.col("naf").str.slice(0, 2).is_in(("47", "56", "96", "10", "55")))
        .then(
            pl.when(pl.col("is_person"))
            .then(pl.format("CHEZ {}", pl.col("first_name")))
            .otherwise(pl.col("denomination"))
        )
        .alias("enseigne1Etablissement"),
        pl.lit(None, pl.String).alias("enseigne2Etablissement"),
        pl.lit(None, pl.String).alias("enseigne3Etablissement"),
        pl.when(~pl.col("is_person") & pl.Series(rng.random(n) < 0.03))
        .then(pl.col("denomination"))
        .alias("denominationUsuelleEtablissement"),
        pl.when(pl.Series(rev1)).then(_rev1(naf)).otherwise(pl.col("naf")).alias("activitePrincipaleEtablissement"),
        pl.when(pl.Series(rev1))
        .then(pl.lit("NAFRev1"))
        .otherwise(pl.lit("NAFRev2"))
        .alias("nomenclatureActivitePrincipaleEtablissement"),
        pl.when(~pl.col("active"))
        .then(pl.lit("N"))
        .when(band.is_not_null() & (band != "NN"))
        .then(pl.lit("O"))
        .otherwise(pl.lit("N"))
        .alias("caractereEmployeurEtablissement"),
        pl.when(pl.col("active") & pl.col("naf25").is_not_null())
        .then(naf2025_of(pl.col("naf"), pl.col("siren")))
        .alias("activitePrincipaleNAF25Etablissement"),
    )
    frame = frame.with_columns(
        pl.when(pl.Series(rng.random(n) < 0.04))
        .then(_s(np.array(COMPLEMENTS)[rng.integers(0, len(COMPLEMENTS), n)], "c"))
        .alias("complementAdresseEtablissement"),
        pl.col("anneeEffectifsEtablissement").cast(pl.Int64),
        pl.col("nombrePeriodesEtablissement").cast(pl.Int64),
    )
    p = pl.col("statutDiffusionEtablissement") == "P"
    return frame.with_columns(_mask(ET_MASK_ALL, p) + _mask(ET_MASK_PP, p & pl.Series(person)))


SECONDARY_ADDRESS = (
    "complementAdresse2Etablissement",
    "numeroVoie2Etablissement",
    "indiceRepetition2Etablissement",
    "typeVoie2Etablissement",
    "libelleVoie2Etablissement",
    "codePostal2Etablissement",
    "libelleCommune2Etablissement",
    "libelleCommuneEtranger2Etablissement",
    "distributionSpeciale2Etablissement",
    "codeCommune2Etablissement",
    "codeCedex2Etablissement",
    "libelleCedex2Etablissement",
    "codePaysEtranger2Etablissement",
    "libellePaysEtranger2Etablissement",
)
