"""Orders volunteers serve: the skill of an open order, and the accepted volunteer taking it."""

from __future__ import annotations

import pytest

from services.common.contracts.dispatch import (
    OrderClaimed,
    OrderSkillSet,
    OrderState,
    TimelineKind,
)
from services.common.contracts.workflow import Route
from services.common.errors import Conflict
from services.dispatch.domain import volunteering
from tests.dispatch.unit.orders import ADMIN, HOUR, NOW, held, order, who

SYSTEM = who("system", "system")


def test_the_skill_of_an_open_order_is_set_once_with_its_event_and_line():
    out = volunteering.set_skill(order(pool=True), ADMIN, NOW, "plumbing")
    assert out is not None and out.order.skill == "plumbing"
    (event,) = out.events
    assert isinstance(event, OrderSkillSet)
    assert (event.skill, event.route, event.district_id, event.grid_id) == (
        "plumbing", Route.party_volunteer, "d", "g3")
    assert [(h.kind, h.skill) for h in out.history] == [(TimelineKind.skill_set, "plumbing")]
    assert volunteering.set_skill(out.order, ADMIN, NOW, "plumbing") is None  # the same again
    cleared = volunteering.set_skill(out.order, ADMIN, NOW, None)
    assert cleared is not None and cleared.order.skill is None


def test_a_held_order_keeps_its_skill():
    with pytest.raises(Conflict):
        volunteering.set_skill(held(), ADMIN, NOW, "plumbing")


def test_the_accepted_volunteer_is_assigned_an_open_order_once():
    out = volunteering.assign_matched(order(pool=True), "u-v", SYSTEM, NOW)
    assert out is not None
    assert (out.order.state, out.order.claimed_by, out.order.claimed_at) == (
        OrderState.claimed, "u-v", NOW)
    assert out.order.members == ("u-v",) and out.order.response_due_at == NOW + 2 * HOUR
    assert [type(e) for e in out.events] == [OrderClaimed]
    assert out.events[0].responder_id == "u-v"
    assert [(h.kind, h.responder) for h in out.history] == [(TimelineKind.assigned, "u-v")]
    # A redelivery finds them holding it; a member who claimed it first keeps it.
    assert volunteering.assign_matched(out.order, "u-v", SYSTEM, NOW) is None
    assert volunteering.assign_matched(held("u-member"), "u-v", SYSTEM, NOW) is None


def test_an_assignment_after_the_response_deadline_gets_a_fresh_window():
    late = NOW + 3 * HOUR
    out = volunteering.assign_matched(order(pool=True), "u-v", SYSTEM, late)
    assert out is not None and out.order.response_due_at == late + 2 * HOUR
