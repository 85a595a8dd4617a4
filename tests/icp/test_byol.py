"""firmo score: a user's list (CSV or CRM accounts) matched to SIRENs, screened like the export,
scored with the ICP's own query, with exact values."""

from __future__ import annotations

from datetime import datetime

import duckdb
import pytest

from firmo.compliance.suppression import add_customers, suppress
from firmo.crm import readback
from firmo.errors import InputError
from firmo.icp import parse_icp, resolve
from firmo.icp.byol import (
    AccountInput,
    checked_siren,
    crm_accounts,
    fold_header,
    read_accounts,
    score_accounts,
    write_result,
)
from firmo.icp.score import lead_rows
from firmo.identifiers import is_valid_siren, is_valid_siret
from tests.icp.warehouse import AS_OF, build_warehouse, company, officer, signal

NOW = datetime(2025, 6, 30, 12, 0)


def luhn_complete(prefix: str) -> str:
    """`prefix` plus the one digit making it pass Luhn."""
    for d in "0123456789":
        if (is_valid_siren if len(prefix) == 8 else is_valid_siret)(prefix + d):
            return prefix + d
    raise AssertionError(prefix)


A, B, C1, C2, D1, D2, E, F, G, H, K, J = (luhn_complete(f"8{n:02d}00000") for n in range(1, 13))
SIRET_A = luhn_complete(A + "0002")
ICP = resolve(parse_icp({"criteria": {"naf": {"include": ["62"]}, "decision_makers": ["Président"]},
                         "scoring": {"signal_weights": {"capital_increase": 40}, "half_life_days": 30}},
                        default_name="saas"))


@pytest.fixture()
def warehouse():
    con = duckdb.connect()
    con.execute("CREATE SCHEMA inpi")
    con.execute("CREATE TABLE inpi.companies (siren VARCHAR, diffusion_commerciale BOOLEAN)")
    con.execute("INSERT INTO inpi.companies VALUES (?, false)", [H])
    build_warehouse(con, [
        company(A, name="ACME LOGICIELS"),
        company(B, name="DUPONT CONSEIL", naf="62.02A", commune="69123"),
        company(C1, name="MARTIN", commune="35238"), company(C2, name="MARTIN", commune="35238"),
        company(D1, name="BERNARD"), company(D2, name="BERNARD", active=False),
        company(E, diffusible=False), company(F, active=False), company(G, naf="47.11B"), company(H),
        company(K), company(J, name="JOLI WEB"),
    ], officers=[officer(A, "73", "Président de SAS")],
        signals=[signal(A, "capital_increase", AS_OF.replace(day=1))])  # fmt: skip
    con.execute("CREATE TABLE leads.other (siren VARCHAR, website_domain VARCHAR)")
    con.execute("INSERT INTO leads.other VALUES (?, 'joliweb.fr')", [J])
    suppress(con, "siren", K, reason="opt-out", now=NOW)
    yield con
    con.close()


ROWS = [
    AccountInput("2", siret=SIRET_A),                                      # SIRET -> A
    AccountInput("3", name="Dupont Conseil SARL", postal_code="69001"),    # name + postal code -> B
    AccountInput("4", name="Martin", postal_code="35000"),                 # two active MARTIN: ambiguous
    AccountInput("5", name="Bernard S.A.S.", postal_code="75001"),         # one of two active -> D1
    AccountInput("6", siren=E), AccountInput("7", siren=F), AccountInput("8", siren=G),
    AccountInput("9", siren=H), AccountInput("10", siren=K),
    AccountInput("11", domain="https://www.joliweb.fr/contact"),           # domain -> J
    AccountInput("12", siren="123456789", name="Nobody", postal_code="75001"),
]  # fmt: skip


