"""The near-real-time intake through Dagster: the sensor asks for one poll per FIRMO_POLL_MINUTES
slot; the job reads the stand-in RNE, BODACC and API Sirene (loopback), applies what they
published since the last poll and re-scores the SIRENs touched in the ICP's leads table."""

from __future__ import annotations

import copy
import json
from contextlib import ExitStack, contextmanager
from datetime import date, timedelta
from unittest import mock

from dagster import DagsterInstance, build_sensor_context

from assets.poll import registry_poll_job
from assets.resources import (
    AlertingResource,
    EmailAlertResource,
    HubSpotResource,
    PathsResource,
    PipedriveResource,
    RneApiResource,
    SalesforceResource,
    SireneApiResource,
    SlackAlertResource,
    WarehouseResource,
    WebhookAlertResource,
)
from firmo import db
from firmo.loopback import LoopbackServer
from firmo.reference import load_reference
from pipelines import sensors
from sources.bodacc.fake import FakeBodacc
from sources.inpi.fake import FakeRne
from sources.sirene.fake import FakeSirene
from tests.alerts.fakes import SLACK_PATH, slack_app
from tests.bodacc.conftest import ods_record
from tests.icp.test_incremental_poll import AS_OF, RNE_1, RNE_2, A, B, C, D, nightly, stock
from tests.sirene.builders import siret
from tests.sirene_api.sirene_api_payloads import UL_016750697

KEY = "insee-k3y-never-logged"


NO_ALERT_CHANNELS = {
    "alerting": AlertingResource(),
    "alert_slack": SlackAlertResource(),
    "hubspot": HubSpotResource(),
    "alert_email": EmailAlertResource(),
    "alert_webhook": WebhookAlertResource(),
    "salesforce": SalesforceResource(),
    "pipedrive": PipedriveResource(),
}


def test_the_sensor_asks_once_per_slot():
    poll = sensors.registry_poll_sensor(5)
    assert poll.minimum_interval_seconds == 300
    with mock.patch.object(sensors.time, "time", return_value=1_764_590_000.0):  # 2025-12-01T11:53:20Z
        first = poll.evaluate_tick(build_sensor_context(instance=DagsterInstance.ephemeral()))
        again = poll.evaluate_tick(build_sensor_context(cursor=first.cursor, instance=DagsterInstance.ephemeral()))
    assert [(r.run_key, r.tags["firmo/poll_id"]) for r in first.run_requests] == [
        ("poll:20251201T1150Z", "20251201T1150Z")
    ]
    assert (first.cursor, again.run_requests, again.skip_message) == (
        "5881966",
        [],
        "already polled in this 5-minute slot",
    )


def test_a_poll_run_applies_the_new_records_and_rescores(data_env, tmp_path, samples_dir):
    icp_dir, warehouse, diff = _baseline(data_env, tmp_path, samples_dir, "")
    rne, bodacc, sirene = FakeRne(items=diff), FakeBodacc(), FakeSirene(KEY)
    bodacc.publish([ods_record("A202610201", AS_OF.isoformat(), "radiation", siren=B)])
    unit = copy.deepcopy(UL_016750697)
    unit["dateDernierTraitementUniteLegale"] = AS_OF.isoformat() + "T09:00:00.000"
    sirene.publish_unites_legales([unit])
    with _polling(rne, bodacc, sirene, warehouse, data_env, tmp_path, icp_dir) as poll:
        result = poll("p1")
    with db.connection(warehouse, read_only=True) as con:
        assert con.execute(
            "SELECT source, siren FROM ops.poll_touched WHERE poll_id = 'p1' ORDER BY ALL"
        ).fetchall() == [("bodacc", B), ("rne", RNE_2), ("rne", RNE_1), ("sirene", "016750697")]
        assert con.execute("SELECT source, records FROM ops.poll_cursors ORDER BY 1").fetchall() == [
            ("bodacc", 1),
            ("rne", 2),
            ("sirene", 1),
        ]
        # B struck off: out of the list; the officers of the RNE companies are their contacts now
        assert con.execute("SELECT count(*) FROM leads.poll WHERE siren = ?", [B]).fetchall() == [(0,)]
        assert con.execute(
            "SELECT siren, list_transform(contacts, lambda c: c.family_name) FROM core.prospects "
            "WHERE siren IN (?, ?) ORDER BY 1",
            [RNE_2, RNE_1],
        ).fetchall() == [(RNE_2, ["MARTIN", "ROBERT", None]), (RNE_1, ["MICHEL"])]
        assert con.execute("SELECT siren, tier FROM leads.poll ORDER BY rank").fetchall()[-2:] == [
            (RNE_2, "cold"),
            (RNE_1, "cold"),
        ]
    records = "".join(str(e) for e in result.all_events)
    assert KEY not in records


