"""Small hand-built warehouses for the ICP tests: every row is written here, so every expected
siren and score can be worked out by hand."""

from __future__ import annotations

from datetime import date

import duckdb

from firmo import db
from firmo.reference import load_reference
from firmo.reference import naf as nafref

AS_OF = date(2025, 6, 30)

COMPANY_COLUMNS = {
    "siren": "VARCHAR", "siret_siege": "VARCHAR", "name": "VARCHAR", "street": "VARCHAR", "postal_code": "VARCHAR",
    "commune_name": "VARCHAR", "commune_code": "VARCHAR", "departement_code": "VARCHAR", "region_code": "VARCHAR",
    "region_name": "VARCHAR", "foreign_country": "VARCHAR", "naf_code": "VARCHAR", "naf_section": "VARCHAR",
    "naf_division": "VARCHAR", "naf_division_label": "VARCHAR", "headcount_band": "VARCHAR", "headcount_min": "BIGINT",
    "headcount_max": "BIGINT", "employer": "BOOLEAN", "legal_form_code": "VARCHAR", "legal_form_label": "VARCHAR",
    "company_category": "VARCHAR", "creation_date": "DATE", "active": "BOOLEAN", "diffusible": "BOOLEAN",
    "naf_source": "VARCHAR", "naf2025_code": "VARCHAR", "naf2025_source": "VARCHAR", "naf2025_section": "VARCHAR",
    "naf2025_division": "VARCHAR", "idcc_codes": "VARCHAR[]",
}
PLACES = {  # commune -> (name, postal code, département, région code, région)
    "75056": ("Paris", "75001", "75", "11", "Île-de-France"),
    "69123": ("Lyon", "69001", "69", "84", "Auvergne-Rhône-Alpes"),
    "35238": ("Rennes", "35000", "35", "53", "Bretagne"),
}
BANDS = {None: (None, None), "NN": (0, 0), "01": (1, 2), "11": (10, 19), "12": (20, 49), "21": (50, 99),
         "22": (100, 199), "32": (250, 499)}
SECTIONS = {"62": "J", "63": "J", "58": "J", "70": "M", "47": "G", "43": "F"}
AUTO = "auto"  # naf2025 like core.companies: the single correspondent of the rév. 2 code, else NULL


def company(siren: str, *, naf: str | None = "62.01Z", band: str | None = "12", commune: str = "75056",
            legal_form: str = "5710", category: str | None = "PME", created: date | None = date(2015, 3, 1),
            active: bool = True, diffusible: bool = True, employer: bool | None = None, name: str | None = None,
            naf2025: str | None = AUTO) -> dict:
    city, postal, dep, reg, reg_name = PLACES[commune]
    if naf2025 == AUTO:
        naf2025 = nafref.counterpart(naf, nafref.REV2) if naf else None
        naf2025_source = "correspondence" if naf2025 else "split: no 1-to-1 correspondence" if naf else "no activity code"
    else:
        naf2025_source = "sirene" if naf2025 else None
    lo, hi = BANDS[band]
    return {
        "siren": siren, "siret_siege": siren + "00012", "name": name or f"ACME {siren}", "street": "1 RUE DE LA PAIX",
        "postal_code": postal, "commune_name": city, "commune_code": commune, "departement_code": dep,
        "region_code": reg, "region_name": reg_name, "foreign_country": None, "naf_code": naf,
        "naf_section": (SECTIONS.get(naf[:2]) or nafref.nomenclature(nafref.REV2).section_of(naf)) if naf else None, "naf_division": naf[:2] if naf else None,
        "naf_division_label": f"division {naf[:2]}" if naf else None, "headcount_band": band,
        "headcount_min": lo, "headcount_max": hi,
        "employer": employer if employer is not None else bool(band and band != "NN"),
        "legal_form_code": legal_form, "legal_form_label": f"forme {legal_form}", "company_category": category,
        "creation_date": created, "active": active, "diffusible": diffusible,
        "naf_source": "sirene" if naf else None, "naf2025_code": naf2025, "naf2025_source": naf2025_source,
        "naf2025_section": nafref.nomenclature(nafref.NAF2025).section_of(naf2025) if naf2025 else None,
        "naf2025_division": naf2025[:2] if naf2025 else None,
    }


