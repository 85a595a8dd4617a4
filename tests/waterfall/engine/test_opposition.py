"""A unit whose latest RNE payload says `diffusionCommerciale: false` is refused before any paid
call, with the reason `blocked: opposition to commercial use (RNE)`, whatever its lead row says;
so is a unit that turned P in core.companies after its list was built. Counted on the in-process
fakes (exact calls) and on the loopback fake vendors (requests they received)."""

from __future__ import annotations

import asyncio

import pytest

from firmo import db
from waterfall.config import load_config
from waterfall.enrich import block_reason, enrich_leads, run_enrichment
from waterfall.fake.config import FakeConfig
from waterfall.fake.server import FakeServer
from waterfall.providers.base import Field

from .fakes import NOW, FakeProvider, config, hit

E, P, D = Field.EMAIL, Field.PHONE, Field.DOMAIN
ACME, OPPOSED, TURNED_P = "443061841", "880878145", "732829320"
ENRICHED_SQL = "SELECT siren, email, phone, enrichment_reason FROM leads.demo_enriched ORDER BY rank"


@pytest.fixture
def con(tmp_path):
    con = db.connect(tmp_path / "w.duckdb")
    con.execute("""CREATE TABLE leads.demo AS SELECT * FROM (VALUES
        ('demo', 1, ?, 'ACME', 'acme.fr', 'Jeanne', 'Martin', 'O'),
        ('demo', 2, ?, 'GANYMEDE', 'ganymede.fr', 'Paul', 'Durand', 'O'),
        ('demo', 3, ?, 'TITAN', 'titan.fr', 'Anne', 'Roux', 'O')
    ) t(icp, rank, siren, company_name, website_domain, first_name, last_name, statut_diffusion),
    (SELECT 'Paris' AS city, 'Gérant' AS job_title, 'person' AS officer_kind)""", [ACME, OPPOSED, TURNED_P])
    # the registries now: GANYMEDE opposed at the RNE, TITAN turned P (the lead rows still say O)
    con.execute("CREATE TABLE core.companies AS SELECT * FROM (VALUES (?, true, true), (?, true, true), "
                "(?, false, true)) t(siren, diffusible, active)", [ACME, OPPOSED, TURNED_P])
    con.execute("CREATE TABLE inpi.companies AS SELECT * FROM (VALUES (?, true), (?, false)) "
                "t(siren, diffusion_commerciale)", [ACME, OPPOSED])
    yield con
    con.close()


def test_block_reason_puts_the_opposition_beside_the_p_refusal():
    registry = {OPPOSED: "opposition to commercial use (RNE)"}
    assert block_reason({"siren": OPPOSED, "statut_diffusion": "O"}, None, registry) == \
        "opposition to commercial use (RNE)"
    assert block_reason({"siren": OPPOSED, "statut_diffusion": "P"}, None, registry) == \
        "non-diffusible unit (SIRENE statut P)"
    assert block_reason({"siren": ACME, "statut_diffusion": "O"}, None, registry) is None


def test_opposed_and_turned_p_units_cost_nothing(con):
    hunter = FakeProvider("hunter", {D})
    findymail = FakeProvider("findymail", {E}, {(E, s): hit("findymail", E, f"x@{s}.fr") for s in
                                                (ACME, OPPOSED, TURNED_P)})
    lusha = FakeProvider("lusha", {P})
    cfg = config({"domain": ["hunter"], "email": ["findymail"], "phone": ["lusha"]})
    report = asyncio.run(enrich_leads(con, "demo", cfg, {p.name: p for p in (hunter, findymail, lusha)}, now=NOW,
                                      run_id="r1"))
    asked = sorted((p.name, w.value, s) for p in (hunter, findymail, lusha) for w, s in p.asked)
    assert asked == [("findymail", "email", ACME), ("lusha", "phone", ACME)]
    assert con.execute(ENRICHED_SQL).fetchall() == [
        (ACME, f"x@{ACME}.fr", None, "phone: not found (no match: lusha)"),
        (OPPOSED, None, None, "blocked: opposition to commercial use (RNE)"),
        (TURNED_P, None, None, "blocked: non-diffusible unit (SIRENE statut P)"),
    ]
    assert report.funnel["not blocked"] == 1 and report.metadata()["blocked"] == 2
    assert con.execute("SELECT DISTINCT siren FROM waterfall.provenance WHERE run_id = 'r1'").fetchall() == [(ACME,)]


def test_the_loopback_vendors_receive_no_request_for_an_opposed_unit(con):
    con.execute("DELETE FROM leads.demo WHERE siren <> ?", [OPPOSED])
    fake = FakeConfig.demo()
    with FakeServer(fake) as server:
        base_urls = {name: server.base_url(name) for name in fake.providers}
        report = run_enrichment(con, "demo", load_config("waterfall/demo.yaml"), env=fake.env(), base_urls=base_urls,
                                now=NOW, run_id="loopback")
        requests = {name: stats["requests"] for name, stats in server.stats().items()}
    assert set(requests.values()) == {0} and report.credits == 0
    assert con.execute(ENRICHED_SQL).fetchall() == [
        (OPPOSED, None, None, "blocked: opposition to commercial use (RNE)")]
