"""BODACC demo files for a generated universe: Opendatasoft JSON exports and DILA `.taz` XML.

Every dated event of the universe that BODACC publishes becomes a notice: creations (A),
ventes (A, buyer and seller), collective proceedings (A, PCL), officer changes, capital
increases and head-office transfers (B, modification), radiations (B). About 5 % of notices
get a rectificatif a few days later and 2 % an annulation, pointing back through
`parutionavisprecedent`; a few carry mojibake, an absurd judgment date, or no publication date
(to be quarantined). Notices older than a year go to the DILA bulk files (the historical
backfill), the last year to monthly ODS exports (the daily feed), as in production.
"""

from __future__ import annotations

import io
import json
import random
import tarfile
import xml.etree.ElementTree as ET
from collections import defaultdict
from datetime import date, timedelta
from pathlib import Path

import polars as pl

from sources.demo.universe import Universe

FAMILY_LIB = {
    "creation": "Créations",
    "vente": "Ventes et cessions",
    "collective": "Procédures collectives",
    "modification": "Modifications diverses",
    "radiation": "Radiations",
}
EDITION = {"creation": "A", "vente": "A", "collective": "A", "modification": "B", "radiation": "B"}
TYPE_LIB = {"annonce": "Avis initial", "rectificatif": "Avis rectificatif", "annulation": "Avis d'annulation"}
NATURE = {
    "sauvegarde": "Jugement d'ouverture d'une procédure de sauvegarde",
    "redressement": "Jugement d'ouverture d'une procédure de redressement judiciaire",
    "liquidation": "Jugement d'ouverture de liquidation judiciaire",
}
ROLE_TEXT = {
    "73": "Président",
    "53": "Directeur général",
    "30": "Gérant",
    "51": "Président du conseil d'administration",
}


def _spaced(siren: str) -> str:
    return f"{siren[:3]} {siren[3:6]} {siren[6:]}"


def _notices(universe: Universe, rng: random.Random) -> list[dict]:
    """One dict per notice: the universe events BODACC publishes, plus corrections."""
    units = {
        u["siren"]: u
        for u in universe.units.select(
            "siren",
            "denomination",
            "last_name",
            "first_name",
            "is_person",
            "departement",
            "commune_name",
            "capital",
            "active",
        ).to_dicts()
    }
    officers = {o["officer_id"]: o for o in universe.officers.to_dicts()}
    active = [s for s, u in units.items() if u["active"] and not u["is_person"]]
    kinds = {
        "creation": "creation",
        "sale": "vente",
        "collective_proceeding": "collective",
        "officer_change": "modification",
        "capital_increase": "modification",
        "transfer": "modification",
        "radiation": "radiation",
    }
    notices = []
    for ev in universe.events.filter(pl.col("event_type").is_in(list(kinds))).sort("event_date", "event_id").to_dicts():
        unit = units.get(ev["siren"])
        if unit is None:
            continue
        details = json.loads(ev["details"] or "{}")
        name = unit["denomination"] or f"{unit['first_name'] or ''} {unit['last_name'] or ''}".strip()
        published = ev["event_date"] + timedelta(days=rng.randint(3, 20))
        n = {
            "event": ev["event_type"],
            "family": kinds[ev["event_type"]],
            "siren": ev["siren"],
            "name": name,
            "dep": unit["departement"] or "75",
            "city": unit["commune_name"],
            "published": published,
            "event_date": ev["event_date"],
            "capital": unit["capital"],
            "details": details,
        }
        if ev["event_type"] == "sale":
            n["buyer"] = rng.choice(active) if active else None
            n["buyer_name"] = units[n["buyer"]]["denomination"] if n["buyer"] else details.get("buyer")
        if ev["event_type"] == "officer_change":
            o = officers.get(details.get("officer_id_in"))
            who = " ".join(x for x in ((o or {}).get("last_name"), ((o or {}).get("first_names") or "").title()) if x)
            n["officer"] = f"{ROLE_TEXT.get(o['role_code'], 'Dirigeant')} : {who}" if o and who else None
        notices.append(n)
    corrections = []
    for n in notices:
        draw = rng.random()
        if draw < 0.05 or draw > 0.98:
            fix = dict(
                n,
                type="rectificatif" if draw < 0.05 else "annulation",
                corrects=n,
                published=n["published"] + timedelta(days=rng.randint(2, 10)),
            )
            corrections.append(fix)
    return notices + corrections


