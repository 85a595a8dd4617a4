"""`firmo export --push hubspot --dry-run`: what would change, with no token, no call, no file, and
no email in clear."""

from __future__ import annotations

from tests.cli.test_crm_cli import run, warehouse  # noqa: F401 (the fixture)


def test_hubspot_dry_run_needs_no_token_and_masks_emails(warehouse, tmp_path, monkeypatch):  # noqa: F811
    monkeypatch.delenv("HUBSPOT_ACCESS_TOKEN", raising=False)
    monkeypatch.delenv("HUBSPOT_SERVICE_KEY", raising=False)
    out = tmp_path / "exports"
    code, text = run("export", "--db", str(warehouse), "--out", str(out), "--push", "hubspot", "--dry-run")
    assert code == 0, text
    assert not out.exists()
    assert text.splitlines() == [
        "hubspot API, dry run: companies 2 to create, 0 to update; contacts 1 to create, 0 to update; 2 notes; "
        "0 unchanged, 1 without email (company only); no call made",
        "  would create company 443061841 (ACME)",
        "  would add note to company 443061841",
        "  would create contact j***@acme.fr, associated with 443061841",
        "  would create company 880878145 (GANYMEDE)",
        "  would add note to company 880878145",
    ]
    assert "jeanne" not in text.lower()
