"""`--suggest` by replaying the evidence (waterfall/replay.py) on hand-built answers whose best order
and stop rule are worked out by hand below."""

from __future__ import annotations

from datetime import datetime

import duckdb
import pytest
from typer.testing import CliRunner

from firmo import db
from firmo.sqlfiles import load_sql
from pipelines.cli import app
from waterfall import replay, stats
from waterfall.replay import DEFAULT_RULE, Answer, Evidence, rule

T = datetime(2026, 11, 2, 10, 0)
CURRENT = ["findymail", "icypeas", "prospeo", "enrow"]  # enrow: no evidence
STOP_RISKY_KEEP = rule(["valid", "risky"], [], [])
STOP_RISKY_CHECK = rule(["valid", "risky"], [], ["risky"])

# Four leads. Findymail and Icypeas charge 1 on a hit, Prospeo 1 per question.
# L1: an accept-all domain: all three answer risky a1@x.fr, the verify chain cannot say more for 1.5.
# L2: Icypeas and Prospeo know b; L3: Findymail and Prospeo know c; L4: nobody (Prospeo bills 1).
HIT, MISS = Answer("", "valid", 1.0), Answer(None, "unknown", 0.0)
LEADS = {
    "L1": {n: Answer("a1@x.fr", "risky", 1.0) for n in ("findymail", "icypeas", "prospeo")},
    "L2": {"findymail": MISS, "icypeas": Answer("b@y.fr", "valid", 1.0), "prospeo": Answer("b@y.fr", "valid", 1.0)},
    "L3": {"findymail": Answer("c@z.fr", "valid", 1.0), "icypeas": MISS, "prospeo": Answer("c@z.fr", "valid", 1.0)},
    "L4": {"findymail": MISS, "icypeas": MISS, "prospeo": Answer(None, "unknown", 1.0)},
}
EVIDENCE = Evidence(LEADS, {"a1@x.fr": (None, 1.5)})


def test_replay_of_the_current_order_pays_the_chain_and_the_verification_of_the_accept_all_lead():
    ev = EVIDENCE.with_measured_rates()
    # L1: 3 risky answers (3) + the check (1.5); L2: 0 + 1; L3: 1; L4: 0 + 0 + 1, nothing found
    assert [replay.replay_lead(CURRENT, DEFAULT_RULE, LEADS[k], ev) for k in LEADS] == [
        (4.5, 1.0), (1.0, 1.0), (1.0, 1.0), (1.0, 0.0)]  # fmt: skip
    assert replay.baseline_found(CURRENT[:3], ev) == 3.0


def test_the_search_finds_the_replay_optimal_order_and_stop_rule():
    """Counted as FullEnrich counts (every address returned is verified): L1 costs at least 1 + 1.5,
    L2 and L3 at least 1, so 4.5 for 3 is optimal: stop at the first risky answer (verify it; keeping
    it unverified is billed the same check, a tie the first rule of RULES wins), and leave out
    Prospeo (it bills misses and finds nothing the other two miss). Greedy insertion alone stalls at
    [prospeo] (5.5 credits, 3 found: it covers everything at once); dropping from the full chain
    finds it."""
    got = replay.choose(CURRENT, DEFAULT_RULE, EVIDENCE)
    assert (got.current.credits, got.current.found, got.current.per_found, got.current.coverage) == (7.5, 3.0, 2.5, 1.0)
    assert (got.best.order, got.best.rule, got.best.credits, got.best.found, got.best.coverage) == (
        ("icypeas", "findymail"), STOP_RISKY_CHECK, 4.5, 3.0, 1.0)  # fmt: skip
    assert (got.order, got.left_out, got.unmeasured, got.baseline) == (
        ["icypeas", "findymail", "enrow"], ("prospeo",), ("enrow",), 3.0)  # fmt: skip
    # the coverage target binds: with 100 % required of a list where Prospeo alone finds d, Prospeo
    # must be asked about every lead not found before it: alone, 6.5 credits for 4 emails, as much
    # as icypeas, findymail, prospeo stopping at the first risky answer; a tie goes to the first rule
    leads = {**LEADS, "L5": {"findymail": MISS, "icypeas": MISS, "prospeo": Answer("d@w.fr", "valid", 1.0)}}
    strict = replay.choose(CURRENT, DEFAULT_RULE, Evidence(leads, {"a1@x.fr": (None, 1.5)}), target=1.0)
    assert strict.best == replay.Outcome(("prospeo",), DEFAULT_RULE, 6.5, 4.0, 1.0)
    ev = Evidence(leads, {"a1@x.fr": (None, 1.5)}).with_measured_rates()
    three = ["icypeas", "findymail", "prospeo"]
    # billed as the engine spends it, the unverified risky a1 costs nothing more: 5.0
    assert [replay.evaluate(three, STOP_RISKY_KEEP, ev, 4.0, fair).credits for fair in (True, False)] == [6.5, 5.0]


