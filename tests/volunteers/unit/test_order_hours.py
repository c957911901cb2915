"""An order's hours (domain/order_hours.py) and their share of the hours counter."""

from __future__ import annotations

from services.volunteers.domain import order_hours, tallies


def test_the_resolution_time_counts_when_plausible_else_the_default():
    at = 1_000_000.0
    assert order_hours.credited(at, at + 5400, 1.0, 8.0) == 1.5  # 90 minutes
    assert order_hours.credited(at, at + 4000, 1.0, 8.0) == 1.0  # 66.7 min → nearest quarter
    assert order_hours.credited(at, at + 30, 1.0, 8.0) == 0.25  # never zero
    assert order_hours.credited(at, at + 9 * 3600, 1.5, 8.0) == 1.5  # days open: not work
    assert order_hours.credited(at, None, 2.0, 8.0) == 2.0  # no result known
    assert order_hours.credited(at, at - 10, 2.0, 8.0) == 2.0  # a result before the accept
    assert order_hours.credited(None, at, 0.1, 8.0) == 0.25


def test_an_orders_logged_hours_count_in_minutes():
    assert tallies.order(None) == {"hour_minutes": 0}
    assert tallies.scoped("c1", tallies.order(1.25)) == {"*": {"hour_minutes": 75},
                                                          "c:c1": {"hour_minutes": 75}}
