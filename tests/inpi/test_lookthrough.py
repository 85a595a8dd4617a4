"""Look-through of holdings (core.officer_resolution) on hand-built RNE payloads in the real shapes
(2023: role in `entreprise.roleEntreprise`, `representant` holding only the *Present flags; 2024:
`pouvoir.roleEntreprise`, `actif`, a named `representant`), loaded by the real loader: one case
per outcome, with the exact person and chain text; then the holding's signals, counted once."""

from __future__ import annotations

import datetime as dt
import json

from firmo.lookthrough import build_officer_resolution
from firmo.signals import build_signals
from sources.inpi.rne_load import load_rne
from sources.inpi.rne_parse import parse_company
from tests.inpi.conftest import sirens

TODAY = dt.date(2026, 11, 1)
S = sirens(30)
(OP_REP, OP_ONE, OP_TWO, OP_CYCLE, OP_FOREIGN, OP_UNKNOWN, OP_DEEP, OP_THREE, OP_FALLBACK,
 H_DUPONT, H_ONE, H_TWO_A, H_TWO_B, CY_A, CY_B, D1, D2, D3, D4, FB, NOT_IN_RNE) = S[:21]  # fmt: skip
FLAGS_ONLY = {"descriptionPersonne": {"sirenPresent": False, "genrePresent": False, "dateDeNaissancePresent": False},
              "adresseDomicile": {"voiePresent": True, "indicateurValidationBANPresent": True},
              "indicateurActifAgricole": False}  # fmt: skip


def person(role: str, nom: str, prenoms: list[str], since: str = "2020-01-01", pid: str | None = None) -> dict:
    """A 2024-shape natural-person pouvoir."""
    return {"typeDePersonne": "INDIVIDU", "roleEntreprise": role, "actif": True, "representantId": pid or f"p-{nom}",
            "individu": {"descriptionPersonne": {"nom": nom, "prenoms": prenoms, "dateEffetRoleDeclarant": since,
                                                 "genre": "1", "codeNationalite": "FRA"}}}  # fmt: skip


def holding(
    role: str,
    siren: str | None,
    name: str,
    *,
    vintage: int = 2024,
    rep: tuple[str, list[str]] | None = None,
    country: str = "FRANCE",
    since: str = "2020-01-01",
) -> dict:
    """A legal-person pouvoir (typeDePersonne ENTREPRISE) in the 2023 or the 2024 shape."""
    entreprise = {"denomination": name, "formeJuridique": "Société par actions simplifiée"}
    if siren is not None:
        entreprise["siren"] = siren
    pouvoir = {"typeDePersonne": "ENTREPRISE", "representantId": f"e-{name}", "entreprise": entreprise,
               "adresseEntreprise": {"pays": country, "codePostal": "75001", "commune": "Paris"}}  # fmt: skip
    if vintage == 2023:
        entreprise["roleEntreprise"] = role
        pouvoir["libelleRoleEntreprise"] = {"73": "Président de SAS", "30": "Gérant", "53": "Directeur Général"}[role]
    else:
        pouvoir.update(roleEntreprise=role, actif=True, dateDebut=since)
    if rep is not None:
        pouvoir["representant"] = {"descriptionPersonne": {"nom": rep[0], "prenoms": rep[1], "genre": "1"}}
    elif vintage == 2023:
        pouvoir["representant"] = FLAGS_ONLY
    return pouvoir


def company(
    siren: str, name: str, *pouvoirs: dict, form: str = "5710", updated: str = "2026-10-01T08:00:00+02:00"
) -> dict:
    return {"id": f"t{siren}", "siren": siren, "updatedAt": updated,
            "formality": {"siren": siren, "typePersonne": "M", "formeJuridique": form, "diffusionCommerciale": True,
                          "content": {"natureCreation": {"dateCreation": "2012-05-01"},
                                      "personneMorale": {"identite": {"entreprise": {"siren": siren, "denomination": name}},
                                                         "composition": {"pouvoirs": list(pouvoirs)}}}}}  # fmt: skip


