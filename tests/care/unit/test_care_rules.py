"""The pure rules of 一老一小: eligibility, a booking's steps, the rota's deadline firing
once per cycle, its roll-over and a late visit (no I/O: plain objects)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from services.care import domain
from services.common.contracts.care import CareDelivered, CareVisitEscalated, CareVisitMissed
from services.common.errors import Conflict, InvalidInput

DAY = 86400.0


def booking(**fields) -> SimpleNamespace:
    base = {"id": "bk-1", "service_id": "cs-1", "session_id": "ss-1", "community_id": "c-1",
            "account_id": "u-1", "state": "booked", "round": 1, "_created": False,
            "price_points": 0}
    return SimpleNamespace(**base | fields)


def elder(**fields) -> SimpleNamespace:
    base = {"id": "el-1", "community_id": "c-1", "grid_id": "g-1", "registered_by": "u-admin",
            "grid_worker_id": "u-gw", "volunteer_ids": ["u-v"], "every_days": 7,
            "grace_seconds": 3600.0, "cycle": 1, "visit_due_ts": 1000.0, "cycle_missed": False,
            "missed": 0, "visits": 0, "last_visit_ts": None, "last_visit_id": None,
            "last_visitor_id": None, "level": 0, "escalated_ts": None,
            "escalate_seconds": 7200.0, "street_id": "s-1", "district_id": "d-1"}
    return SimpleNamespace(**base | fields)


@pytest.mark.parametrize(("rules", "age", "alone", "field"), [
    ({"min_age": 60}, 59, True, "beneficiary.age"),
    ({"min_age": 3, "max_age": 12}, 13, False, "beneficiary.age"),
    ({"min_age": 3, "max_age": 12}, 2, False, "beneficiary.age"),
    ({"living_alone": True}, 80, False, "beneficiary.living_alone"),
])
def test_an_ineligible_beneficiary_is_refused_naming_the_field(rules, age, alone, field):
    with pytest.raises(InvalidInput) as refused:
        domain.eligible(rules, age, alone)
    assert list(refused.value.fields) == [field]


def test_the_band_edges_are_eligible():
    for age in (3, 12):
        domain.eligible({"min_age": 3, "max_age": 12}, age, False)
    domain.eligible({}, 0, False)


def test_a_new_booking_is_round_one_and_a_held_one_decides_nothing():
    made = domain.book(booking(_created=True), 5.0, {"ref": "self"})
    assert made.changes["round"] == 1 and made.events[0].round == 1
    assert domain.book(booking(), 6.0, {"ref": "self"}) is None
    assert domain.book(booking(state="confirmed"), 6.0, {}) is None


def test_a_cancelled_booking_made_again_is_its_next_round():
    again = domain.book(booking(state="cancelled", round=2), 9.0, {"ref": "self"})
    assert (again.changes["state"], again.changes["round"]) == ("booked", 3)


def test_a_delivered_booking_is_not_booked_nor_cancelled_again():
    with pytest.raises(Conflict):
        domain.book(booking(state="delivered"), 1.0, {})
    with pytest.raises(Conflict) as refused:
        domain.cancel(booking(state="delivered"), 1.0)
    assert refused.value.fields == {"state": "delivered"}


def test_a_second_cancel_decides_nothing():
    assert domain.cancel(booking(), 1.0).changes["state"] == "cancelled"
    assert domain.cancel(booking(state="cancelled"), 2.0) is None


def test_delivery_fires_once_with_the_service_hours_and_not_before_the_session():
    service = SimpleNamespace(id="cs-1", kind="meal_aid", provider_kind="volunteer",
                              provider_account_id="u-p", hours=1.5, price_points=10)
    # the price the booking was made at (and locked), not the service's price now
    done = domain.deliver(booking(price_points=8), service, 100.0, None, "ok", "u-p", 200.0)
    (event,) = done.events
    assert isinstance(event, CareDelivered)
    assert (event.hours, event.price_points, event.provider_account_id) == (1.5, 8, "u-p")
    assert domain.deliver(booking(state="delivered"), service, 100.0, None, "", "u-p",
                          300.0) is None
    with pytest.raises(Conflict) as early:
        domain.deliver(booking(), service, 500.0, None, "", "u-p", 200.0)
    assert early.value.fields == {"session_id": "in the future"}
    with pytest.raises(Conflict):
        domain.deliver(booking(state="cancelled"), service, 100.0, None, "", "u-p", 200.0)


def test_the_deadline_is_the_due_time_plus_the_grace():
    e = elder()
    domain.derive_elder(e)
    assert e.next_due_ts == 1000.0 + 3600.0
    e = elder(every_days=None)
    domain.derive_elder(e)
    assert e.next_due_ts is None


def test_a_missed_visit_fires_once_and_waits_for_the_next_cycle():
    assert domain.due(elder(), 1000.0 + 3599) is None  # within the grace
    fired = domain.due(elder(), 1000.0 + 3600)
    (event,) = fired.events
    assert isinstance(event, CareVisitMissed)
    assert (event.cycle, event.notify) == (1, ["u-gw", "u-v", "u-admin"])
    assert fired.changes == {"missed": 1, "cycle_missed": True, "level": 1,
                             "escalated_ts": 1000.0 + 3600}
    assert event.escalated_to == "community"
    missed = elder(cycle_missed=True, missed=1, level=1, escalated_ts=4600.0)
    assert domain.due(missed, 1000.0 + 3600 + 10) is None  # once: no second event
    domain.derive_elder(missed)
    assert missed.next_due_ts == 4600.0 + 7200  # the next rung comes before the next cycle
    assert missed.escalation_key is None  # the street's list: from the street up


def test_a_missed_visit_not_made_goes_up_the_ladder_once_per_rung_and_stops_at_the_top():
    missed = elder(cycle_missed=True, missed=1, level=1, escalated_ts=4600.0)
    assert domain.due(missed, 4600.0 + 7199) is None
    up = domain.due(missed, 4600.0 + 7200)
    (event,) = up.events
    assert isinstance(event, CareVisitEscalated)
    assert (event.escalated_to, event.missed_since_ts, event.street_id) == (
        "street", 1000.0 + 3600, "s-1")
    assert up.changes == {"level": 2, "escalated_ts": 4600.0 + 7200}
    street = elder(cycle_missed=True, missed=1, **up.changes)
    domain.derive_elder(street)
    assert street.escalation_key.startswith("s:d-1:s-1|")
    top = domain.due(street, 4600.0 + 7200 * 2)
    assert (top.changes["level"], top.events[0].escalated_to) == (3, "district")
    district = elder(cycle_missed=True, missed=1, **top.changes)
    domain.derive_elder(district)
    assert district.next_due_ts == 1000.0 + 7 * DAY + 3600  # only the next cycle is left
    assert domain.due(district, 4600.0 + 7200 * 5) is None


def test_the_next_cycle_missed_stays_at_the_level_reached_and_a_visit_clears_it():
    street = elder(cycle_missed=True, missed=1, level=2, escalated_ts=8000.0)
    later = domain.due(street, 1000.0 + 7 * DAY + 3600)
    assert later.changes["level"] == 2 and later.events[0].escalated_to == "street"
    decision, _ = domain.visited(street, "u-v", True, 9000.0)
    assert (decision.changes["level"], decision.changes["escalated_ts"]) == (0, None)
    calm = elder(**decision.changes)
    domain.derive_elder(calm)
    assert calm.escalation_key is None


def test_a_rota_from_before_the_ladder_climbs_a_rung_a_day():
    old = elder(cycle_missed=True, missed=1, level=1, escalated_ts=4600.0,
                escalate_seconds=None)
    assert domain.due(old, 4600.0 + DAY - 1) is None
    assert domain.due(old, 4600.0 + DAY).changes["level"] == 2


def test_the_next_cycle_missed_in_its_turn_fires_for_that_cycle():
    missed = elder(cycle_missed=True, missed=1, level=3, escalated_ts=5000.0)
    later = domain.due(missed, 1000.0 + 7 * DAY + 3600)
    assert later.changes["cycle"] == 2 and later.changes["visit_due_ts"] == 1000.0 + 7 * DAY
    assert later.changes["missed"] == 2 and later.events[0].cycle == 2


def test_a_visit_after_a_miss_is_late_and_restarts_the_rota_from_now():
    decision, late = domain.visited(elder(cycle_missed=True, missed=1), "u-v", True, 9000.0)
    assert late is True
    assert decision.changes["cycle"] == 2 and decision.changes["cycle_missed"] is False
    assert decision.changes["visit_due_ts"] == 9000.0 + 7 * DAY
    assert decision.events[0].late is True


def test_a_visit_just_recorded_by_the_same_visitor_is_the_same_visit():
    e = elder(last_visitor_id="u-v", last_visit_ts=100.0, last_visit_id="el-1:1:u-v")
    assert domain.same_visit(e, "u-v", 150.0)
    assert not domain.same_visit(e, "u-gw", 150.0)
    assert not domain.same_visit(e, "u-v", 100.0 + domain.SAME_VISIT_SECONDS)


def test_no_rota_no_visit_and_no_deadline():
    with pytest.raises(Conflict) as refused:
        domain.visited(elder(every_days=None), "u-v", True, 1.0)
    assert refused.value.fields == {"rota": "none"}
    assert domain.due(elder(every_days=None), 1e9) is None


def test_a_rota_far_in_the_past_is_refused():
    with pytest.raises(InvalidInput) as refused:
        domain.assign(elder(), "u-gw", [], 7, 0.0, 24, 10 * DAY)
    assert refused.value.fields == {"first_due_ts": "in the past"}
    fresh = domain.assign(elder(cycle=0), "u-gw", ["u-v"], 3, None, 12, 100.0)
    assert fresh.changes["visit_due_ts"] == 100.0 + 3 * DAY and fresh.changes["cycle"] == 1


def test_a_cancel_leaves_its_seat_to_free_and_a_rebook_meanwhile_asks_again():
    cancelled = domain.cancel(booking(), 1.0)
    assert cancelled.changes["release_pending"] is True
    with pytest.raises(Conflict) as busy:
        domain.adoptable(booking(state="cancelled", release_pending=True))
    assert busy.value.fields == {"session_id": "being cancelled"}
    assert domain.adoptable(booking(state="cancelled", release_pending=False))
    assert domain.adoptable(None) and domain.adoptable(booking())


def test_the_seat_freed_ends_the_cancel_once_and_a_rebook_clears_it():
    assert domain.released(booking(state="cancelled", release_pending=True)).changes == {
        "release_pending": False}
    assert domain.released(booking(state="cancelled", release_pending=False)) is None
    assert domain.released(booking(state="booked", release_pending=False)) is None
    again = domain.book(booking(state="cancelled", release_pending=True), 2.0, {})
    assert again.changes["release_pending"] is False


def test_a_daily_rota_still_climbs_to_the_district_a_rung_a_day():
    """Each day's cycle is missed in its turn; the rung's clock is not restarted by it."""
    e = elder(every_days=1, grace_seconds=3600.0, escalate_seconds=DAY)
    now, rungs = 1000.0, []
    for _ in range(24 * 5):  # five days, polled hourly
        now += 3600
        decision = domain.due(e, now)
        if decision is not None:
            rungs += [ev.escalated_to for ev in decision.events]
            for k, v in decision.changes.items():
                setattr(e, k, v)
    assert rungs[0] == "community" and "street" in rungs and "district" in rungs
    assert rungs.index("street") < rungs.index("district")
    first_miss = 1000.0 + 3600
    assert e.escalated_ts <= first_miss + 2 * DAY + 3600  # street after a day, district after two


def test_a_new_rota_starts_off_the_ladder_and_an_old_overdue_elder_is_at_the_community():
    decision = domain.assign(elder(level=3, escalated_ts=5.0, cycle_missed=True), "u-gw", [],
                             7, 2000.0, 1.0, 1000.0)
    assert (decision.changes["level"], decision.changes["escalated_ts"]) == (0, None)
    old = elder(cycle_missed=True, missed=1, level=None, escalated_ts=None)
    assert domain.level_of(old) == 1
    up = domain.due(old, 1000.0 + 3600 + 7200)  # its rung counted from when it was missed
    assert up.events[0].escalated_to == "street"


def test_an_elder_without_a_street_is_on_no_street_list():
    e = elder(cycle_missed=True, missed=1, level=2, escalated_ts=5000.0, street_id=None)
    domain.derive_elder(e)
    assert e.escalation_key is None


def test_a_refusal_of_a_served_round_cancels_nothing():
    assert domain.cancel(booking(state="delivered"), 2.0, reason="insufficient_points",
                         round_=1) is None
