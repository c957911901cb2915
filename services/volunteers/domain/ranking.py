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

from services.volunteers.domain import availability, scoring, taxonomy
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
    by_hour: dict[int, set[str]] = field(default_factory=lambda: defaultdict(set))
    extra: set[str] = field(default_factory=set)  # available beyond their weekly pattern


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
        self._hour_keys: dict[str, list[int]] = {}  # account → hours of the week indexed under
        self._static: dict[str, float] = {}  # account → its load and rating parts
        self._chains: dict[str, tuple[str, ...]] = {}  # grid → it and the grids above it

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
        keys = self._chain_of(cand.grid_id)
        for grid_id in keys:
            bucket.by_grid[grid_id].add(cand.account_id)
        self._grid_keys[cand.account_id] = keys
        hours = _hours(availability.hour_mask(cand.windows))
        for hour in hours:
            bucket.by_hour[hour].add(cand.account_id)
        self._hour_keys[cand.account_id] = hours
        self._static[cand.account_id] = (scoring.W_LOAD * scoring.load_share(cand)
                                          + scoring.W_RATING * scoring.rating_share(cand))
        if any(e.get("available") for e in cand.exceptions):
            bucket.extra.add(cand.account_id)

    def _chain_of(self, grid_id: str | None) -> tuple[str, ...]:
        """A grid and those above it (cached per grid: most of a district shares a few
        hundred grids; a grid change clears the cache)."""
        if grid_id is None:
            return ()
        keys = self._chains.get(grid_id)
        if keys is None:
            keys = tuple(g.grid_id for g in scoring.grid_chain(self.grids, grid_id))
            self._chains[grid_id] = keys
        return keys

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
        for hour in self._hour_keys.pop(account_id, ()):
            bucket.by_hour[hour].discard(account_id)
        bucket.extra.discard(account_id)
        self._static.pop(account_id, None)

    def put_grid(self, node: GridNode) -> None:
        """A grid changed: its community's candidates are re-indexed under the new tree."""
        self.grids[node.grid_id] = node
        self._chains.clear()
        self._reindex(node.community_id)

    def remove_grid(self, grid_id: str, community_id: str) -> None:
        if self.grids.pop(grid_id, None) is not None:
            self._chains.clear()
            self._reindex(community_id)

    def _reindex(self, community_id: str) -> None:
        for account_id in list(self.buckets[community_id].members):
            self.put(self.candidates[account_id])

    # --- ranking ----------------------------------------------------------------------

    @staticmethod
    def _fit_levels(skill: str | None) -> list[float]:
        if skill is None:
            return [taxonomy.FIT_HOLDS]
        levels = [taxonomy.FIT_HOLDS]
        if len(taxonomy.lineage(skill)) > 1:
            levels += [taxonomy.FIT_BROADER, taxonomy.FIT_SIBLING]
        return levels

    @staticmethod
    def _fit_set(bucket: Bucket, skill: str | None, level: float) -> set[str]:
        """The bucket's holders of a skill fitting the need at `level` (or above it)."""
        if skill is None:
            return bucket.members
        if level == taxonomy.FIT_HOLDS:
            return bucket.by_skill.get(skill, set())
        if level == taxonomy.FIT_BROADER:
            return set().union(*(bucket.by_exact.get(a, set())
                                 for a in taxonomy.lineage(skill)[1:]))
        up = taxonomy.parent(skill)
        return set().union(*(bucket.by_skill.get(s, set()) for s in CHILDREN[up]
                             if s != skill))

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
        """The k best candidates for the need, best first (ties by account id).

        Tiers are (skill fit, nearness, available at the hour or not): a member's score is
        at most the tier's bound (the dynamic parts at their maximum), so once k scores
        beat the next bound, nobody further can enter the top k."""
        hour = None if need.at_ts is None else availability.hour_of_week(need.at_ts)
        combos = []
        for near, community_id, near_set in self._near_tiers(need):
            for fit in self._fit_levels(need.skill):
                base = scoring.W_SKILL * fit + scoring.W_NEAR * near + scoring.DYNAMIC_MAX
                combos.append((base + scoring.W_AVAIL, community_id, fit, near_set, True))
                if hour is not None:
                    combos.append((base, community_id, fit, near_set, False))
        combos.sort(key=lambda c: -c[0])
        fit_sets: dict[tuple[str, float], set[str]] = {}  # built when first visited
        free_sets: dict[str, set[str]] = {}
        quick = _Quick(self, need)
        seen = set(exclude)
        best: list[float] = []  # a min-heap of the k best (quick) scores so far
        scored: list[tuple[float, str]] = []
        for bound, community_id, fit, near_set, available in combos:
            if len(best) >= k and best[0] > bound + 1e-6:
                break
            bucket = self.buckets[community_id]
            if (community_id, fit) not in fit_sets:
                fit_sets[community_id, fit] = self._fit_set(bucket, need.skill, fit)
            fit_set = fit_sets[community_id, fit]
            members = fit_set if near_set is None else _meet(fit_set, near_set)
            if hour is not None:
                if community_id not in free_sets:
                    free_sets[community_id] = bucket.by_hour.get(hour, set()) | bucket.extra
                free = free_sets[community_id]
                members = _meet(members, free) if available else members - free
            # Best static share (load, rating) first: once even that cannot reach the k-th
            # score, no one later in the tier can.
            floor = bound - scoring.DYNAMIC_MAX + scoring.W_CERTIFIED
            for account_id in sorted(members - seen, key=self._static.__getitem__,
                                     reverse=True):
                if len(best) >= k and floor + self._static[account_id] < best[0] - 1e-6:
                    break
                seen.add(account_id)
                # Eligible by construction: a fit tier (fit > 0) met a near tier (> 0).
                total = quick.score(account_id, fit)
                scored.append((total, account_id))
                if len(best) < k:
                    heapq.heappush(best, total)
                elif total > best[0]:
                    heapq.heapreplace(best, total)
        # The quick score equals the parts' sum up to their rounding: everyone near the
        # k-th is scored exactly, part by part, and the exact order decides.
        cut = best[0] - 1e-5 if len(best) >= k else float("-inf")
        need_chain = quick.need_chain
        exact = [Ranked(a, *scoring.score(self.grids, need, self.candidates[a], need_chain,
                                          self._grid_keys.get(a, ())))
                 for total, a in scored if total >= cut]
        exact.sort(key=lambda r: (-r.score, r.account_id))
        return exact[:k]


