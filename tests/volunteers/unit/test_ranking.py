"""The index's top k equals scoring every candidate, on random districts."""

from __future__ import annotations

import random

import pytest

from services.volunteers.domain import taxonomy
from services.volunteers.domain.ranking import MatchIndex, brute_force
from services.volunteers.domain.scoring import Candidate, GridNode, Need

SKILLS = list(taxonomy.SKILLS)


def district(rng: random.Random, people: int) -> tuple[dict[str, GridNode], list[Candidate]]:
    grids: dict[str, GridNode] = {}
    for c in range(4):
        root = f"c{c}-R"
        grids[root] = GridNode(root, f"c{c}", None, 1)
        for w in range(3):
            mid = f"c{c}-{w}"
            grids[mid] = GridNode(mid, f"c{c}", root, 2)
            for leaf in range(3):
                grids[f"{mid}-{leaf}"] = GridNode(f"{mid}-{leaf}", f"c{c}", mid, 3)
    cands = []
    for i in range(people):
        c = rng.randrange(4)
        mine = [g for g in grids.values() if g.community_id == f"c{c}"]
        day = rng.randrange(7)
        start = rng.randrange(0, 20) * 60
        cands.append(Candidate(
            account_id=f"u{i:04d}", community_id=f"c{c}", street_id=f"s{c % 2}",
            grid_id=rng.choice([*[g.grid_id for g in mine], None]),
            skills=tuple(rng.sample(SKILLS, rng.randrange(0, 3))),
            certified=tuple(rng.sample(SKILLS, rng.randrange(0, 2))),
            windows=({"weekday": day, "start_minute": start, "end_minute": start + 180},),
            load=rng.randrange(0, 7), rating_sum=rng.randrange(0, 20) * 1.0,
            rating_count=rng.randrange(0, 4)))
    return grids, cands


@pytest.mark.parametrize("seed", range(6))
def test_top_k_equals_brute_force(seed):
    rng = random.Random(seed)
    grids, cands = district(rng, 400)
    index = MatchIndex()
    for g in grids.values():
        index.grids[g.grid_id] = g
    for c in cands:
        index.put(c)
    for _ in range(25):
        need = Need(community_id=f"c{rng.randrange(4)}",
                    street_id=rng.choice([None, "s0", "s1"]),
                    skill=rng.choice([None, *SKILLS]),
                    grid_id=rng.choice([None, *grids]),
                    at_ts=rng.choice([None, 1_796_608_800.0 + rng.randrange(0, 7 * 86400)]))
        k = rng.choice([1, 5, 10])
        want = brute_force(grids, cands, need, k)
        assert index.top(need, k) == want


def test_a_changed_profile_and_a_moved_grid_are_reindexed():
    index = MatchIndex()
    for g in (GridNode("R", "c", None, 1), GridNode("A", "c", "R", 2),
              GridNode("B", "c", "R", 2)):
        index.put_grid(g)
    index.put(Candidate("u1", "c", None, "A", ("plumbing",)))
    index.put(Candidate("u2", "c", None, "B", ("plumbing",)))
    need = Need(community_id="c", skill="plumbing", grid_id="A")
    assert [r.account_id for r in index.top(need, 2)] == ["u1", "u2"]
    index.put(Candidate("u2", "c", None, "A", ("plumbing",)))  # moved into A
    assert [r.parts["near"] for r in index.top(need, 2)] == [0.25, 0.25]
    index.put(Candidate("u1", "c", None, "A", ("tutoring",)))  # no longer a plumber
    assert [r.account_id for r in index.top(need, 2)] == ["u2"]
    index.remove("u2")
    assert index.top(need, 2) == []
