"""The order and stop rule of one chain chosen by replaying the evidence (`firmo waterfall stats
--suggest`): for each lead, what each vendor answered and what it cost is in waterfall.provenance
(a run that asked every vendor gives it all), so the credits spent and the emails found by any
order and stop rule can be computed exactly, the way waterfall/engine.py would walk the chain.

Why not the closed formula of waterfall/stats.py: it assumes vendors fail independently, and they
do not. On an accept-all domain every vendor answers `risky` and the verifiers cannot say more,
so a chain that goes on looking for `valid` and then verifies pays several questions and ~1.5
verification credits per such lead for nothing; the replay sees it, the formula cannot.

What is replayed (as engine._field and engine._verify do):
- the chain in order; an answer whose status is in `stop_on` ends it, one in `fallback` is kept
  when its address is new, anything else (a miss, `invalid`) is passed over; every answer's
  credits count;
- then each kept address whose status is in `verify` goes to the verify chain: the first one
  verified valid wins, one verified invalid is dropped, one without a verdict survives; the first
  survivor is kept otherwise. A verification costs what the verify chain cost for that address in
  the evidence.

Missing evidence: a vendor not asked about a lead (a normal run stops early) answers with its
measured rates over every lead it was asked about (valid share, risky share, credits per hit, per
miss), as if independent, an address of its own; an address never verified gets the verify
chain's measured rates (valid / invalid verdicts, credits per verification). A vendor with no
evidence at all is left out of the search and kept at the end of the chain, in its current order.
The per-lead budget, the cache and the verify cache (a second check of one address is free) are
not replayed: the replay overestimates a little, never underestimates.

Credits are counted as FullEnrich counts them (its 1 credit per email found includes its "triple
verification", doc §1): a rule that keeps a risky address unverified is billed what the verify
chain would cost for it (and the address is not found if that check says invalid), so stopping at
the first risky answer wins only where the evidence says verifying cannot help (accept-all
domains: the verifiers answer risky too). The engine, running that rule, spends less.
Coverage is measured against the same evidence asked of every vendor, never stopping and never
verifying (the bench's "asking every vendor"): expected emails found / that chain's.
The search: greedy insertion (each vendor in turn, the vendor and place with the best score), then,
from the full chain and from the best chain met on the way, local moves (swap two, drop one,
insert a left-out one) until none improves; the score is the
shortfall under the coverage target first, then credits per email found. Run for each stop rule
of RULES; the best wins.

The verify chain is chosen first, on its own evidence (`choose_verify`: each verifier's answers per
address): the cheapest order and `verify_skip_on_accept_all` whose verdicts are the current chain's
(as many valid, as many invalid), so coverage and validity stay as they are. Why before the order:
a verdict depends on the address, not on the vendor that found it. The order search then replays
the chosen chain; "now" replays the current one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import duckdb

from firmo import db
from firmo.sqlfiles import load_sql
from waterfall.verdicts import ACCEPT_ALL

VALID, RISKY, INVALID = "valid", "risky", "invalid"
COVERAGE = 0.97  # share of asking-every-vendor's emails the chosen chain must still find


@dataclass(frozen=True)
class Rule:
    """A stop rule the engine's config expresses (field_stop.<field> or stop, waterfall/config.py)."""

    stop_on: frozenset[str]
    fallback: frozenset[str]
    verify: frozenset[str]

    def as_yaml(self) -> str:
        def flow(s: frozenset[str]) -> str:
            return "[" + ", ".join(sorted(s, key=(VALID, RISKY).index)) + "]"

        return f"{{stop_on: {flow(self.stop_on)}, fallback: {flow(self.fallback)}, verify: {flow(self.verify)}}}"

    def describe(self) -> str:
        stop = "stop at the first valid or risky answer" if RISKY in self.stop_on else "stop at the first valid answer"
        kept = ", a risky one kept" if RISKY in self.fallback else ""
        check = ", risky addresses verified" if RISKY in self.verify else ", risky addresses kept unverified"
        return stop + kept + check