def test_the_code_location_polls_every_firmo_poll_minutes(data_env, monkeypatch):
    from firmo.settings import Settings
    from pipelines.definitions import build_definitions

    monkeypatch.setenv("FIRMO_POLL_MINUTES", "3")
    repo = build_definitions(Settings.from_env()).get_repository_def()
    poll = repo.get_sensor_def("registry_poll_sensor")
    assert (poll.minimum_interval_seconds, poll.job_name) == (180, "registry_poll_job")
    assert repo.get_job("registry_poll_job").name == "registry_poll_job"


def test_a_capital_increase_published_between_two_polls_reaches_slack_once(data_env, tmp_path, samples_dir):
    """End to end on loopback: the first poll is the ICP's silent baseline; BODACC then publishes a
    capital increase of a lead, the next poll applies it, re-scores it and posts it to the fake
    Slack; re-running the job (same poll id, then a new one) posts nothing more."""
    icp_dir, warehouse, _ = _baseline(
        data_env, tmp_path, samples_dir, "alerts:\n  - signal_types: [capital_increase, new_decision_maker]\n"
    )
    rne, bodacc, sirene = FakeRne(), FakeBodacc(), FakeSirene(KEY)
    bodacc.publish([ods_record("A202610201", AS_OF.isoformat(), "radiation", siren=B)])
    slack: dict = {}
    with _polling(rne, bodacc, sirene, warehouse, data_env, tmp_path, icp_dir, slack) as poll:
        poll("p1")  # B struck off: the first evaluation of the ICP, a baseline, sends nothing
        assert slack.get("messages", []) == []
        capital = json.dumps(
            {
                "personne": {
                    "typePersonne": "pm",
                    "denomination": "ACME",
                    "numeroImmatriculation": {"numeroIdentification": A},
                    "capital": {"montantCapital": "50000"},
                }
            }
        )
        bodacc.publish(
            [
                ods_record(
                    "A202611011",
                    AS_OF.isoformat(),
                    "modification",
                    siren=A,
                    listepersonnes=capital,
                    modificationsgenerales=json.dumps({"descriptif": "Augmentation du capital social"}),
                )
            ]
        )
        poll("p2")
        poll("p2")  # the same run again: the cursor is past the notice
        poll("p3")
    assert [m["text"] for m in slack["messages"]] == [f"[firmo] poll: SOCIETE {A}: capital increase"]
    with db.connection(warehouse, read_only=True) as con:
        assert con.execute("SELECT siren, channel, state, attempts FROM alerts.outbox").fetchall() == [
            (A, "slack", "sent", 1)
        ]
        assert con.execute("SELECT poll_id, siren FROM ops.poll_touched WHERE poll_id <> 'p1'").fetchall() == [
            ("p2", A)
        ]


@contextmanager
def _polling(rne, bodacc, sirene, warehouse, data_env, tmp_path, icp_dir, slack: dict | None = None):
    """The stand-ins running, the poll's clock at AS_OF, and `poll(poll_id)`: one poll run of the
    job against them (its result, asserted a success). With `slack` (a dict), a fake Slack on
    loopback collects the alerts into it; without, no channel is configured."""
    channels = dict(NO_ALERT_CHANNELS)
    with ExitStack() as stack:
        r, b, s = (stack.enter_context(fake.server()) for fake in (rne, bodacc, sirene))
        if slack is not None:
            hook = stack.enter_context(LoopbackServer(slack_app(slack)))
            channels["alert_slack"] = SlackAlertResource(webhook_url=hook.url + SLACK_PATH)
        clock = stack.enter_context(mock.patch("assets.poll.datetime"))
        clock.now.return_value.date.return_value = AS_OF

        def poll(poll_id):
            result = registry_poll_job.execute_in_process(
                instance=DagsterInstance.ephemeral(),
                tags={"firmo/poll_id": poll_id},
                run_config={"ops": {"registry_poll": {"config": {"bodacc_export": FakeBodacc.base(b)}}}},
                resources={
                    "warehouse": WarehouseResource(database=str(warehouse)),
                    "paths": PathsResource(
                        data_dir=str(data_env), exports_dir=str(tmp_path / "exports"), icp_dir=str(icp_dir)
                    ),
                    "rne_api": RneApiResource(username="me", password="pw", base_url=r.url),
                    "sirene_api": SireneApiResource(api_key=KEY, base_url=s.url),
                    **channels,
                },
            )
            assert result.success
            return result

        yield poll


