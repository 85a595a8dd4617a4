"""Each label source read from the real samples (tests/fixtures/SOURCES.md): the raw table keeps
the publisher's column names and values, identifiers cleaned, and core.labels gets exact rows."""

from __future__ import annotations

import json
from datetime import date

from firmo.xlsx import iter_text_rows, sheet_names
from sources.labels.load import load_labels
from tests.labels.conftest import FIXTURES


def _one(con, sql):
    return con.execute(sql).fetchall()


def test_rge_data_fair_page(con):
    report = load_labels(con, {"rge": [FIXTURES / "rge/rge_data_fair_lines_response.json"]})
    assert report.loaded == {"labels.rge": 1, "core.labels": 1}
    row = _one(con, 'SELECT siret, code_qualification, nom_certificat, organisme, particulier, "domaine", '
                    "url_qualification, lien_date_fin FROM labels.rge")  # fmt: skip
    assert row == [(
        "84370107900017", "3111D111", "QUALIBAT-RGE", "qualibat", "true",
        "Isolation par l'intérieur des murs ou rampants de toitures  ou plafonds",
        "https://www.qualibat.com/Views/GetFichier.aspx?fn=2024\\SIEG-Certificat-177096-E177096-2-20240623-RGEAnnexe.pdf",
        None,
    )]  # fmt: skip
    assert _one(con, "SELECT * FROM core.labels") == [(
        "843701079", "84370107900017", "rge",
        "Isolation par l'intérieur des murs ou rampants de toitures ou plafonds / Tuiles canal (3111D111)",
        None, None, "rge",
    )]  # fmt: skip


def test_qualiopi_labelled_csv_two_ndas_and_two_date_formats(con):
    report = load_labels(con, {"qualiopi": [FIXTURES / "qualiopi/liste_publique_of_v2_rebuilt_siren356000000.csv"]})
    assert report.loaded == {"labels.qualiopi": 2, "core.labels": 3}
    rows = _one(con, 'SELECT "Numéro Déclaration Activité", "Code SIREN", "Début d\'exercice", "Fin d\'exercice", '
                     '"Date dernière déclaration", "Nombre de stagiaires", "Certifications" FROM labels.qualiopi ORDER BY 1')  # fmt: skip
    assert rows == [
        ("11755565775", "356000000", "01/01/2023", "2023-12-31", "23/05/2024", "111172", "Actions de formations"),
        ("11755762075", "356000000", "01/01/2023", "2023-12-31", "31/05/2024", "309", "Actions de formations"),
    ]
    assert _one(con, "SELECT * FROM core.labels ORDER BY label, detail") == [
        ("356000000", "35600000000048", "organisme_formation", "NDA 11755565775 (Institut Groupe La Poste)",
         date(2024, 5, 23), None, "qualiopi"),
        ("356000000", "35600000000048", "organisme_formation", "NDA 11755762075 (LA POSTE)", date(2024, 5, 31), None,
         "qualiopi"),
        ("356000000", "35600000000048", "qualiopi", "Actions de formations", None, None, "qualiopi"),
    ]  # fmt: skip


def test_ess_france_csv(con):
    load_labels(con, {"ess_france": [FIXTURES / "ess/ess_france_rebuilt_siren800329849.csv"]})
    assert _one(con, 'SELECT "SIREN", "Famille juridique de l\'entreprise", "Région de l\'établissement" '
                     "FROM labels.ess_france") == [("800329849", "Associations", "ILE DE FRANCE")]  # fmt: skip
    assert _one(con, "SELECT * FROM core.labels") == [
        ("800329849", None, "ess", "Associations", None, None, "ess_france")
    ]


