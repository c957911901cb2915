"""The matching index (匹配索引): what ranking needs, in memory, made for top-k.

Per community, sets of candidates by skill (each profile under every skill it holds and
every skill above), by exact skill, and by grid subtree (under its home grid and every
grid above). A need's candidates fall into tiers of (skill fit, nearness), each with an
upper bound of the score its members can reach; tiers are visited best bound first and
the walk stops once k candidates score above the next bound. Only the members of the
tiers visited are scored, exactly, by `scoring.score`, so the answer is the brute-force
answer (tests/volunteers/unit/test_ranking.py), at a cost set by the tiers, not the
district.

It is plain data: the service keeps one per process (`index.py`) and feeds it.
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from services.volunteers.domain import scoring, taxonomy
from services.volunteers.domain.scoring import Candidate, GridNode, Need

CHILDREN: dict[str, list[str]] = defaultdict(list)
for _code, (_parent, _label) in taxonomy.SKILLS.items():
    if _parent is not None:
        CHILDREN[_parent].append(_code)


@dataclass
class Bucket:
    """One community's candidates, indexed."""

    members: set[str] = field(default_factory=set)
    by_skill: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    by_exact: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    by_grid: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))


@dataclass(frozen=True)
class Ranked:
    account_id: str
    score: float
    parts: dict[str, float]


class MatchIndex:
    def __init__(self) -> None:
        self.grids: dict[str, GridNode] = {}
        self.candidates: dict[str, Candidate] = {}
        self.buckets: dict[str, Bucket] = defaultdict(Bucket)
        self.streets: dict[str, set[str]] = defaultdict(set)  # street → communities
        self._grid_keys: dict[str, tuple[str, ...]] = {}  # account → grids indexed under

    def __len__(self) -> int:
        return len(self.candidates)

    # --- keeping it current ---------------------------------------------------------

    def put(self, cand: Candidate) -> None:
        """Add or replace a candidate (a profile written, loaded or changed elsewhere)."""
        self.remove(cand.account_id)
        self.candidates[cand.account_id] = cand
        bucket = self.buckets[cand.community_id]
        bucket.members.add(cand.account_id)
        if cand.street_id:
            self.streets[cand.street_id].add(cand.community_id)
        for skill in cand.skills:
            bucket.by_exact[skill].add(cand.account_id)
            for code in taxonomy.lineage(skill):
                bucket.by_skill[code].add(cand.account_id)
        keys = tuple(g.grid_id for g in scoring.grid_chain(self.grids, cand.grid_id))
        for grid_id in keys:
            bucket.by_grid[grid_id].add(cand.account_id)
        self._grid_keys[cand.account_id] = keys

    def remove(self, account_id: str) -> None:
        old = self.candidates.pop(account_id, None)
        if old is None:
            return
        bucket = self.buckets[old.community_id]
        bucket.members.discard(account_id)
        for skill in old.skills:
            bucket.by_exact[skill].discard(account_id)
            for code in taxonomy.lineage(skill):
                bucket.by_skill[code].discard(account_id)
        for grid_id in self._grid_keys.pop(account_id, ()):
            bucket.by_grid[grid_id].discard(account_id)

    def put_grid(self, node: GridNode) -> None:
        """A grid changed: its community's candidates are re-indexed under the new tree."""
        self.grids[node.grid_id] = node
        self._reindex(node.community_id)

    def remove_grid(self, grid_id: str, community_id: str) -> None:
        if self.grids.pop(grid_id, None) is not None:
            self._reindex(community_id)

    def _reindex(self, community_id: str) -> None:
        for account_id in list(self.buckets[community_id].members):
            self.put(self.candidates[account_id])

    # --- ranking ----------------------------------------------------------------------

    def _fit_tiers(self, bucket: Bucket, skill: str | None) -> list[tuple[float, set[str]]]:
        if skill is None:
            return [(taxonomy.FIT_HOLDS, bucket.members)]
        tiers = [(taxonomy.FIT_HOLDS, bucket.by_skill.get(skill, set()))]
        broader = set().union(*(bucket.by_exact.get(a, set())
                                for a in taxonomy.lineage(skill)[1:]))
        tiers.append((taxonomy.FIT_BROADER, broader))
        up = taxonomy.parent(skill)
        if up is not None:
            siblings = set().union(*(bucket.by_skill.get(s, set())
                                     for s in CHILDREN[up] if s != skill))
            tiers.append((taxonomy.FIT_SIBLING, siblings))
        return [(f, s) for f, s in tiers if s]

    def _near_tiers(self, need: Need) -> list[tuple[float, str, set[str] | None]]:
        """(nearness, community, the set of that community it applies to or None for all)."""
        bucket = self.buckets.get(need.community_id)
        tiers: list[tuple[float, str, set[str] | None]] = []
        if bucket is not None:
            chain = scoring.grid_chain(self.grids, need.grid_id)
            if need.grid_id and chain:
                tiers.append((scoring.NEAR_SAME_GRID, need.community_id,
                              bucket.by_grid.get(need.grid_id, set())))
            for node in chain[1:]:
                if node.depth >= 2:
                    tiers.append((min(0.9, scoring.NEAR_COMMUNITY + 0.1 * node.depth),
                                  need.community_id, bucket.by_grid.get(node.grid_id, set())))
            tiers.append((scoring.NEAR_COMMUNITY, need.community_id, None))
        if need.street_id:
            for community_id in sorted(self.streets.get(need.street_id, ())):
                if community_id != need.community_id:
                    tiers.append((scoring.NEAR_STREET, community_id, None))
        return tiers

    def top(self, need: Need, k: int, exclude: Iterable[str] = ()) -> list[Ranked]:
        """The k best candidates for the need, best first (ties by account id)."""
        combos = []
        for near, community_id, near_set in self._near_tiers(need):
            bucket = self.buckets[community_id]
            for fit, fit_set in self._fit_tiers(bucket, need.skill):
                bound = (scoring.W_SKILL * fit + scoring.W_NEAR * near + scoring.W_AVAIL
                         + scoring.DYNAMIC_MAX)
                combos.append((bound, fit_set, near_set))
        combos.sort(key=lambda c: -c[0])
        seen = set(exclude)
        best: list[float] = []  # a min-heap of the k best scores so far
        scored: list[Ranked] = []
        for bound, fit_set, near_set in combos:
            if len(best) >= k and best[0] > bound + 1e-9:
                break
            members = fit_set if near_set is None else (
                fit_set & near_set if len(fit_set) < len(near_set) else near_set & fit_set)
            for account_id in members:
                if account_id in seen:
                    continue
                seen.add(account_id)
                cand = self.candidates[account_id]
                if not scoring.eligible(self.grids, need, cand):
                    continue
                total, got = scoring.score(self.grids, need, cand)
                scored.append(Ranked(account_id, total, got))
                if len(best) < k:
                    heapq.heappush(best, total)
                elif total > best[0]:
                    heapq.heapreplace(best, total)
        scored.sort(key=lambda r: (-r.score, r.account_id))
        return scored[:k]


def brute_force(grids: dict[str, GridNode], cands: Iterable[Candidate], need: Need,
                k: int) -> list[Ranked]:
    """Every candidate scored: what `MatchIndex.top` must equal (tests, and a reference)."""
    ranked = [Ranked(c.account_id, *scoring.score(grids, need, c)) for c in cands
              if scoring.eligible(grids, need, c)]
    ranked.sort(key=lambda r: (-r.score, r.account_id))
    return ranked[:k]
