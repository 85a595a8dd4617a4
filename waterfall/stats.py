"""`firmo waterfall stats`: what each provider did for each field, from the evidence (the questions it
answered live, waterfall.provenance), overall or by NAF section / headcount band; and `--suggest`:
the chain order that minimises the expected credits per value found for one lead list, as a YAML
diff against the waterfall file in use, for the user to apply (never applied here).

Why from provenance and not the cache: provenance keeps every live question with what it cost, the
cache keeps only the last answer per question (and a killed run's answers reach provenance when its
journal is recovered, waterfall/journal.py).

The order rule: a chain stops at the first `valid` answer, so with provider i costing c_i credits
per question on average and answering valid with probability p_i (on this list's mix of segments),
asking in increasing c_i / p_i minimises the expected credits spent before a valid answer (the
classic ordering of independent tests). Expected credits per value found for an order is
sum_i c_i prod_{j<i}(1 - p_j) divided by 1 - prod_i(1 - p_i). Providers without evidence keep
their relative place after the measured ones: no data is not a reason to move them first.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import duckdb

from firmo import db
from firmo.sqlfiles import load_sql, render_identifiers
from waterfall import replay
from waterfall.replay import COVERAGE, DEFAULT_RULE, Choice, Outcome, Rule, VerifyChain, VerifyChoice

SEGMENTS = {None: "'all'", "naf_section": 'c."naf_section"', "headcount_band": 'c."headcount_band"'}
MIN_QUESTIONS = 20  # fewer questions in a segment: the provider's overall rates stand in for it
FIELDS = ("domain", "email", "phone", "verify", "people")


@dataclass(frozen=True)
class Row:
    provider: str
    field: str
    segment: str
    questions: int
    failed: int
    found: int
    valid: int
    credits: float
    latency_ms: float | None

    @property
    def hit_rate(self) -> float:
        return self.found / self.questions if self.questions else 0.0

    @property
    def valid_rate(self) -> float:
        """Valid answers among the values found (what share of the hits can be used as they are)."""
        return self.valid / self.found if self.found else 0.0

    @property
    def cost_per_found(self) -> float | None:
        return self.credits / self.found if self.found else None


def collect(
    con: duckdb.DuckDBPyConnection,
    *,
    by: str | None = None,
    sirens: Sequence[str] | None = None,
    since: datetime = datetime(1970, 1, 1),
) -> list[Row]:
    """Rows per (provider, field, segment) over the live questions (of `sirens` only, when given)."""
    if by not in SEGMENTS:
        raise ValueError(f"unknown segment {by!r}; known: {', '.join(k for k in SEGMENTS if k)}")
    if not db.table_exists(con, "waterfall.provenance"):
        return []
    companies = "core.companies"
    if not db.table_exists(con, companies):
        con.execute("CREATE OR REPLACE TEMP TABLE wf_stats_no_companies (siren VARCHAR, naf_section VARCHAR, "
                    "headcount_band VARCHAR)")  # fmt: skip
        companies = "wf_stats_no_companies"
    latency = (
        'avg(p."latency_ms")' if "latency_ms" in db.columns_of(con, "waterfall.provenance") else "CAST(NULL AS DOUBLE)"
    )
    sql = load_sql("waterfall/stats_provenance").replace("{{segment}}", SEGMENTS[by])  # fixed texts, never input
    sql = render_identifiers(sql.replace("{{latency}}", latency), companies=companies)
    rows = con.execute(sql, {"sirens": list(sirens) if sirens is not None else None, "since": since}).fetchall()
    return [Row(r[0], r[1], r[2], int(r[3]), int(r[4]), int(r[5]), int(r[6]), float(r[7] or 0), r[8]) for r in rows]


def render(rows: Sequence[Row], by: str | None = None) -> str:
    """A plain text table, one line per provider, field (and segment)."""
    head = ["field", "provider", *([by] if by else []), "questions", "failed", "hit rate", "valid rate",
            "credits", "cost/found", "latency ms"]  # fmt: skip
    body = [
        [
            r.field,
            r.provider,
            *([r.segment] if by else []),
            f"{r.questions:,}",
            f"{r.failed:,}",
            f"{r.hit_rate:.1%}",
            f"{r.valid_rate:.1%}",
            f"{r.credits:g}",
            "-" if r.cost_per_found is None else f"{r.cost_per_found:.2f}",
            "-" if r.latency_ms is None else f"{r.latency_ms:.0f}",
        ]  # fmt: skip
        for r in rows
    ]
    if not body:
        return "no live question in waterfall.provenance yet: run an enrichment first"
    widths = [max(len(str(x)) for x in col) for col in zip(head, *body, strict=True)]
    lines = ["  ".join(str(x).ljust(w) if i < 2 + bool(by) else str(x).rjust(w) for i, (x, w) in
                       enumerate(zip(line, widths, strict=True))).rstrip() for line in [head, *body]]  # fmt: skip
    return "\n".join([lines[0], "  ".join("-" * w for w in widths), *lines[1:]])


@dataclass(frozen=True)
class Estimate:
    provider: str
    cost: float  # expected credits per question on the list
    p_valid: float  # expected probability of a valid answer per question on the list
    questions: int  # evidence behind it


def estimates(
    rows: Sequence[Row], field: str, weights: Mapping[str, float], min_questions: int = MIN_QUESTIONS
) -> dict[str, Estimate]:
    """Per provider of `field`: credits per question and valid rate, weighted by the list's segments
    (`weights`: segment -> share of the list); a thin segment falls back to the provider's overall."""
    out: dict[str, Estimate] = {}
    for provider in sorted({r.provider for r in rows if r.field == field}):
        mine = [r for r in rows if r.field == field and r.provider == provider]
        q = sum(r.questions for r in mine)
        if q == 0:
            continue
        overall = (sum(r.credits for r in mine) / q, sum(r.valid for r in mine) / q)
        by_seg = {r.segment: r for r in mine}
        cost = p = 0.0
        total = sum(weights.values()) or 1.0
        for segment, w in (weights or {"all": 1.0}).items():
            r = by_seg.get(segment)
            c_s, p_s = (
                (r.credits / r.questions, r.valid / r.questions) if r and r.questions >= min_questions else overall
            )
            cost += w / total * c_s
            p += w / total * p_s
        out[provider] = Estimate(provider, cost, p, q)
    return out


