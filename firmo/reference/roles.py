"""RNE `roleEntreprise` codes: the facts list (role_codes.csv next to this module: the 84 codes of
the INPI dictionary + annuaire list, with their label and whether the role decides) and the pure
lookups on codes that the ICP checks, the signals and the RNE parser share.

It lives on the ground floor because firmo.icp and firmo.signals need it as much as the RNE
loader does; how a code is found in a payload of any vintage stays with the parser
(sources/inpi/roles.py).
"""

from __future__ import annotations

import csv
from functools import lru_cache
from pathlib import Path

ROLE_CODES_CSV = Path(__file__).with_name("role_codes.csv")
OTHER_ROLE = "99"


@lru_cache(maxsize=1)
def role_codes() -> dict[str, tuple[str, bool]]:
    """code -> (label, decision_maker) for the 84 codes of the INPI dictionary + annuaire list."""
    with ROLE_CODES_CSV.open(encoding="utf-8", newline="") as handle:
        return {
            row["role_code"]: (row["role_label"], row["decision_maker"] == "true") for row in csv.DictReader(handle)
        }


# Decision-maker codes from the one who runs the company day to day down: when a pouvoir holds
# several roles, the first of these it holds is its `role_code`. The Directeur général ranks above
# the Président du conseil d'administration: the law gives the DG the executive powers
# (art. L.225-56 Code de commerce), the PCA chairs the board (L.225-51).
DECISION_RANK = (
    "60", "73", "101", "30", "28", "29", "69", "52", "53", "51", "140", "205", "86", "90", "56", "76",
    "201", "70", "206", "105", "204", "214", "215",
)  # fmt: skip


def rank_codes(codes: list[str]) -> list[str]:
    """`codes` without repeats, the highest-ranked decision maker first: decision-maker codes in
    DECISION_RANK order, then the other codes in the order the registry gave them."""
    unique = list(dict.fromkeys(codes))
    known = role_codes()

    def key(item: tuple[int, str]) -> tuple[int, int, int]:
        position, code = item
        if code in DECISION_RANK:
            return (0, DECISION_RANK.index(code), position)
        if known.get(code, ("", False))[1]:  # a decision maker missing from the rank list
            return (1, 0, position)
        return (2, 0, position)

    return [code for _, code in sorted(enumerate(unique), key=key)]


def role_label(codes: list[str], payload_label: str | None = None, other: str | None = None) -> str | None:
    """Official label of each code, in the order given, joined by ", " (`other`, the free text
    of autreRoleEntreprise, stands for code 99); a single code missing from the list keeps the
    registry's own label."""
    known = role_codes()
    if len(codes) == 1 and codes[0] not in known:
        return payload_label
    labels = [(other if c == OTHER_ROLE and other else known[c][0]) if c in known else c for c in codes]
    return ", ".join(labels) or payload_label
