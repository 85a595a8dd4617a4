"""The matcher on hand-built SIRENE tables: exact outcome, confidence and method per offer; the
temp-agency rule; and precision / recall on a small generated set with known true matches."""

from __future__ import annotations

from datetime import date

import duckdb
import pytest

from firmo.sqlfiles import load_sql, render_identifiers
from sources.jobs.match import match_offers, normalise_name

UL = [
    "siren",
    "nicSiegeUniteLegale",
    "denominationUniteLegale",
    "sigleUniteLegale",
    "denominationUsuelle1UniteLegale",
    "categorieJuridiqueUniteLegale",
    "activitePrincipaleUniteLegale",
    "prenomUsuelUniteLegale",
    "prenom1UniteLegale",
    "nomUsageUniteLegale",
    "nomUniteLegale",
]
ET = [
    "siret",
    "siren",
    "codeCommuneEtablissement",
    "codePostalEtablissement",
    "activitePrincipaleEtablissement",
    "etatAdministratifEtablissement",
    "enseigne1Etablissement",
    "enseigne2Etablissement",
    "enseigne3Etablissement",
    "denominationUsuelleEtablissement",
]
UNITS = [
    ("100000001", "00011", "BOULANGERIE DUPONT", None, None, "5499", "10.71C", None, None, None, None),
    ("100000002", "00012", "RANDSTAD", None, None, "5710", "78.20Z", None, None, None, None),
    ("100000003", "00013", "ATELIER MARTIN", "AMT", None, "5710", "62.01Z", None, None, None, None),
    ("100000004", "00014", "GARAGE DU CENTRE", None, None, "5499", "45.20A", None, None, None, None),
    ("100000005", "00015", "GARAGE DU CENTRE", None, None, "5499", "45.20A", None, None, None, None),
    ("100000006", "00016", None, None, None, "1000", "96.02A", "Julie", "JULIE", None, "LEROY"),
    ("100000007", "00017", "INTERIM PLUS", None, None, "5710", "78.20Z", None, None, None, None),
    ("100000008", "00018", "CONSEIL DURAND", None, None, "5710", "70.22Z", None, None, None, None),
]
SITES = [
    ("10000000100011", "100000001", "34172", "34000", "10.71C", "A", None, None, None, None),
    ("10000000100029", "100000001", "34172", "34070", "10.71C", "A", "LE FOURNIL D ANTIGONE", None, None, None),
    ("10000000200012", "100000002", "34172", "34000", "78.20Z", "A", None, None, None, None),
    ("10000000300013", "100000003", "75111", "75011", "62.01Z", "A", None, None, None, None),
    ("10000000400014", "100000004", "13055", "13001", "45.20A", "A", None, None, None, None),
    ("10000000500015", "100000005", "13055", "13001", "45.20A", "A", None, None, None, None),
    ("10000000600016", "100000006", "69123", "69001", "96.02A", "A", None, None, None, None),
    ("10000000700017", "100000007", "33063", "33000", "78.20Z", "A", None, None, None, None),
    ("10000000800018", "100000008", "31555", "31000", "70.22Z", "A", None, None, None, None),
    ("10000000800026", "100000008", "31555", "31000", "70.22Z", "F", None, None, None, None),  # closed
]
# id, entreprise_nom, commune, postal code, codeNAF
OFFERS = [
    ("O01", "Boulangerie Dupont SARL", "34172", "34000", "10.71C"),
    ("O02", "BOULANGERIE DUPNT", "34172", "34000", "10.71C"),
    ("O03", "Le Fournil d'Antigone", "34172", "34000", "10.71C"),
    ("O04", "RANDSTAD", "34172", "34000", "78.20Z"),
    ("O05", "Randstad", "34172", "34000", None),  # no NAF on the offer: the candidate's 78.20Z says agency
    ("O06", None, "34172", "34000", "10.71C"),  # anonymous
    ("O07", "A.M.T.", "75056", "75011", "62.01Z"),  # sigle, Paris given as the city code
    ("O08", "Atelier Martin", "75111", "75011", "56.10A"),  # another activity: 0.80, below 0.85
    ("O09", "GARAGE DU CENTRE", "13055", "13001", "45.20A"),  # two companies of that name: ambiguous
    ("O10", "Julie Leroy", "69123", "69001", "96.02A"),  # a sole trader
    ("O11", "BOULANGERIE DUPONT", None, "34000", "10.71C"),  # postal code only
    ("O12", "ADEQUAT INTERIM", "33063", "33000", "78.20Z"),  # agency unknown to SIRENE: still flagged
    ("O13", "CABINET INCONNU", "33063", "33000", "69.20Z"),
    ("O14", "Conseil Durand", "31555", "31000", "70.22Z"),  # the open site, not the closed one
]
EXPECTED = [
    ("O01", "100000001", "10000000100011", 1.0, "denomination_exact+commune+naf_code", False),
    ("O02", "100000001", "10000000100011", 0.9889, "denomination_fuzzy+commune+naf_code", False),
    ("O03", "100000001", "10000000100029", 1.0, "enseigne_exact+commune+naf_code", False),
    ("O04", None, None, 1.0, "temp_agency", True),
    ("O05", None, None, 0.9, "temp_agency", True),
    ("O06", None, None, 0.0, "anonymous", False),
    ("O07", "100000003", "10000000300013", 1.0, "sigle_exact+commune+naf_code", False),
    ("O08", None, None, 0.8, "below_threshold:denomination_exact+commune+naf_other", False),
    ("O09", None, None, 0.8, "below_threshold:denomination_exact+commune+naf_code+ambiguous", False),
    ("O10", "100000006", "10000000600016", 1.0, "person_name_exact+commune+naf_code", False),
    ("O11", "100000001", "10000000100011", 0.95, "denomination_exact+postal_code+naf_code", False),
    ("O12", None, None, 0.0, "temp_agency", True),
    ("O13", None, None, 0.0, "no_candidate", False),
    ("O14", "100000008", "10000000800018", 1.0, "denomination_exact+commune+naf_code", False),
]