def rule(stop_on: Iterable[str], fallback: Iterable[str], verify: Iterable[str]) -> Rule:
    return Rule(frozenset(stop_on), frozenset(fallback), frozenset(verify))


DEFAULT_RULE = rule([VALID], [RISKY], [RISKY])  # default.yaml's stop:
RULES = (
    DEFAULT_RULE,
    rule([VALID], [RISKY], []),  # go on for a valid one, keep the first risky one as it is
    rule([VALID, RISKY], [], [RISKY]),  # stop at the first risky answer, verify it
    rule([VALID, RISKY], [], []),  # stop at the first risky answer, keep it unverified
)
EVERY_VENDOR = rule(["unknown"], [VALID, RISKY], [])  # never stops (no answer is unknown and found), no check


@dataclass(frozen=True)
class Answer:
    value: str | None
    status: str | None
    credits: float


@dataclass(frozen=True)
class Rates:
    """A vendor's measured answers, for the leads it was not asked about."""

    p_valid: float
    p_risky: float
    cost_hit: float
    cost_miss: float


@dataclass(frozen=True)
class VerifyRates:
    p_valid: float
    p_invalid: float
    cost: float


@dataclass
class Evidence:
    leads: dict[str, dict[str, Answer]]  # lead -> vendor -> its answer
    verified: dict[str, tuple[str | None, float]] = field(default_factory=dict)  # address -> (verdict, credits)
    rates: dict[str, Rates] = field(default_factory=dict)
    verify_rates: VerifyRates = VerifyRates(0.0, 0.0, 0.0)
    # address -> verifier -> its answer (the verify chain's evidence, per verifier: `choose_verify`)
    checks: dict[str, dict[str, Check]] = field(default_factory=dict)
    # address -> (P(valid), P(invalid), expected credits): a verify chain replayed where evidence is
    # missing (`with_verify_chain`); read before `verified`
    odds: dict[str, tuple[float, float, float]] = field(default_factory=dict)

    def vendors(self) -> set[str]:
        return {v for answers in self.leads.values() for v in answers} | set(self.rates)

    def with_measured_rates(self) -> Evidence:
        """`rates` and `verify_rates` measured on the evidence itself (what missing evidence falls back to)."""
        rates: dict[str, Rates] = {}
        for vendor in sorted({v for answers in self.leads.values() for v in answers}):
            got = [a[vendor] for a in self.leads.values() if vendor in a]
            hits = [a for a in got if _usable(a) and a.status in (VALID, RISKY)]
            misses = [a for a in got if a not in hits]
            rates[vendor] = Rates(
                sum(a.status == VALID for a in hits) / len(got),
                sum(a.status == RISKY for a in hits) / len(got),
                sum(a.credits for a in hits) / len(hits) if hits else 0.0,
                sum(a.credits for a in misses) / len(misses) if misses else 0.0,
            )
        checks = [(float(v == VALID), float(v == INVALID), c) for v, c in self.verified.values()]
        checks += list(self.odds.values())
        vr = (
            VerifyRates(
                sum(v for v, _, _ in checks) / len(checks),
                sum(i for _, i, _ in checks) / len(checks),
                sum(c for _, _, c in checks) / len(checks),
            )
            if checks
            else self.verify_rates
        )
        return Evidence(self.leads, self.verified, {**rates, **self.rates}, vr, self.checks, self.odds)


def _usable(a: Answer) -> bool:
    return a.status is not None and a.status != INVALID and (a.value is not None or a.status in (VALID, RISKY))


Candidates = tuple[tuple[str | None, str], ...]  # (address or None when unknown, status) in chain order


