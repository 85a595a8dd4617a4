"""Raw regulatory DECP JSON (2019 `{"marches": [...]}` and 2.0 `{"marches": {"marche": [...]}}`)
flattened into the consolidated file's rows, values left as published.

Why: the consolidated file is what firmo loads, but the platforms publish the regulatory format,
and its quirks (timezone-suffixed dates, CPV with a check digit, VAT titulaires, ids with spaces,
"NC") are what the loader's cleaning must survive. Flattening the real samples the way
decp-processing does (one row per titulaire and modification state, `modification_id` 0 for the
initial data, `donneesActuelles` on the last state; open_data.md §1.2-1.3) lets the tests run the
real values through the real loader. Nothing is cleaned here: that is normalise.sql's job.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sources.decp.columns import NAMES


def _unwrap(value: Any, key: str) -> Any:
    """2.0 wraps items: {"titulaire": {...}} / {"considerationSociale": [...]}."""
    if isinstance(value, dict) and key in value and len(value) == 1:
        return value[key]
    return value


def _innermost(items: Any) -> list[dict]:
    """Titulaires can be nested in several list levels ([[{...}]], extract_innermost_struct)."""
    out: list[dict] = []
    stack = list(items or []) if isinstance(items, list) else [items]
    while stack:
        item = stack.pop(0)
        if isinstance(item, list):
            stack[:0] = item
        elif isinstance(item, dict):
            out.append(_unwrap(item, "titulaire"))
    return out


def _joined(value: Any, key: str) -> str | None:
    value = _unwrap(value, key)
    if value is None:
        return None
    return ", ".join(str(v) for v in value) if isinstance(value, list) else str(value)


def marches(document: dict) -> list[dict]:
    raw = document.get("marches", [])
    if isinstance(raw, dict):
        raw = raw.get("marche", [])
    return [m for m in raw if isinstance(m, dict)]


def flatten(document: dict, *, source_dataset: str, source_file: str) -> list[dict[str, Any]]:
    """Rows with the consolidated file's column names (absent ones None)."""
    rows: list[dict[str, Any]] = []
    for m in marches(document):
        buyer = m.get("acheteur") or {}
        buyer_id = buyer.get("id") if isinstance(buyer, dict) else None
        buyer_id = buyer_id or m.get("acheteur.id")
        lieu = m.get("lieuExecution") or {}
        base = {
            "uid": m.get("uid") or (f"{buyer_id}{m.get('id')}" if buyer_id and m.get("id") else None),
            "id": m.get("id"),
            "nature": m.get("nature"),
            "acheteur_id": buyer_id,
            "acheteur_nom": buyer.get("nom") if isinstance(buyer, dict) else None,
            "objet": m.get("objet"),
            "codeCPV": m.get("codeCPV"),
            "procedure": m.get("procedure"),
            "techniques": _joined(m.get("techniques"), "technique"),
            "dureeMois": m.get("dureeMois"),
            "offresRecues": m.get("offresRecues"),
            "dateNotification": m.get("dateNotification"),
            "datePublicationDonnees": m.get("datePublicationDonnees"),
            "montant": m.get("montant"),
            "formePrix": m.get("formePrix"),
            "typesPrix": _joined(m.get("typesPrix"), "typePrix"),
            "attributionAvance": m.get("attributionAvance"),
            "tauxAvance": m.get("tauxAvance"),
            "marcheInnovant": m.get("marcheInnovant"),
            "modalitesExecution": _joined(m.get("modalitesExecution"), "modaliteExecution"),
            "considerationsSociales": _joined(m.get("considerationsSociales"), "considerationSociale"),
            "considerationsEnvironnementales": _joined(
                m.get("considerationsEnvironnementales"), "considerationEnvironnementale"
            ),
            "ccag": m.get("ccag"),
            "sousTraitanceDeclaree": m.get("sousTraitanceDeclaree"),
            "typeGroupementOperateurs": m.get("typeGroupementOperateurs"),
            "origineUE": m.get("origineUE"),
            "origineFrance": m.get("origineFrance"),
            "lieuExecution_code": lieu.get("code") if isinstance(lieu, dict) else None,
            "lieuExecution_typeCode": lieu.get("typeCode") if isinstance(lieu, dict) else None,
            "idAccordCadre": m.get("idAccordCadre"),
            "sourceDataset": source_dataset,
            "sourceFile": source_file,
        }
        states = [(base, _innermost(m.get("titulaires")))]
        for item in m.get("modifications") or []:
            mod = _unwrap(item, "modification")
            if not isinstance(mod, dict):
                continue
            previous, titulaires = states[-1]
            state = dict(previous)
            for field in ("montant", "dureeMois"):
                if mod.get(field) is not None:
                    state[field] = mod[field]
            state["dateNotification"] = mod.get("dateNotificationModification") or previous["dateNotification"]
            state["datePublicationDonnees"] = (
                mod.get("datePublicationDonneesModification") or previous["datePublicationDonnees"]
            )
            states.append((state, _innermost(mod.get("titulaires")) or titulaires))
        for number, (state, titulaires) in enumerate(states):
            for t in titulaires or [{}]:
                row: dict[str, Any] = {n: None for n in NAMES}
                row.update(state)
                row.update(
                    titulaire_id=t.get("id"),
                    titulaire_typeIdentifiant=t.get("typeIdentifiant"),
                    titulaire_nom=t.get("denominationSociale"),
                    modification_id=number,
                    donneesActuelles=number == len(states) - 1,
                )
                rows.append(row)
    return rows


def read_json(path: Path, *, source_dataset: str) -> list[dict[str, Any]]:
    return flatten(json.loads(Path(path).read_text(encoding="utf-8")), source_dataset=source_dataset,
                   source_file=Path(path).name)  # fmt: skip
