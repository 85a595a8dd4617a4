"""core.labels built from hand-built raw rows: each source's rules, the SIRENE flags, exact rows."""

from __future__ import annotations

import re
from datetime import date

from firmo.labels import LABELS
from firmo.settings import SQL_DIR
from sources.labels.load import CORE, build_core_labels, rebuild_core_labels


def _table(con, name, rows):
    cols = list(rows[0])
    con.execute(f"CREATE TABLE {name} ({', '.join(f'{chr(34)}{c}{chr(34)} VARCHAR' for c in cols)})")
    con.executemany(f"INSERT INTO {name} VALUES ({', '.join('?' for _ in cols)})", [list(r.values()) for r in rows])


RGE = {"siret": "84370107900017", "domaine": "Isolation  des combles", "nom_qualification": "Tuiles (3111D111)",
       "organisme": "qualibat", "lien_date_debut": "2024-06-23", "lien_date_fin": "2099-01-01"}  # fmt: skip


def test_every_part_with_its_rule(con):
    _table(con, "labels.rge", [
        RGE,
        {**RGE, "organisme": "qualitenr"},  # same domaine x qualification from another organisme: one row
        {**RGE, "nom_qualification": "QualiPAC", "lien_date_fin": "2027-01-31"},
    ])  # fmt: skip
    _table(con, "labels.qualiopi", [
        {"Numéro Déclaration Activité": "11755565775", "Code SIREN": "356000000",
         "Siret Etablissement Déclarant": "35600000000048", "denomination": "LA POSTE",
         "Certifications": "", "Date dernière déclaration": "2024-05-31"},
    ])  # fmt: skip
    _table(con, "labels.egapro", [
        {"SIREN": "356000000", "Année": "2024", "Note Index": "NC", "Nom UES": None, "Entreprises UES (SIREN)": None},
        {"SIREN": "539311373", "Année": "2023", "Note Index": "99", "Nom UES": "UES OCS OPTV OS",
         "Entreprises UES (SIREN)": "OCS (539311373),ORANGE STUDIO (440419240),BAD (440419241)"},
    ])  # fmt: skip
    _table(con, "labels.agence_bio", [
        {"siret": "302474648", "certificats": '[{"organisme": "Ecocert France", "numeroControleEu": "FR-BIO-01", '
         '"etatCertification": "ENGAGEE", "dateEngagement": "2018-02-15"}, {"organisme": "Bureau Veritas", '
         '"numeroControleEu": "FR-BIO-10", "etatCertification": "ARRETEE", "dateEngagement": "2012-01-01"}]'},
        {"siret": "84370107900017", "certificats": '[{"organisme": "Ecocert France", "etatCertification": "SUSPENDUE"}]'},
    ])  # fmt: skip
    _table(con, "labels.siae", [
        {"siret": "53374499100035", "kind": "EI", "is_active": "true"},
        {"siret": "84370107900017", "kind": "ACI", "is_active": "false"},
    ])  # fmt: skip
    _table(con, "labels.achats_responsables", [{"SIREN": "058801481", "PERIMETRE": "Groupe"}])
    _table(con, "labels.patrimoine_vivant", [{"SIRET": "30247464801571"}])
    _table(con, "labels.spectacle", [
        {"siren_siret": "800329849", "statut_recepisse": "Valide", "numero_recepisse": "R-1", "categorie": "1",
         "date_validite": "11/07/2021", "date_expire_licence": "2026-12-01"},
        {"siren_siret": "80032984900023", "statut_recepisse": "Invalide", "numero_recepisse": "R-2", "categorie": "2",
         "date_validite": None, "date_expire_licence": None},
    ])  # fmt: skip
    _table(con, "sirene.unites_legales", [
        {"siren": "800329849", "economieSocialeSolidaireUniteLegale": "O", "societeMissionUniteLegale": "N"},
        {"siren": "843701079", "economieSocialeSolidaireUniteLegale": None, "societeMissionUniteLegale": "O"},
    ])  # fmt: skip
    assert rebuild_core_labels(con) == 13
    rows = con.execute(f"SELECT * FROM {CORE}").fetchall()
    assert rows == [
        ("058801481", None, "achats_responsables", "Groupe", None, None, "achats_responsables"),
        ("302474648", None, "bio", "Ecocert France (FR-BIO-01)", date(2018, 2, 15), None, "agence_bio"),
        ("302474648", "30247464801571", "patrimoine_vivant", None, None, None, "patrimoine_vivant"),
        ("356000000", None, "egapro", "index NC (2024)", date(2025, 1, 1), date(2025, 12, 31), "egapro"),
        ("356000000", "35600000000048", "organisme_formation", "NDA 11755565775 (LA POSTE)", date(2024, 5, 31), None,
         "qualiopi"),
        ("440419240", None, "egapro", "index 99/100 (2023), UES OCS OPTV OS", date(2024, 1, 1), date(2024, 12, 31),
         "egapro"),
        ("533744991", "53374499100035", "siae", "EI", None, None, "siae"),
        ("539311373", None, "egapro", "index 99/100 (2023)", date(2024, 1, 1), date(2024, 12, 31), "egapro"),
        ("800329849", None, "ess", "SIRENE", None, None, "sirene"),
        ("800329849", None, "spectacle", "catégorie 1 (R-1)", date(2021, 7, 11), date(2026, 12, 1), "spectacle"),
        ("843701079", None, "entreprise_a_mission", "SIRENE", None, None, "sirene"),
        ("843701079", "84370107900017", "rge", "Isolation des combles / QualiPAC", date(2024, 6, 23), date(2027, 1, 31),
         "rge"),
        ("843701079", "84370107900017", "rge", "Isolation des combles / Tuiles (3111D111)", date(2024, 6, 23), None,
         "rge"),
    ]  # fmt: skip
    types = con.execute(
        "SELECT column_name, data_type FROM information_schema.columns "
        "WHERE table_schema = 'core' AND table_name = 'labels' ORDER BY ordinal_position"
    ).fetchall()
    assert types == [("siren", "VARCHAR"), ("siret", "VARCHAR"), ("label", "VARCHAR"), ("detail", "VARCHAR"),
                     ("valid_from", "DATE"), ("valid_to", "DATE"), ("source", "VARCHAR")]  # fmt: skip


def test_a_2019_sirene_stock_without_the_mission_column_gives_the_ess_flag_only(con):
    _table(con, "sirene.unites_legales", [{"siren": "800329849", "economieSocialeSolidaireUniteLegale": "O"}])
    assert build_core_labels(con, "core.labels__staging") == [
        "sirene.unites_legales.economieSocialeSolidaireUniteLegale"
    ]
    assert con.execute("SELECT label, source FROM core.labels__staging").fetchall() == [("ess", "sirene")]


def test_an_empty_warehouse_gives_an_empty_table(con):
    assert rebuild_core_labels(con) == 0


def test_every_label_the_sql_writes_is_in_the_vocabulary():
    written = set()
    for path in (SQL_DIR / "labels").glob("core_*.sql"):
        written |= set(re.findall(r"'([a-z_]+)' AS label", path.read_text()))
    assert written == set(LABELS)
