"""The poll readers against the stand-in registries (sources/*/fake.py, real HTTP on loopback):
between two polls the fakes publish new records; each poll applies only those, moves its cursor
with them and records the SIRENs it touched."""

from __future__ import annotations

import copy
import json
from datetime import date

import httpx

from firmo import db, polls
from sources.bodacc.fake import FakeBodacc
from sources.bodacc.poll import poll_bodacc
from sources.inpi.fake import FakeRne
from sources.inpi.poll import poll_rne
from sources.inpi.rne_client import RneClient
from sources.sirene.api import SireneApiClient
from sources.sirene.fake import FakeSirene
from sources.sirene.ingest import load_sirene
from sources.sirene.poll import poll_sirene
from sources.sirene.schema import ETABLISSEMENTS_COLUMNS, UNITES_LEGALES_COLUMNS
from tests.bodacc.conftest import ods_record
from tests.sirene.builders import etab_row, siren, siret, ul_row, write_csv
from tests.sirene_api.sirene_api_payloads import UL_016750697

TODAY = date(2026, 11, 2)
KEY = "insee-k3y"


def dated(item: dict, day: str) -> dict:
    """A diff item of the sample, filed on `day` (the fake serves by updatedAt day)."""
    item = copy.deepcopy(item)
    item["company"]["updatedAt"] = day + item["company"]["updatedAt"][10:]
    return item


def test_rne_poll_applies_each_item_once(data_env, samples_dir):
    first_item, second_item = (dated(i, "2026-11-02") for i in
                               json.loads((samples_dir / "inpi" / "rne_companies_diff.json").read_text()))
    fake = FakeRne(items=[first_item])
    with fake.server() as server, RneClient(server.url, username="me", password="pw") as client, \
            db.connection() as con:
        first = poll_rne(con, client, poll_id="p1", today=TODAY)
        again = poll_rne(con, client, poll_id="p2", today=TODAY)
        fake.publish([second_item])  # filed between two polls, earlier in the day than the first one
        third = poll_rne(con, client, poll_id="p3", today=TODAY)
        assert [(p.fetched, p.applied, p.sirens) for p in (first, again, third)] == [
            (1, 1, ["894419969"]), (1, 0, []), (2, 1, ["889924320"])]
        # the first poll goes back two days; then the day before the cursor's day, `from` being exclusive
        assert [(r["from"], r["to"]) for r in fake.requests] == [("2026-10-31", "2026-11-02")] + [
            ("2026-11-01", "2026-11-02")] * 2
        assert polls.read_cursor(con, "rne") == {"day": "2026-11-02", "applied": {
            "889924320": "2026-11-02T02:52:43", "894419969": "2026-11-02T04:40:22"}}
        assert con.execute("SELECT poll_id, siren, source FROM ops.poll_touched ORDER BY 1").fetchall() == [
            ("p1", "894419969", "rne"), ("p3", "889924320", "rne")]
        assert con.execute("SELECT count(DISTINCT siren) FROM inpi.officers").fetchall()[0][0] == 2


def test_bodacc_poll_fetches_only_what_follows_the_cursor(data_env, tmp_path):
    fake = FakeBodacc([ods_record("A202611010001", "2026-11-02", siren="443061841")])
    with fake.server() as server, httpx.Client() as http, db.connection() as con:
        kw = {"workdir": tmp_path, "today": TODAY, "base": FakeBodacc.base(server)}
        first = poll_bodacc(con, http, poll_id="p1", **kw)
        fake.publish([ods_record("B202611010002", "2026-11-02", "radiation", siren="552100554")])
        second = poll_bodacc(con, http, poll_id="p2", **kw)
        third = poll_bodacc(con, http, poll_id="p3", **kw)
        assert [(p.fetched, p.sirens) for p in (first, second, third)] == [
            (1, ["443061841"]), (1, ["552100554"]), (0, [])]
        assert fake.requests == [
            "dateparution > date'2026-11-02' OR (dateparution = date'2026-11-02' AND id > \"\")",
            "dateparution > date'2026-11-02' OR (dateparution = date'2026-11-02' AND id > \"A202611010001\")",
            "dateparution > date'2026-11-02' OR (dateparution = date'2026-11-02' AND id > \"B202611010002\")"]
        assert con.execute("SELECT id, family FROM bodacc.notices ORDER BY id").fetchall() == [
            ("A202611010001", "creation"), ("B202611010002", "radiation")]
        assert polls.read_cursor(con, "bodacc") == {"day": "2026-11-02", "id": "B202611010002"}
        assert con.execute("SELECT poll_id, siren FROM ops.poll_touched ORDER BY 1").fetchall() == [
            ("p1", "443061841"), ("p2", "552100554")]


