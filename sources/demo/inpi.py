"""Fake INPI files for a universe: an RNE bulk stock, an RNE `/diff` file and a ratios export.

They copy the real formats (shared/docs/inpi_bodacc.md) closely enough for the real loaders
to read them unchanged, traps included:
- the RNE stock (`stock_RNE_formalites_<date>_0000.zip`, JSON array members) is a snapshot
  taken `STOCK_LAG_DAYS` before `as_of`, mixing the Dec-2023 payload shape (role code in
  `individu.descriptionPersonne.role` / `entreprise.roleEntreprise`, label only, no `actif`)
  and the 2024 shape (`pouvoir.roleEntreprise`, `actif`, `dateEffetRoleDeclarant`); some
  SIRENs appear twice with different `updatedAt` (search-infra #739), one payload has a bad
  SIREN;
- `diffusionCommerciale: false` (opposition to commercial use) on a small share of units, drawn
  apart from the SIRENE status (`commercial_opposition`), so the two flags really differ; a few
  `/diff` payloads set or lift it, so the latest payload has to win;
- legal-person officers (`typeDePersonne: "ENTREPRISE"`, `entreprise.siren`; a foreign holding has
  no SIREN but `pays` / `lieuRegistre`), some naming their permanent representative
  (`pouvoir.representant.descriptionPersonne`; the 2023 shape otherwise carries only its
  `*Present` flags), in the shares sources/demo/officers.py states;
- the `/diff` file (`[{"company": …}]`) holds the later state of the companies whose officers
  changed after the snapshot: new officers carry their start date, ended ones are simply
  absent (the RNE never signals removals);
- the ratios export (`;` CSV, UTF-8 BOM, gzip) has revenues by headcount band, confidential
  rows reporting 0, consolidated (K) rows with scale errors, the INT32 sentinel, and a few
  bad rows (checksum, date, duplicate, malformed line).
Birth months stay in the universe: they are never written anywhere.
"""

from __future__ import annotations

import datetime as dt
import gzip
import io
import json
import zipfile
from pathlib import Path
from typing import IO, Any, cast

import numpy as np
import polars as pl

from firmo.reference.roles import role_codes
from sources.demo import mix

STOCK_LAG_DAYS = 30
MEMBER_COMPANIES = 10_000
SENTINEL = 2_147_483_647
RATIO_COLUMNS = [
    "siren", "date_cloture_exercice", "chiffre_d_affaires", "marge_brute", "ebe", "ebit", "resultat_net",
    "taux_d_endettement", "ratio_de_liquidite", "ratio_de_vetuste", "autonomie_financiere",
    "poids_bfr_exploitation_sur_ca", "couverture_des_interets", "caf_sur_ca", "capacite_de_remboursement",
    "marge_ebe", "resultat_courant_avant_impots_sur_ca", "poids_bfr_exploitation_sur_ca_jours",
    "rotation_des_stocks_jours", "credit_clients_jours", "credit_fournisseurs_jours", "type_bilan",
    "confidentiality",
]  # fmt: skip
# Employees at the middle of each INSEE headcount band ('NN' / null: no employee declared).
BAND_EMPLOYEES = {"NN": 0.0, "00": 0.0, "01": 1.5, "02": 4, "03": 7.5, "11": 15, "12": 35, "21": 75, "22": 150,
                  "31": 225, "32": 375, "41": 750, "42": 1500, "51": 3500, "52": 7500, "53": 12000}  # fmt: skip
# Bad ratios rows written on purpose, so a demo load shows the quarantine at work.
BAD_RATIO_ROWS = {"invalid_siren": 3, "bad_date": 2, "duplicate": 2, "malformed": 1}