def replay_lead(
    order: Sequence[str], r: Rule, answers: Mapping[str, Answer], ev: Evidence, fair: bool = True
) -> tuple[float, float]:
    """(expected credits, probability an email is found) for one lead. `fair`: counted as FullEnrich
    counts (its price includes the verification of every address it returns): a risky address a
    rule keeps unverified is billed the verify chain's credits for it, and not found when that
    verification says invalid."""
    states: dict[tuple[bool, Candidates], list[float]] = {(False, ()): [1.0, 0.0]}  # -> [prob, prob x credits]
    for name in order:
        known = answers.get(name)
        if known is not None:
            branches = [(1.0, known)]
        elif name in ev.rates:
            rt = ev.rates[name]
            branches = [(q, a) for q, a in ((rt.p_valid, Answer(None, VALID, rt.cost_hit)),
                                            (rt.p_risky, Answer(None, RISKY, rt.cost_hit)),
                                            (1 - rt.p_valid - rt.p_risky, Answer(None, None, rt.cost_miss))) if q > 0]  # fmt: skip
        else:
            continue  # no evidence at all: a free miss
        new: dict[tuple[bool, Candidates], list[float]] = {}
        for (stopped, cands), (p, pc) in states.items():
            if stopped:
                _merge(new, (stopped, cands), p, pc)
                continue
            for q, a in branches:
                entry = (a.value, a.status or "")
                if not _usable(a):
                    key = (False, cands)
                elif a.status in r.stop_on:
                    key = (True, (entry,))
                elif a.status in r.fallback and (a.value is None or all(v != a.value for v, _ in cands)):
                    key = (False, (*cands, entry))
                else:
                    key = (False, cands)
                _merge(new, key, p * q, (pc + p * a.credits) * q)
        states = new
    credits = found = 0.0
    for (_, cands), (p, pc) in states.items():
        if fair and cands and RISKY not in r.verify and cands[0][1] == RISKY:
            c, f = _check(cands[0][0], ev)  # the address kept, as FullEnrich would have checked it
        else:
            c, f = _verify(cands, False, r, ev)
        credits += pc + p * c
        found += p * f
    return credits, found


def _check(value: str | None, ev: Evidence) -> tuple[float, float]:
    """(verification credits, probability it is not verified invalid) of one address."""
    known = _known(value, ev)
    if known is not None:
        return sum(q * c for q, _, c in known), 1 - sum(q for q, v, _ in known if v == INVALID)
    return ev.verify_rates.cost, 1 - ev.verify_rates.p_invalid


def _known(value: str | None, ev: Evidence) -> list[tuple[float, str | None, float]] | None:
    """The verify chain's verdicts on `value` from the evidence, (probability, verdict, credits)."""
    key = value.strip().lower() if value is not None else None  # verify_key's form
    if key in ev.odds:
        pv, pi, cost = ev.odds[key]
        return [(pv, VALID, cost), (pi, INVALID, cost), (1 - pv - pi, None, cost)]
    if key in ev.verified:
        verdict, cost = ev.verified[key]
        return [(1.0, verdict, cost)]
    return None


def _merge(states: dict, key: tuple, p: float, pc: float) -> None:
    got = states.setdefault(key, [0.0, 0.0])
    got[0] += p
    got[1] += pc


def _verify(cands: Candidates, survivor: bool, r: Rule, ev: Evidence) -> tuple[float, float]:
    """(expected verification credits, probability an address is kept) for the kept addresses."""
    if not cands:
        return 0.0, 1.0 if survivor else 0.0
    (value, status), rest = cands[0], cands[1:]
    if status not in r.verify:
        return _verify(rest, True, r, ev)
    known = _known(value, ev)
    if known is not None:
        outcomes = known
    else:
        vr = ev.verify_rates
        outcomes = [(vr.p_valid, VALID, vr.cost), (vr.p_invalid, INVALID, vr.cost),
                    (1 - vr.p_valid - vr.p_invalid, None, vr.cost)]  # fmt: skip
    credits = found = 0.0
    for q, verdict, cost in outcomes:
        if q <= 0:
            continue
        c, f = (0.0, 1.0) if verdict == VALID else _verify(rest, survivor or verdict is None, r, ev)
        credits += q * (cost + c)
        found += q * f
    return credits, found


@dataclass(frozen=True)
class Outcome:
    order: tuple[str, ...]
    rule: Rule
    credits: float
    found: float
    coverage: float

    @property
    def per_found(self) -> float | None:
        return self.credits / self.found if self.found > 0 else None


