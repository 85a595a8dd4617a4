"""`firmo export --push pipedrive [--dry-run]` against the loopback fake Pipedrive
(tests/crm/fake_pipedrive.py), on the hand-built warehouse of test_crm_cli.py."""

from __future__ import annotations

import pytest

from firmo import db
from tests.cli.test_crm_cli import run, warehouse  # noqa: F401 (the fixture)
from tests.crm.fake_pipedrive import TOKEN, FakePipedrive


@pytest.fixture()
def pipedrive(monkeypatch):
    with FakePipedrive() as fake:
        monkeypatch.setenv("FIRMO_PIPEDRIVE_API_TOKEN", TOKEN)
        monkeypatch.setenv("FIRMO_PIPEDRIVE_API_URL", fake.url)
        yield fake


def _ledger(path):
    with db.connection(path, read_only=True) as con:
        return con.execute(
            "SELECT lead_key, file FROM exports.ledger WHERE crm = 'pipedrive_api' ORDER BY 1"
        ).fetchall()


def test_dry_run_then_push_then_nothing_changed(warehouse, tmp_path, pipedrive):  # noqa: F811
    out = tmp_path / "exports"
    code, text = run("export", "--db", str(warehouse), "--out", str(out), "--push", "pipedrive", "--dry-run")
    assert code == 0, text
    assert pipedrive.writes() == [] and not out.exists()  # no write call, no file
    assert text.splitlines()[0] == "pipedrive API, dry run: 12 changes (0 unchanged)"
    assert "  would create organization 443061841" in text and "  would create lead 880878145|name:p*** d***" in text

    code, text = run("export", "--db", str(warehouse), "--out", str(out), "--crm", "pipedrive", "--push", "pipedrive")
    assert code == 0, text
    assert text.splitlines()[1].split() == ["pipedrive", "2", "0", "1"]  # the CSV files are still written
    # fields 65 (2 pages listed per entity, 5 created) + Jeanne 70 (2 searches, 4 writes) + Paul 40 (the
    # organisation search and 3 writes: no name search in an organisation just created, no note: no
    # reasons, no contact data)
    assert (
        "pipedrive API: 2 leads pushed (organisations 2 created, 0 updated; persons 2 created, 0 updated; "
        "leads 2 created, 0 updated; 1 notes; 5 custom fields created); 0 unchanged, 0 failed; 175 API tokens"
    ) in text
    assert _ledger(warehouse) == [
        ("443061841|jeanne.martin@acme.fr", "api:pipedrive"),
        ("880878145|name:paul durand", "api:pipedrive"),
    ]
    assert TOKEN not in text

    pipedrive.requests.clear()
    code, text = run("export", "--db", str(warehouse), "--out", str(out), "--crm", "pipedrive", "--push", "pipedrive")
    assert code == 0, text
    assert "2 leads pushed" not in text and "0 leads pushed" in text and "2 unchanged" in text
    assert pipedrive.requests == []


def test_push_pipedrive_without_token_names_the_variable_and_writes_nothing(warehouse, tmp_path, monkeypatch):  # noqa: F811
    monkeypatch.delenv("FIRMO_PIPEDRIVE_API_TOKEN", raising=False)
    out = tmp_path / "exports"
    code, text = run("export", "--db", str(warehouse), "--out", str(out), "--push", "pipedrive")
    assert code == 2 and "FIRMO_PIPEDRIVE_API_TOKEN" in text
    assert not out.exists()


def test_unknown_push_target_and_dry_run_alone(warehouse, tmp_path):  # noqa: F811
    code, text = run("export", "--db", str(warehouse), "--push", "zoho")
    assert code == 2 and "--push zoho: not one of hubspot, pipedrive" in text
    code, text = run("export", "--db", str(warehouse), "--dry-run")
    assert code == 2 and "--dry-run goes with --push hubspot, pipedrive or salesforce only" in text