def test_egapro_xlsx_one_row_per_year_valid_the_year_after(con):
    path = FIXTURES / "egapro/egapro_rebuilt_siren356000000.xlsx"
    assert sheet_names(path)[0] == "Données publiques Index Egapro"
    load_labels(con, {"egapro": [path]})
    assert _one(con, 'SELECT "Année", "SIREN", "Note Index", "Note Ecart taux d\'augmentation", "Code NAF" '
                     "FROM labels.egapro ORDER BY 1 LIMIT 2") == [
        ("2018", "356000000", "94", "NC", "53.10Z"), ("2019", "356000000", "94", "NC", "53.10Z")]  # fmt: skip
    rows = _one(con, "SELECT * FROM core.labels ORDER BY valid_from")
    assert len(rows) == 5
    assert rows[0] == (
        "356000000",
        None,
        "egapro",
        "index 94/100 (2018)",
        date(2019, 1, 1),
        date(2019, 12, 31),
        "egapro",
    )
    assert rows[-1] == (
        "356000000",
        None,
        "egapro",
        "index 94/100 (2022)",
        date(2023, 1, 1),
        date(2023, 12, 31),
        "egapro",
    )


def test_agence_bio_page_engaged_certificate(con):
    load_labels(con, {"agence_bio": [FIXTURES / "agence_bio/agence_bio_api_operateurs_siret30247464801571.json"]})
    siret, numero, naf, certificats = _one(
        con, 'SELECT siret, "numeroBio", "codeNAF", certificats FROM labels.agence_bio'
    )[0]
    assert (siret, numero, naf) == ("30247464801571", "200807", "47.29Z")
    assert json.loads(certificats)[0]["etatCertification"] == "ENGAGEE"
    assert _one(con, "SELECT * FROM core.labels") == [
        ("302474648", "30247464801571", "bio", "Ecocert France (FR-BIO-01)", date(2018, 2, 15), None, "agence_bio")
    ]


def test_siae_response_kind_in_detail(con):
    load_labels(con, {"siae": [FIXTURES / "siae/marche_inclusion_api_siae_siren533744991.json"]})
    assert _one(con, "SELECT siret, kind, kind_parent, nature, is_active, presta_type FROM labels.siae") == [
        ("53374499100035", "EI", "Insertion", "HEAD_OFFICE", "true", '["PREST", "BUILD"]')
    ]
    assert _one(con, "SELECT * FROM core.labels") == [("533744991", "53374499100035", "siae", "EI", None, None, "siae")]


def test_spectacle_latin1_csv_only_valid_receipts(con):
    load_labels(con, {"spectacle": [FIXTURES / "spectacle/spectacle_rebuilt_siren800329849.csv"]})
    assert _one(con, "SELECT numero_recepisse, statut_recepisse, raison_sociale, region_siret FROM labels.spectacle "
                     "ORDER BY 1") == [
        ("PLATESV-R-2021-006193", "Invalide", "Mme JUSTIN Véronique", "Île-de-France"),
        ("PLATESV-R-2021-006658", "Valide", "THEATRE STEPHANE GILDAS", "Île-de-France"),
    ]  # fmt: skip
    assert _one(con, "SELECT * FROM core.labels") == [
        ("800329849", "80032984900023", "spectacle", "catégorie 2 (PLATESV-R-2021-006658)", date(2021, 7, 11), None,
         "spectacle")
    ]  # fmt: skip


def test_xlsx_reader_on_a_workbook_written_by_openpyxl():
    """The DGCL sample was written by openpyxl (shared strings): the reader gives its text."""
    rows = list(iter_text_rows(FIXTURES / "xlsx/epcicom2025_dgcl_first300rows.xlsx"))
    assert len(rows) == 301
    assert rows[0] == (1, ["dept", "siren", "raison_sociale", "nature_juridique", "mode_financ", "nb_membres",
                           "total_pop_tot", "total_pop_mun", "dep_com", "insee", "siren_membre", "nom_membre",
                           "ptot_2025", "pmun_2025"])  # fmt: skip
    assert rows[1] == (2, ["01", "200029999", "CC Rives de l'Ain - Pays du Cerdon", "CC", "FPU", "14", "15156", "14873",
                           "01", "01304", "210103040", "Pont-d'Ain", "2912", "2862"])  # fmt: skip
