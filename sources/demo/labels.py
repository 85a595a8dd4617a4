"""The label sources of the demo universe, each in its publisher's real format.

Who holds what, as in life: RGE qualifications for active builders (NAF 41-43), training
declarations (and mostly Qualiopi) for NAF 85.59, organic certificates for food producers and
shops, EGAPRO indexes for companies of 50 staff or more, ESS France for associations, SIAE for
some social-work and temp-work associations, EPV for a few craft manufacturers, the responsible
purchasing label for a few large companies, spectacle receipts for NAF 90.0. A few rights end
within 90 days of the universe's date (renewal moments), a few identifiers are spoiled the way
each publisher spoils them (lost leading zeros, which the loader repairs; a wrong checksum or
digits missing, which it quarantines), never more than half of what the source's removal limit
allows, so the demo load passes. Deterministic from the universe's seed.

Formats: RGE / Agence Bio / SIAE as saved API pages (data-fair `lines` with `next`, `nbTotal`
as a string, DRF `count/next/results`), the DGEFP list as its labelled `;` CSV, ESS France as
a `,` CSV, EGAPRO as an XLSX, EPV and achats responsables as `;` CSV, spectacle as Latin-1 `;` CSV.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import polars as pl

from firmo.reference import read_reference
from firmo.xlsx import write_xlsx
from sources.demo.universe import Universe
from sources.labels import egapro, ess, qualiopi, rge, spectacle
from sources.labels.catalog import SOURCES

PAGE = {"rge": 500, "agence_bio": 200, "siae": 1000}  # small pages: the demo pages like the real APIs
RGE_DOMAINS = (
    ("Isolation par l'intérieur des murs ou rampants de toitures  ou plafonds", "Travaux d'efficacité énergétique"),
    ("Isolation des combles perdus", "Travaux d'efficacité énergétique"),
    ("Pompe à chaleur : chauffage", "Installations d'équipements utilisant une source d'énergie renouvelable"),
    ("Chaudière condensation ou micro-cogénération gaz ou fioul", "Travaux d'efficacité énergétique"),
    ("Fenêtres, volets, portes donnant sur l'extérieur", "Travaux d'efficacité énergétique"),
    ("Panneaux solaires photovoltaïques", "Installations d'équipements utilisant une source d'énergie renouvelable"),
)
RGE_QUALIFICATIONS = (
    ("3111D111", "Tuiles canal (3111D111)", "QUALIBAT-RGE", "qualibat"),
    ("7131", "Isolation thermique par l'intérieur (7131)", "QUALIBAT-RGE", "qualibat"),
    ("QPAC", "QualiPAC Chauffage et ECS", "QualiPAC", "qualitenr"),
    ("QPV", "QualiPV Bât", "QualiPV", "qualitenr"),
    ("E1", "Efficacité énergétique (E1)", "Qualifelec RGE", "qualifelec"),
)
SIAE_KINDS = (("EI", "Insertion"), ("ACI", "Insertion"), ("AI", "Insertion"), ("ETTI", "Insertion"),
              ("EA", "Handicap"), ("ESAT", "Handicap"))  # fmt: skip
FOOD_NAF = ("01.", "10.", "11.", "46.3", "47.2", "56.10")
CRAFT_NAF = ("13.", "14.", "15.", "16.", "23.4", "31.0", "32.1", "32.2")


def _name(row: dict) -> str:
    return row["denomination"] or f"{row['first_name'] or ''} {row['last_name'] or ''}".strip()


def _day(value: date) -> str:
    return value.isoformat()


def _fr(value: date) -> str:
    return value.strftime("%d/%m/%Y")


def _pick(rng: np.random.Generator, frame: pl.DataFrame, share: float, fallback: pl.DataFrame) -> list[dict]:
    """About `share` of `frame`'s rows, and at least one (from `fallback` when `frame` is empty), so
    a small demo universe still gives every source a row to load."""
    chosen = frame.filter(pl.Series(rng.random(frame.height) < share)) if frame.height else frame
    if chosen.height == 0:
        chosen = frame.head(1) if frame.height else fallback.head(1)
    return chosen.to_dicts()


def _bad_budget(n: int, source: str) -> int:
    """At most half of what the source's removal limit allows."""
    return int(n * SOURCES[source].max_removal_pct / 200)


def _spoil(identifier: str) -> str:
    """A wrong checksum (last digit changed) or a digit missing: what the loader quarantines."""
    if int(identifier[-1]) % 2:
        return identifier[:-1]
    return identifier[:-1] + str((int(identifier[-1]) + 1) % 10)


def _csv(path: Path, header: tuple[str, ...] | list[str], rows: list[list], *, delimiter: str = ";",
         encoding: str = "utf-8") -> Path:  # fmt: skip
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([["" if v is None else v for v in row] for row in rows])
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(buf.getvalue().encode(encoding, errors="replace"))  # Latin-1 has no Œ
    return path


