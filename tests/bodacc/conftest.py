"""Builders for small hand-made BODACC exports, in the real Opendatasoft shapes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from firmo import db


def ods_record(notice_id: str, day: str, family: str = "creation", *, siren: str = "443061841",
               typeavis: str = "annonce", previous: tuple[str, str, int] | None = None, **fields) -> dict:
    """One `annonces-commerciales` record as the JSON export writes it (JSON-in-string fields)."""
    spaced = f"{siren[:3]} {siren[3:6]} {siren[6:]}"
    rec = {
        "id": notice_id, "publicationavis": notice_id[0], "parution": notice_id[1:9], "dateparution": day,
        "numeroannonce": int(notice_id[9:]), "typeavis": typeavis, "familleavis": family,
        "numerodepartement": "75", "ville": "Paris", "tribunal": "Greffe du Tribunal de Commerce de Paris",
        "commercant": "ACME", "registre": f"{siren},{spaced}",
        "listepersonnes": json.dumps({"personne": {"typePersonne": "pm", "denomination": "ACME",
                                                   "numeroImmatriculation": {"numeroIdentification": spaced}}}),
    }
    if previous:
        edition, parution, number = previous
        rec["parutionavisprecedent"] = json.dumps({"nomPublication": f"BODACC {edition}", "numeroParution": parution,
                                                   "dateParution": day, "numeroAnnonce": str(number)})
    rec.update(fields)
    return rec


def write_export(path: Path, records: list[dict]) -> Path:
    path.write_text(json.dumps(records, ensure_ascii=False), encoding="utf-8")
    return path


@pytest.fixture()
def con(tmp_path):
    connection = db.connect(tmp_path / "w.duckdb")
    yield connection
    connection.close()


def notices(con, *columns: str) -> list[tuple]:
    cols = ", ".join(columns)
    return con.execute(f"SELECT {cols} FROM bodacc.notices ORDER BY id").fetchall()
