"""The poll readers: between two polls the fakes publish new records; each poll applies only
those, moves its cursor with them and records the SIRENs it touched."""

from __future__ import annotations

import json
import re
from datetime import date

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from firmo import db, polls
from firmo.loopback import LoopbackServer
from sources.bodacc.poll import poll_bodacc
from sources.inpi.poll import poll_rne
from tests.bodacc.conftest import ods_record

TODAY = date(2026, 11, 2)


class FakeRne:
    """`iter_diff` as RneClient yields it: what the registry holds in (from, to]."""

    def __init__(self, items):
        self.items, self.asked = items, []

    def iter_diff(self, date_from, date_to):
        self.asked.append((date_from, date_to))
        return iter(self.items)


def test_rne_poll_applies_each_item_once(data_env, samples_dir):
    diff = json.loads((samples_dir / "inpi" / "rne_companies_diff.json").read_text())
    fake = FakeRne(diff[:1])
    with db.connection() as con:
        first = poll_rne(con, fake, poll_id="p1", today=TODAY)
        again = poll_rne(con, fake, poll_id="p2", today=TODAY)
        fake.items = diff  # a second company filed between two polls
        third = poll_rne(con, fake, poll_id="p3", today=TODAY)
        assert [(p.fetched, p.applied, p.sirens) for p in (first, again, third)] == [
            (1, 1, ["894419969"]), (1, 0, []), (2, 1, ["889924320"])]
        # the first poll goes back two days; then the day before the cursor's day, `from` being exclusive
        assert fake.asked == [(date(2026, 10, 31), TODAY)] + [(date(2026, 11, 1), TODAY)] * 2
        assert polls.read_cursor(con, "rne") == {"day": "2026-11-02", "applied": {
            "889924320": "2023-10-31T02:52:43", "894419969": "2023-10-31T04:40:22"}}
        assert con.execute("SELECT poll_id, siren, source FROM ops.poll_touched ORDER BY 1").fetchall() == [
            ("p1", "894419969", "rne"), ("p3", "889924320", "rne")]
        assert con.execute("SELECT count(DISTINCT siren) FROM inpi.officers").fetchall()[0][0] == 2


def bodacc_app(published: list[dict], asked: list[str]) -> Starlette:
    """The Opendatasoft export of annonces-commerciales, answering the poll's where clause."""

    async def export(request: Request):
        where = request.query_params["where"]
        asked.append(where)
        day, last = re.fullmatch(
            r"dateparution > date'(\S+)' OR \(dateparution = date'\S+' AND id > \"(.*)\"\)", where).groups()
        rows = [r for r in published if r["dateparution"] > day or (r["dateparution"] == day and r["id"] > last)]
        return JSONResponse(sorted(rows, key=lambda r: (r["dateparution"], r["id"])))

    return Starlette(routes=[Route("/exports/json", export)])


def test_bodacc_poll_fetches_only_what_follows_the_cursor(data_env, tmp_path):
    published = [ods_record("A202611010001", "2026-11-02", siren="443061841")]
    asked: list[str] = []
    with LoopbackServer(bodacc_app(published, asked)) as server, httpx.Client() as http, db.connection() as con:
        kw = {"workdir": tmp_path, "today": TODAY, "base": server.url + "/exports"}
        first = poll_bodacc(con, http, poll_id="p1", **kw)
        published.append(ods_record("B202611010002", "2026-11-02", "radiation", siren="552100554"))
        second = poll_bodacc(con, http, poll_id="p2", **kw)
        third = poll_bodacc(con, http, poll_id="p3", **kw)
        assert [(p.fetched, p.sirens) for p in (first, second, third)] == [
            (1, ["443061841"]), (1, ["552100554"]), (0, [])]
        assert asked[1:] == ["dateparution > date'2026-11-02' OR (dateparution = date'2026-11-02' AND id > \"A202611010001\")",
                             "dateparution > date'2026-11-02' OR (dateparution = date'2026-11-02' AND id > \"B202611010002\")"]
        assert con.execute("SELECT id, family FROM bodacc.notices ORDER BY id").fetchall() == [
            ("A202611010001", "creation"), ("B202611010002", "radiation")]
        assert polls.read_cursor(con, "bodacc") == {"day": "2026-11-02", "id": "B202611010002"}
