"""How the verify chain reads one verifier's answer in the light of the answers before it.

A boolean verifier (Findymail's `POST /api/verify` -> `verified: true|false`, doc §2.9 and §1.1)
cannot tell a catch-all domain from a dead mailbox: its `false` only says "not verified". On an
address that an earlier verifier of the chain (live or from the cache) already classed accept-all
/ catch-all, that `false` is no evidence of invalidity, so it leaves the address risky: kept, and
exported with its risky status like any other accept-all address. Read as `invalid` it would drop
every address of an accept-all domain that the chain's first verifier had kept (237 of 1,586 in
the order study of bench/bench_waterfall.py). `true` still upgrades to valid, and `false` with no
accept-all evidence still means invalid. The answer's credits are unchanged: the question was
asked and the vendor bills its verifier credit either way.

Used by engine._verify and by the bench's after-the-run checks, so both read a chain alike.
"""

from __future__ import annotations

from collections.abc import Iterable

from waterfall.providers.base import Answer, Status

# raw verification statuses meaning "the domain accepts every address" (Hunter's `accept_all`, and
# the `catch_all` / `catch-all` spellings of the other vocabularies, doc §2.12)
ACCEPT_ALL = frozenset({"accept_all", "accept-all", "catch_all", "catch-all", "catchall"})


def says_accept_all(answer: Answer) -> bool:
    """`answer` classes the address accept-all / catch-all (its raw status, not the normalised
    `risky`, which Hunter also gives to `unknown`)."""
    return answer.status is Status.RISKY and (answer.raw_status or "").strip().lower() in ACCEPT_ALL


def chain_reading(answer: Answer, boolean_verdict: bool, earlier: Iterable[Answer]) -> Status:
    """The status the verify chain takes from `answer`, given the answers about the same address
    heard before it (`earlier`: this walk's and the cached ones of the chain's other verifiers).
    `boolean_verdict`: the verifier answering can only say verified / not verified."""
    if boolean_verdict and answer.status is Status.INVALID and any(says_accept_all(a) for a in earlier):
        return Status.RISKY
    return answer.status