def evaluate(order: Sequence[str], r: Rule, ev: Evidence, baseline: float, fair: bool = True) -> Outcome:
    credits = found = 0.0
    for answers in ev.leads.values():
        c, f = replay_lead(order, r, answers, ev, fair)
        credits += c
        found += f
    return Outcome(tuple(order), r, credits, found, found / baseline if baseline > 0 else 0.0)


def baseline_found(vendors: Sequence[str], ev: Evidence) -> float:
    """Emails found by asking every vendor with evidence, never stopping, never verifying."""
    return evaluate(vendors, EVERY_VENDOR, ev, 1.0, fair=False).found


def _score(o: Outcome, target: float) -> tuple[float, float]:
    return (round(max(0.0, target - o.coverage), 12), o.per_found if o.per_found is not None else float("inf"))


def search(vendors: Sequence[str], r: Rule, ev: Evidence, baseline: float, target: float = COVERAGE) -> Outcome:
    """Greedy insertion, then swap / drop / insert moves, for the stop rule `r`."""
    memo: dict[tuple[str, ...], Outcome] = {}

    def ev_(order: Sequence[str]) -> Outcome:
        key = tuple(order)
        if key not in memo:
            memo[key] = evaluate(key, r, ev, baseline)
        return memo[key]

    chain, seen = ev_(()), ev_(())
    while len(chain.order) < len(vendors):  # greedy insertion of every vendor, the best place each time
        left = [v for v in vendors if v not in chain.order]
        tries = [ev_((*chain.order[:i], v, *chain.order[i:])) for v in left for i in range(len(chain.order) + 1)]
        chain = min(tries, key=lambda o: _score(o, target))
        seen = min(seen, chain, key=lambda o: _score(o, target))
    # local search from the full chain (dropping the vendors that only add credits) and from the
    # best chain met on the way
    return min((_local(start, vendors, ev_, target) for start in (chain, seen)), key=lambda o: _score(o, target))


def _local(best: Outcome, vendors: Sequence[str], ev_: Callable[[Sequence[str]], Outcome], target: float) -> Outcome:
    """First-improvement moves (swap two, drop one, insert a left-out one) until none improves."""
    improved = True
    while improved:
        improved = False
        o, left = list(best.order), [v for v in vendors if v not in best.order]
        moves = [
            tuple(o[:i] + [o[j]] + o[i + 1 : j] + [o[i]] + o[j + 1 :])
            for i in range(len(o))
            for j in range(i + 1, len(o))
        ]
        moves += [tuple(o[:i] + o[i + 1 :]) for i in range(len(o))]
        moves += [tuple(o[:i] + [v] + o[i:]) for v in left for i in range(len(o) + 1)]
        for m in moves:
            cand = ev_(m)
            if _score(cand, target) < _score(best, target):
                best, improved = cand, True
                break
    return best


@dataclass(frozen=True)
class Choice:
    current: Outcome  # the current order with the current rule, replayed
    best: Outcome
    baseline: float  # emails found by asking every vendor
    unmeasured: tuple[str, ...]  # vendors of the chain with no evidence, kept at its end
    left_out: tuple[str, ...]  # measured vendors the best chain does without
    chain: tuple[str, ...]  # the current chain
    verify: VerifyChoice | None = None  # the verify chain chosen on its own evidence, when there is some

    @property
    def order(self) -> list[str]:
        """The chain to configure: the current one when nothing beats it, else the best order with
        the unmeasured vendors after it."""
        if (self.best.order, self.best.rule) == (self.current.order, self.current.rule):
            return list(self.chain)
        return [*self.best.order, *self.unmeasured]