def test_a_vendor_not_asked_about_a_lead_answers_with_its_measured_rates():
    """B asked about L1 (valid, 1 credit) and L3 (miss, 0.5): valid 50 %, 1 per hit, 0.5 per miss.
    On L2, where it was not asked: 0.5 x 1 + 0.5 x 0.5 = 0.75 credits, an email half the time.
    An address of its own never verified: the verify chain's measured rates (1 check, valid, 0.5)."""
    leads = {"L1": {"A": Answer("x@a.fr", "valid", 1.0), "B": Answer("x@a.fr", "valid", 1.0)},
             "L2": {"A": MISS},
             "L3": {"A": MISS, "B": Answer(None, "unknown", 0.5)},
             "L4": {"A": Answer("r@b.fr", "risky", 1.0)}}  # fmt: skip
    ev = Evidence(leads, {"r@b.fr": ("valid", 0.5)}).with_measured_rates()
    assert ev.rates["B"] == replay.Rates(0.5, 0.0, 1.0, 0.5)
    assert ev.verify_rates == replay.VerifyRates(1.0, 0.0, 0.5)
    assert replay.replay_lead(["A", "B"], DEFAULT_RULE, leads["L2"], ev) == (0.75, 0.5)
    # L4: A's risky r@b.fr kept, B (missing) valid half the time (stop, 1) or a miss (0.5), then r@b.fr
    # verified valid (0.5): 1 + 0.5 x 1 + 0.5 x (0.5 + 0.5) = 2.0, always found
    assert replay.replay_lead(["A", "B"], DEFAULT_RULE, leads["L4"], ev) == (2.0, 1.0)


def prov(siren, provider, value, status, credits, field="email", run="r1", raw=None):
    return (run, "demo", siren, field, provider, value, value if field == "verify" else None, status, raw, None,
            credits, False, None, T, None)  # fmt: skip


@pytest.fixture()
def warehouse(tmp_path):
    path = tmp_path / "w.duckdb"
    con = duckdb.connect(str(path))
    db.ensure_schemas(con)
    con.execute(load_sql("waterfall/create_tables"))
    rows = [
        prov(f"00000000{k[1]}", n, a.value, a.status, a.credits) for k, ans in LEADS.items() for n, a in ans.items()
    ]
    rows += [prov("000000001", "hunter", "a1@x.fr", "risky", 0.5, "verify", raw="accept_all"),
             prov("000000001", "findymail", "a1@x.fr", "risky", 1.0, "verify", raw="not_verified"),
             prov("000000009", "findymail", "z@q.fr", "valid", 1.0)]  # not on the list  # fmt: skip
    con.executemany(f"INSERT INTO waterfall.provenance VALUES ({', '.join('?' * 15)})", rows)
    con.execute("CREATE TABLE leads.demo AS SELECT * FROM (VALUES ('000000001'), ('000000002'), ('000000003'), "
                "('000000004')) t(siren)")  # fmt: skip
    con.close()
    return path


