"""`firmo score accounts.csv --icp x --push hubspot`: the scored rows (never the outside-ICP or
unmatched ones) pushed to a loopback HubSpot through the export's push, its ledger included."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from firmo import db
from pipelines.cli import app
from tests.icp.test_byol import A, G
from tests.icp.warehouse import AS_OF, build_warehouse, company, officer

from .fake_hubspot import TOKEN, FakeHubSpot


@pytest.fixture()
def listed(tmp_path, data_env):
    """The warehouse of the `firmo score` CLI test and its 3-row list: A scored, G outside the
    ICP (NAF 47), a name nobody has."""
    with db.connection() as con:
        build_warehouse(con, [company(A, name="ACME LOGICIELS"), company(G, naf="47.11B")],
                        officers=[officer(A, "73", "Président de SAS")])  # fmt: skip
    icp = tmp_path / "saas.yaml"
    icp.write_text("criteria:\n  naf: {include: ['62']}\n  decision_makers: [Président]\n", encoding="utf-8")
    accounts = tmp_path / "accounts.csv"
    accounts.write_text(f"SIREN;Raison sociale\n{A};Acme\n{G};Shop\n;Nobody\n", encoding="utf-8")
    return ["score", str(accounts), "--icp", str(icp), "--as-of", AS_OF.isoformat()]


def test_scored_rows_are_pushed_once_and_the_others_never(listed, data_env, monkeypatch):
    runner = CliRunner()
    with FakeHubSpot() as fake:
        monkeypatch.setenv("HUBSPOT_ACCESS_TOKEN", TOKEN)
        monkeypatch.setenv("FIRMO_HUBSPOT_BASE_URL", fake.url)
        out = runner.invoke(app, [*listed, "--push", "hubspot", "--dry-run"])
        assert out.exit_code == 0, out.output
        assert out.stdout.splitlines()[5] == (
            "hubspot API, dry run: companies 1 to create, 0 to update; contacts 0 to create, 0 to update; "
            "1 notes; 0 unchanged, 1 without email (company only); no call made"
        )
        assert fake.objects["companies"] == {}

        out = runner.invoke(app, [*listed, "--push", "hubspot"])
        assert out.exit_code == 0, out.output
        assert out.stdout.splitlines()[:5] == ["3 accounts against ICP saas", "  scored                 1 (warm 1)",
                                               "  outside_icp            1", "  unmatched              1",
                                               str(data_env / "scored" / "accounts_saas.csv")]  # fmt: skip
        assert out.stdout.splitlines()[5] == (
            "hubspot API: 1 companies, 0 contacts upserted, 0 associations; 0 unchanged, "
            "1 without email (company only), 0 failed"
        )
        assert sorted(fake.objects["companies"]) == [A]  # G (outside the ICP) and Nobody never
        assert fake.objects["companies"][A]["siren"] == A
        assert fake.objects["contacts"] == {}

        out = runner.invoke(app, [*listed, "--push", "hubspot"])  # the ledger: nothing changed
        assert out.exit_code == 0, out.output
        assert out.stdout.splitlines()[5] == (
            "hubspot API: 0 companies, 0 contacts upserted, 0 associations; 1 unchanged, "
            "0 without email (company only), 0 failed"
        )
        assert sorted(fake.objects["companies"]) == [A]


def test_push_refusals_are_one_line(listed, tmp_path, monkeypatch):
    runner = CliRunner()
    monkeypatch.delenv("HUBSPOT_ACCESS_TOKEN", raising=False)
    monkeypatch.delenv("HUBSPOT_SERVICE_KEY", raising=False)
    out = runner.invoke(app, [*listed, "--push", "zoho"])
    last = (out.exit_code, out.output.splitlines()[-1])  # after the ICP's note
    assert last == (1, "firmo: --push zoho: not one of hubspot, pipedrive, salesforce")
    out = runner.invoke(app, [*listed, "--push", "hubspot"])
    assert (out.exit_code, out.output.splitlines()[-1]) == (  # the line `firmo export --push hubspot` gives
        1,
        "firmo: no HubSpot token: set HUBSPOT_ACCESS_TOKEN (or HUBSPOT_SERVICE_KEY)",
    )
    out = runner.invoke(app, [*listed, "--dry-run"])
    assert (out.exit_code, out.output) == (
        1,
        "firmo: --dry-run goes with --push and without --enrich (it makes no paid call)\n",
    )  # before the ICP
    outside = tmp_path / "outside.csv"
    outside.write_text(f"SIREN\n{G}\n", encoding="utf-8")
    out = runner.invoke(app, ["score", str(outside), *listed[2:], "--push", "hubspot", "--dry-run"])
    assert out.exit_code == 1
    assert out.output.splitlines()[-1] == (
        f"firmo: --push: no scored row in outside (see {tmp_path / 'data' / 'scored' / 'outside_saas.csv'})"
    )


def test_enrich_runs_the_waterfall_on_the_scored_rows_then_pushes_them(listed, data_env, monkeypatch):
    from waterfall.fake.config import FakeConfig
    from waterfall.fake.dns import FakeDnsServer
    from waterfall.fake.server import FakeServer

    vendors = FakeConfig.demo()
    with (
        FakeServer(vendors) as server,
        FakeDnsServer(lambda domain: [(10, f"mx.{domain}")]) as dns,
        FakeHubSpot() as fake,
    ):
        for var, key in vendors.env().items():
            monkeypatch.setenv(var, key)
        for name in vendors.providers:
            monkeypatch.setenv(f"FIRMO_{name.upper()}_BASE_URL", server.base_url(name))
        monkeypatch.setenv("FIRMO_WATERFALL_CONFIG", "waterfall/demo.yaml")
        monkeypatch.setenv("FIRMO_DNS_RESOLVER", dns.address)
        monkeypatch.setenv("HUBSPOT_ACCESS_TOKEN", TOKEN)
        monkeypatch.setenv("FIRMO_HUBSPOT_BASE_URL", fake.url)
        runner = CliRunner()
        out = runner.invoke(app, [*listed, "--enrich", "--push", "hubspot"])
        assert out.exit_code == 0, out.output
        assert out.stdout.splitlines()[5:] == [
            "enriched leads.saas__accounts_enriched: 1 leads, 1 not blocked, 1 emails (0 valid), 0 phones; 14 credits",
            "hubspot API: 1 companies, 1 contacts upserted, 1 associations; 0 unchanged, 0 without email "
            "(company only), 0 failed",
        ]
        with db.connection(read_only=True) as con:
            rows = con.execute(
                "SELECT siren, tier, email, email_status, email_source FROM leads.saas__accounts_enriched ORDER BY rank"
            ).fetchall()
            asked = {s for (s,) in con.execute("SELECT DISTINCT siren FROM waterfall.provenance").fetchall()}
        # only the scored row was enriched: G (outside the ICP) and the unmatched row cost nothing
        assert rows == [(A, "warm", "jeanne.martin@acme-logiciels.fr", "risky", "pattern")]
        assert asked == {A}
        assert sorted(fake.objects["companies"]) == [A]
        contact = fake.objects["contacts"]["jeanne.martin@acme-logiciels.fr"]
        assert (contact["company"], contact["firmo_icp"], contact["firmo_tier"], contact["firmo_email_source"]) == (
            "ACME LOGICIELS",
            "saas",
            "warm",
            "pattern",
        )
        out = runner.invoke(app, [*listed, "--enrich", "--push", "hubspot"])  # cache and ledger: free, nothing sent
        assert out.exit_code == 0, out.output
        assert out.stdout.splitlines()[5:] == [
            "enriched leads.saas__accounts_enriched: 1 leads, 1 not blocked, 1 emails (0 valid), 0 phones; 0 credits",
            "hubspot API: 0 companies, 0 contacts upserted, 0 associations; 1 unchanged, 0 without email "
            "(company only), 0 failed",
        ]
        assert sorted(fake.objects["contacts"]) == ["jeanne.martin@acme-logiciels.fr"]
