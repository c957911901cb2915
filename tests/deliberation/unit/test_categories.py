"""A community's category set, pure: seeded with the seven colours, changed one key at a time."""

from __future__ import annotations

import pytest

from services.common.errors import InvalidInput
from services.deliberation.domain import topics as rules


def test_a_change_replaces_one_row_and_the_same_change_again_is_nothing():
    rows = rules.default_rows()
    out = rules.put_category(rows, "blue", "蓝色", "safety", ["police", "expert", "expert"],
                             False)
    assert out is not None and len(out) == 7
    blue = next(r for r in out if r["key"] == "blue")
    assert blue["parties"] == ["expert"]  # the "4" are always there, each party once
    assert rules.put_category(out, "blue", "蓝色", "safety", ["expert"], False) is None
    assert rules.parties_of(blue) == ["community_committee", "mediation_committee", "police",
                                      "residents_representative", "expert"]


def test_retired_and_unknown_categories_are_refused_and_events_fall_back():
    rows = rules.put_category(rules.default_rows(), "orange", "橙", "", [], True)
    with pytest.raises(InvalidInput) as bad:
        rules.category_of(rows, "orange")
    assert bad.value.fields == {"category": "retired"}
    with pytest.raises(InvalidInput):
        rules.category_of(rows, "pink")
    assert rules.from_events(rows, "orange")["key"] == "red"  # the first one still active
    none_left = [r | {"retired": True} for r in rows]
    assert rules.from_events(none_left, "orange")["key"] == "orange"


def test_a_set_has_a_bound():
    rows = rules.default_rows()
    for n in range(rules.MAX_CATEGORIES - len(rows)):
        rows = rules.put_category(rows, f"k{n}", "x", "", [], False)
    with pytest.raises(InvalidInput):
        rules.put_category(rows, "one_more", "x", "", [], False)


def test_opening_hours_give_the_open_half_hours_and_slots_fall_in_local_months():
    from services.deliberation.domain import halls

    assert halls.slots_a_day("9:00-17:00") == 16
    assert halls.slots_a_day("08:15 - 12:00") == 7  # 8:30 is the first whole half hour
    assert halls.slots_a_day("0:00-24:00") == 48
    assert halls.slots_a_day("周一至周五") is None and halls.slots_a_day("17:00-9:00") is None
    assert halls.open_slots("9:00-17:00", "2026-02") == 16 * 28
    # 2026-11-30 16:00 UTC is 2026-12-01 00:00 in Beijing: that slot is December's.
    n = int(1796054400 / 1800)
    assert halls.booked_by_period([f"h:{n - 1}", f"h:{n}"]) == {"2026-11": 1, "2026-12": 1}
    assert halls.rate(5, 448) == round(5 / 448, 4) and halls.rate(3, None) is None


def test_a_booking_is_outside_the_hours_when_it_starts_early_ends_late_or_runs_overnight():
    from services.deliberation.domain import halls

    midnight = 1_800_000_000 - (1_800_000_000 + 8 * 3600) % 86400  # a local midnight
    at = lambda h: midnight + h * 3600  # noqa: E731
    assert not halls.outside_hours("9:00-17:00", at(9), at(17))
    assert halls.outside_hours("9:00-17:00", at(8.5), at(9.5))
    assert halls.outside_hours("9:00-17:00", at(16.5), at(17.5))
    assert halls.outside_hours("9:00-17:00", at(23), at(25))
    assert halls.outside_hours("08:00-20:00", at(19.5), at(24 + 9))  # the next morning
    assert not halls.outside_hours("0:00-24:00", at(23), at(25))  # round the clock
    assert not halls.outside_hours("随时", at(3), at(4))  # free text: any time


def test_opening_days_in_front_of_the_hours_close_the_other_days():
    from services.deliberation.domain import halls

    assert halls.days("周一至周五 9:00-17:00") == frozenset(range(5))
    assert halls.days("Sat-Sun 9:00-12:00") == halls.days("周末 9:00-12:00") == {5, 6}
    assert halls.days("周五至周一 9:00-17:00") == {4, 5, 6, 0}  # a range may wrap
    assert halls.days("周三 14:00-16:00") == {2} and halls.days("9:00-17:00") == set(range(7))
    assert halls.hours("工作日 8:30-17:30") == (510, 1050)
    # 2026-12-07 is a Monday; December 2026 has 23 weekdays and 8 weekend days
    monday = 1_796_572_800  # 2026-12-07 00:00 in Beijing
    at = lambda day, h: monday + day * 86400 + h * 3600  # noqa: E731
    assert not halls.outside_hours("周一至周五 9:00-17:00", at(4, 9), at(4, 11))  # Friday
    assert halls.outside_hours("周一至周五 9:00-17:00", at(5, 9), at(5, 11))  # Saturday
    assert halls.outside_hours("周末 0:00-24:00", at(0, 9), at(0, 11))
    assert not halls.outside_hours("周末 0:00-24:00", at(6, 23), at(7, 1))
    assert halls.open_slots("周一至周五 9:00-17:00", "2026-12") == 16 * 23
    assert halls.open_slots("周末 9:00-12:00", "2026-12") == 6 * 8