def best_order(current: Sequence[str], est: Mapping[str, Estimate]) -> list[str]:
    """Measured providers by increasing credits per valid answer (c/p; a provider never valid last
    among them), then the unmeasured ones in their current order."""
    measured = [n for n in current if n in est]
    ranked = sorted(
        measured,
        key=lambda n: (
            est[n].p_valid <= 0,
            est[n].cost / est[n].p_valid if est[n].p_valid > 0 else 0.0,
            current.index(n),
        ),
    )
    return ranked + [n for n in current if n not in est]


def credits_per_found(order: Sequence[str], est: Mapping[str, Estimate]) -> tuple[float | None, float]:
    """(expected credits per valid value found, probability the chain finds one) for `order`,
    over the measured providers (the others count as free misses)."""
    miss, spent = 1.0, 0.0
    for n in order:
        if n in est:
            spent += est[n].cost * miss
            miss *= 1 - est[n].p_valid
    found = 1 - miss
    return (spent / found if found > 0 else None), found


def yaml_diff(
    text: str, field: str, order: Sequence[str], path: str = "waterfall/default.yaml", stop: str | None = None,
    verify: VerifyChoice | None = None,
) -> str:  # fmt: skip
    """A unified diff turning the `order:` entry of `field` in the waterfall file `text` into `order`
    (a flow list, on one line or several; comments and the rest kept), with `stop` (a flow mapping)
    setting `field_stop.<field>` to it, and with a changed `verify` choice setting `order.verify` and
    `verify_skip_on_accept_all` to the chosen chain, each with the evidence as a comment; empty when
    nothing changes."""
    lines = text.splitlines(keepends=True)
    out: list[str] = []
    in_order, done, skipping = False, False, False
    for line in lines:
        if skipping:  # the rest of a flow list written over several lines
            skipping = "]" not in line
            continue
        if re.match(r"^order:\s*$", line):
            in_order = True
        elif in_order and re.match(r"^\S", line):
            in_order = False
        m = re.match(rf"^(\s+){re.escape(field)}:\s*\[", line) if in_order and not done else None
        if m:
            out += _flow_list(m.group(1), field, order)
            done, skipping = True, "]" not in line
            continue
        out.append(line)
    if not done:  # the file does not set this chain: add it under order:
        at = next((i for i, line in enumerate(out) if re.match(r"^order:\s*$", line)), None)
        if at is None:
            out += ["order:\n", *_flow_list("  ", field, order)]
        else:
            out[at + 1 : at + 1] = _flow_list("  ", field, order)
    if stop is not None:
        out = _set_field_stop(out, field, stop)
    if verify is not None and verify.changed:
        out = _set_verify(out, verify)
    return "".join(difflib.unified_diff(lines, out, f"a/{path}", f"b/{path}"))