def _number(notices: list[dict]) -> None:
    """Issue numbers (parution) per edition and day, notice numbers within an issue."""
    by_issue: dict[tuple[str, date], list[dict]] = defaultdict(list)
    for n in sorted(notices, key=lambda n: (n["published"], n["siren"])):
        by_issue[(EDITION[n["family"]], n["published"])].append(n)
    for (edition, day), items in by_issue.items():
        parution = f"{day.year}{day.timetuple().tm_yday:04d}"
        for i, n in enumerate(items, start=1):
            n.update(edition=edition, parution=parution, number=i, id=f"{edition}{parution}{i}")
            n.setdefault("type", "annonce")


def _ods_record(n: dict, rng: random.Random) -> dict:
    person: dict = {
        "typePersonne": "pm",
        "denomination": n["name"],
        "numeroImmatriculation": {"numeroIdentification": _spaced(n["siren"]), "codeRCS": "RCS"},
    }
    rec = {
        "id": n["id"],
        "publicationavis": n["edition"],
        "publicationavis_facette": f"Bodacc {n['edition']}",
        "parution": n["parution"],
        "dateparution": n["published"].isoformat(),
        "numeroannonce": n["number"],
        "typeavis": n["type"],
        "typeavis_lib": TYPE_LIB[n["type"]],
        "familleavis": n["family"],
        "familleavis_lib": FAMILY_LIB[n["family"]],
        "numerodepartement": n["dep"],
        "ville": n["city"],
        "tribunal": f"Greffe du Tribunal de Commerce de {n['city'] or 'Paris'}",
        "commercant": n["name"],
        # v1 spelling: both forms, order varying (inpi_bodacc.md §3.2)
        "registre": f"{n['siren']},{_spaced(n['siren'])}" if rng.random() < 0.5 else [n["siren"], _spaced(n["siren"])],
    }
    if n["event"] == "capital_increase":
        person["capital"] = {"montantCapital": n["details"].get("capital_after"), "devise": "EUR"}
        rec["modificationsgenerales"] = json.dumps(
            {
                "descriptif": "Modification survenue sur le capital (augmentation).",
                "dateEffet": n["event_date"].isoformat(),
            }
        )
    elif n["event"] == "officer_change":
        person["administration"] = n.get("officer")
        rec["modificationsgenerales"] = json.dumps(
            {"descriptif": "Modification survenue sur l'administration.", "dateEffet": n["event_date"].isoformat()}
        )
    elif n["event"] == "transfer":
        rec["modificationsgenerales"] = json.dumps(
            {"descriptif": "Transfert du siège social.", "dateEffet": n["event_date"].isoformat()}
        )
    elif n["event"] == "collective_proceeding":
        kind = n["details"].get("kind", "redressement")
        rec["jugement"] = json.dumps(
            {
                "famille": "Jugement d'ouverture",
                "nature": NATURE.get(kind, NATURE["redressement"]),
                "date": n["event_date"].isoformat(),
                "type": "initial",
            }
        )
    elif n["event"] == "radiation":
        rec["radiationaurcs"] = json.dumps({"radiationPM": "O"})
    elif n["event"] == "creation":
        rec["acte"] = json.dumps(
            {
                "creation": {"categorieCreation": "Immatriculation d'une personne morale"},
                "dateCommencementActivite": n["event_date"].isoformat(),
            }
        )
    elif n["event"] == "sale":
        buyer = n.get("buyer")
        rec["commercant"] = n.get("buyer_name") or "ACQUEREUR"
        rec["registre"] = f"{buyer},{_spaced(buyer)}" if buyer else None
        person = {"typePersonne": "pm", "denomination": rec["commercant"]}
        if buyer:
            person["numeroImmatriculation"] = {"numeroIdentification": _spaced(buyer), "codeRCS": "RCS"}
        rec["listeprecedentproprietaire"] = json.dumps(
            {
                "personne": {
                    "denomination": n["name"],
                    "numeroImmatriculation": {"numeroIdentification": _spaced(n["siren"])},
                }
            }
        )
        rec["acte"] = json.dumps(
            {"vente": {"categorieVente": "Vente d'un fonds de commerce", "descriptif": "Cession du fonds."}}
        )
    rec["listepersonnes"] = json.dumps({"personne": person}, ensure_ascii=False)
    if n["type"] != "annonce":
        c = n["corrects"]
        rec["parutionavisprecedent"] = json.dumps(
            {
                "nomPublication": f"BODACC {c['edition']}",
                "numeroParution": c["parution"],
                "dateParution": c["published"].isoformat(),
                "numeroAnnonce": str(c["number"]),
            }
        )
    return rec