def test_sirene_poll_applies_the_units_processed_since_the_cursor(data_env, tmp_path):
    a = siren("12345678")
    later = {**UL_016750697, "dateDernierTraitementUniteLegale": "2026-11-02T09:00:00.000"}
    renamed = copy.deepcopy(later)
    renamed["periodesUniteLegale"][0]["denominationUniteLegale"] = "VIRLY"
    renamed["dateDernierTraitementUniteLegale"] = "2026-11-02T09:30:00.000"
    fake = FakeSirene(KEY)
    fake.publish_unites_legales([later])
    with fake.server() as server, httpx.Client() as http, db.connection() as con:
        load_sirene(con, unites_legales=write_csv(tmp_path / "ul.csv", UNITES_LEGALES_COLUMNS, [ul_row(a)]),
                    etablissements=write_csv(tmp_path / "et.csv", ETABLISSEMENTS_COLUMNS, [etab_row(siret(a))]))
        client = SireneApiClient(KEY, base_url=server.url, client=http, min_interval_s=0.0)
        first = poll_sirene(con, client, poll_id="p1", workdir=tmp_path / "poll")
        again = poll_sirene(con, client, poll_id="p2", workdir=tmp_path / "poll")
        fake.publish_unites_legales([renamed])
        third = poll_sirene(con, client, poll_id="p3", workdir=tmp_path / "poll")
        assert [(p.fetched, p.applied, p.sirens) for p in (first, again, third)] == [
            ({"unites_legales": 1, "etablissements": 0}, {"unites_legales": 1, "etablissements": 0}, ["016750697"]),
            ({"unites_legales": 1, "etablissements": 0}, {"unites_legales": 0, "etablissements": 0}, []),
            ({"unites_legales": 2, "etablissements": 0}, {"unites_legales": 1, "etablissements": 0}, ["016750697"])]
        assert [r["q"] for r in fake.requests if r["endpoint"] == "siren" and r["curseur"] == "*"] == [
            "dateDernierTraitementUniteLegale:[2025-12-06T05:25:38 TO *]",
            "dateDernierTraitementUniteLegale:[2026-11-02T09:00:00 TO *]",
            "dateDernierTraitementUniteLegale:[2026-11-02T09:00:00 TO *]"]
        assert con.execute("SELECT siren, denominationUniteLegale FROM sirene.unites_legales ORDER BY 1").fetchall() == [
            ("016750697", "VIRLY"), (a, f"SOCIETE {a}")]
        assert polls.read_cursor(con, "sirene")["unites_legales"] == {"ts": "2026-11-02T09:30:00", "keys": ["016750697"]}
        assert con.execute("SELECT poll_id, siren, source FROM ops.poll_touched ORDER BY 1").fetchall() == [
            ("p1", "016750697", "sirene"), ("p3", "016750697", "sirene")]


def test_a_poll_that_fails_before_its_commit_moves_nothing_and_is_read_again(data_env, tmp_path):
    import pytest

    def crash(con, tables):  # the publish fails after the cursor statements ran, before the commit
        raise RuntimeError("killed before the commit")

    fake = FakeBodacc([ods_record("A202611010001", "2026-11-02", siren="443061841")])
    with fake.server() as server, httpx.Client() as http, db.connection() as con:
        kw = {"workdir": tmp_path, "today": TODAY, "base": FakeBodacc.base(server)}
        with db.publish_guard(crash), pytest.raises(RuntimeError, match="killed before the commit"):
            poll_bodacc(con, http, poll_id="p1", **kw)
        assert polls.read_cursor(con, "bodacc") is None
        assert con.execute("SELECT count(*) FROM ops.poll_touched").fetchall() == [(0,)]
        again = poll_bodacc(con, http, poll_id="p2", **kw)
        assert (again.fetched, again.sirens) == (1, ["443061841"])
        assert con.execute("SELECT id FROM bodacc.notices").fetchall() == [("A202611010001",)]
        assert polls.read_cursor(con, "bodacc") == {"day": "2026-11-02", "id": "A202611010001"}


def test_the_first_bodacc_poll_starts_after_the_nightly_notices(data_env, tmp_path):
    from sources.bodacc.load import load_bodacc
    from tests.bodacc.conftest import write_export

    nightly = [ods_record("A202610300007", "2026-10-30"), ods_record("B202610300009", "2026-10-30")]
    fake = FakeBodacc([*nightly, ods_record("A202610310001", "2026-10-31", siren="552100554")])
    with fake.server() as server, httpx.Client() as http, db.connection() as con:
        load_bodacc(con, [write_export(tmp_path / "nightly.json", nightly)], workers=1)
        first = poll_bodacc(con, http, poll_id="p1", workdir=tmp_path, today=TODAY, base=FakeBodacc.base(server))
        assert fake.requests == [
            "dateparution > date'2026-10-30' OR (dateparution = date'2026-10-30' AND id > \"B202610300009\")"]
        assert (first.fetched, first.sirens) == (1, ["552100554"])