def _baseline(data_env, tmp_path, samples_dir, alerts: str, decision_makers: str = "[]"):
    """The stock, its nightly run and the ICP file; the RNE sample diff (RNE_1, RNE_2, their
    officers without a start date: no signal) dated AS_OF, for the first poll."""
    icp_dir = tmp_path / "icps"
    icp_dir.mkdir()
    (icp_dir / "poll.yaml").write_text(
        f"criteria:\n  decision_makers: {decision_makers}\n  naf: {{include: [J, M]}}\nmax_leads: 100\n" + alerts,
        encoding="utf-8",
    )
    warehouse = data_env / "w.duckdb"
    with db.connection(warehouse) as con:
        load_reference(con)
        stock(tmp_path, con)
        nightly(con, tmp_path)
    diff = json.loads((samples_dir / "inpi" / "rne_companies_diff.json").read_text())
    for item in diff:
        item["company"]["updatedAt"] = AS_OF.isoformat() + item["company"]["updatedAt"][10:]
    return icp_dir, warehouse, diff


def test_a_new_directeur_general_published_in_the_rne_reaches_slack_once(data_env, tmp_path, samples_dir):
    """End to end on loopback: the first poll applies the RNE sample diff as the ICP's silent
    baseline; the RNE then publishes a newer payload of RNE_2 naming a new Directeur général
    (`actif`, `dateDebut` 2026-10-30, 2024+ form, inpi_bodacc.md §1). The next poll applies it: a
    new_decision_maker signal, one Slack message naming the new DG; re-runs post nothing more."""
    icp_dir, warehouse, diff = _baseline(
        data_env, tmp_path, samples_dir, "alerts:\n  - signal_types: [new_decision_maker]\n", "['53']"
    )
    rne, bodacc, sirene = FakeRne(items=diff), FakeBodacc(), FakeSirene(KEY)
    slack: dict = {}
    with _polling(rne, bodacc, sirene, warehouse, data_env, tmp_path, icp_dir, slack) as poll:
        poll("p1")
        assert slack.get("messages", []) == []
        company = copy.deepcopy(next(i for i in diff if i["company"]["siren"] == RNE_2))["company"]
        company["updatedAt"] = AS_OF.isoformat() + "T15:00:00+01:00"
        pouvoirs = company["formality"]["content"]["personneMorale"]["composition"]["pouvoirs"]
        pouvoirs[:] = [
            p for p in pouvoirs if p.get("individu", {}).get("descriptionPersonne", {}).get("nom") != "MARTIN"
        ]  # DG leaves
        pouvoirs.append(
            {
                "libelleRoleEntreprise": "Directeur Général",
                "typeDePersonne": "INDIVIDU",
                "actif": True,
                "representantId": "3",
                "dateDebut": "2026-10-30",
                "individu": {"descriptionPersonne": {"role": "53", "nom": "DURAND", "prenoms": ["Claire"]}},
            }
        )
        rne.publish([{"company": company}])
        poll("p2")
        poll("p2")  # the same run again: the cursor is past the payload
        poll("p3")
    assert [m["text"] for m in slack["messages"]] == [f"[firmo] poll: SOCIETE {RNE_2}: new Directeur Général"]
    blocks = [b["text"]["text"] for b in slack["messages"][0]["blocks"] if b["type"] == "section" and "text" in b]
    assert blocks == [
        "*Signal*: new Directeur Général (2026-10-30)\n<https://data.inpi.fr/entreprises/889924320|"
        "RNE: Claire DURAND, Directeur Général since 2026-10-30>",
        "*Decision maker*: Claire DURAND, Directeur Général",
        "*Why*: NAF 62.01Z in section J; new Directeur Général 2 days ago",
    ]
    with db.connection(warehouse, read_only=True) as con:
        assert con.execute("SELECT key, state, attempts FROM alerts.outbox").fetchall() == [
            (f"poll/signal_new_decision_maker/{RNE_2}/new_decision_maker:2026-10-30:3", "sent", 1)
        ]
        assert con.execute("SELECT poll_id, siren FROM ops.poll_touched WHERE poll_id <> 'p1'").fetchall() == [
            ("p2", RNE_2)
        ]
        assert con.execute(
            "SELECT signal_type, signal_date, source_ref FROM core.signals WHERE siren = ?", [RNE_2]
        ).fetchall() == [("new_decision_maker", date(2026, 10, 30), "3")]
        assert con.execute("SELECT rank, score, tier FROM leads.poll WHERE siren = ?", [RNE_2]).fetchall() == [
            (1, 64, "warm")
        ]