def write_inpi(universe: Any, out_dir: Path) -> dict[str, Path]:
    """Write the RNE stock zip, the RNE diff file and the ratios export under `out_dir`."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    as_of: dt.date = universe.as_of
    rng = np.random.default_rng([universe.seed, 7])
    stock_date = as_of - dt.timedelta(days=STOCK_LAG_DAYS)
    stock, diff = rne_payloads(universe, stock_date, rng)
    stock_path = out_dir / f"stock_RNE_formalites_{stock_date:%Y%m%d}_0000.zip"
    _atomic_write(stock_path, _zip_members(stock))
    diff_path = out_dir / f"rne_diff_{stock_date:%Y-%m-%d}_{as_of:%Y-%m-%d}.json"
    _atomic_write(diff_path, json.dumps([{"company": p} for p in diff], ensure_ascii=False).encode())
    ratios_path = write_ratios(ratios_frame(universe.units, as_of, rng), rng, out_dir / "ratios_inpi_bce.csv.gz")
    return {"rne_stock": stock_path, "rne_diff": diff_path, "ratios": ratios_path}


def _atomic_write(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    tmp.replace(path)


def _zip_members(payloads: list[dict]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for start in range(0, max(len(payloads), 1), MEMBER_COMPANIES):
            chunk = payloads[start : start + MEMBER_COMPANIES]
            name = f"stock_{start // MEMBER_COMPANIES + 1:04d}.json"
            archive.writestr(name, json.dumps(chunk, ensure_ascii=False))
    return buffer.getvalue()


# -- RNE ----------------------------------------------------------------------------------------


def _present(officer: dict, day: dt.date) -> bool:
    started = officer["start_date"] is None or officer["start_date"] <= day
    return started and (officer["end_date"] is None or officer["end_date"] > day)


def _stamp(day: dt.date, rng: np.random.Generator) -> str:
    """RNE updatedAt: Paris local time with its offset (+02:00 in summer, roughly)."""
    seconds = int(rng.integers(3600, 80000))
    offset = 2 if 4 <= day.month <= 10 else 1
    return f"{day.isoformat()}T{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}+0{offset}:00"


def commercial_opposition(universe: Any) -> tuple[set[str], set[str]]:
    """(SIRENs opposed in the stock, SIRENs whose `/diff` payload, if any, flips the flag).

    Own random stream: adding the flag changed no other generated value."""
    units = universe.units
    rng = np.random.default_rng([universe.seed, 13])
    draw, flip = rng.random(units.height), rng.random(units.height)
    p_unit = (units["statut_diffusion"] == "P").to_numpy()
    person = units["is_person"].to_numpy()
    share = np.where(
        p_unit, mix.OPPOSITION_SHARE_P, np.where(person, mix.OPPOSITION_SHARE_PERSON, mix.OPPOSITION_SHARE_COMPANY)
    )
    sirens = np.array(units["siren"].to_list(), dtype=object)
    return set(sirens[draw < share]), set(sirens[flip < mix.OPPOSITION_FLIP_SHARE])


def rne_payloads(universe: Any, stock_date: dt.date, rng: np.random.Generator) -> tuple[list[dict], list[dict]]:
    """(stock payloads as of `stock_date`, diff payloads as of `universe.as_of`)."""
    units = universe.units
    opposed, flipped = commercial_opposition(universe)
    names = dict(zip(units["siren"].to_list(), units["denomination"].to_list(), strict=True))
    by_siren = universe.officers.rows_by_key("siren", named=True) if universe.officers.height else {}
    changed = set(
        universe.events.filter(
            (pl.col("event_type") == "officer_change") & (pl.col("event_date") > stock_date)
            & (pl.col("event_date") <= universe.as_of)
        )["siren"].to_list()
    )  # fmt: skip
    stock, diff = [], []
    for unit in units.iter_rows(named=True):
        unit["diffusion_commerciale"] = unit["siren"] not in opposed
        officers = by_siren.get(unit["siren"], [])
        dates = [d for o in officers for d in (o["start_date"], o["end_date"]) if d is not None]
        changed_here = unit["siren"] in changed or any(stock_date < d <= universe.as_of for d in dates)
        before = [d for d in dates if d <= stock_date] + [unit["date_creation"]]
        last_change = min(max(before), stock_date)
        vintage = 2023 if last_change < dt.date(2024, 1, 1) and rng.random() < 0.7 else 2024
        current = [o for o in officers if _present(o, stock_date)]
        stock.append(_payload(unit, current, vintage, _stamp(last_change, rng), names))
        if changed_here:
            after = max([d for d in dates if stock_date < d <= universe.as_of] or [universe.as_of])
            now = [o for o in officers if _present(o, universe.as_of)]
            if unit["siren"] in flipped:
                unit = {**unit, "diffusion_commerciale": not unit["diffusion_commerciale"]}
            diff.append(_payload(unit, now, 2024, _stamp(after, rng), names))
        elif officers and rng.random() < 0.005 and last_change > unit["date_creation"]:
            # an older state of the same SIREN, written after the newer one (search-infra #739)
            older = last_change - dt.timedelta(days=1)
            stale = [o for o in officers if _present(o, older)]
            stock.append(_payload(unit, stale, vintage, _stamp(older, rng), names))
    if stock:
        broken = dict(stock[0], siren=stock[0]["siren"][:8] + str((int(stock[0]["siren"][8]) + 1) % 10))
        stock.append(broken)
    return stock, diff


def _pouvoir(officer: dict, vintage: int, names: dict, index: int) -> dict:
    code = str(officer["role_code"])
    label = role_codes().get(code, (None, False))[0]
    pouvoir: dict[str, Any] = {"typeDePersonne": "INDIVIDU", "indicateurActifAgricole": False}
    pouvoir["representantId"] = str(index) if vintage == 2023 else f"gen-{officer['officer_id']}"
    if officer["kind"] == "company":
        siren = officer.get("company_siren")
        country = officer.get("company_country")
        entreprise: dict[str, Any] = {
            "denomination": names.get(siren) or officer.get("last_name") or f"SOCIETE {siren}"
        }
        if siren:
            entreprise["siren"] = siren
        else:  # a foreign holding: no French SIREN, its own register abroad
            entreprise.update(pays=country, lieuRegistre=f"Registre du commerce ({country})")
        address = {"pays": country or "FRANCE", "codePays": None if country else "FRA"}
        pouvoir.update(typeDePersonne="ENTREPRISE", entreprise=entreprise,
                       adresseEntreprise={k: v for k, v in address.items() if v})  # fmt: skip
        if vintage == 2023:
            entreprise["roleEntreprise"] = code
        if officer.get("rep_last_name"):
            prenoms = str(officer.get("rep_first_names") or "").split()
            pouvoir["representant"] = {"descriptionPersonne": {"nom": officer["rep_last_name"], "prenoms": prenoms}}
        elif vintage == 2023:  # the 2023 sample: a representant holding only the *Present flags
            pouvoir["representant"] = {"descriptionPersonne": {"sirenPresent": False, "genrePresent": False},
                                       "adresseDomicile": {"voiePresent": True}, "indicateurActifAgricole": False}  # fmt: skip
    else:
        person: dict[str, Any] = {"nom": officer["last_name"], "prenoms": str(officer["first_names"] or "").split()}
        if vintage == 2023:
            person["role"] = code
        elif officer["start_date"] is not None:
            person["dateEffetRoleDeclarant"] = officer["start_date"].isoformat()
        pouvoir["individu"] = {"descriptionPersonne": person}
    if vintage == 2023:
        pouvoir["libelleRoleEntreprise"] = label or "Autre"
    else:
        pouvoir.update(roleEntreprise=code, actif=True)
    if code == "99":
        pouvoir["autreRoleEntreprise"] = "Membre du Conseil d'Administration"
    return pouvoir


def _payload(unit: dict, officers: list[dict], vintage: int, updated_at: str, names: dict) -> dict:
    siren = unit["siren"]
    kind = "personnePhysique" if unit["is_person"] else "personneMorale"
    pouvoirs = [_pouvoir(o, vintage, names, i) for i, o in enumerate(officers, start=1)]
    identite: dict[str, Any] = {
        "entreprise": {"siren": siren, "denomination": unit["denomination"], "formeJuridique": unit["categorie_juridique"],
                       "codeApe": str(unit["naf"] or "").replace(".", ""), "nicSiege": str(unit["siret_siege"])[9:],
                       "dateImmat": f"{unit['date_creation'].isoformat()}T00:00:00+01:00"},
    }  # fmt: skip
    if unit["is_person"]:
        identite["entrepreneur"] = {"descriptionPersonne": {"nom": unit["last_name"], "prenoms": [unit["first_name"]]}}
        pouvoirs = [
            p for p in pouvoirs if p.get("individu", {}).get("descriptionPersonne", {}).get("nom") != unit["last_name"]
        ]
    elif unit.get("capital") is not None:
        identite["description"] = {"montantCapital": float(unit["capital"]), "deviseCapital": "EUR", "duree": 99}
    body = {
        "identite": identite,
        "adresseEntreprise": {"adresse": {"pays": "FRANCE", "codePays": "FRA", "codePostal": unit["postal_code"],
                                          "commune": unit["commune_name"], "codeInseeCommune": unit["commune_code"]}},
        "composition": {"pouvoirs": pouvoirs},
    }  # fmt: skip
    formality: dict[str, Any] = {
        "siren": siren, "typePersonne": "P" if unit["is_person"] else "M", "formeJuridique": unit["categorie_juridique"],
        "diffusionCommerciale": unit["diffusion_commerciale"], "diffusionINSEE": unit["statut_diffusion"],
        "content": {"natureCreation": {"dateCreation": unit["date_creation"].isoformat()}, kind: body},
    }  # fmt: skip
    if vintage == 2024:
        active = sum(1 for p in pouvoirs if p.get("actif"))
        return {
            "updatedAt": updated_at,
            "nombreRepresentantsActifs": active,
            "id": f"gen{siren}",
            "formality": formality,
            "siren": siren,
        }
    return {"updatedAt": updated_at, "id": f"gen{siren}", "formality": formality, "siren": siren}


# -- ratios -------------------------------------------------------------------------------------


def ratios_frame(units: pl.DataFrame, as_of: dt.date, rng: np.random.Generator, *, years: int = 5) -> pl.DataFrame:
    """One row per (filing company, fiscal year, balance-sheet type), amounts in euros.

    Filers are commercial companies (INSEE category 5xxx); persons and associations do not
    publish accounts. Accounts are public about six months after closing, so the last year is
    `as_of.year - 1` from July on, else the year before.
    """
    last_year = as_of.year - 1 if as_of.month >= 7 else as_of.year - 2
    filers = units.filter(~pl.col("is_person") & pl.col("categorie_juridique").str.starts_with("5"))
    filers = filers.with_columns(
        first=pl.max_horizontal(pl.col("date_creation").dt.year() + 1, pl.lit(last_year - years + 1)),
        last=pl.when(pl.col("active")).then(last_year).otherwise(
            pl.min_horizontal(pl.col("date_closed").dt.year() - 1, pl.lit(last_year))),
    ).filter(pl.col("last") >= pl.col("first"))  # fmt: skip
    n = filers.height
    employees = (
        filers["tranche_effectifs"]
        .fill_null("NN")
        .replace_strict(BAND_EMPLOYEES, default=0.0, return_dtype=pl.Float64)
        .to_numpy()
    )
    per_head = np.exp(rng.normal(np.log(130_000), 0.6, n))
    base = np.where(employees > 0, employees * per_head, np.exp(rng.normal(np.log(90_000), 1.0, n)))
    month_day = np.array(["12-31", "06-30", "03-31", "09-30"])[rng.choice(4, n, p=[0.8, 0.1, 0.05, 0.05])]
    big = (filers["categorie_entreprise"].is_in(["ETI", "GE"]).fill_null(False).to_numpy()) | (employees >= 750)
    rows = filers.select("siren", "first", "last").with_columns(
        base=pl.Series(base), md=pl.Series(month_day), big=pl.Series(big),
        small=pl.Series(employees < 10), year=pl.int_ranges("first", pl.col("last") + 1),
    ).explode("year")  # fmt: skip
    m = rows.height
    growth = np.exp(rng.normal(0, 0.12, m))
    revenue = rows["base"].to_numpy() * growth * (1.04 ** (rows["year"].to_numpy() - last_year))
    type_bilan = np.where(rows["small"].to_numpy() & (rng.random(m) < 0.6), "S", "C")
    frame = rows.with_columns(
        siren=pl.col("siren"),
        date_cloture_exercice=pl.concat_str([pl.col("year").cast(pl.Utf8), pl.lit("-"), pl.col("md")]),
        revenue=pl.Series(revenue), type_bilan=pl.Series(type_bilan),
    )  # fmt: skip
    groups = frame.filter(pl.col("big")).with_columns(
        revenue=pl.col("revenue") * pl.Series(rng.uniform(1.2, 4.0, int(frame["big"].sum()))), type_bilan=pl.lit("K")
    )
    frame = pl.concat([frame, groups]).select("siren", "date_cloture_exercice", "revenue", "type_bilan")
    return _amounts(frame, rng)


def _amounts(frame: pl.DataFrame, rng: np.random.Generator) -> pl.DataFrame:
    """P&L amounts and ratios around the revenue, then the export's traps."""
    m = frame.height
    ca = np.round(frame["revenue"].to_numpy())
    margin = np.round(ca * rng.uniform(0.25, 0.9, m))
    ebe = np.round(ca * rng.normal(0.08, 0.06, m))
    ebit = np.round(ebe - ca * rng.uniform(0.01, 0.04, m))
    net = np.round(ebit * rng.uniform(0.6, 0.8, m))
    confidential = rng.random(m) < 0.12
    zeroed = confidential & (rng.random(m) < 0.6)  # "Partiellement confidentiel" reporting 0
    is_k = frame["type_bilan"].to_numpy() == "K"
    scale = is_k & (rng.random(m) < 0.05)  # K amounts written in thousands
    copied = is_k & ~scale & (rng.random(m) < 0.05)  # K rows with EBE = marge = CA, ebit/net 0
    for values in (ca, margin, ebe):
        values[scale] = np.round(values[scale] / 1000)
    margin[copied], ebe[copied], ebit[copied], net[copied] = ca[copied], ca[copied], 0, 0
    for values in (ca, margin, ebe, ebit):
        values[zeroed] = 0
    ca[rng.random(m) < 0.001] = SENTINEL
    ratios = {name: np.round(rng.normal(50, 40, m), 3) for name in RATIO_COLUMNS[7:21]}
    return pl.DataFrame(
        {
            "siren": frame["siren"], "date_cloture_exercice": frame["date_cloture_exercice"],
            "chiffre_d_affaires": ca.astype(np.int64), "marge_brute": margin.astype(np.int64),
            "ebe": ebe.astype(np.int64), "ebit": ebit.astype(np.int64), "resultat_net": net.astype(np.int64),
            **ratios, "type_bilan": frame["type_bilan"],
            "confidentiality": np.where(confidential, "Partiellement confidentiel", "Public"),
        }
    )  # fmt: skip