def _pages(folder: Path, name: str, items: list[dict]) -> Path:
    """API pages as the source's API answers them (the loader reads the folder)."""
    folder.mkdir(parents=True, exist_ok=True)
    size = PAGE[name]
    chunks = [items[i : i + size] for i in range(0, len(items), size)] or [[]]
    base = SOURCES[name].url
    for k, chunk in enumerate(chunks, start=1):
        more = k < len(chunks)
        if name == "rge":
            body: dict = {"total": len(items), "results": chunk}
            if more:
                body["next"] = f"{base}?size={size}&after={k * size - 1}"
        elif name == "agence_bio":
            body = {"nbTotal": str(len(items)), "items": chunk}
        else:
            body = {"count": len(items), "next": f"{base}?limit={size}&offset={k * size}" if more else None,
                    "previous": None, "results": chunk}  # fmt: skip
        (folder / f"page-{k:05d}.json").write_text(json.dumps(body, ensure_ascii=False), encoding="utf-8")
    return folder


def write_labels(universe: Universe, out_dir: Path) -> dict[str, Path]:
    """Write every label source under `out_dir`; {source name: file or page folder}."""
    rng = np.random.default_rng([universe.seed, 15])
    as_of = universe.as_of
    units = universe.units.filter(pl.col("active"))
    etabs = universe.establishments.filter(pl.col("active")).join(
        units.select("siren", "denomination", "first_name", "last_name"), on="siren"
    )
    out_dir.mkdir(parents=True, exist_ok=True)
    return {
        "rge": _rge(rng, etabs, as_of, out_dir / "rge"),
        "qualiopi": _qualiopi(rng, etabs, as_of, out_dir / "qualiopi.csv"),
        "ess_france": _ess(rng, units, out_dir / "ess_france.csv"),
        "egapro": _egapro(rng, units, as_of, out_dir / "egapro.xlsx"),
        "agence_bio": _bio(rng, etabs, as_of, out_dir / "agence_bio"),
        "siae": _siae(rng, etabs, out_dir / "siae"),
        "patrimoine_vivant": _epv(rng, etabs, out_dir / "patrimoine_vivant.csv"),
        "achats_responsables": _achats(rng, units, out_dir / "achats_responsables.csv"),
        "spectacle": _spectacle(rng, etabs, as_of, out_dir / "spectacle.csv"),
    }


def _rge(rng: np.random.Generator, etabs: pl.DataFrame, as_of: date, folder: Path) -> Path:
    builders = etabs.filter(pl.col("naf").str.slice(0, 2).is_in(["41", "42", "43"]) & pl.col("is_siege"))
    holders = _pick(rng, builders, 0.35, etabs)
    items = []
    for row in holders:
        for _ in range(int(rng.integers(1, 4))):
            domaine, meta = RGE_DOMAINS[int(rng.integers(len(RGE_DOMAINS)))]
            code, label, certificate, organisme = RGE_QUALIFICATIONS[int(rng.integers(len(RGE_QUALIFICATIONS)))]
            start = as_of - timedelta(days=int(rng.integers(30, 4 * 365)))
            roll = rng.random()
            end = (as_of + timedelta(days=int(rng.integers(5, 90))) if roll < 0.08
                   else date.fromisoformat(rge.OPEN_END) if roll < 0.2 else start + timedelta(days=4 * 365))  # fmt: skip
            items.append({
                "siret": row["siret"], "nom_entreprise": _name(row),
                "adresse": f"{row['street_number'] or ''} {row['street_type'] or ''} {row['street_name'] or ''}".strip(),
                "code_postal": row["postal_code"], "commune": row["commune_name"], "latitude": None, "longitude": None,
                "telephone": None, "email": None, "site_internet": "", "code_qualification": code,
                "nom_qualification": label, "url_qualification": None, "nom_certificat": certificate,
                "domaine": domaine, "meta_domaine": meta, "organisme": organisme, "particulier": bool(rng.random() < 0.8),
                "lien_date_debut": _day(start), "lien_date_fin": _day(end),
            })  # fmt: skip
    for item in items[: _bad_budget(len(items), "rge")]:
        item["siret"] = _spoil(item["siret"])
    return _pages(folder, "rge", items)