def choose(current: Sequence[str], current_rule: Rule, ev: Evidence, target: float = COVERAGE,
           rules: Sequence[Rule] = RULES, verify: VerifyChain | None = None,
           boolean: frozenset[str] = frozenset()) -> Choice:  # fmt: skip
    """The order and stop rule minimising credits per email found with coverage >= `target`; with the
    current `verify` chain (and the `boolean` verifiers) and per-verifier evidence, first the verify
    chain (`choose_verify`), the current order replayed with the current one, the search with the
    chosen one."""
    vc = choose_verify(verify, ev, boolean) if verify is not None else None
    ev_now = with_verify_chain(ev, vc.current.chain, boolean).with_measured_rates() if vc else None
    ev = (with_verify_chain(ev, vc.best.chain, boolean) if vc else ev).with_measured_rates()
    measured = [v for v in current if v in ev.vendors()]
    base = baseline_found(measured, ev)
    now = evaluate(measured, current_rule, ev_now or ev, base)
    outcomes = [search(measured, r, ev, base, target) for r in rules]
    best = min(outcomes, key=lambda o: (_score(o, target), rules.index(o.rule)))
    same_order = evaluate(measured, current_rule, ev, base) if vc and vc.changed else now  # with the chosen checks
    if _score(same_order, target) <= _score(best, target):
        best = same_order
    unmeasured = tuple(v for v in current if v not in ev.vendors())
    left_out = tuple(v for v in measured if v not in best.order)
    return Choice(now, best, base, unmeasured, left_out, tuple(current), vc)


# --- the verify chain -----------------------------------------------------------------------------
# Which verifiers, in which order, and which of them are not asked after accept-all evidence
# (`verify_skip_on_accept_all`): replayed per address on what each verifier answered about it
# (waterfall.provenance, field `verify`), read as engine._verify reads the chain (a boolean
# verifier's "not verified" after accept-all evidence is no verdict, waterfall/verdicts.py). A
# verifier not asked about an address answers with its measured rates in the same context (after
# accept-all evidence or not). The chosen chain is the cheapest whose verdicts on the evidence are
# those of the current chain: as many addresses verified valid, as many dropped as invalid (so the
# same coverage and validity); a verifier whose answers in some context never changed a verdict is
# not worth its credits there, and one that upgrades even one address is kept.


@dataclass(frozen=True)
class Check:
    """One verifier's answer about an address: its status as the chain read it, raw status, credits."""

    status: str
    raw_status: str | None
    credits: float


@dataclass(frozen=True)
class VerifyChain:
    order: tuple[str, ...]
    skip_on_accept_all: frozenset[str] = frozenset()

    def describe(self) -> str:
        skip = [n for n in self.order if n in self.skip_on_accept_all]
        return f"[{', '.join(self.order)}]" + (f", {', '.join(skip)} not asked after accept-all" if skip else "")


@dataclass(frozen=True)
class Step:
    """The evidence on one verifier in one context, walking the current chain: questions, credits,
    and the verdicts it gave (each changes the address's fate: valid is kept as valid, invalid dropped)."""

    verifier: str
    after_accept_all: bool
    calls: int
    credits: float
    upgrades: int  # verified valid
    invalid: int  # verified invalid (dropped)

    def describe(self) -> str:
        where = "after accept-all" if self.after_accept_all else "without accept-all evidence"
        price = f" ({self.credits / self.upgrades:,.2f} per upgrade)" if self.upgrades else ""
        return (f"{self.verifier} {where}: {self.calls:,} call{'s' * (self.calls != 1)}, {self.upgrades:,} upgraded "
                f"to valid, {self.invalid:,} invalid, {self.credits:,.1f} credits{price}")  # fmt: skip


@dataclass(frozen=True)
class VerifyOutcome:
    chain: VerifyChain
    valid: float  # expected addresses verified valid, over the addresses of the evidence
    invalid: float
    credits: float


@dataclass(frozen=True)
class VerifyChoice:
    current: VerifyOutcome
    best: VerifyOutcome
    steps: tuple[Step, ...]  # the current chain's evidence per verifier and context
    addresses: int

    @property
    def changed(self) -> bool:
        return self.best.chain != self.current.chain

    def evidence(self, verifier: str, after_accept_all: bool) -> Step | None:
        return next((s for s in self.steps if (s.verifier, s.after_accept_all) == (verifier, after_accept_all)), None)


@dataclass(frozen=True)
class CheckRates:
    p_valid: float
    p_invalid: float  # as the verifier says it, before the chain's reading
    p_accept_all: float
    cost: float