def _api_unit(siren_: str, band: str, *, ceased_on: str | None = None) -> dict:
    """The API Sirene payload (sirene.md) of a stock unit of tests.sirene.builders.ul_row, processed
    on AS_OF: its headcount band, and its current period ceased ('C') from `ceased_on` if given."""
    unit = copy.deepcopy(UL_016750697)
    current = {
        **unit["periodesUniteLegale"][0],
        "denominationUniteLegale": f"SOCIETE {siren_}",
        "activitePrincipaleUniteLegale": "62.01Z",
        "activitePrincipaleNAF25UniteLegale": "62.10Y",
        "nicSiegeUniteLegale": siret(siren_, "0001")[9:],
        "dateDebut": "2015-03-01",
    }
    periods = [current]
    if ceased_on:
        periods = [
            {
                **current,
                "dateDebut": ceased_on,
                "etatAdministratifUniteLegale": "C",
                "changementEtatAdministratifUniteLegale": True,
            },
            {**current, "dateFin": (date.fromisoformat(ceased_on) - timedelta(days=1)).isoformat()},
        ]
    unit.update(
        siren=siren_,
        dateCreationUniteLegale="2015-03-01",
        trancheEffectifsUniteLegale=band,
        anneeEffectifsUniteLegale=2024,
        categorieEntreprise="PME",
        nombrePeriodesUniteLegale=len(periods),
        dateDernierTraitementUniteLegale=AS_OF.isoformat() + "T09:00:00.000",
        periodesUniteLegale=periods,
    )
    return unit


def test_api_sirene_changes_between_two_polls_rescore_and_never_alert_a_ceased_unit(data_env, tmp_path, samples_dir):
    """Between two polls the API Sirene reports D one headcount band up (12 -> 21) and A ceased
    (etatAdministratifUniteLegale 'C' since 2026-10-31) with the same band rise: D's score rises and
    it alerts once on the headcount_up rule; A leaves the list and alerts nothing."""
    icp_dir, warehouse, diff = _baseline(data_env, tmp_path, samples_dir, "alerts:\n  - signal_types: [headcount_up]\n")
    rne, bodacc, sirene = FakeRne(items=diff), FakeBodacc(), FakeSirene(KEY)
    slack: dict = {}
    with _polling(rne, bodacc, sirene, warehouse, data_env, tmp_path, icp_dir, slack) as poll:
        poll("p1")
        with db.connection(warehouse, read_only=True) as con:
            before = con.execute(
                "SELECT siren, score, tier FROM leads.poll WHERE siren IN (?, ?) ORDER BY 1", [A, D]
            ).fetchall()
        sirene.publish_unites_legales([_api_unit(A, "21", ceased_on="2026-10-31"), _api_unit(D, "21")])
        poll("p2")
        poll("p3")
    assert before == [(A, 42, "cold"), (D, 42, "cold")]
    # D alone: A's band rose too, but a ceased unit leaves the list and alerts nothing
    assert [m["text"] for m in slack["messages"]] == [f"[firmo] poll: SOCIETE {D}: hiring"]
    signal = next(
        b["text"]["text"]
        for b in slack["messages"][0]["blocks"]
        if b.get("text", {}).get("text", "").startswith("*Signal*")
    )
    assert signal == (
        f"*Signal*: hiring (2026-11-01)\n<https://annuaire-entreprises.data.gouv.fr/entreprise/{D}|"
        "SIRENE: headcount band 20 à 49 salariés -> 50 à 99 salariés>"
    )
    with db.connection(warehouse, read_only=True) as con:
        assert con.execute("SELECT siren, channel, state, attempts FROM alerts.outbox").fetchall() == [
            (D, "slack", "sent", 1)
        ]
        assert con.execute(
            "SELECT poll_id, source, siren FROM ops.poll_touched WHERE poll_id <> 'p1' ORDER BY ALL"
        ).fetchall() == [("p2", "sirene", A), ("p2", "sirene", D)]
        assert con.execute(
            "SELECT siren, signal_type, signal_date FROM core.signals WHERE siren IN (?, ?) ORDER BY ALL", [A, D]
        ).fetchall() == [
            (A, "company_closed", date(2026, 10, 31)),
            (A, "headcount_up", AS_OF),
            (D, "headcount_up", AS_OF),
        ]
        assert con.execute("SELECT rank, siren, score, tier FROM leads.poll ORDER BY rank").fetchall() == [
            (1, D, 46, "warm"),
            (2, B, 42, "cold"),
            (3, C, 42, "cold"),
            (4, RNE_2, 42, "cold"),
            (5, RNE_1, 42, "cold"),
        ]
