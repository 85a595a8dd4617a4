"""The daily delta against the stand-in tabular API on loopback (real HTTP): paging through
links.next, the upsert with the stock's dedupe, idempotent re-runs, the cursor, retries."""

from __future__ import annotations

from datetime import date

import duckdb
import httpx
import pytest

from sources.decp.delta import run_delta
from sources.decp.fake import FakeTabularServer, api_value
from sources.decp.load import cursor, load_decp
from sources.decp.tabular_api import TabularApiError, iter_pages
from sources.download import RetryPolicy
from tests.decp.helpers import row, write_csv

TODAY = date(2026, 11, 1)
NO_WAIT = RetryPolicy(attempts=3, sleep=lambda s: None)


def api_rows(rows):
    """Rows typed as the tabular API serves them (numbers, booleans, acheteur_id an integer)."""
    out = []
    for r in rows:
        typed = {k: api_value(k, v) for k, v in r.items()}
        typed["montant"] = float(r["montant"]) if r.get("montant") not in (None, "NC") else r.get("montant")
        typed["donneesActuelles"] = r["donneesActuelles"] == "true"
        out.append(typed)
    return out


def stock(tmp_path):
    con = duckdb.connect()
    load_decp(con, write_csv(tmp_path / "decp.csv", [
        row(uid="OLD", dateNotification="2026-10-20"),
        row(uid="MOD", montant="1000", dateNotification="2026-10-25"),
    ]), today=TODAY)  # fmt: skip
    return con


DELTA = [
    row(uid="MOD", montant="1000", dateNotification="2026-10-25", modification_id="0", donneesActuelles="false"),
    row(uid="MOD", montant="1500", dateNotification="2026-10-29", modification_id="1"),
    row(uid="NEW1", acheteur_id="01234567800012", dateNotification="2026-10-28"),
    row(uid="NEW1", acheteur_id="01234567800012", dateNotification="2026-10-28", sourceDataset="pes_marche"),
    row(uid="NEW2", titulaire_id="ESB85535615", titulaire_typeIdentifiant="TVA", dateNotification="2026-10-30"),
    row(uid="NEW3", montant="12311111111", dateNotification="2026-10-31"),
    row(uid="OLDER", dateNotification="2026-10-01"),  # before the window: the API filters it out
]


def snapshot(con):
    return (
        con.execute("SELECT * EXCLUDE (source_file) FROM decp.marches ORDER BY uid, sourceDataset").fetchall(),
        con.execute("SELECT * FROM core.public_contracts ORDER BY uid").fetchall(),
    )


def test_pages_follow_links_next_until_null():
    with FakeTabularServer(api_rows(DELTA)) as server:
        pages = list(iter_pages(date(2026, 10, 25), api_url=server.api_url, page_size=2))
        assert [len(p.rows) for p in pages] == [2, 2, 2]
        assert [p.total for p in pages] == [6, 6, 6]
        assert [r["uid"] for p in pages for r in p.rows] == ["MOD", "MOD", "NEW1", "NEW1", "NEW2", "NEW3"]
        assert pages[0].rows[0]["__id"] == 1
        first, second = server.state.requests[:2]
        assert first.endswith("/data/?dateNotification__greater=2026-10-25&page_size=2")
        assert second.endswith("/data/?dateNotification__greater=2026-10-25&page=2&page_size=2")


