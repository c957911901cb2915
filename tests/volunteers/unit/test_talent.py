"""The four looks (四看) by hand."""

from __future__ import annotations

import pytest

from services.volunteers.domain.talent import looks, total


def test_the_four_looks_of_a_busy_volunteer_by_hand():
    got = looks({"activities_attended": 3, "hours_total": 6.0, "offers_accepted": 2,
                 "offers_declined": 1, "wishes_claimed": 4, "wishes_fulfilled": 3,
                 "rating_count": 2, "rating_sum": 9.0})
    # participation 30 + 30 = 60; cooperation 45 + 40 = 85; execution (3 + 2) / (4 + 2 + 1)
    # = 71.43; recognition 20 × 4.5 × 2/3 = 60
    assert got == {"participation": 60.0, "cooperation": 85.0, "execution": 71.43,
                   "recognition": 60.0}
    assert total(got) == pytest.approx(69.11, abs=0.01)


def test_a_new_profile_scores_zero_and_looks_are_capped_at_100():
    assert set(looks({}).values()) == {0.0}
    assert looks({"activities_attended": 50, "hours_total": 500})["participation"] == 100.0