def _base(name: str, a: Check, boolean: frozenset[str]) -> str:
    """What the verifier said before the chain read it: a boolean verifier says valid or invalid."""
    if name in boolean:
        return VALID if a.status == VALID else INVALID
    return a.status


def _accept_all(a: Check) -> bool:
    return a.status == RISKY and (a.raw_status or "").strip().lower() in ACCEPT_ALL


def _steps(
    chain: VerifyChain, ev: Evidence, boolean: frozenset[str]
) -> dict[tuple[str, bool], list[tuple[Check, str]]]:
    """(verifier, after accept-all) -> its answers on the evidence, walking `chain` as the engine does
    (up to the first verdict, or the first verifier without evidence), with the verdict read."""
    out: dict[tuple[str, bool], list[tuple[Check, str]]] = {}
    for answers in ev.checks.values():
        acc = False
        for name in chain.order:
            if name in chain.skip_on_accept_all and acc:
                continue
            a = answers.get(name)
            if a is None:
                break
            base = _base(name, a, boolean)
            read = RISKY if name in boolean and base == INVALID and acc else base
            out.setdefault((name, acc), []).append((a, read))
            acc = acc or _accept_all(a)
            if read in (VALID, INVALID):
                break
    return out


def _check_rates(ev: Evidence, boolean: frozenset[str]) -> dict[tuple[str, bool | None], CheckRates]:
    """Each verifier's answers over every address it was asked about, per context (after accept-all
    evidence from another verifier of that address or not; None: either)."""
    got: dict[tuple[str, bool | None], list[Check]] = {}
    for answers in ev.checks.values():
        for name, a in answers.items():
            acc = any(_accept_all(b) for other, b in answers.items() if other != name)
            got.setdefault((name, acc), []).append(a)
            got.setdefault((name, None), []).append(a)
    return {
        key: CheckRates(sum(_base(key[0], a, boolean) == VALID for a in xs) / len(xs),
                        sum(_base(key[0], a, boolean) == INVALID for a in xs) / len(xs),
                        sum(_accept_all(a) for a in xs) / len(xs), sum(a.credits for a in xs) / len(xs))
        for key, xs in got.items()
    }  # fmt: skip


def replay_check(
    chain: VerifyChain, answers: Mapping[str, Check], boolean: frozenset[str],
    rates: Mapping[tuple[str, bool | None], CheckRates], i: int = 0, acc: bool = False,
) -> tuple[float, float, float]:  # fmt: skip
    """(P(verified valid), P(verified invalid), expected credits) of one address through `chain`."""
    if i >= len(chain.order):
        return 0.0, 0.0, 0.0
    name = chain.order[i]
    if name in chain.skip_on_accept_all and acc:
        return replay_check(chain, answers, boolean, rates, i + 1, acc)
    a = answers.get(name)
    if a is not None:
        branches = [(1.0, _base(name, a, boolean), _accept_all(a), a.credits)]
    else:
        rt = rates.get((name, acc)) or rates.get((name, None))
        if rt is None:  # no evidence at all: a free miss
            return replay_check(chain, answers, boolean, rates, i + 1, acc)
        rest = 1 - rt.p_valid - rt.p_invalid - rt.p_accept_all
        branches = [(q, st, aa, rt.cost) for q, st, aa in ((rt.p_valid, VALID, False), (rt.p_invalid, INVALID, False),
                    (rt.p_accept_all, RISKY, True), (rest, RISKY, False)) if q > 0]  # fmt: skip
    pv = pi = credits = 0.0
    for q, base, aa, cost in branches:
        read = RISKY if name in boolean and base == INVALID and acc else base
        credits += q * cost
        if read == VALID:
            pv += q
        elif read == INVALID:
            pi += q
        else:
            v, n, c = replay_check(chain, answers, boolean, rates, i + 1, acc or aa)
            pv, pi, credits = pv + q * v, pi + q * n, credits + q * c
    return pv, pi, credits


