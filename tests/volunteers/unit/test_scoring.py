"""The scoring rules with hand-computed expectations (weights: skill .35, near .25,
availability .20, load .10, rating .10, certified +.05)."""

from __future__ import annotations

import pytest

from services.volunteers.domain import availability, taxonomy
from services.volunteers.domain.scoring import Candidate, GridNode, Need, nearness, score

# Community c1: root R (depth 1) → W (2) → W1 (3) → C1 compound (4); W2 (3) under W;
# E (2) under R.
GRIDS = {g.grid_id: g for g in [
    GridNode("R", "c1", None, 1), GridNode("W", "c1", "R", 2), GridNode("E", "c1", "R", 2),
    GridNode("W1", "c1", "W", 3), GridNode("W2", "c1", "W", 3),
    GridNode("C1", "c1", "W1", 4)]}
# 2026-12-07 is a Monday; 10:00 local (UTC+8) is 02:00 UTC.
MONDAY_10 = 1_796_608_800.0
MORNINGS = ({"weekday": 0, "start_minute": 9 * 60, "end_minute": 12 * 60},)


def cand(**kw) -> Candidate:
    base = {"account_id": "a", "community_id": "c1", "street_id": "s1", "grid_id": "W1",
            "skills": ("plumbing",)}
    return Candidate(**(base | kw))


def test_the_monday_fixture_is_a_monday_at_ten_local():
    assert availability.local_week_minute(MONDAY_10) == (0, 600)


@pytest.mark.parametrize(("held", "need", "fit"), [
    (["plumbing"], "plumbing", 1.0),
    (["plumbing"], "repair", 1.0),  # a plumber fits "repair"
    (["repair"], "plumbing", 0.6),  # a general repairer, for a plumbing need
    (["electrical"], "plumbing", 0.3),  # a sibling
    (["tutoring"], "plumbing", 0.0),
    (["tutoring", "electrical", "plumbing"], "plumbing", 1.0),
    ([], None, 1.0),
])
def test_taxonomy_fit(held, need, fit):
    assert taxonomy.fit(held, need) == fit


@pytest.mark.parametrize(("theirs", "community", "street", "near"), [
    ("W1", "c1", "s1", 1.0),  # same grid
    ("C1", "c1", "s1", 0.8),  # below the need's grid W1 (depth 3): 0.5 + 0.3
    ("W2", "c1", "s1", 0.7),  # shares W (depth 2)
    ("E", "c1", "s1", 0.5),  # shares only the root: same community
    (None, "c1", "s1", 0.5),  # no home grid, same community
    ("X", "c2", "s1", 0.2),  # same street, other community
    ("X", "c3", "s9", 0.0),  # elsewhere
])
def test_grid_distance(theirs, community, street, near):
    need = Need(community_id="c1", street_id="s1", grid_id="W1")
    got = nearness(GRIDS, need, cand(grid_id=theirs, community_id=community, street_id=street))
    assert got == pytest.approx(near)


def test_a_plumber_in_the_grid_available_unloaded_unrated_scores_by_hand():
    need = Need(community_id="c1", skill="repair", grid_id="W1", at_ts=MONDAY_10)
    total, parts = score(GRIDS, need, cand(windows=MORNINGS))
    # .35×1 + .25×1 + .20×1 + .10×(1 − 0/5) + .10×(3/5) + 0 = 0.96
    assert parts == {"skill": 0.35, "near": 0.25, "availability": 0.2, "load": 0.1,
                     "rating": 0.06, "certified": 0.0}
    assert total == pytest.approx(0.96)


def test_load_rating_certification_and_absence_by_hand():
    need = Need(community_id="c1", skill="plumbing", grid_id="W1", at_ts=MONDAY_10)
    away = ({"start_ts": MONDAY_10 - 3600, "end_ts": MONDAY_10 + 3600, "available": False},)
    c = cand(skills=("repair",), grid_id="W2", windows=MORNINGS, exceptions=away, load=2,
             rating_sum=9.0, rating_count=2, certified=("repair",))
    total, parts = score(GRIDS, need, c)
    # skill .35×.6 = .21; near .25×.7 = .175; away: 0; load .1×(1 − 2/5) = .06;
    # rating .1×(4.5/5) = .09; certified (repair fits plumbing) .05 → 0.585
    assert parts == pytest.approx({"skill": 0.21, "near": 0.175, "availability": 0.0,
                                   "load": 0.06, "rating": 0.09, "certified": 0.05})
    assert total == pytest.approx(0.585)


def test_load_past_the_cap_counts_nothing_and_outside_the_pattern_is_unavailable():
    need = Need(community_id="c1", at_ts=MONDAY_10 + 4 * 3600)  # 14:00
    _, parts = score(GRIDS, need, cand(windows=MORNINGS, load=9))
    assert parts["load"] == 0.0 and parts["availability"] == 0.0


def test_an_extra_window_exception_makes_someone_available():
    extra = ({"start_ts": MONDAY_10 + 3 * 3600, "end_ts": MONDAY_10 + 6 * 3600,
              "available": True},)
    assert availability.available_at(MORNINGS, extra, MONDAY_10 + 4 * 3600)
    assert not availability.available_at(MORNINGS, (), MONDAY_10 + 4 * 3600)


def test_the_hour_mask_marks_each_hour_a_window_touches():
    mask = availability.hour_mask([{"weekday": 1, "start_minute": 9 * 60 + 30,
                                    "end_minute": 11 * 60}])
    assert [b for b in range(168) if mask >> b & 1] == [24 + 9, 24 + 10]
