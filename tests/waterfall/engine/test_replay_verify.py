"""`--suggest` proposes the verify chain too (waterfall/replay.py `choose_verify`): on hand-built
per-verifier evidence, a boolean verifier (Findymail) that never upgrades an address after Hunter's
`accept_all` is not asked there; one that upgrades some is kept, priced per upgrade; a verifier
whose verdicts would be lost is never dropped. Figures worked out by hand below."""

from __future__ import annotations

from datetime import datetime

import duckdb
import pytest
import yaml

from firmo import db
from firmo.sqlfiles import load_sql
from waterfall import replay, stats
from waterfall.config import DEFAULT_PATH, from_mapping, load_config
from waterfall.providers.base import Field
from waterfall.replay import DEFAULT_RULE, Answer, Check, Evidence, Step, VerifyChain

BOOLEAN = frozenset({"findymail"})
CURRENT = VerifyChain(("hunter", "findymail"))
ACCEPT_ALL, UNKNOWN = Check("risky", "accept_all", 0.5), Check("risky", "unknown", 0.5)
HUNTER_VALID = Check("valid", "deliverable", 0.5)
NOT_VERIFIED_AA = Check("risky", "not_verified", 1.0)  # read as no verdict after accept-all (the engine's row)
NOT_VERIFIED = Check("invalid", "not_verified", 1.0)
VERIFIED = Check("valid", "verified", 1.0)

# a1, a2: accept-all, Findymail cannot say more (1.5 each); a3: Hunter `unknown`, Findymail drops it
# (1.5); a4: Hunter says valid (0.5). The current chain: 5.0 credits, 1 valid, 1 invalid.
NEVER = {
    "a1@x.fr": {"hunter": ACCEPT_ALL, "findymail": NOT_VERIFIED_AA},
    "a2@x.fr": {"hunter": ACCEPT_ALL, "findymail": NOT_VERIFIED_AA},
    "a3@y.fr": {"hunter": UNKNOWN, "findymail": NOT_VERIFIED},
    "a4@z.fr": {"hunter": HUNTER_VALID},
}


def test_a_boolean_verifier_that_never_upgrades_after_accept_all_is_not_asked_there():
    got = replay.choose_verify(CURRENT, Evidence({}, checks=NEVER), BOOLEAN)
    assert got is not None and got.changed
    assert got.current == replay.VerifyOutcome(CURRENT, 1.0, 1.0, 5.0)
    # a1 and a2 cost Hunter's 0.5 only; dropping Findymail altogether would keep a3 (not the same verdicts)
    assert got.best == replay.VerifyOutcome(
        VerifyChain(("hunter", "findymail"), frozenset({"findymail"})), 1.0, 1.0, 3.0
    )
    assert got.steps == (Step("hunter", False, 4, 2.0, 1, 0), Step("findymail", False, 1, 1.0, 0, 1),
                         Step("findymail", True, 2, 2.0, 0, 0))  # fmt: skip
    assert got.evidence("findymail", True).describe() == (
        "findymail after accept-all: 2 calls, 0 upgraded to valid, 0 invalid, 2.0 credits"
    )


def test_without_other_calls_skipping_on_accept_all_ties_dropping_and_the_smaller_change_wins():
    only_accept_all = {k: v for k, v in NEVER.items() if k != "a3@y.fr"}
    got = replay.choose_verify(CURRENT, Evidence({}, checks=only_accept_all), BOOLEAN)
    # [hunter] costs 1.5 too; the skip keeps Findymail where Hunter gives no accept-all evidence
    assert got.best.chain == VerifyChain(("hunter", "findymail"), frozenset({"findymail"}))
    assert (got.best.valid, got.best.invalid, got.best.credits) == (1.0, 0.0, 1.5)


