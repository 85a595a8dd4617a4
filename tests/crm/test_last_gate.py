"""The export's last gate reads the registries' state at export time, not the lead row's copy:
a unit that turned P, opposed commercial use at the RNE, closed, got suppressed or became a
customer after its list was built is in no CRM file, and exports.rejects says why."""

from __future__ import annotations

import csv
import json

import duckdb
import pytest

from firmo.compliance import add_customers, prospecting, suppress
from firmo.crm import HubSpotClient, export_leads, push_hubspot
from firmo.crm.leads import lead_frame
from firmo.icp import build_leads, parse_icp, resolve
from sources.inpi.rne_load import apply_rne_updates
from tests.icp.test_opposition import payload
from tests.icp.warehouse import AS_OF, build_warehouse, company, officer

from .conftest import NOW, frame, lead, registry
from .fake_hubspot import TOKEN, FakeHubSpot

# six units, all O and active when the list is built
ACME, GANYMEDE, TITAN, SECRET, POSTE, ECLAIR = (
    "443061841", "880878145", "732829320", "552100554", "356000000", "130025265")
UNITS = [ACME, GANYMEDE, TITAN, SECRET, POSTE, ECLAIR]
SIREN_COLUMN = {"hubspot": "siren", "salesforce": "SIREN__c", "pipedrive": "Organization - SIREN"}
REJECTS_SQL = ("SELECT json_extract_string(raw, '$.siren'), json_extract_string(raw, '$.icp'), reason, source_file "
               "FROM exports.rejects WHERE target_table = 'exports.ledger' ORDER BY 1")


@pytest.fixture()
def built(tmp_path):
    """A built lead list of the six units, then the registries change under it."""
    con = duckdb.connect()
    build_warehouse(con, [company(s) for s in UNITS],
                    officers=[officer(s, "73", "Président de SAS", family=f"NOM{i}") for i, s in enumerate(UNITS)])
    icp = resolve(parse_icp({"criteria": {"naf": {"include": ["J"]}}}, default_name="tech"))
    build_leads(con, icp, as_of=AS_OF, csv_dir=tmp_path / "lists")
    assert sorted(lead_frame(con, ["tech"])["siren"].to_list()) == sorted(UNITS)
    yield con
    con.close()


def change_the_registries(con) -> None:
    con.execute("UPDATE core.companies SET diffusible = false WHERE siren = ?", [TITAN])   # turned P
    con.execute("UPDATE core.companies SET active = false WHERE siren = ?", [POSTE])       # closed
    apply_rne_updates(con, [{"company": payload(GANYMEDE, commercial=False,                # opposed at the RNE
                                                updated_at="2026-02-01T10:00:00+01:00")}])
    suppress(con, "siren", SECRET, reason="objection", now=NOW)
    add_customers(con, [("siren", ECLAIR, "Éclair")], now=NOW)


def sirens_in_files(report) -> dict[str, list[str]]:
    out = {}
    for crm, files in report.files.items():
        rows = [r for f in files for r in csv.DictReader(f.open(encoding="utf-8"))]
        out[crm] = sorted(r[SIREN_COLUMN[crm]] for r in rows)
    return out


def test_a_unit_that_changed_after_its_list_was_built_is_refused_at_export(built, tmp_path):
    leads = lead_frame(built, ["tech"])
    assert set(leads["statut_diffusion"].to_list()) == {"O"}  # the row's copy still says O
    change_the_registries(built)
    report = export_leads(lead_frame(built, ["tech"]), con=built, root=tmp_path / "out", now=NOW)
    assert sirens_in_files(report) == {"hubspot": [ACME], "salesforce": [ACME], "pipedrive": [ACME]}
    assert (report.skipped_p, report.opposed, report.inactive, report.suppressed, report.customers) == (1, 1, 1, 1, 1)
    source = "lead list (export_leads input)"
    assert built.execute(REJECTS_SQL).fetchall() == [
        (ECLAIR, "tech", "customer", source),
        (POSTE, "tech", "closed unit (SIRENE etatAdministratif C)", source),
        (SECRET, "tech", "suppressed: objection", source),
        (TITAN, "tech", "non-diffusible unit (SIRENE statut P)", source),
        (GANYMEDE, "tech", "opposition to commercial use (RNE)", source),
    ]
    assert sorted(report.refused) == sorted((("tech", s, r) for s, _, r, _ in built.execute(REJECTS_SQL).fetchall()))
    # nothing of a refused unit in any file, nor in the ledger
    text = "".join(p.read_text(encoding="utf-8") for files in report.files.values() for p in files)
    for siren in (GANYMEDE, TITAN, SECRET, POSTE, ECLAIR):
        assert siren not in text
    assert built.execute("SELECT DISTINCT siren FROM exports.ledger").fetchall() == [(ACME,)]


