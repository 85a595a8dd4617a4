"""The parsers on the real published extracts in tests/fixtures/sirene (every vintage)."""

from __future__ import annotations

import pytest

from firmo import db
from sources.sirene.ingest import load_sirene


@pytest.fixture()
def loaded_2026(data_env, samples_dir):
    with db.connection() as con:
        report = load_sirene(
            con,
            unites_legales=samples_dir / "sirene" / "StockUniteLegale_sample_2026_35cols.csv",
            etablissements=samples_dir / "sirene" / "StockEtablissement_utf8_sample_2024-04.zip",
        )
        yield con, report


def test_current_35_column_unites_legales(loaded_2026):
    con, report = loaded_2026
    ul = report.tables["unites_legales"]
    assert (ul.rows_loaded, ul.rows_rejected, ul.missing_columns, ul.unknown_columns) == (9, 0, [], [])
    row = con.execute(
        "SELECT denominationUniteLegale, categorieJuridiqueUniteLegale, activitePrincipaleUniteLegale, "
        "activitePrincipaleNAF25UniteLegale, trancheEffectifsUniteLegale, anneeEffectifsUniteLegale, "
        "dateDernierTraitementUniteLegale::VARCHAR, nicSiegeUniteLegale, dateCreationUniteLegale::VARCHAR "
        "FROM sirene.unites_legales WHERE siren = '063802466'"
    ).fetchone()
    assert row == ("FACTOFRANCE", "5599", "64.19Z", "64.99Y", "32", 2023, "2025-12-06 05:44:13", "00373", "1900-01-01")
    assert con.execute(
        "SELECT count(*) FILTER (WHERE etatAdministratifUniteLegale = 'A'), count(*) FILTER (WHERE etatAdministratifUniteLegale = 'C') "
        "FROM sirene.unites_legales"
    ).fetchone() == (8, 1)


def test_april_2024_etablissements_zip(loaded_2026):
    con, report = loaded_2026
    et = report.tables["etablissements"]
    assert (et.rows_loaded, et.rows_rejected) == (299, 0)
    assert et.missing_columns == ["activitePrincipaleNAF25Etablissement"]   # 53-column format 3.11
    assert con.execute(
        "SELECT count(*) FILTER (WHERE etatAdministratifEtablissement = 'A'), "
        "count(*) FILTER (WHERE etatAdministratifEtablissement = 'F') FROM sirene.etablissements"
    ).fetchone() == (15, 284)
    first = con.execute(
        "SELECT siret, etablissementSiege, codeCommuneEtablissement, libelleCommuneEtablissement, "
        "activitePrincipaleRegistreMetiersEtablissement, dateCreationEtablissement::VARCHAR, "
        "firmo_departement(codeCommuneEtablissement) FROM sirene.etablissements WHERE siret = '00032517500016'"
    ).fetchone()
    assert first == ("00032517500016", False, "98727", "MANIHI", "3212ZZ", "2000-09-26", "987")


def test_core_companies_from_the_samples(loaded_2026):
    con, _ = loaded_2026
    assert con.execute("SELECT count(*) FROM core.companies").fetchone()[0] == 9
    row = con.execute(
        "SELECT name, creation_date, naf_division, naf2025_code, headcount_band, headcount_min, headcount_max, "
        "legal_form_code, company_category, active, diffusible FROM core.companies WHERE siren = '063802466'"
    ).fetchone()
    # 1900-01-01 is INSEE's "unknown date"; band 32 = 250 to 499 employees
    assert row == ("FACTOFRANCE", None, "64", "64.99Y", "32", 250, 499, "5599", "GE", True, True)
    closed = con.execute("SELECT active, closed_since::VARCHAR FROM core.companies WHERE siren = '057808172'").fetchone()
    assert closed == (False, "2026-01-01")


def test_2019_33_column_unites_legales(data_env, samples_dir):
    with db.connection() as con:
        report = load_sirene(
            con,
            unites_legales=samples_dir / "sirene" / "StockUniteLegale_sample_2019_33cols.csv",
            etablissements=samples_dir / "sirene" / "StockEtablissement_utf8_sample_2024-04.zip",
        )
        ul = report.tables["unites_legales"]
        assert (ul.rows_loaded, ul.rows_rejected) == (3, 0)
        assert ul.missing_columns == ["societeMissionUniteLegale", "activitePrincipaleNAF25UniteLegale"]
        rows = con.execute(
            "SELECT siren, unitePurgeeUniteLegale, prenom1UniteLegale, nomUniteLegale, activitePrincipaleUniteLegale, "
            "nomenclatureActivitePrincipaleUniteLegale, societeMissionUniteLegale FROM sirene.unites_legales ORDER BY siren"
        ).fetchall()
        assert rows == [
            ("000325175", None, "THIERRY", "JANOYER", "32.12Z", "NAFRev2", None),
            ("001807254", None, "JACQUES-LUCIEN", "BRETON", "85.59A", "NAFRev2", None),
            ("005410220", True, "GEORGES", "WATTEBLED", "22.02", "NAP", None),
        ]
        # a person (EI, catégorie 1000): name from first name + last name; head office joined
        company = con.execute(
            "SELECT name, is_person, siret_siege, commune_name, departement_code FROM core.companies WHERE siren = '000325175'"
        ).fetchone()
        assert company[:3] == ("THIERRY JANOYER", True, "00032517500065")
