"""France Travail job offers and La Bonne Boîte companies for the demo universe, in the API's shape.

Some active employers are hiring: 1 to 4 offers each at one of their active establishments,
under the name a recruiter would type, not always SIRENE's (case, an accent, a legal-form
suffix, a typo, the establishment's commune missing with only the postal code left, no NAF).
Temp agencies (RANDSTAD, ADEQUAT INTERIM..., NAF 78.20Z) post offers for clients, and some
offers are anonymous (no `entreprise`). Every offer carries the `contact` and `agence` blocks the
real API sends (invented recruiter names), so the demo proves they are dropped on the way in.

Which establishment each offer truly belongs to is written beside the offers (`truth.csv`:
offer_id, siret, empty for temp agencies and anonymous offers), never inside them: the matcher
sees what the API shows, the benchmark compares with the truth. Dates are relative to the
universe's `as_of`, written as `as_of` next to `resultats` so the stand-in server can move them
to the day it runs.
"""

from __future__ import annotations

import csv
import json
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from sources.demo.names import build_pools

HIRING_SHARE = 0.10  # of active employer companies
TEMP_AGENCIES = (
    ("RANDSTAD", "78.20Z"),
    ("ADEQUAT INTERIM", "78.20Z"),
    ("MANPOWER FRANCE", "78.20Z"),
    ("CRIT INTERIM", "78.20Z"),
    ("SYNERGIE", "78.20Z"),
)
LEGAL_SUFFIX = {"5710": "SAS", "5499": "SARL", "5599": "SA", "5699": "SA", "5202": "SNC", "5485": "SELARL"}
ROME_BY_DIVISION: dict[str, tuple[tuple[str, str], ...]] = {
    "10": (("D1102", "Boulangerie - viennoiserie"), ("D1104", "Pâtisserie, confiserie, chocolaterie et glacerie")),
    "41": (("F1703", "Maçonnerie"), ("F1104", "Dessin BTP et paysage")),
    "43": (("F1603", "Installation d'équipements sanitaires et thermiques"), ("F1602", "Électricité bâtiment")),
    "45": (("I1604", "Mécanique automobile et entretien de véhicules"),),
    "46": (("D1407", "Relation technico-commerciale"), ("N1103", "Magasinage et préparation de commandes")),
    "47": (("D1106", "Vente en alimentation"), ("D1214", "Vente en habillement et accessoires de la personne")),
    "49": (("N4101", "Conduite de transport de marchandises sur longue distance"),),
    "55": (("G1703", "Réception en hôtellerie"),),
    "56": (("G1602", "Personnel de cuisine"), ("G1803", "Service en restauration")),
    "62": (
        ("M1805", "Études et développement informatique"),
        ("M1810", "Production et exploitation de systèmes d'information"),
    ),
    "69": (("M1203", "Comptabilité"),),
    "70": (("M1402", "Conseil en organisation et management d'entreprise"),),
    "71": (("F1106", "Ingénierie et études du BTP"),),
    "81": (("K2204", "Nettoyage de locaux"),),
    "86": (("J1506", "Soins infirmiers généralistes"),),
    "88": (("K1302", "Assistance auprès d'adultes"),),
}
DEFAULT_ROME = (("M1607", "Secrétariat"), ("K2204", "Nettoyage de locaux"))
TEMP_ROME = (("N1103", "Magasinage et préparation de commandes"), ("H2909", "Montage-assemblage mécanique"))


def _typo(rng: np.random.Generator, name: str) -> str:
    """One letter changed or dropped, not in the first four (where a recruiter rarely slips)."""
    letters = [i for i, ch in enumerate(name) if ch.isalpha() and i >= 4]
    if len(name) < 8 or not letters:
        return name
    i = int(rng.choice(letters))
    if rng.random() < 0.5:
        return name[:i] + name[i + 1 :]
    ch = "AEIOU"[int(rng.integers(0, 5))] if name[i] not in "AEIOU" else "E" if name[i] != "E" else "A"
    return name[:i] + ch + name[i + 1 :]