def test_evidence_from_the_provenance_and_the_suggestion_as_a_yaml_diff(warehouse, tmp_path, data_env, monkeypatch):
    with duckdb.connect(str(warehouse), read_only=True) as con:
        ev = replay.load(con, "email", ["000000001", "000000002", "000000003", "000000004"])
    assert ev.leads["000000004"] == LEADS["L4"] and ev.leads["000000002"]["icypeas"] == LEADS["L2"]["icypeas"]
    assert ev.verified == {"a1@x.fr": (None, 1.5)}
    assert ev.checks == {"a1@x.fr": {"hunter": replay.Check("risky", "accept_all", 0.5),
                                     "findymail": replay.Check("risky", "not_verified", 1.0)}}  # fmt: skip
    config = tmp_path / "waterfall.yaml"
    config.write_text(f"order:\n  email: [{', '.join(CURRENT)}]\n\nstop:\n  stop_on: [valid]\n\nbudget: {{}}\n",
                      encoding="utf-8")  # fmt: skip
    monkeypatch.setenv("FIRMO_WATERFALL_CONFIG", str(config))
    out = tmp_path / "order.diff"
    done = CliRunner().invoke(app, ["waterfall", "stats", "--suggest", "--icp", "demo", "--out", str(out),
                                    "--db", str(warehouse)])  # fmt: skip
    assert done.exit_code == 0, done.output
    assert [line for line in done.output.splitlines() if line.startswith(("stop rule", "  now", "  sugg", "left"))] == [
        "stop rule: now stop at the first valid answer, a risky one kept, risky addresses verified; "
        "suggested stop at the first valid or risky answer, risky addresses verified",
        "  now      : 2.50 credits per email found (7.5 credits, 3.0 found, 100.0% of asking every vendor's 3.0)",
        # the accept-all a1 is verified by Hunter alone: Findymail's "not verified" there changed nothing
        "  suggested: 1.17 credits per email found (3.5 credits, 3.0 found, 100.0% of asking every vendor's 3.0)",
        "left out of the chain (they add credits, not emails, on this evidence): prospeo"]  # fmt: skip
    assert [line for line in done.output.splitlines() if line.startswith(("verify chain", "  replayed on", "  hunter",
                                                                          "  findymail"))] == [
        "verify chain: now [hunter, findymail]; suggested [hunter, findymail], findymail not asked after accept-all",
        "  replayed on 1 verified addresses: 1.5 credits now, 0.5 suggested, 0.0 verified valid and 0.0 invalid "
        "either way",
        "  hunter without accept-all evidence: 1 call, 0 upgraded to valid, 0 invalid, 0.5 credits",
        "  findymail after accept-all: 1 call, 0 upgraded to valid, 0 invalid, 1.0 credits"]  # fmt: skip
    assert [line for line in out.read_text().splitlines() if line[:1] in "+-" and line[:3] not in ("---", "+++")] == [
        "-  email: [findymail, icypeas, prospeo, enrow]", "+  email: [icypeas, findymail, enrow]", "+",
        "+# not asked after accept-all: no verdict of theirs there on the evidence (firmo waterfall stats --suggest)",
        "+#   findymail after accept-all: 1 call, 0 upgraded to valid, 0 invalid, 1.0 credits",
        "+verify_skip_on_accept_all: [findymail]",
        "+field_stop:                 # one chain's own stop rule over stop: (firmo waterfall stats --suggest)",
        "+  email: {stop_on: [valid, risky], fallback: [], verify: [risky]}"]  # fmt: skip
    patched = stats.yaml_diff(config.read_text(), "email", ["icypeas", "findymail", "enrow"], stop="{x}")
    assert "+field_stop:" in patched and "budget" not in "".join(
        line for line in patched.splitlines() if line.startswith("+")
    )


def test_the_diff_replaces_the_chains_own_stop_rule_when_the_file_has_one():
    text = (
        "order:\n  email: [a, b]\nfield_stop:\n  phone: {stop_on: [valid]}\n  email: {stop_on: [valid]}\nbudget: {}\n"
    )
    got = stats.yaml_diff(text, "email", ["b", "a"], stop=STOP_RISKY_CHECK.as_yaml())
    assert [line for line in got.splitlines() if line[:1] in "+-" and line[:3] not in ("---", "+++")] == [
        "-  email: [a, b]", "+  email: [b, a]", "-  email: {stop_on: [valid]}",
        "+  email: {stop_on: [valid, risky], fallback: [], verify: [risky]}"]  # fmt: skip