def _inject_quirks(records: list[dict], rng: random.Random) -> None:
    """A few real-world defects: mojibake, absurd judgment date, a notice without its date."""
    if len(records) < 10:
        return
    for rec in rng.sample(records, 3):
        rec["tribunal"] = "Greffe du Tribunal de Commerce de Ã‰vry"  # 'Évry' read as cp1252
    judged = [r for r in records if r.get("jugement")]
    if judged:
        j = json.loads(judged[0]["jugement"])
        j["date"] = "0009-12-02"
        judged[0]["jugement"] = json.dumps(j)
    broken = dict(records[-1], id=records[-1]["id"] + "9999", dateparution=None)
    records.append(broken)


def _dila_files(notices: list[dict], out_dir: Path) -> dict[str, Path]:
    """One `.taz` per issue and file family (RCS-A, RCS-B, PCL), as DILA publishes them."""
    groups = {
        "RCS-A": ("RCS-A_IMMAT", "listeAvis", "avis", ("creation", "vente")),
        "RCS-B": ("RCS-B_REDIFF", "listeAvis", "avis", ("modification", "radiation")),
        "PCL": ("PCL_REDIFF", "annonces", "annonce", ("collective",)),
    }
    files = {}
    for name, (root_tag, list_tag, item_tag, families) in groups.items():
        issues: dict[str, list[dict]] = defaultdict(list)
        for n in notices:
            if n["family"] in families:
                issues[n["parution"]].append(n)
        for parution, items in sorted(issues.items()):
            root = ET.Element(root_tag)
            ET.SubElement(root, "parution").text = parution
            ET.SubElement(root, "dateParution").text = items[0]["published"].isoformat()
            container = ET.SubElement(root, list_tag)
            for n in items:
                container.append(_dila_notice(n, item_tag))
            xml = ET.tostring(root, encoding="utf-8", xml_declaration=True)
            stem = f"{name}_BX{items[0]['edition']}{parution}"
            path = out_dir / "dila" / f"{stem}.taz"
            path.parent.mkdir(parents=True, exist_ok=True)
            with tarfile.open(path, "w:gz") as tar:
                info = tarfile.TarInfo(f"{stem}.xml")
                info.size = len(xml)
                info.mtime = 0
                tar.addfile(info, io.BytesIO(xml))
            files[f"dila_{stem}"] = path
    return files


