"""DECP demo files for a generated universe: `decp.parquet` in the consolidated file's real column
set (sources/decp/columns.py), and `decp_delta.parquet`, the awards of the last days that the
stand-in tabular API (sources/decp/fake.py) serves to the daily delta.

What it holds, as the real file does: buyers are public bodies with a SIRET (the universe's
communes and groupements, plus a few state buyers, one of them the defence ministry that SIRENE
does not list), and about 3 % of the active companies win one or more contracts. About 6 % of
contracts have a groupement of 2-4 titulaires, 2 % of titulaires are foreign companies known by a
VAT number (`titulaire_typeIdentifiant = TVA`), 0.5 % of amounts are the 12,311,111,111 sentinel
and 1 % are absent, 5 % of contracts were modified (an older state with donneesActuelles false),
and 3 % are published by two platforms (the same row under two sourceDataset values). Everything
is drawn from the universe's seed, so the same seed gives the same files.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from sources.decp.columns import COLUMNS, SENTINEL_AMOUNT
from sources.demo.universe import Universe

WIN_SHARE = 0.03
DELTA_DAYS = 3  # awards notified in the last days go to the delta file, not the stock
SOURCES = ("decp_aife", "pes_marche", "atexo_maximilien", "megalis_bretagne", "marches_publics_info")
STATE_BUYERS = (
    ("13001536500013", None, "État"),  # Ministère des Armées: absent from SIRENE, name left empty
    ("11000201100044", "MINISTERE DE L'INTERIEUR", "État"),
    ("26750045200011", "ASSISTANCE PUBLIQUE HOPITAUX DE PARIS", "Établissement hospitalier"),
    ("20005584600014", "SYNDICAT MIXTE DES MOBILITES", "Syndicat mixte"),
)
CATEGORY = {"7210": "Commune", "7346": "Groupement de communes"}
CPV = {
    "Travaux": ("45000000", "45210000", "45233140", "45262700", "45310000", "45421000", "45453000"),
    "Fournitures": ("30190000", "33140000", "34110000", "39130000", "15800000", "09310000"),
    "Services": ("72000000", "79340000", "90910000", "71000000", "80500000", "50700000"),
}
PROCEDURES = ("Procédure adaptée", "Appel d'offres ouvert", "Appel d'offres restreint", "Procédure avec négociation",
              "Marché passé sans publicité ni mise en concurrence préalable")  # fmt: skip
OBJECTS = {
    "Travaux": ("Réfection de la voirie communale", "Rénovation énergétique du groupe scolaire",
                "Travaux de couverture et d'étanchéité", "Aménagement d'un parking", "Extension de la médiathèque"),
    "Fournitures": ("Fourniture de mobilier scolaire", "Acquisition de véhicules utilitaires",
                    "Fourniture de denrées alimentaires", "Fourniture de matériel informatique"),
    "Services": ("Maintenance des installations de chauffage", "Nettoyage des locaux", "Assistance à maîtrise d'ouvrage",
                 "Prestations de formation", "Entretien des espaces verts"),
}  # fmt: skip
FOREIGN = (("ESB85535615", "CONSTRUCCIONES IBERICAS SL"), ("IT00802230151", "FORNITURE ITALIANE SPA"),
           ("DE129273398", "BAUTECHNIK GMBH"), ("BE0403170701", "SERVICES BELGES SA"))  # fmt: skip
POLARS = {"VARCHAR": pl.String, "DOUBLE": pl.Float64, "INTEGER": pl.Int16, "BOOLEAN": pl.Boolean, "DATE": pl.Date}


def _buyers(universe: Universe) -> list[dict[str, Any]]:
    public = universe.units.filter(pl.col("categorie_juridique").is_in(list(CATEGORY)) & pl.col("active"))
    buyers = [
        {
            "acheteur_id": u["siret_siege"],
            "acheteur_nom": u["denomination"],
            "acheteur_categorie": CATEGORY[u["categorie_juridique"]],
            "acheteur_commune_code": u["commune_code"],
            "acheteur_commune_nom": u["commune_name"],
            "acheteur_departement_code": u["departement"],
            "acheteur_region_code": u["region"],
        }
        for u in public.sort("siren").to_dicts()
    ]
    buyers += [{"acheteur_id": s, "acheteur_nom": n, "acheteur_categorie": c} for s, n, c in STATE_BUYERS]
    return buyers


def _suppliers(universe: Universe) -> list[dict[str, Any]]:
    units = universe.units.filter(
        pl.col("active") & ~pl.col("categorie_juridique").str.starts_with("7") & pl.col("siret_siege").is_not_null()
    ).sort("siren")
    return units.select(
        "siren", "siret_siege", "denomination", "first_name", "last_name", "categorie_entreprise",
        "commune_code", "commune_name", "departement", "region",
    ).to_dicts()  # fmt: skip


def contract_rows(universe: Universe) -> list[dict[str, Any]]:
    """Every row of the consolidated file (stock and delta), as Python values."""
    rng = np.random.default_rng([universe.seed, 15])
    buyers, suppliers = _buyers(universe), _suppliers(universe)
    if not suppliers:
        return []
    winners_n = max(1, round(len(suppliers) * WIN_SHARE))
    winners = [suppliers[i] for i in sorted(rng.choice(len(suppliers), size=winners_n, replace=False))]
    rows: list[dict[str, Any]] = []
    serial = 0
    for winner in winners:
        for _ in range(1 + int(rng.poisson(0.8))):
            serial += 1
            buyer = buyers[int(rng.integers(len(buyers)))]
            kind = ("Travaux", "Fournitures", "Services")[int(rng.choice(3, p=[0.45, 0.2, 0.35]))]
            recent = rng.random() < 0.03  # notified in the last days: the delta's rows
            notified = universe.as_of - timedelta(days=int(rng.integers(0, DELTA_DAYS if recent else 3 * 365)))
            year = notified.year
            titulaires: list[tuple[str, str, dict[str, Any] | None]] = [("SIRET", winner["siret_siege"], winner)]
            if rng.random() < 0.06:  # a groupement
                for _ in range(int(rng.integers(1, 4))):
                    other = suppliers[int(rng.integers(len(suppliers)))]
                    if other["siret_siege"] not in {t[1] for t in titulaires}:
                        titulaires.append(("SIRET", other["siret_siege"], other))
            if rng.random() < 0.02 * len(titulaires) + 0.01:
                vat = FOREIGN[int(rng.integers(len(FOREIGN)))][0]
                titulaires.append(("TVA", vat, None))
            amount: float | None = float(round(np.exp(rng.normal(11.5, 1.2)), 2))
            draw = rng.random()
            if draw < 0.005:
                amount = SENTINEL_AMOUNT
            elif draw < 0.015:
                amount = None
            contract = {
                "uid": f"{buyer['acheteur_id']}{year}{kind[0]}{serial:05d}",
                "id": f"{year}{kind[0]}{serial:05d}",
                "nature": "Marché",
                **buyer,
                "objet": OBJECTS[kind][int(rng.integers(len(OBJECTS[kind])))],
                "montant": amount,
                "type": kind,
                "codeCPV": CPV[kind][int(rng.integers(len(CPV[kind])))],
                "procedure": PROCEDURES[int(rng.choice(len(PROCEDURES), p=[0.6, 0.2, 0.05, 0.05, 0.1]))],
                "dureeMois": int(rng.choice([6, 12, 24, 36, 48])),
                "offresRecues": int(rng.integers(1, 9)),
                "dateNotification": notified,
                "datePublicationDonnees": min(notified + timedelta(days=int(rng.integers(1, 30))), universe.as_of),
                "formePrix": ("Unitaire", "Forfaitaire", "Mixte")[int(rng.integers(3))],
                "ccag": {
                    "Travaux": "Travaux",
                    "Fournitures": "Fournitures courantes et services",
                    "Services": "Fournitures courantes et services",
                }[kind],  # fmt: skip
                "typeGroupementOperateurs": "Conjoint" if len(titulaires) > 1 else "Pas de groupement",
                "lieuExecution_code": buyer.get("acheteur_commune_code"),
                "lieuExecution_typeCode": "Code commune" if buyer.get("acheteur_commune_code") else None,
                "sourceDataset": SOURCES[int(rng.integers(len(SOURCES)))],
            }
            contract["sourceFile"] = f"https://www.data.gouv.fr/datasets/r/{contract['sourceDataset']}.json"
            states = [contract]
            if rng.random() < 0.05:  # modified later: the first state is history
                later = dict(contract)
                days = int(rng.integers(0, DELTA_DAYS)) if rng.random() < 0.2 else int(rng.integers(-200, -30))
                later["dateNotification"] = max(
                    min(
                        universe.as_of - timedelta(days=days) if days >= 0 else notified - timedelta(days=days),
                        universe.as_of,
                    ),
                    notified,
                )
                if amount is not None and amount != SENTINEL_AMOUNT:
                    later["montant"] = round(amount * float(rng.uniform(1.02, 1.3)), 2)
                states.append(later)
            for number, state in enumerate(states):
                for kind_id, tid, unit in titulaires:
                    row: dict[str, Any] = {name: None for name, _ in COLUMNS}
                    row.update(state)
                    row.update(
                        titulaire_id=tid,
                        titulaire_typeIdentifiant=kind_id,
                        titulaire_nom=_name(unit) if unit else dict(FOREIGN)[tid],
                        titulaire_categorie=unit["categorie_entreprise"] if unit else None,
                        titulaire_commune_code=unit["commune_code"] if unit else None,
                        titulaire_commune_nom=unit["commune_name"] if unit else None,
                        titulaire_departement_code=unit["departement"] if unit else None,
                        titulaire_region_code=unit["region"] if unit else None,
                        modification_id=number,
                        donneesActuelles=number == len(states) - 1,
                    )
                    rows.append(row)
            if rng.random() < 0.03:  # also published by another platform
                platform = SOURCES[(SOURCES.index(contract["sourceDataset"]) + 1) % len(SOURCES)]
                for copy in [r for r in rows if r["uid"] == contract["uid"]]:
                    url = str(copy["sourceFile"]).replace(contract["sourceDataset"], platform)
                    rows.append({**copy, "sourceDataset": platform, "sourceFile": url})
    return rows


def _name(unit: dict[str, Any]) -> str:
    return unit["denomination"] or f"{unit['first_name']} {unit['last_name']}"


def frame(rows: list[dict[str, Any]]) -> pl.DataFrame:
    """Rows with the consolidated file's columns and Polars types."""
    schema = {name: POLARS[kind] for name, kind in COLUMNS}
    return pl.DataFrame(rows, schema=schema, orient="row") if rows else pl.DataFrame(schema=schema)


def write_decp(universe: Universe, out_dir: Path) -> dict[str, Path]:
    """decp.parquet (awards up to DELTA_DAYS before as_of) and decp_delta.parquet (the rest)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    rows = contract_rows(universe)
    cutoff: date = universe.as_of - timedelta(days=DELTA_DAYS)
    recent = {r["uid"] for r in rows if r["donneesActuelles"] and r["dateNotification"] > cutoff}
    stock = frame(
        [r for r in rows if r["uid"] not in recent or r["dateNotification"] <= cutoff and not r["donneesActuelles"]]
    )
    # a contract modified in the last days: its stock row was still the current state
    stock = stock.with_columns(
        pl.when(pl.col("uid").is_in(list(recent)))
        .then(True)
        .otherwise(pl.col("donneesActuelles"))
        .alias("donneesActuelles")
    )
    delta = frame([r for r in rows if r["uid"] in recent and r["dateNotification"] > cutoff])
    paths = {"stock": out_dir / "decp.parquet", "delta": out_dir / "decp_delta.parquet"}
    stock.write_parquet(paths["stock"])
    delta.write_parquet(paths["delta"])
    return paths
