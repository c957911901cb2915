"""The skill taxonomy (技能分类) as data: a tree of codes, each with its parent.

Matching reads it to judge fit: a holder of a skill fits a need for it or for any skill
above it (a plumber fits "repair"); a holder of a broader skill fits a narrower need less
well (a general repairer for "plumbing"); a sibling less still (an electrician for
"plumbing"). The table is `services/common/contracts/skills.py` (contracts validate by it).
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache

from services.common.contracts.skills import SKILLS

# Fit tiers (the share of the skill weight a candidate earns).
FIT_HOLDS = 1.0  # holds the needed skill or one below it
FIT_BROADER = 0.6  # holds a skill above the needed one (a generalist)
FIT_SIBLING = 0.3  # holds a skill under the same parent
FIT_NONE = 0.0


def known(code: str) -> bool:
    return code in SKILLS


@cache
def lineage(code: str) -> tuple[str, ...]:
    """The code and every skill above it, nearest first."""
    chain: list[str] = []
    at: str | None = code
    while at is not None and at in SKILLS and at not in chain:
        chain.append(at)
        at = SKILLS[at][0]
    return tuple(chain)


def parent(code: str) -> str | None:
    return SKILLS[code][0] if code in SKILLS else None


def fit(held: Iterable[str], need: str | None) -> float:
    """How well the skills `held` fit a need for `need` (None: any skill fits fully)."""
    if need is None:
        return FIT_HOLDS
    best = FIT_NONE
    above = set(lineage(need)[1:])
    for skill in held:
        if need in lineage(skill):
            return FIT_HOLDS
        if skill in above:
            best = max(best, FIT_BROADER)
        elif parent(need) is not None and parent(skill) == parent(need):
            best = max(best, FIT_SIBLING)
    return best


def rows() -> list[dict[str, str | None]]:
    """The taxonomy as a list (the gateway's picker)."""
    return [{"code": c, "parent": p, "label": label} for c, (p, label) in SKILLS.items()]
