"""Rankings with a minimum sample, ties explained, movement; early warning on a generated
cluster against a trailing baseline, quiet on flat noise."""

from __future__ import annotations

import random

from services.evaluation.league import Entry, rank, top_topics, warnings


def test_a_unit_under_the_minimum_sample_is_listed_unranked():
    ranked = rank([Entry("quick-fix", 1.0, 1), Entry("busy", 0.95, 200),
                   Entry("steady", 0.9, 40), Entry("idle", None, 0)], min_sample=20)
    assert [(r.unit, r.rank) for r in ranked] == [
        ("busy", 1), ("steady", 2), ("idle", None), ("quick-fix", None)]
    quick = next(r for r in ranked if r.unit == "quick-fix")
    assert "n=1 under the minimum of 20" in quick.note
    assert "nothing due" in next(r for r in ranked if r.unit == "idle").note


def test_ties_share_a_rank_and_say_with_whom_and_movement_is_against_the_last_period():
    ranked = rank([Entry("a", 0.9, 30), Entry("b", 0.95, 30), Entry("c", 0.9, 50),
                   Entry("d", 0.8, 25)], min_sample=20, previous={"a": 1, "b": 3, "d": 4})
    got = {r.unit: (r.rank, r.movement) for r in ranked}
    assert got == {"b": (1, 2), "a": (2, -1), "c": (2, None), "d": (4, 0)}
    a = next(r for r in ranked if r.unit == "a")
    assert "tied at 90.00% with c" in a.note and "share rank 2" in a.note


def _weeks(rng: random.Random, cells: list[tuple[str, str]], level: int, weeks: int):
    return {cell: [max(0, level + rng.randint(-1, 1)) for _ in range(weeks)] for cell in cells}


def test_a_generated_cluster_fires_and_flat_noise_stays_quiet():
    rng = random.Random(4)
    cells = [(f"g{g}", c) for g in range(6) for c in ("noise", "parking", "lights", "water")]
    history = _weeks(rng, cells, level=2, weeks=4)
    recent = {cell: max(0, 2 + rng.randint(-1, 1)) for cell in cells}  # flat noise
    assert warnings(recent, history) == []
    recent[("g3", "parking")] = 9  # a rising cluster: 9 against a baseline of ~2
    fired = warnings(recent, history)
    assert [(w.grid, w.category, w.recent) for w in fired] == [("g3", "parking", 9)]
    assert fired[0].ratio is not None and fired[0].ratio >= 3


def test_a_quiet_grid_needs_the_minimum_count_and_a_busy_one_three_times_its_baseline():
    assert warnings({("g1", "noise"): 4}, {}) == []  # 4 < min 5, baseline 0
    assert len(warnings({("g1", "noise"): 5}, {})) == 1
    busy = {("g2", "noise"): [10, 12, 11, 9]}
    assert warnings({("g2", "noise"): 25}, busy) == []  # 25 < 3 × 10.5
    assert len(warnings({("g2", "noise"): 32}, busy)) == 1


def test_the_months_top_topics_are_the_most_reported_categories():
    assert top_topics({"parking": 9, "noise": 12, "lights": 9, "water": 0}, n=3) == [
        ("noise", 12), ("lights", 9), ("parking", 9)]