def test_before_the_change_every_unit_is_exported(built, tmp_path):
    """The same list exported before the registries change: the test above fails for the right reason."""
    report = export_leads(lead_frame(built, ["tech"]), con=built, root=tmp_path / "out", now=NOW)
    assert sirens_in_files(report)["hubspot"] == sorted(UNITS)
    assert built.execute(REJECTS_SQL).fetchall() == []


def test_a_lifted_opposition_is_exported_again(built, tmp_path):
    apply_rne_updates(built, [{"company": payload(GANYMEDE, commercial=False, updated_at="2026-02-01T10:00:00+01:00")}])
    first = export_leads(lead_frame(built, ["tech"]), con=built, root=tmp_path / "out", now=NOW)
    assert GANYMEDE not in sirens_in_files(first)["salesforce"] and first.opposed == 1
    apply_rne_updates(built, [{"company": payload(GANYMEDE, commercial=True, updated_at="2026-03-01T10:00:00+01:00")}])
    again = export_leads(lead_frame(built, ["tech"]), con=built, root=tmp_path / "out", now=NOW, crms=("salesforce",))
    assert sirens_in_files(again) == {"salesforce": [GANYMEDE]} and again.opposed == 0  # the others: unchanged
    assert built.execute(REJECTS_SQL).fetchall() == []  # the rejects describe the last run


def test_the_hubspot_push_applies_the_same_gate(built, monkeypatch):
    change_the_registries(built)
    with FakeHubSpot() as fake, HubSpotClient(TOKEN, base_url=fake.url, sleep=lambda s: None) as client:
        report = push_hubspot(lead_frame(built, ["tech"]), con=built, client=client, now=NOW)
        assert set(fake.objects["companies"]) == {ACME}
    assert (report.skipped_p, report.opposed, report.inactive, report.suppressed, report.customers) == (1, 1, 1, 1, 1)
    assert [(s, r, src) for s, _, r, src in built.execute(REJECTS_SQL).fetchall()] == [
        (ECLAIR, "customer", "lead list (push_hubspot input)"),
        (POSTE, "closed unit (SIRENE etatAdministratif C)", "lead list (push_hubspot input)"),
        (SECRET, "suppressed: objection", "lead list (push_hubspot input)"),
        (TITAN, "non-diffusible unit (SIRENE statut P)", "lead list (push_hubspot input)"),
        (GANYMEDE, "opposition to commercial use (RNE)", "lead list (push_hubspot input)"),
    ]


def test_a_unit_missing_from_core_companies_is_refused(con, tmp_path):
    registry(con, {"552100554": (True, True)})
    report = export_leads(frame(lead(), lead(siren="443061841", email="c@d.fr")), con=con, root=tmp_path, now=NOW,
                          crms=("hubspot",))
    assert report.exported == {"hubspot": 1} and report.inactive == 1
    assert con.execute("SELECT line_number, reason, raw FROM exports.rejects").fetchall() == [
        (2, "unit not in core.companies (registry state unknown)", json.dumps({"icp": "saas_paris", "siren": "443061841"}))]


def test_without_core_companies_the_export_refuses_to_run_and_writes_nothing(con, tmp_path):
    con.execute("DROP TABLE core.companies")
    with pytest.raises(prospecting.RegistryMissing, match="load SIRENE first"):
        export_leads(frame(lead()), con=con, root=tmp_path, now=NOW)
    assert list(tmp_path.iterdir()) == []
    assert con.execute("SELECT count(*) FROM exports.ledger").fetchall() == [(0,)]


def test_a_contact_who_left_is_never_exported_again_for_that_company(con, tmp_path):
    """A job-change re-check retired Jeanne Martin at 552100554 (firmo.compliance.retired): her row
    (any address) is refused there, counted apart with the reason; another person of the company and
    the same person at another SIREN go out."""
    from firmo.compliance.retired import Retirement, retire

    registry(con, {"552100554": (True, True), "443061841": (True, True)})
    retire(con, [Retirement("552100554", "Jeanne", "MARTIN", "jeanne.martin@acme.fr",
                            "job change: left Acme SAS on 2026-01-01 (apollo)")], NOW)  # fmt: skip
    leads = frame(
        lead(),  # retired
        lead(email="j.martin@acme.fr", first_name="Jeanne", last_name="Martin"),  # the same person, another address
        lead(email="paul.roux@acme.fr", first_name="Paul", last_name="Roux"),  # a colleague
        lead(siren="443061841", siret="44306184100015", email="jeanne.martin@beta.fr", website_domain="beta.fr"),
    )
    report = export_leads(leads, con=con, root=tmp_path, now=NOW, crms=("hubspot",))
    assert (report.exported, report.retired, report.inactive) == ({"hubspot": 2}, 2, 0)
    assert sorted(r[2] for r in report.refused) == ["job change: left Acme SAS on 2026-01-01 (apollo)"] * 2
    assert con.execute("SELECT line_number, reason FROM exports.rejects ORDER BY 1").fetchall() == [
        (1, "job change: left Acme SAS on 2026-01-01 (apollo)"), (2, "job change: left Acme SAS on 2026-01-01 (apollo)")]