@pytest.fixture()
def con():
    c = duckdb.connect()
    c.execute("CREATE SCHEMA jobs; CREATE SCHEMA sirene; CREATE SCHEMA core")
    c.execute(render_identifiers(load_sql("jobs/create_offres"), table="jobs.offres"))
    c.execute(f"CREATE TABLE sirene.unites_legales ({', '.join(f'{n} VARCHAR' for n in UL)})")
    c.execute(f"CREATE TABLE sirene.etablissements ({', '.join(f'{n} VARCHAR' for n in ET)})")
    c.executemany(f"INSERT INTO sirene.unites_legales VALUES ({', '.join('?' * len(UL))})", UNITS)
    c.executemany(f"INSERT INTO sirene.etablissements VALUES ({', '.join('?' * len(ET))})", SITES)
    c.executemany(
        "INSERT INTO jobs.offres (id, entreprise_nom, lieuTravail_commune, lieuTravail_codePostal, codeNAF, "
        "dateCreation, intitule, nombrePostes, source_file, loaded_at) "
        "VALUES (?, ?, ?, ?, ?, TIMESTAMP '2026-11-20 09:00:00', 'Poste', 1, 'f', TIMESTAMP '2026-11-30 00:00:00')",
        OFFERS,
    )
    yield c
    c.close()


def test_exact_outcome_of_every_offer(con):
    counts = match_offers(con, threshold=0.85)
    rows = con.execute(
        "SELECT offer_id, siren, siret, match_confidence, match_method, temp_agency FROM core.job_offers"
    ).fetchall()
    assert rows == EXPECTED
    assert counts == {"matched": 7, "temp_agency": 3, "anonymous": 1, "below_threshold": 2, "no_candidate": 1}
    assert con.execute(
        "SELECT offer_id, created_date, title, positions, commune_code, naf_code, source FROM core.job_offers "
        "WHERE offer_id IN ('O05', 'O11')"
    ).fetchall() == [
        ("O05", date(2026, 11, 20), "Poste", 1, "34172", "78.20Z", "france_travail"),
        ("O11", date(2026, 11, 20), "Poste", 1, None, "10.71C", "france_travail"),
    ]


def test_threshold_moves_only_the_borderline(con):
    match_offers(con, threshold=0.80)
    credited = con.execute("SELECT offer_id FROM core.job_offers WHERE siren IS NOT NULL ORDER BY 1").fetchall()
    # O08 now credited; O09 (two companies of the very same name) too at 0.80: the threshold is the rule
    assert [r[0] for r in credited] == ["O01", "O02", "O03", "O07", "O08", "O09", "O10", "O11", "O14"]
    match_offers(con, threshold=0.99)
    credited = con.execute("SELECT offer_id FROM core.job_offers WHERE siren IS NOT NULL ORDER BY 1").fetchall()
    assert [r[0] for r in credited] == ["O01", "O03", "O07", "O10", "O14"]


def test_temp_agencies_are_never_credited(con):
    match_offers(con, threshold=0.0)
    assert con.execute(
        "SELECT count(*) FROM core.job_offers WHERE siren IN ('100000002', '100000007') OR "
        "(temp_agency AND siren IS NOT NULL)"
    ).fetchall() == [(0,)]


def test_without_sirene_every_named_offer_has_no_candidate(con):
    con.execute("DROP TABLE sirene.etablissements")
    counts = match_offers(con)
    # O05 (RANDSTAD without codeNAF) is known as an agency only through SIRENE
    assert counts == {"matched": 0, "temp_agency": 2, "anonymous": 1, "below_threshold": 0, "no_candidate": 11}


@pytest.mark.parametrize(
    "name, normal",
    [
        ("Boulangerie Dupont S.A.R.L.", "BOULANGERIE DUPONT"),
        ("SAS L'Atelier & Fils", "L ATELIER ET FILS"),
        ("Élodie Œuvre", "ELODIE OEUVRE"),
        ("STE DUPONT ET CIE", "DUPONT"),
        ("ETS. MARTIN (EURL)", "MARTIN"),
        ("[ND]", None),
        ("  ", None),
        ("SARL", None),
    ],
)
def test_normalise_name(name, normal):
    assert normalise_name(duckdb.connect(), name) == normal


def test_precision_and_recall_on_a_small_generated_set(tmp_path):
    from bench.bench_job_matching import build, measure

    con, truth = build(tmp_path, 1500, 3, 0.3, 0.5, 0.2)
    r = measure(con, truth, 0.85)
    con.close()
    assert (len(truth), r["offers"], r["credited"]) == (
        EXPECTED_SET["offers"],
        EXPECTED_SET["offers"],
        EXPECTED_SET["credited"],
    )
    assert (round(r["precision"], 4), round(r["recall"], 4)) == (EXPECTED_SET["precision"], EXPECTED_SET["recall"])
    assert r["precision"] >= 0.95


# 165 offers (138 with a true company, 27 temp-agency or anonymous), 135 credited, all rightly
EXPECTED_SET = {"offers": 165, "credited": 135, "precision": 1.0, "recall": 0.9783}