def write_ratios(frame: pl.DataFrame, rng: np.random.Generator, path: Path) -> Path:
    """The export as served: `;`, UTF-8 BOM, gzip; `BAD_RATIO_ROWS` bad rows mixed in when the
    frame is big enough. Written to a temp name, then renamed."""
    if frame.height >= 20:
        picks = rng.choice(frame.height, size=sum(BAD_RATIO_ROWS.values()), replace=False)
        bad = frame.select(pl.all().gather(picks))
        k = BAD_RATIO_ROWS["invalid_siren"]
        wrong = [s[:8] + str((int(s[8]) + 1) % 10) for s in bad["siren"][:k]]
        d = k + BAD_RATIO_ROWS["bad_date"]
        extra = pl.concat([
            bad[:k].with_columns(siren=pl.Series(wrong)),
            bad[k:d].with_columns(date_cloture_exercice=pl.lit("2023-13-45")),
            bad[d : d + BAD_RATIO_ROWS["duplicate"]],
        ])  # fmt: skip
        # the duplicates repeat rows that stay in the file: they must be unique keys there
        frame = pl.concat(
            [frame.unique(["siren", "date_cloture_exercice", "type_bilan"], keep="first", maintain_order=True), extra]
        )
        frame = frame.sample(fraction=1.0, shuffle=True, seed=int(rng.integers(1 << 31)))
    tmp = path.with_name(path.name + ".tmp")
    with gzip.open(tmp, "wb", compresslevel=1) as out:
        out.write("\ufeff".encode())
        frame.select(RATIO_COLUMNS).write_csv(cast(IO[bytes], out), separator=";")  # GzipFile is a binary IO
        if frame.height >= 20:
            out.write(b"123456789;2022-12-31;1000\n")  # malformed: 3 fields instead of 23
    tmp.replace(path)
    return path