def test_a_verifier_that_upgrades_some_accept_all_addresses_is_kept_and_priced():
    upgrades = {**NEVER, "a2@x.fr": {"hunter": ACCEPT_ALL, "findymail": VERIFIED}}
    got = replay.choose_verify(CURRENT, Evidence({}, checks=upgrades), BOOLEAN)
    assert not got.changed and got.best == got.current == replay.VerifyOutcome(CURRENT, 2.0, 1.0, 5.0)
    assert got.evidence("findymail", True) == Step("findymail", True, 2, 2.0, 1, 0)
    assert got.evidence("findymail", True).describe() == (
        "findymail after accept-all: 2 calls, 1 upgraded to valid, 0 invalid, 2.0 credits (2.00 per upgrade)"
    )


def test_a_verifier_not_asked_about_an_address_answers_with_its_rates_in_that_context():
    """Findymail first: on a4 (never asked) it answers as measured without accept-all evidence (1
    answer, invalid): a4 dropped, a chain with other verdicts than the current one."""
    ev = Evidence({}, checks=NEVER)
    rates = replay._check_rates(ev, BOOLEAN)
    assert rates[("findymail", False)] == replay.CheckRates(0.0, 1.0, 0.0, 1.0)
    assert rates[("findymail", True)] == replay.CheckRates(0.0, 1.0, 0.0, 1.0)  # "not verified", read later
    first = VerifyChain(("findymail", "hunter"))
    assert replay.replay_check(first, NEVER["a4@z.fr"], BOOLEAN, rates) == (0.0, 1.0, 1.0)
    assert replay.replay_check(first, NEVER["a1@x.fr"], BOOLEAN, rates) == (0.0, 1.0, 1.0)


def test_the_order_search_replays_the_chosen_verify_chain():
    """One lead, an accept-all address from its only vendor (1 credit): now 1 + 1.5 of checks, with
    the chosen chain 1 + 0.5."""
    ev = Evidence({"L1": {"icypeas": Answer("a1@x.fr", "risky", 1.0)}}, checks=NEVER)
    got = replay.choose(["icypeas"], DEFAULT_RULE, ev, verify=CURRENT, boolean=BOOLEAN)
    assert (got.current.credits, got.current.found) == (2.5, 1.0)
    assert (got.best.order, got.best.credits, got.best.found) == (("icypeas",), 1.5, 1.0)
    assert got.order == ["icypeas"] and got.verify is not None and got.verify.changed


T = datetime(2026, 11, 2, 10, 0)


def row(siren, field, provider, value, status, raw, credits, from_cache=False):
    return ("r1", "demo", siren, field, provider, value, value if field == "verify" else None, status, raw, None,
            credits, from_cache, None, T, None)  # fmt: skip


@pytest.fixture()
def con(tmp_path):
    c = duckdb.connect(str(tmp_path / "w.duckdb"))
    db.ensure_schemas(c)
    c.execute(load_sql("waterfall/create_tables"))
    yield c
    c.close()


YAML = "order:\n  email: [icypeas]\n  verify: [hunter, findymail]\n\nstop:\n  stop_on: [valid]\n"


def _insert(con, findymail_on_b: tuple[str, str]) -> None:
    rows = [row("000000001", "email", "icypeas", "a@x.fr", "risky", "probable", 1.0),
            row("000000001", "verify", "hunter", "a@x.fr", "risky", "accept_all", 0.5),
            row("000000001", "verify", "findymail", "a@x.fr", "risky", "not_verified", 1.0),
            row("000000002", "email", "icypeas", "b@y.fr", "risky", "probable", 1.0),
            row("000000002", "verify", "hunter", "b@y.fr", "risky", "accept_all", 0.0, from_cache=True),  # 0.5 live
            row("000000002", "verify", "findymail", "b@y.fr", *findymail_on_b, 1.0)]  # fmt: skip
    con.executemany(f"INSERT INTO waterfall.provenance VALUES ({', '.join('?' * 15)})", rows)