class _Quick:
    """`scoring.score`'s total without building its parts, for one need: the clock, the
    need's grid chain and each candidate's static share (load, rating) computed once."""

    def __init__(self, index: MatchIndex, need: Need) -> None:
        self.index, self.need = index, need
        self.need_chain = scoring.grid_chain(index.grids, need.grid_id)
        self.same_grid = need.grid_id if need.grid_id in index.grids else None
        self.at = None if need.at_ts is None else availability.local_week_minute(need.at_ts)

    def score(self, account_id: str, fit: float) -> float:
        """`fit`: the tier's, which is the candidate's own (the first tier that holds a
        candidate has its best fit: tiers are visited by bound, and bounds grow with fit)."""
        cand = self.index.candidates[account_id]
        need = self.need
        total = scoring.W_SKILL * fit
        if cand.community_id != need.community_id:
            near = scoring.NEAR_STREET
        elif self.same_grid is not None and cand.grid_id == self.same_grid:
            near = scoring.NEAR_SAME_GRID
        else:
            near = scoring.NEAR_COMMUNITY
            theirs = self.index._grid_keys.get(account_id, ())
            for node in self.need_chain:
                if node.grid_id in theirs and node.depth >= 2:
                    near = min(0.9, scoring.NEAR_COMMUNITY + 0.1 * node.depth)
                    break
        total += scoring.W_NEAR * near
        if self.at is None or availability.available_at(cand.windows, cand.exceptions,
                                                        need.at_ts, self.at):
            total += scoring.W_AVAIL
        total += self.index._static[account_id]
        if cand.certified and need.skill is not None and taxonomy.fit(cand.certified,
                                                                      need.skill) > 0:
            total += scoring.W_CERTIFIED
        return total


def _meet(a: set[str], b: set[str]) -> set[str]:
    """The intersection, walking the smaller set (what C does for `&` on the smaller side)."""
    return a & b if len(a) <= len(b) else b & a


def _hours(mask: int) -> list[int]:
    hours = []
    while mask:
        low = mask & -mask
        hours.append(low.bit_length() - 1)
        mask ^= low
    return hours


def brute_force(grids: dict[str, GridNode], cands: Iterable[Candidate], need: Need,
                k: int) -> list[Ranked]:
    """Every candidate scored: what `MatchIndex.top` must equal (tests, and a reference)."""
    ranked = [Ranked(c.account_id, *scoring.score(grids, need, c)) for c in cands
              if scoring.eligible(grids, need, c)]
    ranked.sort(key=lambda r: (-r.score, r.account_id))
    return ranked[:k]