def _accent(name: str) -> str:
    """An accent a recruiter would type: the first 'E' of a word after its first letter -> 'É'."""
    for word in name.split():
        if word.startswith("E") and len(word) > 3:
            return name.replace(word, "É" + word[1:], 1)
    return name.replace("E", "É", 1)


def variant(rng: np.random.Generator, name: str, legal_form: str) -> tuple[str, str]:
    """(the name as typed on the offer, which variant)."""
    u = rng.random()
    if u < 0.40:
        return name, "exact"
    if u < 0.55:
        return name.title(), "case"
    if u < 0.65:
        return _accent(name), "accent"
    if u < 0.82:
        suffix = LEGAL_SUFFIX.get(legal_form, "SAS")
        return (f"{name} {suffix}" if rng.random() < 0.7 else f"{suffix} {name}"), "legal_form"
    return _typo(rng, name), "typo"


def _stamp(day: datetime) -> str:
    return day.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def build_jobs(universe: Any, *, hiring_share: float = HIRING_SHARE) -> tuple[list[dict], list[dict], list[dict]]:
    """(offers as the API returns them, La Bonne Boîte companies, truth rows) for `universe`."""
    rng = np.random.default_rng([universe.seed, 15])
    pools = build_pools(universe.seed, size=400)
    as_of = datetime.combine(universe.as_of, time(0, 0))
    employers = universe.units.filter(
        pl.col("active")
        & ~pl.col("is_person")
        & pl.col("tranche_effectifs").is_not_null()
        & ~pl.col("tranche_effectifs").is_in(["NN", "00"])
        & pl.col("denomination").is_not_null()
        & ~pl.col("naf").str.starts_with("78")
        & ~pl.col("categorie_juridique").is_in(["6540", "9110", "7210", "7346"])
    ).sort("siren")
    hiring = employers.filter(pl.Series(rng.random(employers.height) < hiring_share))
    sites = universe.establishments.filter(pl.col("active")).join(
        hiring.select("siren", "denomination", "categorie_juridique"), on="siren"
    )
    by_siren: dict[str, list[dict]] = {}
    for row in sites.sort("siret").iter_rows(named=True):
        by_siren.setdefault(row["siren"], []).append(row)

    offers: list[dict] = []
    truth: list[dict] = []
    companies: list[dict] = []
    seq = 0

    def new_id() -> str:
        nonlocal seq
        seq += 1
        return "2" + np.base_repr(seq, 36).rjust(6, "0")  # 7 characters, like the API's '180HSFM'

    def contact() -> tuple[dict, dict, str]:
        first = str(pools.male_first[int(rng.integers(0, len(pools.male_first)))]).title()
        last = str(pools.last_names[int(rng.integers(0, len(pools.last_names)))])
        mail = f"{first.lower()}.{last.lower()}@recrutement.example".replace(" ", "-")
        person = {"nom": f"M. {first} {last}", "coordonnees1": f"Courriel : {mail}", "courriel": mail}
        return person, {"courriel": f"agence.{int(rng.integers(100, 999))}@francetravail.example"}, f"{first} {last}"

    def offer(place: dict, name: str | None, naf: str | None, rome: tuple[str, str], contract: str) -> dict:
        created = as_of - timedelta(days=float(rng.uniform(0, 45)))
        person, agency, who = contact()
        body: dict[str, Any] = {
            "id": new_id(),
            "intitule": f"{rome[1].split(' ')[0]} H/F",
            "description": f"Poste à pourvoir. Contactez {who} pour postuler.",
            "dateCreation": _stamp(created),
            "dateActualisation": _stamp(created + timedelta(days=float(rng.uniform(0, 3)))),
            "lieuTravail": {
                "libelle": f"{place['departement']} - {place['commune_name']}",
                "codePostal": place["postal_code"],
                **({"commune": place["commune_code"]} if place.get("commune_code") else {}),
            },
            "romeCode": rome[0],
            "romeLibelle": rome[1],
            "typeContrat": contract,
            "typeContratLibelle": {"CDI": "Contrat à durée indéterminée", "CDD": "Contrat à durée déterminée"}.get(
                contract, "Mission intérimaire"
            ),
            "natureContrat": "Contrat travail",
            "experienceExige": "D" if rng.random() < 0.5 else "E",
            "nombrePostes": int(1 + rng.poisson(0.4)),
            "alternance": False,
            "contact": person,
            "agence": agency,
            "origineOffre": {"origine": "1"},
        }
        if name is not None:
            body["entreprise"] = {"nom": name, "description": "Entreprise familiale.", "entrepriseAdaptee": False}
        if naf is not None:
            body["codeNAF"] = naf
            body["secteurActivite"] = naf[:2]
        return body

    for unit in hiring.iter_rows(named=True):
        places = by_siren.get(unit["siren"])
        if not places:
            continue
        romes = ROME_BY_DIVISION.get(unit["naf"][:2], DEFAULT_ROME)
        for _ in range(int(1 + rng.poisson(0.8))):
            site = places[0] if len(places) == 1 or rng.random() < 0.6 else places[int(rng.integers(0, len(places)))]
            name, kind = variant(rng, unit["denomination"], unit["categorie_juridique"])
            place = dict(site)
            if rng.random() < 0.05:
                place["commune_code"] = None  # only the postal code left
            naf = site["naf"] if rng.random() < 0.9 else None
            rome = romes[int(rng.integers(0, len(romes)))]
            body = offer(place, name, naf, rome, "CDI" if rng.random() < 0.6 else "CDD")
            offers.append(body)
            truth.append({"offer_id": body["id"], "siret": site["siret"], "variant": kind})
        site = places[0]
        for code, _label in romes:
            potential = round(float(rng.uniform(0.5, 5.0)), 2)
            companies.append(
                {
                    "id": f"lbb-{site['siret']}-{code}",
                    "siret": site["siret"],
                    "company_name": unit["denomination"],
                    "office_name": unit["denomination"],
                    "naf": site["naf"],
                    "rome": code,
                    "city": site["commune_name"],
                    "citycode": site["commune_code"],
                    "postcode": site["postal_code"],
                    "department_number": site["departement"],
                    "headcount_min": 10,
                    "headcount_max": 19,
                    "hiring_potential": potential,
                    "is_high_potential": potential >= 3.5,
                }
            )

    # temp agencies and anonymous offers, placed where the hiring sites are
    all_sites = [s for rows in by_siren.values() for s in rows]
    for share, anonymous in ((0.15, False), (0.05, True)):
        for _ in range(int(len(offers) * share) if all_sites else 0):
            site = all_sites[int(rng.integers(0, len(all_sites)))]
            if anonymous:
                rome = ROME_BY_DIVISION.get(site["naf"][:2], DEFAULT_ROME)[0]
                body = offer(site, None, site["naf"] if rng.random() < 0.5 else None, rome, "CDD")
            else:
                agency, naf = TEMP_AGENCIES[int(rng.integers(0, len(TEMP_AGENCIES)))]
                typed = agency.title() if rng.random() < 0.3 else agency
                body = offer(site, typed, naf, TEMP_ROME[int(rng.integers(0, len(TEMP_ROME)))], "MIS")
            offers.append(body)
            truth.append({"offer_id": body["id"], "siret": "", "variant": "anonymous" if anonymous else "temp_agency"})
    return offers, companies, truth


def write_jobs(universe: Any, out_dir: Path) -> dict[str, Path]:
    """offres.json (`{"as_of", "resultats"}`), labonneboite.json (`{"items"}`) and truth.csv."""
    out_dir.mkdir(parents=True, exist_ok=True)
    offers, companies, truth = build_jobs(universe)
    paths = {"offres": out_dir / "offres.json", "labonneboite": out_dir / "labonneboite.json"}
    paths["offres"].write_text(
        json.dumps({"as_of": universe.as_of.isoformat(), "resultats": offers}, ensure_ascii=False), encoding="utf-8"
    )
    paths["labonneboite"].write_text(json.dumps({"items": companies}, ensure_ascii=False), encoding="utf-8")
    paths["truth"] = out_dir / "truth.csv"
    with open(paths["truth"], "w", newline="", encoding="utf-8") as out:
        writer = csv.DictWriter(out, fieldnames=["offer_id", "siret", "variant"])
        writer.writeheader()
        writer.writerows(truth)
    return paths