def test_suggest_skips_findymail_after_accept_all_in_the_diff_with_its_evidence(con):
    _insert(con, ("risky", "not_verified"))
    ev = replay.load(con, "email")
    assert ev.checks["b@y.fr"]["hunter"] == Check("risky", "accept_all", 0.5)  # a cached answer, at the live price
    sug = stats.suggest(con, ["000000001", "000000002"], ["icypeas"], YAML, by=None, verify=["hunter", "findymail"])
    assert sug.replayed is not None and sug.replayed.verify is not None
    assert (sug.replayed.verify.current.credits, sug.replayed.verify.best.credits) == (3.0, 1.0)
    assert sug.verify == VerifyChain(("hunter", "findymail"), frozenset({"findymail"}))  # what the bench applies
    assert [line for line in sug.diff.splitlines() if line[:1] in "+-" and line[:3] not in ("---", "+++")] == [
        "+# not asked after accept-all: no verdict of theirs there on the evidence (firmo waterfall stats --suggest)",
        "+#   findymail after accept-all: 2 calls, 0 upgraded to valid, 0 invalid, 2.0 credits",
        "+verify_skip_on_accept_all: [findymail]", "+"]  # fmt: skip
    # the patched file (one hunk, to the end of the file) is a configuration the engine reads
    start = int(sug.diff.splitlines()[2].split()[1].split(",")[0][1:])  # "@@ -2,5 +2,9 @@"
    hunk = [line[1:] for line in sug.diff.splitlines()[3:] if line[:1] in " +"]
    patched = "\n".join([*YAML.splitlines()[: start - 1], *hunk])
    assert from_mapping(yaml.safe_load(patched)).verify_skip_on_accept_all == {"findymail"}


def test_suggest_keeps_findymail_when_it_upgrades_an_accept_all_address(con):
    _insert(con, ("valid", "verified"))
    sug = stats.suggest(con, ["000000001", "000000002"], ["icypeas"], YAML, by=None, verify=["hunter", "findymail"])
    assert sug.diff == ""
    assert sug.replayed is not None and sug.replayed.verify is not None and not sug.replayed.verify.changed
    assert [line for line in sug.render().splitlines() if line.startswith(("verify chain", "  findymail"))] == [
        "verify chain: now [hunter, findymail]; suggested [hunter, findymail]",
        "  findymail after accept-all: 2 calls, 1 upgraded to valid, 0 invalid, 2.0 credits (2.00 per upgrade)",
    ]


def test_a_dropped_verifier_is_written_with_its_evidence():
    dropped = replay.VerifyChoice(
        replay.VerifyOutcome(CURRENT, 1.0, 0.0, 2.5), replay.VerifyOutcome(VerifyChain(("hunter",)), 1.0, 0.0, 1.5),
        (Step("hunter", False, 2, 1.0, 1, 0), Step("findymail", True, 1, 1.0, 0, 0)), 2)  # fmt: skip
    got = stats.yaml_diff(YAML, "email", ["icypeas"], verify=dropped)
    assert [line for line in got.splitlines() if line[:1] in "+-" and line[:3] not in ("---", "+++")] == [
        "-  verify: [hunter, findymail]",
        "+  # verify: verifiers dropped, no verdict lost on the evidence (firmo waterfall stats --suggest)",
        "+  #   findymail after accept-all: 1 call, 0 upgraded to valid, 0 invalid, 1.0 credits",
        "+  verify: [hunter]"]  # fmt: skip


def test_the_skip_replaces_default_yamls_own_line():
    skip = VerifyChain(("hunter", "findymail"), frozenset({"findymail"}))
    choice = replay.VerifyChoice(replay.VerifyOutcome(CURRENT, 1.0, 0.0, 2.5), replay.VerifyOutcome(skip, 1.0, 0.0, 1.5),
                                 (Step("findymail", True, 1, 1.0, 0, 0),), 2)  # fmt: skip
    got = stats.yaml_diff(DEFAULT_PATH.read_text(encoding="utf-8"), "email", load_config().chain(Field.EMAIL),
                          verify=choice)  # fmt: skip
    assert [line for line in got.splitlines() if line[:1] in "+-" and line[:3] not in ("---", "+++")] == [
        "-verify_skip_on_accept_all: []",
        "+# not asked after accept-all: no verdict of theirs there on the evidence (firmo waterfall stats --suggest)",
        "+#   findymail after accept-all: 1 call, 0 upgraded to valid, 0 invalid, 1.0 credits",
        "+verify_skip_on_accept_all: [findymail]"]  # fmt: skip