def company_naf2025(siren: str, code: str, **values) -> dict:
    """A unit coded only in NAF 2025, as core.companies has it: its rév. 2 code is the single
    antecedent of its code, or NULL (a merge)."""
    rev2 = nafref.counterpart(code, nafref.NAF2025)
    row = company(siren, naf=rev2, naf2025=code, **values)
    row["naf_source"] = "correspondence" if rev2 else "merge: no 1-to-1 correspondence"
    return row


def _insert(con: duckdb.DuckDBPyConnection, table: str, columns: dict[str, str], rows: list[dict]) -> None:
    con.execute(f"CREATE OR REPLACE TABLE {table} ({', '.join(f'{c} {t}' for c, t in columns.items())})")
    if rows:
        names = list(columns)
        con.executemany(f"INSERT INTO {table} VALUES ({', '.join('?' for _ in names)})",
                        [[r.get(c) for c in names] for r in rows])


def signal(siren: str, signal_type: str, day: date, *, strength: float = 1.0, label: str | None = None,
           negative: bool = False, source: str = "sirene") -> dict:
    return {"siren": siren, "signal_type": signal_type, "signal_date": day, "strength": strength,
            "polarity": "negative" if negative else "positive", "label": label or signal_type.replace("_", " "),
            "evidence": "test", "source": source, "source_ref": siren}


def officer(siren: str, role_code: str, role_label: str, *, given: str = "Jeanne Marie", family: str = "MARTIN",
            kind: str = "person", start: date | None = date(2020, 1, 1), active: bool = True,
            role_codes: list[str] | None = None) -> dict:
    return {"siren": siren, "officer_kind": kind, "family_name": family if kind == "person" else None,
            "given_names": given if kind == "person" else None, "company_officer_siren": None,
            "company_officer_name": family if kind == "company" else None, "role_code": role_code,
            "role_codes": role_codes or [role_code], "role_label": role_label, "start_date": start,
            "active": active, "representant_id": None,
            "updated_at": None, "source_file": "test"}


SIGNAL_COLUMNS = {"siren": "VARCHAR", "signal_type": "VARCHAR", "signal_date": "DATE", "strength": "DOUBLE",
                  "polarity": "VARCHAR", "label": "VARCHAR", "evidence": "VARCHAR", "source": "VARCHAR",
                  "source_ref": "VARCHAR"}
OFFICER_COLUMNS = {"siren": "VARCHAR", "officer_kind": "VARCHAR", "family_name": "VARCHAR", "given_names": "VARCHAR",
                   "company_officer_siren": "VARCHAR", "company_officer_name": "VARCHAR", "role_code": "VARCHAR",
                   "role_codes": "VARCHAR[]", "role_label": "VARCHAR", "start_date": "DATE", "active": "BOOLEAN",
                   "representant_id": "VARCHAR",
                   "updated_at": "TIMESTAMP", "source_file": "VARCHAR"}
FINANCIAL_COLUMNS = {"siren": "VARCHAR", "fiscal_year_end": "DATE", "revenue": "BIGINT"}


def build_warehouse(con: duckdb.DuckDBPyConnection, companies: list[dict], *, signals: list[dict] = (),
                    officers: list[dict] = (), revenues: dict[str, int] | None = None) -> None:
    """Write the four inputs of core.prospects, then build it."""
    from firmo.icp import build_prospects

    db.ensure_schemas(con)
    load_reference(con)
    _insert(con, "core.companies", COMPANY_COLUMNS, companies)
    _insert(con, "core.signals", SIGNAL_COLUMNS, list(signals))
    _insert(con, "inpi.officers", OFFICER_COLUMNS, list(officers))
    _insert(con, "core.latest_financials", FINANCIAL_COLUMNS,
            [{"siren": s, "fiscal_year_end": date(2024, 12, 31), "revenue": r} for s, r in (revenues or {}).items()])
    build_prospects(con)