def test_delta_upserts_with_the_dedupe_and_moves_the_cursor(tmp_path):
    con = stock(tmp_path)
    assert cursor(con) == date(2026, 10, 25)
    with FakeTabularServer(api_rows(DELTA)) as server:
        report = run_delta(con, today=TODAY, api_url=server.api_url, page_size=2, policy=NO_WAIT)
    assert report.sources == [f"{server.api_url}/resources/22847056-61df-452d-837d-8b8ceadbfc52/data/"
                              "?dateNotification__greater=2026-10-25"]  # fmt: skip
    assert (report.historical, report.duplicates) == (1, 1)
    assert report.loaded == {"incoming": 4, "decp.marches": 5, "core.public_contracts": 4}
    assert report.cursor == date(2026, 10, 31)
    assert con.execute(
        "SELECT uid, acheteur_id, titulaire_id, montant, dateNotification, sourceDataset FROM decp.marches ORDER BY uid"
    ).fetchall() == [
        ("MOD", "21000000000013", "55204599900869", 1500.0, date(2026, 10, 29), "decp_aife"),  # replaced
        ("NEW1", "01234567800012", "55204599900869", 150000.0, date(2026, 10, 28), "decp_aife"),  # padded back
        ("NEW2", "21000000000013", "ESB85535615", 150000.0, date(2026, 10, 30), "decp_aife"),
        ("NEW3", "21000000000013", "55204599900869", None, date(2026, 10, 31), "decp_aife"),  # sentinel
        ("OLD", "21000000000013", "55204599900869", 150000.0, date(2026, 10, 20), "decp_aife"),  # untouched
    ]  # fmt: skip
    assert cursor(con) == date(2026, 10, 31)


def test_a_rerun_of_the_same_window_changes_nothing(tmp_path):
    con = stock(tmp_path)
    with FakeTabularServer(api_rows(DELTA)) as server:
        run_delta(con, today=TODAY, api_url=server.api_url, since=date(2026, 10, 25), policy=NO_WAIT)
        once = snapshot(con)
        report = run_delta(con, today=TODAY, api_url=server.api_url, since=date(2026, 10, 25), policy=NO_WAIT)
        assert snapshot(con) == once
        assert report.loaded == {"incoming": 4, "decp.marches": 5, "core.public_contracts": 4}
        # from the cursor (2026-10-31, inclusive): only NEW3 again, and still nothing changes
        again = run_delta(con, today=TODAY, api_url=server.api_url, policy=NO_WAIT)
        assert again.loaded["incoming"] == 1
        assert snapshot(con) == once
        assert cursor(con) == date(2026, 10, 31)


def test_retries_a_503_then_succeeds(tmp_path):
    con = stock(tmp_path)
    with FakeTabularServer(api_rows(DELTA)) as server:
        server.state.fail_next = 2
        report = run_delta(con, today=TODAY, api_url=server.api_url, policy=NO_WAIT)
        assert report.loaded["incoming"] == 4
        assert len(server.state.requests) == 3


def test_an_error_answer_is_one_clear_error_and_publishes_nothing(tmp_path):
    con = stock(tmp_path)
    before = snapshot(con)
    with FakeTabularServer(api_rows(DELTA)) as server:
        with pytest.raises(TabularApiError, match="HTTP 400 .*page_size must be between 1 and 50"):
            run_delta(con, today=TODAY, api_url=server.api_url, page_size=200, policy=NO_WAIT)
        with pytest.raises(TabularApiError, match="HTTP 404"):
            list(iter_pages(date(2026, 1, 1), api_url=server.api_url, resource="nope", client=httpx.Client()))
    assert snapshot(con) == before
    assert cursor(con) == date(2026, 10, 25)


def test_rows_the_rules_refuse_are_quarantined_under_the_query(tmp_path):
    con = stock(tmp_path)
    rows = api_rows([row(uid=None, dateNotification="2026-10-28"), *DELTA])
    with FakeTabularServer(rows) as server:
        report = run_delta(con, today=TODAY, api_url=server.api_url, policy=NO_WAIT, max_reject_share=0.5)
        run_delta(con, today=TODAY, api_url=server.api_url, since=date(2026, 10, 25), policy=NO_WAIT,
                  max_reject_share=0.5)  # fmt: skip
    assert report.rejects_by_reason == {"uid missing": 1}
    assert con.execute("SELECT source_file, line_number, reason FROM decp.rejects").fetchall() == [
        (report.sources[0], None, "uid missing")]  # the re-run replaced its own rejects  # fmt: skip
