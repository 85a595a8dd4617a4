"""Leads whose decision maker is a company: the contact is the natural person the look-through
found (first and last names for the waterfall), with the outcome and the chain in
`officer_resolution` / `decision_maker_via` and in the score reasons; an unresolved one keeps the
company name, with its reason. The officers table is the hand-built one of tests/icp/warehouse.py,
without the legal-person columns (a warehouse loaded before they existed reads NULL there)."""

from __future__ import annotations

from firmo.icp import build_leads, parse_icp, resolve
from firmo.lookthrough import natural_person_contacts
from tests.icp.warehouse import AS_OF, build_warehouse, company, officer

OP_HELD, OP_FOREIGN, OP_PERSON, HOLDING = "000000011", "000000012", "000000013", "000000014"


def _company_officer(siren: str, holding_siren: str | None, name: str) -> dict:
    row = officer(siren, "73", "Président de SAS", kind="company", family=name)
    return {**row, "company_officer_siren": holding_siren, "representant_id": f"e-{siren}"}


def test_a_company_president_is_looked_through_to_a_natural_person(con, tmp_path):
    officers = [
        _company_officer(OP_HELD, HOLDING, "HOLDING DUPONT SAS"),
        _company_officer(OP_FOREIGN, None, "ACME HOLDING BV"),
        officer(OP_PERSON, "73", "Président de SAS", given="Léa", family="PETIT"),
        officer(HOLDING, "73", "Président de SAS", given="Jean Pierre", family="DUPONT"),
    ]
    companies = [company(s, naf="70.10Z", name=n) for s, n in ((OP_HELD, "LAURENT ET FILS"), (OP_FOREIGN, "OPERA BV"),
                                                                (OP_PERSON, "PETIT SAS"), (HOLDING, "HOLDING DUPONT SAS"))]  # fmt: skip
    build_warehouse(con, companies, officers=officers)
    icp = resolve(parse_icp({"criteria": {"naf": {"include": ["70.10Z"]}}}, default_name="holdings"))
    build_leads(con, icp, as_of=AS_OF, csv_dir=tmp_path)
    rows = con.execute(
        "SELECT siren, officer_kind, first_name, last_name, job_title, officer_resolution, decision_maker_via "
        "FROM leads.holdings ORDER BY siren"
    ).fetchall()
    assert rows == [
        (OP_HELD, "company", "Jean", "DUPONT", "Président de SAS", "resolved",
         "Président de SAS: HOLDING DUPONT SAS, whose Président de SAS is Jean DUPONT"),
        (OP_FOREIGN, "company", None, "ACME HOLDING BV", "Président de SAS", "foreign",
         "Président de SAS: ACME HOLDING BV (not looked through: ACME HOLDING BV has no French SIREN (foreign company))"),
        (OP_PERSON, "person", "Léa", "PETIT", "Président de SAS", None, None),
        (HOLDING, "person", "Jean", "DUPONT", "Président de SAS", None, None),
    ]  # fmt: skip
    reasons = con.execute("SELECT score_reasons FROM leads.holdings WHERE siren = ?", [OP_HELD]).fetchall()[0][0]
    assert reasons[-1] == "Président de SAS: HOLDING DUPONT SAS, whose Président de SAS is Jean DUPONT"
    # the run summary's figures: 2 natural persons before the look-through, 3 after
    assert natural_person_contacts(con, "leads.holdings") == (4, 2, 3)


def test_run_summary_shows_natural_person_contacts_before_and_after(con, tmp_path):
    from pipelines.summary import lead_lines

    officers = [_company_officer(OP_HELD, HOLDING, "HOLDING DUPONT SAS"),
                officer(HOLDING, "73", "Président de SAS", given="Jean", family="DUPONT")]  # fmt: skip
    build_warehouse(con, [company(OP_HELD, naf="70.10Z"), company(HOLDING, naf="70.10Z")], officers=officers)
    build_leads(con, resolve(parse_icp({}, default_name="all")), as_of=AS_OF, csv_dir=tmp_path)
    lines = lead_lines(con)
    assert lines[-2:] == [
        "contact is a natural person   before  after look-through",
        "all                                1                   2  (of 2 leads)",
    ]