def _qualiopi(rng: np.random.Generator, etabs: pl.DataFrame, as_of: date, path: Path) -> Path:
    trainers = _pick(rng, etabs.filter(pl.col("naf").str.starts_with("85.59") & pl.col("is_siege")), 0.85, etabs)
    rows = []
    for k, row in enumerate(trainers):
        declared = as_of - timedelta(days=int(rng.integers(20, 400)))
        year = declared.year - 1
        record = dict.fromkeys(qualiopi.HEADER, "")
        certified = rng.random() < 0.7
        record.update({
            qualiopi.NDA: f"{row['departement'][:2]}{k + 100_000:09d}"[:11], "denomination": _name(row),
            qualiopi.SIREN: row["siren"], qualiopi.SIRET: row["siret"],
            "Code Postal Organisme de Formation": row["postal_code"], "Ville Organisme de Formation": row["commune_name"],
            "Actions de formations": "true" if certified else "false", "Bilans de compétences": "false",
            "VAE": "false", "Actions de formations par apprentissage": "false",
            "Date dernière déclaration": _fr(declared), "Début d'exercice": _fr(date(year, 1, 1)),
            "Fin d'exercice": _day(date(year, 12, 31)), "Nombre de stagiaires": str(int(rng.integers(5, 2000))),
            "Effectifs de formateurs": str(int(rng.integers(1, 40))), "Code Commune": row["commune_code"],
            qualiopi.CERTIFICATIONS: "Actions de formations" if certified else "",
        })  # fmt: skip
        rows.append([record[h] for h in qualiopi.HEADER])
    for fields in rows[: _bad_budget(len(rows), "qualiopi")]:
        fields[qualiopi.HEADER.index(qualiopi.SIREN)] = _spoil(fields[qualiopi.HEADER.index(qualiopi.SIREN)])
    return _csv(path, qualiopi.HEADER, rows)


def _ess(rng: np.random.Generator, units: pl.DataFrame, path: Path) -> Path:
    members = _pick(rng, units.filter(pl.col("categorie_juridique").str.starts_with("92")), 0.8, units)
    rows = []
    for row in members:
        # the publisher's SIREN lost its leading zeros (read as a number somewhere upstream)
        rows.append([row["siren"].lstrip("0"), _name(row), "Associations", row["postal_code"], row["commune_name"],
                     row["departement"], "", ""])  # fmt: skip
    return _csv(path, ess.HEADER, rows, delimiter=",")


def _egapro(rng: np.random.Generator, units: pl.DataFrame, as_of: date, path: Path) -> Path:
    big = units.filter(pl.col("tranche_effectifs").is_in(["21", "22", "31", "32", "41", "42", "51", "52", "53"]))
    rows: list[list] = [list(egapro.HEADER)]
    naf_labels = dict(read_reference("naf_codes").select("code", "label").iter_rows())
    companies = big.to_dicts() or units.head(1).to_dicts()
    for k, row in enumerate(companies):
        band = "50 à 250" if row["tranche_effectifs"] in ("21", "22", "31") else "251 à 999"
        ues_members = companies[k + 1 : k + 3] if k % 17 == 5 else []
        for year in range(as_of.year - 4, as_of.year):
            if rng.random() < 0.1 and year != as_of.year - 1:
                continue
            nc = rng.random() < 0.06
            note = "NC" if nc else int(rng.integers(60, 100))
            rows.append([
                year, "Unité Economique et Sociale (UES)" if ues_members else "Entreprise", band, row["siren"],
                _name(row), f"UES {_name(row)}" if ues_members else None,
                ",".join(f"{_name(m)} ({m['siren']})" for m in ues_members) or None,
                row["region"], row["departement"], "FRANCE", f"{row['naf']} - {naf_labels.get(row['naf'], '')}",
                "NC" if nc else int(rng.integers(20, 41)), "NC" if nc else 20, "NC" if nc else 15, "NC",
                "NC" if nc else 15, "NC" if nc else int(rng.integers(0, 11)), note,
            ])  # fmt: skip
    write_xlsx(path, {egapro.SHEET: rows})
    return path


def _bio(rng: np.random.Generator, etabs: pl.DataFrame, as_of: date, folder: Path) -> Path:
    food = etabs.filter(pl.any_horizontal(*(pl.col("naf").str.starts_with(p) for p in FOOD_NAF)))
    operators = _pick(rng, food, 0.3, etabs)
    items = []
    for k, row in enumerate(operators):
        engaged = as_of - timedelta(days=int(rng.integers(60, 3000)))
        state = "ENGAGEE" if rng.random() < 0.85 else ("SUSPENDUE" if rng.random() < 0.5 else "ARRETEE")
        items.append({
            "id": 90_000 + k, "raisonSociale": _name(row), "denominationcourante": None,
            "siret": row["siret"] if rng.random() < 0.9 else row["siren"], "numeroBio": 200_000 + k,
            "telephone": None, "codeNAF": row["naf"], "gerant": None, "dateMaj": _day(engaged), "reseau": None,
            "categories": [], "siteWebs": [],
            "adressesOperateurs": [{"lieu": row["street_name"], "codePostal": row["postal_code"],
                                    "ville": row["commune_name"], "codeCommune": row["commune_code"], "active": True,
                                    "departementId": int(rng.integers(1, 102)),
                                    "typeAdresseOperateurs": ["Siège social"]}],
            "productions": [], "activites": [{"id": 1, "nom": "Production"}],
            "certificats": [{"numeroControleEu": "FR-BIO-01", "organisme": "Ecocert France",
                             "etatCertification": state, "dateSuspension": None, "dateArret": None,
                             "dateEngagement": _day(engaged), "dateNotification": f"{_day(engaged)}T10:25:27.284Z",
                             "url": None}],
            "mixite": "", "datePremierEngagement": _day(engaged),
        })  # fmt: skip
    for item in items[: _bad_budget(len(items), "agence_bio")]:
        item["siret"] = _spoil(item["siret"])
    return _pages(folder, "agence_bio", items)