PAYLOADS = [
    # the representative named in the pouvoir wins, although HOLDING DUPONT has its own Président
    company(OP_REP, "OPERA REP", holding("73", H_DUPONT, "HOLDING DUPONT SAS", rep=("DUPONT", ["Jean", "Marc"]))),
    company(H_DUPONT, "HOLDING DUPONT SAS", person("73", "MARTIN", ["Paul"])),
    # one level, 2023 shape (representant with the *Present flags only)
    company(OP_ONE, "OPERA ONE", holding("73", H_ONE, "HOLD ONE SAS", vintage=2023)),
    company(H_ONE, "HOLD ONE SAS", person("53", "BLANC", ["Luc"]), person("73", "PETIT", ["Claire", "Anne"])),
    # two levels, from the Gérant of a SCI; the Président's branch outranks the DG of HOLD TWO A
    company(OP_TWO, "SCI OPERA TWO", holding("30", H_TWO_A, "HOLD TWO A"), form="6540"),
    company(H_TWO_A, "HOLD TWO A", holding("73", H_TWO_B, "HOLD TWO B"), person("53", "ROUX", ["Jules"])),
    company(H_TWO_B, "HOLD TWO B", person("73", "DURAND", ["Marie"])),
    # cycle: CYCLE A and CYCLE B preside each other
    company(OP_CYCLE, "OPERA CYCLE", holding("73", CY_A, "CYCLE A")),
    company(CY_A, "CYCLE A", holding("73", CY_B, "CYCLE B")),
    company(CY_B, "CYCLE B", holding("73", CY_A, "CYCLE A")),
    # a foreign holding: no French SIREN
    company(OP_FOREIGN, "OPERA FOREIGN", holding("73", None, "ACME HOLDING BV", country="PAYS-BAS")),
    # a valid SIREN the RNE does not know
    company(OP_UNKNOWN, "OPERA UNKNOWN", holding("73", NOT_IN_RNE, "GHOST SAS")),
    # four companies deep: too deep from OPERA DEEP, three (resolved) from OPERA THREE
    company(OP_DEEP, "OPERA DEEP", holding("73", D1, "DEEP ONE")),
    company(OP_THREE, "OPERA THREE", holding("73", D2, "DEEP TWO")),
    company(D1, "DEEP ONE", holding("73", D2, "DEEP TWO")),
    company(D2, "DEEP TWO", holding("73", D3, "DEEP THREE")),
    company(D3, "DEEP THREE", holding("73", D4, "DEEP FOUR")),
    company(D4, "DEEP FOUR", person("73", "LEGRAND", ["Hugo"])),
    # the Président's branch ends abroad: the holding's DG is the person found
    company(OP_FALLBACK, "OPERA FALLBACK", holding("73", FB, "FALL BACK SAS")),
    company(FB, "FALL BACK SAS", holding("73", None, "FAR AWAY LTD", country="ROYAUME-UNI"),
            person("53", "FAURE", ["Nina"])),
]  # fmt: skip


def _load(con, tmp_path, payloads=PAYLOADS):
    path = tmp_path / "rne.json"
    path.write_text(json.dumps(payloads, ensure_ascii=False), encoding="utf-8")
    load_rne(con, [path], today=TODAY)
    return build_officer_resolution(con)


def _resolution(con, siren):
    return con.execute(
        "SELECT outcome, depth, person_given_names, person_family_name, person_role_label, via, reason "
        "FROM core.officer_resolution WHERE siren = ?",
        [siren],
    ).fetchall()


def test_parse_keeps_the_legal_person_officer_siren_country_and_representative():
    officer = parse_company(PAYLOADS[0], "t.json", TODAY).officers[0]
    assert {k: officer[k] for k in ("officer_kind", "company_officer_siren", "company_officer_name",
                                    "company_officer_country", "representative_family_name",
                                    "representative_given_names", "role_code")} == {
        "officer_kind": "company", "company_officer_siren": H_DUPONT, "company_officer_name": "HOLDING DUPONT SAS",
        "company_officer_country": "FRANCE", "representative_family_name": "DUPONT",
        "representative_given_names": "Jean Marc", "role_code": "73"}  # fmt: skip
    spaced = holding("73", f"{H_ONE[:3]} {H_ONE[3:6]} {H_ONE[6:]}", "HOLD ONE SAS", vintage=2023)
    officer = parse_company(company(OP_ONE, "OPERA ONE", spaced), "t.json", TODAY).officers[0]
    # 2023 shape: role in entreprise.roleEntreprise, SIREN cleaned, representant flags only -> no name
    assert (officer["company_officer_siren"], officer["role_code"], officer["representative_family_name"]) == (
        H_ONE,
        "73",
        None,
    )
    foreign = parse_company(PAYLOADS[10], "t.json", TODAY).officers[0]
    assert (foreign["company_officer_siren"], foreign["company_officer_country"]) == (None, "PAYS-BAS")
    bad = holding("73", "123456789", "NOT A SIREN SA")  # fails the checksum: a foreign register's number
    assert parse_company(company(OP_ONE, "X", bad), "t.json", TODAY).officers[0]["company_officer_siren"] is None


