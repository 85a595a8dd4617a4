"""Fixtures of the INPI tests: a warehouse in a temp dir and a tiny hand-built universe
(the shape of `sources.demo.universe.Universe`, so the generator is tested on its own)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from firmo import db
from sources.demo.ids import siren_from_base

AS_OF = dt.date(2026, 11, 1)


@pytest.fixture()
def inpi_samples(samples_dir: Path) -> Path:
    return samples_dir / "inpi"


@pytest.fixture()
def con(data_env):
    connection = db.connect()
    yield connection
    connection.close()


@dataclass(frozen=True)
class TinyUniverse:
    units: pl.DataFrame
    officers: pl.DataFrame
    events: pl.DataFrame
    seed: int = 7
    as_of: dt.date = AS_OF


def sirens(n: int) -> list[str]:
    return [f"{s:09d}" for s in siren_from_base(np.arange(11_111_110, 11_111_110 + n))]


def _unit(siren, cj, band, cat=None, person=False, created=dt.date(2015, 3, 1), active=True, closed=None, name=None):
    return {
        "siren": siren, "is_person": person, "denomination": None if person else (name or f"SOC {siren}"),
        "last_name": "DURAND" if person else None, "first_name": "Julie" if person else None,
        "categorie_juridique": cj, "naf": "62.01Z", "tranche_effectifs": band, "categorie_entreprise": cat,
        "date_creation": created, "active": active, "date_closed": closed, "statut_diffusion": "O",
        "siret_siege": siren + "00017", "commune_code": "75056", "commune_name": "Paris", "postal_code": "75001",
        "capital": None if person else 10_000,
    }  # fmt: skip


def _officer(oid, siren, role, last, first, start=None, end=None, kind="person", company=None):
    return {"siren": siren, "officer_id": oid, "kind": kind, "last_name": last, "first_names": first,
            "role_code": role, "start_date": start, "end_date": end, "birth_year_month": "1970-01",
            "company_siren": company}  # fmt: skip


@pytest.fixture()
def tiny_universe() -> TinyUniverse:
    """A: SAS whose DG changed after the stock snapshot; B: SARL; C: EI; D: SA with a company
    director and a role 99, big enough for consolidated accounts; E: closed in 2023; fillers."""
    a, b, c, d, e, *fillers = sirens(16)
    units = [
        _unit(a, "5710", "11"), _unit(b, "5499", "02"), _unit(c, "1000", "NN", person=True),
        _unit(d, "5599", "42", cat="GE"), _unit(e, "5710", "01", active=False, closed=dt.date(2023, 6, 30)),
        *(_unit(f, "5499", "01", created=dt.date(2010, 1, 1)) for f in fillers),
    ]  # fmt: skip
    change = dt.date(2026, 10, 20)
    officers = [
        _officer(1, a, "73", "ROBERT", "Emma Louise", start=dt.date(2019, 5, 2)),
        _officer(2, a, "53", "MARTIN", "Pierre", start=dt.date(2020, 1, 6), end=change),
        _officer(3, a, "53", "PETIT", "Sophie", start=change),
        _officer(4, b, "30", "BERNARD", "Luc"),
        _officer(5, c, "101", "DURAND", "Julie"),
        _officer(6, d, "65", None, None, kind="company", company=b),
        _officer(7, d, "99", "LEROY", "Anne", start=dt.date(2021, 9, 1)),
        _officer(8, e, "73", "MOREAU", "Paul"),
    ]
    events = [{"siren": a, "event_id": 1, "event_type": "officer_change", "event_date": change,
               "details": '{"officer_id_in": 3, "officer_id_out": 2}'}]  # fmt: skip
    return TinyUniverse(pl.DataFrame(units), pl.DataFrame(officers), pl.DataFrame(events))