def test_each_row_is_matched_screened_and_scored(warehouse):
    result = score_accounts(warehouse, ICP, ROWS, as_of=AS_OF, now=NOW)
    got = {r.input.row: (r.status, r.siren, r.match_method, r.match_confidence, r.reason) for r in result.rows}
    assert got == {
        "2": ("scored", A, "siren", 1.0, None),
        "3": ("scored", B, "name_postcode", 0.8, None),
        "4": ("ambiguous", None, None, None, "2 units named MARTIN at 35000 (2 active): give the SIREN"),
        "5": ("scored", D1, "name_postcode", 0.7, None),
        "6": ("not_prospectable", E, "siren", 1.0, "non-diffusible unit (SIRENE statut P)"),
        "7": ("inactive", F, "siren", 1.0, "closed unit (SIRENE etatAdministratif C)"),
        "8": ("outside_icp", G, "siren", 1.0, "outside the criteria of ICP saas"),
        "9": ("not_prospectable", H, "siren", 1.0, "opposition to commercial use (RNE)"),
        "10": ("not_prospectable", K, "siren", 1.0, "suppressed: opt-out"),
        "11": ("scored", J, "domain", 0.9, None),
        "12": ("unmatched", None, None, None,
               "SIREN 123456789 is not valid (9 digits passing Luhn); no SIREN found (no unit named NOBODY at 75001)"),
    }  # fmt: skip
    assert [r.candidates for r in result.rows if r.status == "ambiguous"] == [[f"{C1} (active)", f"{C2} (active)"]]
    assert result.counts() == {"scored": 4, "outside_icp": 1, "not_prospectable": 3, "inactive": 1,
                               "ambiguous": 1, "unmatched": 1}  # fmt: skip
    scored = {r.siren: r.lead for r in result.rows if r.status == "scored"}
    # A: NAF in division 62, a Président de SAS on file (authority), a capital increase 29 days ago
    # (40 * 0.5^(29/30) = 20); the others: the NAF only, no target decision maker, no signal
    assert {s: (lead["score"], lead["tier"], lead["fit_score"], lead["intent_score"]) for s, lead in scored.items()} == {
        A: (59, "warm", 85, 20), B: (35, "cold", 58, 0), D1: (35, "cold", 58, 0), J: (35, "cold", 58, 0)}


def test_scores_tiers_and_reasons_are_the_lead_lists_own(warehouse):
    result = score_accounts(warehouse, ICP, ROWS, as_of=AS_OF, now=NOW)
    built = {row["siren"]: row for row in lead_rows(warehouse, ICP, AS_OF).iter_rows(named=True)}
    columns = ("score", "tier", "fit_score", "intent_score", "score_reasons", "bant_authority", "first_name", "naf_code")
    for r in result.rows:
        if r.status == "scored":
            assert {c: r.lead[c] for c in columns} == {c: built[str(r.siren)][c] for c in columns}
    assert result.rows[0].lead["score_reasons"] == built[A]["score_reasons"] != []


def test_crm_accounts_keep_their_stored_match_and_won_ones_are_customers(warehouse):
    accounts = [
        readback.AccountRow("101", A, "Acme", None, None, "owner-1", "customer", None, None),
        readback.AccountRow("102", None, "Dupont Conseil", None, "69001", None, None, None, None),
        readback.AccountRow("103", None, "Martin", None, "35000", None, None, None, None),
    ]
    deals = [readback.DealRow("d1", "101", "closedwon", "won", None)]
    readback.store(warehouse, "hubspot", accounts, [], deals, {}, now=NOW)
    rows = crm_accounts(warehouse, "hubspot")
    assert rows[1] == AccountInput("hubspot:102", name="Dupont Conseil", postal_code="69001",
                                   known=(B, "name_postcode", 0.8))  # fmt: skip
    result = score_accounts(warehouse, ICP, rows, as_of=AS_OF, now=NOW)
    assert [(r.input.row, r.status, r.siren, r.reason) for r in result.rows] == [
        ("hubspot:101", "not_prospectable", A, "customer"),
        ("hubspot:102", "scored", B, None),
        ("hubspot:103", "ambiguous", None, "2 units named MARTIN at 35000 (2 active): give the SIREN"),
    ]
    with pytest.raises(InputError, match=r"exports.crm_accounts holds no pipedrive account: read the CRM back"):
        crm_accounts(warehouse, "pipedrive")
    with pytest.raises(InputError, match=r"--from-crm: unknown CRM 'zoho'"):
        crm_accounts(warehouse, "zoho")


def test_a_customer_by_domain_is_refused_like_the_export_does(warehouse):
    add_customers(warehouse, [("domain", "acme.fr", "Acme")], source="test", now=NOW)
    result = score_accounts(warehouse, ICP, [AccountInput("2", siren=A, domain="acme.fr")], as_of=AS_OF, now=NOW)
    assert [(r.status, r.reason) for r in result.rows] == [("not_prospectable", "customer")]


def test_identifiers_are_luhn_checked():
    assert checked_siren(AccountInput("1", siren=f"{A[:3]} {A[3:6]} {A[6:]}")) == (A, None)
    assert checked_siren(AccountInput("1", siren=SIRET_A)) == (A, None)  # a SIRET in the SIREN column
    assert checked_siren(AccountInput("1", siret=A + "00013")) == (
        None, f"SIRET {A}00013 is not valid (14 digits passing Luhn)")  # fmt: skip
    assert checked_siren(AccountInput("1", siren="12345678")) == (
        None, "SIREN 12345678 is not valid (9 digits passing Luhn)")  # fmt: skip
    assert checked_siren(AccountInput("1", name="x")) == (None, None)