def _set_verify(lines: list[str], vc: VerifyChoice) -> list[str]:
    """The chosen verify chain in the file's lines: `order.verify` (when its order changes: the
    verifiers dropped and their evidence in a comment above it) and `verify_skip_on_accept_all`
    (replaced, else added after the `order:` block, with the evidence of each verifier skipped)."""
    now, best = vc.current.chain, vc.best.chain
    out = list(lines)
    if best.order != now.order:
        dropped = [st.describe() for st in vc.steps if st.verifier not in best.order]
        note = ["  # verify: verifiers dropped, no verdict lost on the evidence (firmo waterfall stats --suggest)\n"]
        note = [*note, *(f"  #   {d}\n" for d in dropped)] if dropped else []
        new = note + _flow_list("  ", "verify", best.order)
        i = next((i for i, line in enumerate(out) if re.match(r"^\s+verify:\s*\[", line)), None)
        if i is None:
            at = next((i for i, line in enumerate(out) if re.match(r"^order:\s*$", line)), len(out))
            out[at + 1 : at + 1] = new
        else:
            end = next(j for j in range(i, len(out)) if "]" in out[j])
            out[i : end + 1] = new
    if best.skip_on_accept_all == now.skip_on_accept_all:
        return out
    skipped = sorted(best.skip_on_accept_all, key=best.order.index)
    evidence = [st for n in skipped if (st := vc.evidence(n, True)) is not None]
    block = [
        "# not asked after accept-all: no verdict of theirs there on the evidence (firmo waterfall stats --suggest)\n"
    ]
    block += [f"#   {st.describe()}\n" for st in evidence]
    block.append(f"verify_skip_on_accept_all: [{', '.join(skipped)}]\n")
    i = next((i for i, line in enumerate(out) if re.match(r"^verify_skip_on_accept_all:", line)), None)
    if i is not None:
        return [*out[:i], *block, *out[i + 1 :]]
    start = next((i for i, line in enumerate(out) if re.match(r"^order:\s*$", line)), None)
    if start is None:
        tail = [] if not out or out[-1].endswith("\n") else ["\n"]
        return [*out, *tail, *block]
    end = next((i for i in range(start + 1, len(out)) if re.match(r"^\S", out[i])), len(out))
    while end > start + 1 and not out[end - 1].strip():
        end -= 1
    return [*out[:end], "\n", *block, *out[end:]]


def _set_field_stop(lines: list[str], field: str, stop: str) -> list[str]:
    """`field_stop: {field}: stop` in the file's lines: its line replaced under an existing
    `field_stop:`, else a `field_stop:` block added right after the `stop:` block (or at the end)."""
    entry = f"  {field}: {stop}\n"
    at = next((i for i, line in enumerate(lines) if re.match(r"^field_stop:\s*$", line)), None)
    if at is not None:
        for i in range(at + 1, len(lines)):
            if re.match(r"^\S", lines[i]):
                break
            if re.match(rf"^\s+{re.escape(field)}:", lines[i]):
                return [*lines[:i], entry, *lines[i + 1 :]]
        return [*lines[: at + 1], entry, *lines[at + 1 :]]
    block = [
        "field_stop:                 # one chain's own stop rule over stop: (firmo waterfall stats --suggest)\n",
        entry,
    ]
    start = next((i for i, line in enumerate(lines) if re.match(r"^stop:\s*$", line)), None)
    if start is None:
        tail = [] if not lines or lines[-1].endswith("\n") else ["\n"]
        return [*lines, *tail, *block]
    end = next((i for i in range(start + 1, len(lines)) if re.match(r"^\S", lines[i])), len(lines))
    while end > start + 1 and not lines[end - 1].strip():  # before the blank line ending the block
        end -= 1
    return [*lines[:end], *block, *lines[end:]]