def test_real_2023_sample_legal_person_officer(inpi_samples):
    payload = json.loads((inpi_samples / "rne_company_2023_shape.json").read_text())
    officer = [o for o in parse_company(payload, "s.json", TODAY).officers if o["officer_kind"] == "company"][0]
    assert (officer["company_officer_siren"], officer["company_officer_name"], officer["company_officer_country"],
            officer["representative_family_name"], officer["representative_given_names"]) == (
        "887722262", "TBLB", "FRANCE", None, None)  # fmt: skip


def test_representative(con, tmp_path):
    _load(con, tmp_path)
    assert _resolution(con, OP_REP) == [
        ("representative", 1, "Jean Marc", "DUPONT", "permanent representative",
         "Président de SAS: HOLDING DUPONT SAS, represented by Jean DUPONT",
         "permanent representative named in the RNE filing")]  # fmt: skip


def test_one_level(con, tmp_path):
    _load(con, tmp_path)
    assert _resolution(con, OP_ONE) == [
        ("resolved", 1, "Claire Anne", "PETIT", "Président de SAS",
         "Président de SAS: HOLD ONE SAS, whose Président de SAS is Claire PETIT",
         "looked through 1 company in the RNE")]  # fmt: skip


def test_two_levels(con, tmp_path):
    _load(con, tmp_path)
    assert _resolution(con, OP_TWO) == [
        ("resolved", 2, "Marie", "DURAND", "Président de SAS",
         "Gérant: HOLD TWO A, whose Président de SAS is HOLD TWO B, whose Président de SAS is Marie DURAND",
         "looked through 2 companies in the RNE")]  # fmt: skip
    chain = con.execute("SELECT chain FROM core.officer_resolution WHERE siren = ?", [OP_TWO]).fetchall()[0][0]
    assert chain == [
        {"siren": H_TWO_A, "name": "HOLD TWO A", "role": "Gérant", "kind": "company"},
        {"siren": H_TWO_B, "name": "HOLD TWO B", "role": "Président de SAS", "kind": "company"},
        {"siren": None, "name": "Marie DURAND", "role": "Président de SAS", "kind": "person"},
    ]


def test_cycle(con, tmp_path):
    _load(con, tmp_path)
    assert _resolution(con, OP_CYCLE) == [
        ("cycle", 3, None, None, None,
         "Président de SAS: CYCLE A, whose Président de SAS is CYCLE B, whose Président de SAS is CYCLE A",
         f"cycle: CYCLE A (SIREN {CY_A}) is already in the chain")]  # fmt: skip
    assert _resolution(con, CY_A) == [
        ("cycle", 2, None, None, None, "Président de SAS: CYCLE B, whose Président de SAS is CYCLE A",
         f"cycle: CYCLE A (SIREN {CY_A}) is already in the chain")]  # fmt: skip


def test_foreign_and_unknown(con, tmp_path):
    _load(con, tmp_path)
    assert _resolution(con, OP_FOREIGN) == [
        ("foreign", 1, None, None, None, "Président de SAS: ACME HOLDING BV",
         "ACME HOLDING BV has no French SIREN (foreign company, PAYS-BAS)")]  # fmt: skip
    assert _resolution(con, OP_UNKNOWN) == [
        ("unknown", 1, None, None, None, "Président de SAS: GHOST SAS",
         f"GHOST SAS (SIREN {NOT_IN_RNE}) is not in the RNE")]  # fmt: skip


def test_too_deep_and_three_levels(con, tmp_path):
    _load(con, tmp_path)
    assert _resolution(con, OP_DEEP) == [
        ("too_deep", 4, None, None, None,
         "Président de SAS: DEEP ONE, whose Président de SAS is DEEP TWO, whose Président de SAS is DEEP THREE, "
         "whose Président de SAS is DEEP FOUR",
         "more than 3 levels of companies: DEEP FOUR was not looked through")]  # fmt: skip
    assert _resolution(con, OP_THREE) == [
        ("resolved", 3, "Hugo", "LEGRAND", "Président de SAS",
         "Président de SAS: DEEP TWO, whose Président de SAS is DEEP THREE, whose Président de SAS is DEEP FOUR, "
         "whose Président de SAS is Hugo LEGRAND",
         "looked through 3 companies in the RNE")]  # fmt: skip


