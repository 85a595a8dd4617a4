"""Parquet typing quirks (integer NIC before Feb 2026) and `[ND]` rows of non-diffusible units."""

from __future__ import annotations

import duckdb

from firmo import db
from sources.sirene.ingest import load_sirene
from sources.sirene.schema import ETABLISSEMENTS_COLUMNS, UNITES_LEGALES_COLUMNS
from tests.sirene.builders import etab_row, siren, siret, ul_row, write_csv

A, P_PM, P_PP = siren("12345678"), siren("22222222"), siren("33333333")


def to_parquet(csv_path, out, integer_cols):
    casts = ", ".join(
        f'CAST("{c}" AS BIGINT) AS "{c}"' if c in integer_cols else f'"{c}"'
        for c in duckdb.sql(f"SELECT * FROM read_csv('{csv_path}', all_varchar = true) LIMIT 0").columns
    )
    duckdb.execute(f"COPY (SELECT {casts} FROM read_csv('{csv_path}', all_varchar = true)) TO '{out}' (FORMAT parquet)")
    return out


def test_parquet_integer_nic_is_left_padded(data_env, tmp_path):
    nic = siret(A, "0000")[9:]          # a NIC with leading zeros: '0000' + check digit
    ul = write_csv(tmp_path / "ul.csv", UNITES_LEGALES_COLUMNS, [ul_row(A, nicSiegeUniteLegale=nic)])
    et = write_csv(tmp_path / "et.csv", ETABLISSEMENTS_COLUMNS, [etab_row(siret(A, "0000"))])
    ul_pq = to_parquet(ul, tmp_path / "ul.parquet", {"nicSiegeUniteLegale", "categorieJuridiqueUniteLegale", "anneeEffectifsUniteLegale"})
    et_pq = to_parquet(et, tmp_path / "et.parquet", {"nic"})
    assert duckdb.execute(f"SELECT nic FROM '{et_pq}'").fetchone()[0] == int(nic)
    with db.connection() as con:
        report = load_sirene(con, unites_legales=ul_pq, etablissements=et_pq)
        assert report.tables["unites_legales"].fmt == "parquet"
        assert con.execute("SELECT nicSiegeUniteLegale, categorieJuridiqueUniteLegale FROM sirene.unites_legales").fetchone() == (nic, "5710")
        assert con.execute("SELECT nic, siret FROM sirene.etablissements").fetchone() == (nic, siret(A, "0000"))
        assert con.execute("SELECT siret_siege, head_office_found FROM core.companies").fetchone() == (siret(A, "0000"), True)


def test_non_diffusible_units_keep_nd_values_and_are_flagged(data_env, tmp_path):
    nd = "[ND]"
    ul = write_csv(tmp_path / "ul.csv", UNITES_LEGALES_COLUMNS, [
        ul_row(A),
        # a company (PM) in diffusion partielle keeps its denomination, loses its sigle
        ul_row(P_PM, statutDiffusionUniteLegale="P", sigleUniteLegale=nd, denominationUniteLegale="DISCRETE SAS"),
        # a person (EI) loses every name
        ul_row(P_PP, statutDiffusionUniteLegale="P", categorieJuridiqueUniteLegale="1000", denominationUniteLegale="",
               nomUniteLegale=nd, prenom1UniteLegale=nd, prenomUsuelUniteLegale=nd, sexeUniteLegale=nd),
    ])
    masked = dict(statutDiffusionEtablissement="P", numeroVoieEtablissement=nd, typeVoieEtablissement=nd,
                  libelleVoieEtablissement=nd, codePostalEtablissement=nd, coordonneeLambertAbscisseEtablissement=nd)
    et = write_csv(tmp_path / "et.csv", ETABLISSEMENTS_COLUMNS, [
        etab_row(siret(A, "0001")),
        etab_row(siret(P_PM, "0001"), **masked),
        etab_row(siret(P_PP, "0001"), **masked, enseigne1Etablissement=nd),
    ])
    with db.connection() as con:
        report = load_sirene(con, unites_legales=ul, etablissements=et)
        assert report.tables["unites_legales"].rows_rejected == 0
        assert report.tables["etablissements"].rows_rejected == 0
        # raw tables: INSEE's [ND] kept as is
        assert con.execute(
            "SELECT nomUniteLegale, sexeUniteLegale FROM sirene.unites_legales WHERE siren = ?", [P_PP]
        ).fetchone() == (nd, nd)
        assert con.execute(
            "SELECT codePostalEtablissement, coordonneeLambertAbscisseEtablissement, codeCommuneEtablissement "
            "FROM sirene.etablissements WHERE siren = ?", [P_PM]
        ).fetchone() == (nd, nd, "69382")
        rows = con.execute(
            "SELECT siren, name, acronym, diffusion_status, diffusible, postal_code, commune_code, departement_code "
            "FROM core.companies ORDER BY siren"
        ).fetchall()
        assert rows == sorted([
            (A, f"SOCIETE {A}", None, "O", True, "69002", "69382", "69"),
            (P_PM, "DISCRETE SAS", nd, "P", False, nd, "69382", "69"),
            (P_PP, nd, None, "P", False, nd, "69382", "69"),
        ])