def _flow_list(indent: str, field: str, order: Sequence[str], width: int = 118) -> list[str]:
    """`  email: [a, b, ...]`, wrapped under its opening bracket past `width` characters."""
    head = f"{indent}{field}: ["
    lines, current = [], head
    for k, name in enumerate(order):
        piece = name + ("]" if k == len(order) - 1 else ",")
        if current not in (head, " " * len(head)) and len(current) + 1 + len(piece) > width:
            lines.append(current.rstrip() + "\n")
            current = " " * len(head)
        current += ("" if current in (head, " " * len(head)) else " ") + piece
    lines.append((current if order else head + "]") + "\n")
    return lines


@dataclass(frozen=True)
class Suggestion:
    field: str
    current: list[str]
    suggested: list[str]
    current_cost: float | None
    suggested_cost: float | None
    current_found: float
    suggested_found: float
    estimates: dict[str, Estimate]
    diff: str
    replayed: Choice | None = None  # the order and stop rule from replaying the evidence, when there is some
    leads: int = 0  # leads replayed

    @property
    def rule(self) -> Rule | None:
        return self.replayed.best.rule if self.replayed else None

    @property
    def verify(self) -> VerifyChain | None:
        """The suggested verify chain (None: no per-verifier evidence, the current one stays)."""
        return self.replayed.verify.best.chain if self.replayed and self.replayed.verify else None

    def render(self) -> str:
        def fmt(x: float | None) -> str:
            return "-" if x is None else f"{x:.2f}"

        if self.replayed is not None:
            return self._render_replay(fmt)
        lines = [
            f"{self.field}: current order   {', '.join(self.current)}",
            f"{' ' * len(self.field)}  suggested order {', '.join(self.suggested)}",
            f"expected credits per valid {self.field}: {fmt(self.current_cost)} now, {fmt(self.suggested_cost)} suggested "
            f"(found {self.current_found:.1%} either way)"
            if abs(self.current_found - self.suggested_found) < 1e-9
            else f"expected credits per valid {self.field}: {fmt(self.current_cost)} now, {fmt(self.suggested_cost)} suggested",
            "",
            "provider      credits/question  valid/question  questions",
            *(
                f"{e.provider:<13} {e.cost:>16.3f}  {e.p_valid:>14.1%}  {e.questions:>9,}"
                for e in sorted(self.estimates.values(), key=lambda e: self.suggested.index(e.provider))
            ),  # fmt: skip
        ]
        return "\n".join(lines)

    def _render_replay(self, fmt: Callable[[float | None], str]) -> str:
        ch = self.replayed
        assert ch is not None
        now, best = ch.current, ch.best

        def line(label: str, o: Outcome) -> str:
            return (f"{label}: {fmt(o.per_found)} credits per {self.field} found ({o.credits:,.1f} credits, "
                    f"{o.found:,.1f} found, {o.coverage:.1%} of asking every vendor's {ch.baseline:,.1f})")  # fmt: skip

        lines = [
            f"{self.field}: current order   {', '.join(self.current)}",
            f"{' ' * len(self.field)}  suggested order {', '.join(self.suggested)}",
            f"stop rule: now {now.rule.describe()}; suggested {best.rule.describe()}",
            f"replayed on the evidence of {self.leads:,} leads (verification credits included):",
            "  " + line("now      ", now),
            "  " + line("suggested", best),
        ]
        if ch.left_out:
            lines.append(
                f"left out of the chain (they add credits, not emails, on this evidence): {', '.join(ch.left_out)}"
            )
        if ch.unmeasured:
            lines.append(f"no evidence, kept at the end: {', '.join(ch.unmeasured)}")
        vc = ch.verify
        if vc is not None:
            lines.append(f"verify chain: now {vc.current.chain.describe()}; suggested {vc.best.chain.describe()}")
            lines.append(f"  replayed on {vc.addresses:,} verified addresses: {vc.current.credits:,.1f} credits now, "
                         f"{vc.best.credits:,.1f} suggested, {vc.best.valid:,.1f} verified valid and "
                         f"{vc.best.invalid:,.1f} invalid either way")  # fmt: skip
            lines += [f"  {st.describe()}" for st in vc.steps]
        return "\n".join(lines)