def test_headers_separators_and_encodings(tmp_path):
    assert fold_header("\ufeffCode_Postal ") == "code postal"
    assert fold_header("N° SIREN") == "n siren"
    semicolon = tmp_path / "cp1252.csv"
    semicolon.write_bytes("Raison sociale;Code Postal;N° SIREN;Commentaire\r\nSociété Générale;75009;;é\r\n"
                          ";;;\r\nBERNARD;75001;123 456 789;x\r\n".encode("cp1252"))  # fmt: skip
    assert read_accounts(semicolon) == [
        AccountInput("2", siren=None, name="Société Générale", postal_code="75009"),
        AccountInput("4", siren="123 456 789", name="BERNARD", postal_code="75001"),
    ]
    comma = tmp_path / "bom.csv"
    comma.write_bytes("\ufeffSIRET,Website,Company,ZIP\n12345678900011,acme.fr,\"Acme, Inc\",69001\n".encode())
    assert read_accounts(comma) == [
        AccountInput("2", siret="12345678900011", domain="acme.fr", name="Acme, Inc", postal_code="69001")]
    bad = tmp_path / "bad.csv"
    bad.write_text("city,phone\nParis,01\n")
    with pytest.raises(InputError, match=r"bad.csv: no column to identify a company by"):
        read_accounts(bad)
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(InputError, match=r"empty.csv: empty file, no header"):
        read_accounts(empty)


def test_written_list(warehouse, tmp_path):
    result = score_accounts(warehouse, ICP, [ROWS[3], ROWS[2], AccountInput("13", name="=cmd()")], as_of=AS_OF,
                            now=NOW)  # fmt: skip
    path = write_result(result, tmp_path / "out.csv")
    lines = path.read_text().splitlines()
    assert lines[0] == ("input_row,input_name,input_siren,input_domain,input_postal_code,status,siren,match_method,"
                        "match_confidence,company_name,postal_code,naf_code,headcount_band,rank,score,tier,fit_score,"
                        "intent_score,score_reasons,reason,candidates")  # fmt: skip
    assert lines[1] == (f"5,Bernard S.A.S.,,,75001,scored,{D1},name_postcode,0.7,BERNARD,75001,62.01Z,12,1,35,cold,"
                        "58,0,NAF 62.01Z in division 62 | no target decision maker on file,,")  # fmt: skip
    assert lines[2] == (",".join(["4", "Martin", "", "", "35000", "ambiguous"] + [""] * 13)
                        + ",2 units named MARTIN at 35000 (2 active): give the SIREN,"
                        + f"{C1} (active) | {C2} (active)")  # fmt: skip
    assert lines[3].startswith("13,'=cmd(),,,,unmatched,")  # formula-safe


def test_cli_scores_a_csv_and_refuses_bad_input(tmp_path, data_env):
    from typer.testing import CliRunner

    from firmo import db
    from pipelines.cli import app

    with db.connection() as con:
        build_warehouse(con, [company(A, name="ACME LOGICIELS"), company(G, naf="47.11B")],
                        officers=[officer(A, "73", "Président de SAS")])  # fmt: skip
    icp = tmp_path / "saas.yaml"
    icp.write_text("criteria:\n  naf: {include: ['62']}\n  decision_makers: [Président]\n", encoding="utf-8")
    accounts = tmp_path / "accounts.csv"
    accounts.write_text(f"SIREN;Raison sociale\n{A};Acme\n{G};Shop\n;Nobody\n", encoding="utf-8")
    runner = CliRunner()
    out = runner.invoke(app, ["score", str(accounts), "--icp", str(icp), "--as-of", AS_OF.isoformat()])
    assert out.exit_code == 0, out.output
    written = data_env / "scored" / "accounts_saas.csv"
    assert out.stdout.splitlines() == ["3 accounts against ICP saas", "  scored                 1 (warm 1)",
                                       "  outside_icp            1", "  unmatched              1", str(written)]  # fmt: skip
    assert [line.split(",")[5] for line in written.read_text().splitlines()[1:]] == ["scored", "outside_icp",
                                                                                      "unmatched"]  # fmt: skip
    out = runner.invoke(app, ["score", "--icp", str(icp)])
    assert (out.exit_code, out.output) == (1, "firmo: firmo score: give a CSV of accounts or --from-crm <crm> (one of them)\n")
    out = runner.invoke(app, ["score", "--icp", str(icp), "--from-crm", "hubspot"])
    assert (out.exit_code, out.output.splitlines()[-1]) == (  # after the ICP's notes
        1, "firmo: exports.crm_accounts holds no hubspot account: read the CRM back first (firmo crm pull hubspot)")