def _verify_candidates(current: VerifyChain, measured: Sequence[str]) -> list[VerifyChain]:
    """Every order of every non-empty subset of the measured verifiers, each verifier after the first
    skipped on accept-all or not; the verifiers without evidence stay at the end as they are. The
    closest to the current chain first (ties go to it)."""
    from itertools import combinations, permutations

    tail = tuple(n for n in current.order if n not in measured)
    out: set[VerifyChain] = set()
    for k in range(1, len(measured) + 1):
        for order in permutations(measured, k):
            full = (*order, *tail)
            later = [n for n in full[1:]]
            for j in range(len(later) + 1):
                for skip in combinations(later, j):
                    out.add(VerifyChain(full, frozenset(skip)))

    def distance(c: VerifyChain) -> tuple[int, int, int, tuple[str, ...], tuple[str, ...]]:
        return (c.order != current.order, len(current.order) - len(c.order),
                len(c.skip_on_accept_all ^ current.skip_on_accept_all), c.order, tuple(sorted(c.skip_on_accept_all)))  # fmt: skip

    return sorted(out, key=distance)


def choose_verify(current: VerifyChain, ev: Evidence, boolean: frozenset[str]) -> VerifyChoice | None:
    """The cheapest verify chain with the current chain's verdicts on the evidence (None: no evidence)."""
    if not ev.checks or not current.order:
        return None
    rates = _check_rates(ev, boolean)
    measured = [n for n in current.order if any(n in answers for answers in ev.checks.values())]

    def outcome(c: VerifyChain) -> VerifyOutcome:
        pv = pi = credits = 0.0
        for answers in ev.checks.values():
            v, n, cost = replay_check(c, answers, boolean, rates)
            pv, pi, credits = pv + v, pi + n, credits + cost
        return VerifyOutcome(c, pv, pi, credits)

    now = outcome(current)
    best = now
    for c in _verify_candidates(current, measured):
        o = outcome(c)
        same = o.valid >= now.valid - 1e-9 and abs(o.invalid - now.invalid) <= 1e-9
        if same and o.credits < best.credits - 1e-9:
            best = o
    steps = tuple(
        Step(name, acc, len(xs), sum(a.credits for a, _ in xs), sum(r == VALID for _, r in xs),
             sum(r == INVALID for _, r in xs))
        for (name, acc), xs in sorted(_steps(current, ev, boolean).items(), key=lambda kv: (current.order.index(kv[0][0]), kv[0][1]))
    )  # fmt: skip
    return VerifyChoice(now, best, steps, len(ev.checks))


def with_verify_chain(ev: Evidence, chain: VerifyChain, boolean: frozenset[str]) -> Evidence:
    """`ev` whose verify verdicts are those of `chain` replayed on the per-verifier evidence."""
    if not ev.checks:
        return ev
    rates = _check_rates(ev, boolean)
    odds = {address: replay_check(chain, answers, boolean, rates) for address, answers in ev.checks.items()}
    return Evidence(ev.leads, {}, ev.rates, ev.verify_rates, ev.checks, odds)


def load(con: duckdb.DuckDBPyConnection, field_name: str = "email", sirens: Sequence[str] | None = None) -> Evidence:
    """The evidence of `field_name` from waterfall.provenance: per lead (SIREN) each vendor's last live
    answer, and per address the verify chain's last live verdict and credits."""
    if not db.table_exists(con, "waterfall.provenance"):
        return Evidence({})
    params = {"field": field_name, "sirens": list(sirens) if sirens is not None else None}
    leads: dict[str, dict[str, Answer]] = {}
    for siren, vendor, value, status, credits in con.execute(load_sql("waterfall/replay_answers"), params).fetchall():
        leads.setdefault(siren, {})[vendor] = Answer(value, status, float(credits or 0))
    verified = {
        email: (verdict, float(credits or 0))
        for email, verdict, credits in con.execute(load_sql("waterfall/replay_verifications"), params).fetchall()
    }
    checks: dict[str, dict[str, Check]] = {}
    for email, verifier, status, raw, credits in con.execute(load_sql("waterfall/replay_checks"), params).fetchall():
        checks.setdefault(email.strip().lower(), {})[verifier] = Check(status, raw, float(credits or 0))
    return Evidence(leads, verified, checks=checks)