def suggest(
    con: duckdb.DuckDBPyConnection,
    list_sirens: Sequence[str],
    current: Sequence[str],
    yaml_text: str,
    *,
    field: str = "email",
    by: str | None = "naf_section",
    path: str = "waterfall/default.yaml",
    current_rule: Rule = DEFAULT_RULE,
    target: float = COVERAGE,
    verify: Sequence[str] = (),
    verify_skip: Iterable[str] = (),
) -> Suggestion:
    """The order (and stop rule) for `field` on the list of `list_sirens`. With answers of the list's
    leads in the provenance: the one minimising credits per value found when replayed on them
    (waterfall/replay.py), coverage >= `target` of asking every vendor. Without: the closed formula,
    which assumes independent vendors, minimising expected credits per valid value, weighted by the
    list's segments. With the current `verify` chain (and `verify_skip`, its verifiers skipped on
    accept-all) and the email chain: also the verify chain, from each verifier's answers
    (replay.choose_verify)."""
    rows = collect(con, by=by)
    weights: dict[str, float] = {"all": 1.0}
    if by is not None and db.table_exists(con, "core.companies") and list_sirens:
        col = SEGMENTS[by]
        got = con.execute(
            f"SELECT coalesce(CAST({col} AS VARCHAR), '?'), count(*) FROM core.companies c "  # noqa: S608 - fixed text
            "WHERE list_contains($s::VARCHAR[], c.siren) GROUP BY 1",
            {"s": list(list_sirens)},
        ).fetchall()
        weights = {str(k): float(v) for k, v in got} or weights
    elif by is not None:
        weights = {}
    est = estimates(rows, field, weights)
    evidence = replay.load(con, field, list_sirens or None)
    if evidence.leads:
        rules = replay.RULES if field == "email" else tuple(r for r in replay.RULES if not r.verify)
        if field != "email":  # only the email chain is verified (engine._verify)
            current_rule = replay.rule(current_rule.stop_on, current_rule.fallback, [])
        vchain = VerifyChain(tuple(verify), frozenset(verify_skip)) if field == "email" and verify else None
        ch = replay.choose(current, current_rule, evidence, target, rules, vchain, boolean_verifiers(verify))
        rule_changed = ch.best.rule != current_rule
        verify_changed = ch.verify is not None and ch.verify.changed
        diff = (
            yaml_diff(yaml_text, field, ch.order, path, ch.best.rule.as_yaml() if rule_changed else None, ch.verify)
            if ch.order != list(current) or rule_changed or verify_changed
            else ""
        )
        return Suggestion(field, list(current), ch.order, ch.current.per_found, ch.best.per_found,
                          ch.current.coverage, ch.best.coverage, est, diff, ch, len(evidence.leads))  # fmt: skip
    order = best_order(list(current), est)
    now_cost, now_found = credits_per_found(current, est)
    new_cost, new_found = credits_per_found(order, est)
    diff = yaml_diff(yaml_text, field, order, path) if order != list(current) else ""
    return Suggestion(field, list(current), order, now_cost, new_cost, now_found, new_found, est, diff)


def boolean_verifiers(names: Iterable[str]) -> frozenset[str]:
    """The verifiers among `names` that only say verified / not verified (`boolean_verdict`)."""
    from waterfall.providers.registry import PROVIDERS  # lazy: adapters import httpx

    return frozenset(n for n in names if n in PROVIDERS and getattr(PROVIDERS[n].cls, "boolean_verdict", False))


def write_diff(diff: str, out: Path) -> Path:
    out.write_text(diff, encoding="utf-8")
    return out