def _dila_notice(n: dict, tag: str) -> ET.Element:
    """One DILA `avis` / `annonce` element (the issue's number and date are on the root)."""
    avis = ET.Element(tag)
    ET.SubElement(ET.SubElement(avis, "typeAnnonce"), n["type"])
    ET.SubElement(avis, "numeroAnnonce").text = str(n["number"])
    ET.SubElement(avis, "numeroDepartement").text = n["dep"]
    ET.SubElement(avis, "tribunal").text = f"GREFFE DU TRIBUNAL DE COMMERCE DE {(n['city'] or 'PARIS').upper()}"
    person = ET.SubElement(ET.SubElement(avis, "personnes"), "personne")
    pm = ET.SubElement(person, "personneMorale")
    imm = ET.SubElement(pm, "numeroImmatriculation")
    ET.SubElement(imm, "numeroIdentification").text = _spaced(n.get("buyer") or n["siren"])
    ET.SubElement(pm, "denomination").text = n.get("buyer_name") or n["name"]
    if n["event"] == "officer_change" and n.get("officer"):
        ET.SubElement(person, "administration").text = n["officer"]
    if n["event"] == "capital_increase":
        cap = ET.SubElement(person, "capital")
        ET.SubElement(cap, "montantCapital").text = str(n["details"].get("capital_after"))
    if n["family"] in ("creation", "vente"):
        acte = ET.SubElement(ET.SubElement(avis, "acte"), n["family"])
        ET.SubElement(acte, "categorieCreation" if n["family"] == "creation" else "categorieVente").text = (
            "Immatriculation d'une personne morale" if n["family"] == "creation" else "Vente d'un fonds de commerce"
        )
        if n["family"] == "vente":
            prev = ET.SubElement(avis, "precedentProprietairePM")
            ET.SubElement(prev, "denomination").text = n["name"]
            ET.SubElement(ET.SubElement(prev, "numeroImmatriculation"), "numeroIdentification").text = _spaced(
                n["siren"]
            )
    elif n["family"] == "modification":
        text = {
            "capital_increase": "Modification survenue sur le capital (augmentation).",
            "officer_change": "Modification survenue sur l'administration.",
            "transfer": "Transfert du siège social.",
        }[n["event"]]
        ET.SubElement(ET.SubElement(avis, "modificationsGenerales"), "descriptif").text = text
    elif n["family"] == "radiation":
        ET.SubElement(ET.SubElement(avis, "radiationAuRCS"), "radiationPM").text = "O"
    elif n["family"] == "collective":
        jug = ET.SubElement(avis, "jugement")
        ET.SubElement(jug, "famille").text = "Jugement d'ouverture"
        ET.SubElement(jug, "nature").text = NATURE.get(n["details"].get("kind", "redressement"), NATURE["redressement"])
        ET.SubElement(jug, "date").text = n["event_date"].isoformat()
    if n["type"] != "annonce":
        c = n["corrects"]
        prev = ET.SubElement(avis, "parutionAvisPrecedent")
        ET.SubElement(prev, "nomPublication").text = f"BODACC {c['edition']}"
        ET.SubElement(prev, "numeroParution").text = c["parution"]
        ET.SubElement(prev, "dateParution").text = c["published"].isoformat()
        ET.SubElement(prev, "numeroAnnonce").text = str(c["number"])
    return avis


def write_bodacc(universe: Universe, out_dir: Path, *, seed: int | None = None) -> dict[str, Path]:
    """Write the BODACC demo files; return {name: path}. Deterministic for a universe and seed."""
    rng = random.Random(universe.seed if seed is None else seed)
    out_dir.mkdir(parents=True, exist_ok=True)
    notices = _notices(universe, rng)
    _number(notices)
    cutoff = universe.as_of - timedelta(days=365)

    # A correction goes with the notice it corrects, so a file never points to a missing notice.
    def old(n: dict) -> bool:
        return (n["corrects"] if n["type"] != "annonce" else n)["published"] < cutoff

    backfill = [n for n in notices if old(n)]
    recent = [n for n in notices if not old(n)]
    files = _dila_files(backfill, out_dir)
    by_month: dict[str, list[dict]] = defaultdict(list)
    for n in recent:
        by_month[n["published"].strftime("%Y-%m")].append(_ods_record(n, rng))
    months = sorted(by_month)
    if months:
        _inject_quirks(by_month[months[-1]], rng)
    for month in months:
        path = out_dir / f"annonces-commerciales_{month}.json"
        path.write_text(json.dumps(by_month[month], ensure_ascii=False, indent=0), encoding="utf-8")
        files[f"ods_{month}"] = path
    return files
