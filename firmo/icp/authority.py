"""Authority: how much the contact of a lead decides, for the fit's authority criterion and BANT.

A lead's contact has a basis (`contact_basis` of the lead row):
- `persona`: a person holding a persona the ICP targets (`{function: finance, seniority: head}`),
  found by the waterfall's people search;
- `officer`: the legal officer filed at the RNE holding a target role, a natural person;
- `holding`: a natural person found behind a company officer (its representative or the
  holding's own officer);
- `company`: a company as officer (no first name: no email can be looked up).
Points = the basis weight (`scoring.authority_weights`, default persona 100, officer 80, holding
60, company 20) x the priority factor (100, 80, 60, then 40 from the 4th priority on: the RNE
role's priority for officers, the persona's for personas) / 100. Weights are relative: they are
scaled so the best basis the ICP can reach gets 100 (an ICP without personas cannot reach
`persona`, so its Président stays at 100 as before personas existed).

Where each grade is made, and why: the lead list (firmo/sql/icp/scored.sql) grades the officer,
holding and company bases, per distinct set of role holders, so a preview stays one scan; the
persona is only known after the waterfall ran, so the enriched list re-grades the leads whose
persona was found (`regrade`, called by waterfall.enrich), from the two columns the lead list
carries for it: `authority_fit` (the points used) and `authority_share` (the authority weight's
share of that row's fit). The lead list keeps its rank; the enriched list's scores and tier say
what the persona changed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from firmo.icp.validate import ResolvedIcp
from firmo.personas import Persona

BASES = ("persona", "officer", "holding", "company")


def priority_factor(priority: int) -> int:
    """100 for the first priority, 80, 60, then 40 from the 4th on."""
    return max(40, 100 - 20 * (priority - 1))


def scaled_weights(weights: Mapping[str, float], has_personas: bool) -> dict[str, float]:
    """Basis -> points of a first-priority contact, the best reachable basis at 100."""
    reachable = [weights[b] for b in BASES if b != "persona" or has_personas]
    top = max(reachable, default=0.0)
    return {b: (100.0 * weights[b] / top if top else 0.0) for b in BASES}


def icp_weights(icp: ResolvedIcp) -> dict[str, float]:
    return scaled_weights(icp.config.scoring.authority_weights.model_dump(), bool(icp.personas))


def query_params(icp: ResolvedIcp) -> dict[str, float]:
    """The scaled weights firmo/sql/icp/scored.sql binds."""
    w = icp_weights(icp)
    return {"auth_officer": w["officer"], "auth_holding": w["holding"], "auth_company": w["company"]}


@dataclass(frozen=True)
class AuthorityPlan:
    """What the waterfall needs from an ICP to search its personas and re-grade a lead: the
    personas in priority order, the scaled persona weight, the fit share and the tiers."""

    icp: str
    personas: tuple[Persona, ...]
    persona_weight: float = 100.0
    fit_share: float = 0.6
    hot: int = 70
    warm: int = 45

    @classmethod
    def of(cls, icp: ResolvedIcp) -> AuthorityPlan:
        s = icp.config.scoring
        return cls(icp.name, tuple(icp.personas), icp_weights(icp)["persona"], s.fit_share, s.tiers.hot, s.tiers.warm)

    def persona_points(self, priority: int) -> float:
        return self.persona_weight * priority_factor(priority) / 100


def regrade(lead: Mapping[str, Any], plan: AuthorityPlan, priority: int, title: str | None) -> dict[str, Any]:
    """The columns of a lead whose contact became the persona of `priority` (1 = first):
    contact_basis, authority_fit, fit_score, score, tier and bant_authority. A lead whose
    authority was not graded (`authority_share` NULL: no decision makers listed) keeps its scores."""
    persona = plan.personas[priority - 1]
    points = plan.persona_points(priority)
    out: dict[str, Any] = {
        "contact_basis": "persona",
        "bant_authority": f"{title or persona.label} (persona #{priority}: {persona.label})",
    }
    share, before = lead.get("authority_share"), lead.get("authority_fit")
    if share is None or before is None or lead.get("fit_score") is None:
        return out
    fit = int(max(0, min(100, round(lead["fit_score"] + share * (points - before)))))
    score = int(round(plan.fit_share * fit + (1 - plan.fit_share) * (lead.get("intent_score") or 0)))
    tier = "hot" if score >= plan.hot else "warm" if score >= plan.warm else "cold"
    return {**out, "authority_fit": int(round(points)), "fit_score": fit, "score": score, "tier": tier}
