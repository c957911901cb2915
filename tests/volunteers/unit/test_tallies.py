"""Each aggregate's share of the gauges' counters, from its state (hand-computed)."""

from __future__ import annotations

from services.common import counters
from services.volunteers.domain import tallies


def test_a_consenting_profile_counts_once_and_under_each_skill():
    assert tallies.profile(True, ["plumbing", "dance", "plumbing"]) == {
        "volunteers": 1, "skill:plumbing": 1, "skill:dance": 1}
    assert tallies.profile(False, ["plumbing"]) == {}


def test_a_profile_rewritten_moves_only_what_changed_in_both_scopes():
    before = tallies.scoped("c1", tallies.profile(True, ["calligraphy"]))
    after = tallies.scoped("c1", tallies.profile(True, ["calligraphy", "dance"]))
    assert counters.difference(before, after) == {"*": {"skill:dance": 1},
                                                  "c:c1": {"skill:dance": 1}}
    withdrawn = tallies.scoped("c1", tallies.profile(False, ["calligraphy", "dance"]))
    assert counters.difference(after, withdrawn)["*"] == {
        "volunteers": -1, "skill:calligraphy": -1, "skill:dance": -1}


def test_wishes_count_while_open_and_log_minutes_once_fulfilled():
    assert tallies.wish("open", 1.5) == {"open_wishes": 1}
    assert tallies.wish("claimed", 1.5) == {}
    assert tallies.wish("fulfilled", 1.5) == {"fulfilled_wishes": 1, "hour_minutes": 90}
    assert tallies.wish("cancelled", 1.5) == {}


def test_an_activity_counts_the_minutes_of_those_checked_out():
    seats = [{"hours": 2.0, "checked_out_ts": 10.0}, {"hours": 2.0, "checked_out_ts": None},
             {"checked_in_ts": 5.0}, {"hours": 0.25, "checked_out_ts": 11.0}]
    assert tallies.activity(seats)["hour_minutes"] == 135


def test_an_activity_is_held_once_someone_checked_in():
    assert tallies.activity([{"checked_in_ts": None}])["activities_held"] == 0
    assert tallies.activity([{"checked_in_ts": None}, {"checked_in_ts": 5.0},
                             {"checked_in_ts": 6.0}])["activities_held"] == 1
