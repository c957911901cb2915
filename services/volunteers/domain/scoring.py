"""Matching scores (匹配): skill fit, nearness in the grid tree, availability, load, rating.

Each part is a weight times a share in [0, 1], kept apart in the answer so an admin sees
why a candidate ranks where it does. The weights sum to 1 (plus the certification bonus).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass

from services.volunteers.domain import availability, taxonomy

W_SKILL = 0.35
W_NEAR = 0.25
W_AVAIL = 0.20
W_LOAD = 0.10
W_RATING = 0.10
W_CERTIFIED = 0.05  # holds a verified certification of a fitting skill
LOAD_CAP = 5  # open matches at which the load share reaches 0
NEUTRAL_RATING = 3.0  # an unrated candidate counts as a 3 of 5
# The most the parts besides skill, nearness and availability can add: the index's bound.
DYNAMIC_MAX = W_LOAD + W_RATING + W_CERTIFIED

NEAR_SAME_GRID = 1.0
NEAR_COMMUNITY = 0.5
NEAR_STREET = 0.2


@dataclass(frozen=True)
class GridNode:
    grid_id: str
    community_id: str
    parent_id: str | None
    depth: int


@dataclass
class Candidate:
    """What matching knows of a profile (the in-memory index holds these)."""

    account_id: str
    community_id: str
    street_id: str | None
    grid_id: str | None
    skills: tuple[str, ...]
    certified: tuple[str, ...] = ()
    windows: tuple[Mapping, ...] = ()
    exceptions: tuple[Mapping, ...] = ()
    load: int = 0
    rating_sum: float = 0.0
    rating_count: int = 0


@dataclass(frozen=True)
class Need:
    community_id: str
    street_id: str | None = None
    skill: str | None = None
    grid_id: str | None = None
    at_ts: float | None = None


def grid_chain(grids: Mapping[str, GridNode], grid_id: str | None) -> list[GridNode]:
    """The grid and its ancestors, nearest first (a cycle or an unknown parent ends it)."""
    chain: list[GridNode] = []
    seen: set[str] = set()
    at = grids.get(grid_id) if grid_id else None
    while at is not None and at.grid_id not in seen and len(chain) < 16:
        chain.append(at)
        seen.add(at.grid_id)
        at = grids.get(at.parent_id) if at.parent_id else None
    return chain


def nearness(grids: Mapping[str, GridNode], need: Need, cand: Candidate,
             need_chain: list[GridNode] | None = None,
             theirs: Collection[str] | None = None) -> float:
    """1 same grid; 0.5 + 0.1 × the depth of the deepest shared grid below the community's
    root (0.7 at depth 2 … 0.9 at depth 4); 0.5 same community; 0.2 same street; else 0.

    `need_chain` (the need's grid chain) and `theirs` (the candidate's grid and those above
    it) may be passed precomputed: the index ranks many candidates for one need."""
    if cand.community_id != need.community_id:
        same_street = need.street_id is not None and cand.street_id == need.street_id
        return NEAR_STREET if same_street else 0.0
    if need.grid_id in grids and cand.grid_id == need.grid_id:
        return NEAR_SAME_GRID
    if theirs is None:
        theirs = {g.grid_id for g in grid_chain(grids, cand.grid_id)}
    if need_chain is None:
        need_chain = grid_chain(grids, need.grid_id)
    for node in need_chain:
        if node.grid_id in theirs and node.depth >= 2:
            return min(0.9, NEAR_COMMUNITY + 0.1 * node.depth)
    return NEAR_COMMUNITY


def rating_share(cand: Candidate) -> float:
    avg = cand.rating_sum / cand.rating_count if cand.rating_count else NEUTRAL_RATING
    return max(0.0, min(1.0, avg / 5.0))


def load_share(cand: Candidate) -> float:
    return max(0.0, 1.0 - cand.load / LOAD_CAP)


def parts(grids: Mapping[str, GridNode], need: Need, cand: Candidate,
          need_chain: list[GridNode] | None = None,
          theirs: Collection[str] | None = None) -> dict[str, float]:
    """Each weighted part of the candidate's score for the need (sum them for the score)."""
    fit = taxonomy.fit(cand.skills, need.skill)
    avail = 1.0 if need.at_ts is None else float(
        availability.available_at(cand.windows, cand.exceptions, need.at_ts))
    certified = need.skill is not None and taxonomy.fit(cand.certified, need.skill) > 0
    return {"skill": round(W_SKILL * fit, 6),
            "near": round(W_NEAR * nearness(grids, need, cand, need_chain, theirs), 6),
            "availability": round(W_AVAIL * avail, 6),
            "load": round(W_LOAD * load_share(cand), 6),
            "rating": round(W_RATING * rating_share(cand), 6),
            "certified": W_CERTIFIED if certified else 0.0}


def score(grids: Mapping[str, GridNode], need: Need, cand: Candidate,
          need_chain: list[GridNode] | None = None,
          theirs: Collection[str] | None = None) -> tuple[float, dict]:
    got = parts(grids, need, cand, need_chain, theirs)
    return round(sum(got.values()), 6), got


def eligible(grids: Mapping[str, GridNode], need: Need, cand: Candidate) -> bool:
    """A candidate at all: some skill fit and in the need's community or street."""
    return taxonomy.fit(cand.skills, need.skill) > 0 and nearness(grids, need, cand) > 0