def test_a_dead_end_falls_back_to_the_next_decision_maker(con, tmp_path):
    _load(con, tmp_path)
    assert _resolution(con, OP_FALLBACK) == [
        ("resolved", 1, "Nina", "FAURE", "Directeur Général",
         "Président de SAS: FALL BACK SAS, whose Directeur Général is Nina FAURE",
         "looked through 1 company in the RNE")]  # fmt: skip


def test_outcome_counts(con, tmp_path):
    counts = _load(con, tmp_path)
    # legal-person officers: the 12 operating ones' + HOLD TWO A's, CYCLE A/B's, DEEP ONE..THREE's, FALL BACK's
    assert counts == {"representative": 1, "resolved": 8, "cycle": 3, "foreign": 2, "unknown": 1, "too_deep": 1}


def test_a_new_president_of_the_holding_is_a_signal_of_the_companies_it_runs_once(con, tmp_path):
    h, x1, x2, x3, k = S[21:26]
    payloads = [
        company(h, "HOLDING NOUVEAU SAS", person("73", "NOUVEAU", ["Paul"], since="2026-10-01", pid="p-new")),
        # X1: the holding is both Président and DG (two legal-person officers): one signal
        company(x1, "OPERA X1", holding("73", h, "HOLDING NOUVEAU SAS"), holding("53", h, "HOLDING NOUVEAU SAS")),
        # X2: the same person took office at X2 itself the same day: its own signal only
        company(x2, "OPERA X2", holding("73", h, "HOLDING NOUVEAU SAS"),
                person("53", "NOUVEAU", ["Paul"], since="2026-10-01", pid="p-x2")),
        # X3: the holding is two levels up (X3 -> K -> H): the signal reaches X3 and K
        company(x3, "OPERA X3", holding("73", k, "K HOLDING")),
        company(k, "K HOLDING", holding("73", h, "HOLDING NOUVEAU SAS")),
    ]  # fmt: skip
    _load(con, tmp_path, payloads)
    con.execute("CREATE TABLE sirene.unites_legales AS SELECT unnest(?::VARCHAR[]) AS siren, "
                "DATE '2012-05-01' AS dateCreationUniteLegale", [[h, x1, x2, x3, k]])  # fmt: skip
    build_signals(con, as_of=TODAY, lookback_days=365)
    rows = con.execute(
        "SELECT siren, signal_date::VARCHAR, label, evidence, source_ref FROM core.signals "
        "WHERE signal_type = 'new_decision_maker' ORDER BY siren, source_ref"
    ).fetchall()
    held = "Paul NOUVEAU, Président de SAS of holding HOLDING NOUVEAU SAS (SIREN " + h + ") since 2026-10-01"
    label = "new Président de SAS of holding HOLDING NOUVEAU SAS"
    assert rows == sorted([
        (h, "2026-10-01", "new Président de SAS", "RNE: Paul NOUVEAU, Président de SAS since 2026-10-01", "p-new"),
        (x1, "2026-10-01", label, "RNE: " + held, f"holding {h}:p-new"),
        (x2, "2026-10-01", "new Directeur Général", "RNE: Paul NOUVEAU, Directeur Général since 2026-10-01", "p-x2"),
        (x3, "2026-10-01", label, "RNE: " + held, f"holding {h}:p-new"),
        (k, "2026-10-01", label, "RNE: " + held, f"holding {h}:p-new"),
    ])  # fmt: skip


def test_demo_rne_files_give_every_kind_of_holding(con, tmp_path):
    """The generated RNE stock and diff, through the real loader: the look-through meets named
    representatives, chains of two and three companies, foreign holdings and cycles."""
    from sources.demo.inpi import write_inpi
    from sources.demo.universe import build_universe
    from sources.inpi.rne_load import apply_rne_updates

    files = write_inpi(build_universe(3000, seed=11, as_of=TODAY), tmp_path / "inpi")
    load_rne(con, [files["rne_stock"]], today=TODAY)
    apply_rne_updates(con, json.loads(files["rne_diff"].read_text()), today=TODAY)
    counts = build_officer_resolution(con)
    assert {"representative", "resolved", "foreign", "cycle"} <= set(counts)
    depths = dict(con.execute("SELECT depth, count(*) FROM core.officer_resolution WHERE outcome = 'resolved' "
                              "GROUP BY 1").fetchall())  # fmt: skip
    assert depths.get(1, 0) > depths.get(2, 0) > depths.get(3, 0) > 0
    named = con.execute("SELECT count(*) FROM inpi.officers WHERE representative_family_name IS NOT NULL").fetchall()
    assert named[0][0] == counts["representative"]  # every named representative is used as such