def _siae(rng: np.random.Generator, etabs: pl.DataFrame, folder: Path) -> Path:
    social = etabs.filter(pl.col("naf").str.starts_with("88.") | pl.col("naf").str.starts_with("78.")
                          | pl.col("naf").str.starts_with("81.3"))  # fmt: skip
    chosen = _pick(rng, social, 0.25, etabs)
    items = []
    for k, row in enumerate(chosen):
        kind, parent = SIAE_KINDS[int(rng.integers(len(SIAE_KINDS)))]
        items.append({
            "id": 1000 + k, "name": _name(row), "brand": "", "slug": f"siae-{k}", "siret": row["siret"],
            "nature": "HEAD_OFFICE" if row["is_siege"] else "ANTENNA", "kind": kind, "kind_parent": parent,
            "presta_type": ["PREST"], "contact_website": None, "address": row["street_name"],
            "city": row["commune_name"], "post_code": row["postal_code"], "department": row["departement"],
            "region": None, "is_active": bool(rng.random() < 0.95), "created_at": "2019-12-05T15:37:56.609000+01:00",
            "updated_at": "2024-05-13T17:11:43.216561+02:00",
        })  # fmt: skip
    return _pages(folder, "siae", items)


EPV_HEADER = ("SIRET", "Raison sociale", "Code postal", "Ville", "Activité")  # only SIRET is certain


def _epv(rng: np.random.Generator, etabs: pl.DataFrame, path: Path) -> Path:
    craft = etabs.filter(pl.any_horizontal(*(pl.col("naf").str.starts_with(p) for p in CRAFT_NAF)) & pl.col("is_siege"))
    chosen = _pick(rng, craft, 0.1, etabs)
    rows = [[f" {r['siret']} ", _name(r), r["postal_code"], r["commune_name"], r["naf"]] for r in chosen]
    return _csv(path, EPV_HEADER, rows)


ACHATS_HEADER = ("SIREN", "RAISON SOCIALE", "PERIMETRE")  # SIREN and PERIMETRE are the certain ones


def _achats(rng: np.random.Generator, units: pl.DataFrame, path: Path) -> Path:
    large = units.filter(pl.col("tranche_effectifs").is_in(["32", "41", "42", "51", "52", "53"]))
    chosen = _pick(rng, large, 0.3, units)
    rows = [[r["siren"].lstrip("0"), _name(r), "Groupe" if rng.random() < 0.3 else "Entreprise"] for r in chosen]
    for fields in rows[: _bad_budget(len(rows), "achats_responsables")]:
        fields[0] = ""  # the ~3 % without a SIREN
    return _csv(path, ACHATS_HEADER, rows)


def _spectacle(rng: np.random.Generator, etabs: pl.DataFrame, as_of: date, path: Path) -> Path:
    shows = _pick(rng, etabs.filter(pl.col("naf").str.starts_with("90.0") & pl.col("is_siege")), 0.7, etabs)
    rows = []
    for k, row in enumerate(shows):
        valid = k == 0 or rng.random() < 0.8
        start = as_of - timedelta(days=int(rng.integers(30, 5 * 365)))
        expires = as_of + timedelta(days=int(rng.integers(10, 90))) if valid and rng.random() < 0.1 else None
        record = {
            "numero_recepisse": f"PLATESV-R-{start.year}-{k + 1:06d}", "date_validite": _day(start) if valid else None,
            "date_depot_dossier": _day(start - timedelta(days=45)), "statut_recepisse": "Valide" if valid else "Invalide",
            "categorie": str(int(rng.integers(1, 4))), "type_declaration": "Renouvellement",
            "type_declarant": "Personne morale", "raison_sociale": _name(row), "code_postal_siret": row["postal_code"],
            "siren_siret": row["siret"], "code_naf_ape": f"{row['naf']} - Arts du spectacle vivant",
            "region_siret": "Île-de-France" if row["departement"] in ("75", "92", "93", "94") else None,
            "date_expire_licence": _day(expires) if expires else None,
        }  # fmt: skip
        rows.append([record.get(h) for h in spectacle.HEADER])
    return _csv(path, spectacle.HEADER, rows, encoding="latin-1")
