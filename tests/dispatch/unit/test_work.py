"""Claim (抢单), acknowledge (响应), hand back and escalate (上报) as pure rules."""

from __future__ import annotations

import pytest

from services.common.contracts.dispatch import (
    OrderAcknowledged,
    OrderClaimed,
    OrderEscalated,
    OrderReturnedToPool,
    OrderState,
    TimelineKind,
)
from services.common.contracts.workflow import Level
from services.common.errors import Conflict, Forbidden
from services.dispatch.domain import work
from services.dispatch.domain.order import Change
from tests.dispatch.unit.orders import ADMIN, GRID_WORKER, HOUR, NOW, VOLUNTEER, held, order, who

S = OrderState


def test_a_grid_worker_claims_an_open_order_at_their_grid_with_its_event_and_line():
    out = work.claim(order(), GRID_WORKER, NOW)
    assert (out.order.state, out.order.claimed_by, out.order.claimed_at) == (
        S.claimed, "u-gw", NOW)
    assert out.order.response_due_at == NOW + 2 * HOUR  # the window still runs
    assert [type(e) for e in out.events] == [OrderClaimed]
    assert out.events[0].responder_id == "u-gw" and out.events[0].order_id == "o-1"
    assert [(h.kind, h.by, h.level) for h in out.history] == [
        (TimelineKind.claimed, "u-gw", Level.grid)]
    assert out.released is None


def test_a_claim_after_the_response_deadline_gets_a_fresh_response_window():
    late = NOW + 3 * HOUR
    out = work.claim(order(), GRID_WORKER, late)
    assert out.order.response_due_at == late + 2 * HOUR


def test_a_taken_order_is_a_conflict_and_members_claim_from_the_pool_only():
    with pytest.raises(Conflict) as err:
        work.claim(held("u-other"), GRID_WORKER, NOW)
    assert err.value.message == "already claimed"
    with pytest.raises(Forbidden):
        work.claim(order(), VOLUNTEER, NOW)
    assert work.claim(order(pool=True), VOLUNTEER, NOW).order.claimed_by == "u-v"
    with pytest.raises(Forbidden):
        work.claim(order(), who("grid_worker", "u-w1", grid_id="g-other"), NOW)


def test_only_the_holder_acknowledges_and_only_a_claimed_order():
    out = work.acknowledge(held(), GRID_WORKER, NOW)
    assert out.order.state is S.in_progress
    assert [type(e) for e in out.events] == [OrderAcknowledged]
    with pytest.raises(Forbidden):
        work.acknowledge(held("u-other"), GRID_WORKER, NOW)
    with pytest.raises(Conflict):
        work.acknowledge(held(state=S.in_progress), GRID_WORKER, NOW)


def test_handing_back_opens_the_order_frees_the_slot_and_restarts_the_response_window():
    at = NOW + HOUR
    out = work.hand_back(held(state=S.in_progress), GRID_WORKER, at, "不在辖区")
    assert (out.order.state, out.order.claimed_by) == (S.open, None)
    assert out.order.response_due_at == at + 2 * HOUR
    assert out.released == "u-gw"
    assert out.events[0] == OrderReturnedToPool(order_id="o-1", community_id="c",
                                                level=Level.grid, responder_id="u-gw",
                                                reason="不在辖区")
    assert out.history[0].reason == "不在辖区"
    with pytest.raises(Forbidden):
        work.hand_back(held("u-other"), GRID_WORKER, at, "x")


def test_an_escalation_by_the_holder_climbs_one_grid_releases_the_claim_and_counts():
    out = work.escalate(held(), GRID_WORKER, NOW, "涉及两个网格")
    assert (out.order.level, out.order.grid_id, out.order.state) == (Level.grid, "g2", S.open)
    assert out.order.claimed_by is None and out.released == "u-gw"
    assert out.order.reached_grids == ("g3", "g2") and out.order.escalation_count == 1
    assert out.causes == ("explicit",)
    assert out.events[0] == OrderEscalated(order_id="o-1", community_id="c", level=Level.grid,
                                           from_level=Level.grid, reason="涉及两个网格")


def test_the_ladder_takes_an_order_from_the_last_grid_to_the_community_then_street():
    step = Change(order(grid_id="g2", reached_grids=("g3", "g2")), ADMIN, NOW)
    assert work.climb(step, "需要社区协调")
    assert (step.order.level, step.order.grid_id) == (Level.community, "root")
    assert work.climb(step, "社区解决不了")
    assert step.order.level is Level.street
    assert step.order.reached_levels == (Level.grid, Level.community, Level.street)
    assert not work.climb(step, "already above", to_level=Level.community)
    assert [h.kind for h in step.history] == [TimelineKind.escalated] * 2


def test_only_the_holder_the_owning_level_or_the_grids_worker_escalates_an_active_order():
    with pytest.raises(Forbidden):
        work.escalate(held("u-other"), VOLUNTEER, NOW, "x")
    assert work.escalate(order(), ADMIN, NOW, "x").order.grid_id == "g2"
    assert work.escalate(order(), GRID_WORKER, NOW, "x").released is None
    with pytest.raises(Conflict) as err:
        work.escalate(held(state=S.resolved), GRID_WORKER, NOW, "x")
    assert err.value.fields == {"state": "resolved"}
