"""Results (submit, confirm, return, reopen) and 吹哨报到 (whistle, report in) as pure rules."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from services.common.contracts.dispatch import (
    OrderConfirmed,
    OrderReopened,
    OrderResolved,
    OrderReturned,
    OrderState,
    OrderWhistled,
    ReportInRecorded,
    ReportInState,
    WhistleIn,
)
from services.common.contracts.workflow import Level
from services.common.errors import Conflict, Forbidden, InvalidInput
from services.dispatch.domain import results, whistle
from tests.dispatch.unit.orders import ADMIN, GRID_WORKER, HOUR, NOW, POLICE, held, order, who

S = OrderState
MINUTE = timedelta(minutes=1)


def test_the_holder_submits_a_result_and_a_whistled_unit_may_resolve_an_open_order():
    out = results.submit(held(state=S.in_progress), GRID_WORKER, NOW, "已修复", ("p1.jpg",))
    assert (out.order.state, out.order.result, out.order.evidence) == (
        S.resolved, "已修复", ("p1.jpg",))
    assert isinstance(out.events[0], OrderResolved) and out.history[0].result == "已修复"
    assert results.submit(order(), POLICE, NOW, "已处理", ()).order.state is S.resolved


def test_someone_not_on_the_order_cannot_submit_and_a_resolved_order_takes_no_second_result():
    with pytest.raises(Forbidden):
        results.submit(held(), who("department", department_id="housing"), NOW, "x", ())
    with pytest.raises(Conflict):
        results.submit(held(state=S.resolved), GRID_WORKER, NOW, "x", ())


def test_the_owning_level_or_the_whistler_confirms_and_the_holders_slot_frees():
    resolved = held(state=S.resolved, result="已修复")
    out = results.confirm(resolved, ADMIN, NOW)
    assert out.order.state is S.confirmed and out.released == "u-gw"
    assert out.events[0] == OrderConfirmed(order_id="o-1", community_id="c", level=Level.grid,
                                           result="已修复")
    street = who("street_admin", "u-street")
    with pytest.raises(Forbidden):  # not the whistler, and the order is below the street...
        results.confirm(resolved, GRID_WORKER, NOW)
    whistled = whistle.whistle(held(), street, NOW, WhistleIn(departments=["police"]), 30,
                               "w1").order
    assert results.confirm(replace(whistled, state=S.resolved), street,
                           NOW).order.state is S.confirmed  # ...or the whistler


def test_a_returned_result_puts_the_order_back_in_progress_with_the_reason():
    out = results.return_result(held(state=S.resolved), ADMIN, NOW, "照片不清楚")
    assert out.order.state is S.in_progress and out.released is None
    assert out.events[0] == OrderReturned(order_id="o-1", community_id="c", level=Level.grid,
                                          reason="照片不清楚")
    with pytest.raises(Conflict):
        results.return_result(held(state=S.in_progress), ADMIN, NOW, "x")


def test_an_unsatisfied_rating_reopens_once_with_fresh_deadlines_and_frees_a_resolved_holder():
    later = NOW + 48 * HOUR
    out = results.reopen(held(state=S.resolved), ADMIN, later, "又坏了")
    assert (out.order.state, out.order.claimed_by, out.order.opened_at) == (S.open, None, later)
    assert out.order.response_due_at == later + 2 * HOUR
    assert out.order.resolution_due_at == later + 24 * HOUR
    assert out.released == "u-gw" and isinstance(out.events[0], OrderReopened)
    assert results.reopen(held(state=S.confirmed), ADMIN, later, "x").released is None
    assert results.reopen(out.order, ADMIN, later, "again") is None  # a redelivery: nothing


def test_a_whistle_summons_each_target_with_one_deadline_and_puts_them_on_the_order():
    spec = WhistleIn(departments=["urban"], members=["u-m"], note="消防通道")
    out = whistle.whistle(order(), ADMIN, NOW, spec, 30, "w1")
    due = NOW + 30 * MINUTE
    assert [(r.target, r.level, r.due_at, r.state) for r in out.order.report_ins] == [
        ("department:urban", Level.community, due, ReportInState.pending),
        ("member:u-m", Level.community, due, ReportInState.pending)]
    assert out.order.whistles[0].targets == ["department:urban", "member:u-m"]
    assert out.order.departments == ("police", "urban") and out.order.members == ("u-m",)
    assert out.order.whistle_count == 1
    assert isinstance(out.events[0], OrderWhistled) and out.events[0].report_in_due_at == due


def test_only_the_owning_levels_admin_whistles_someone_on_an_active_order():
    spec = WhistleIn(departments=["urban"])
    with pytest.raises(Forbidden):
        whistle.whistle(order(), GRID_WORKER, NOW, spec, 30, "w1")
    with pytest.raises(InvalidInput) as err:
        whistle.whistle(order(), ADMIN, NOW, WhistleIn(), 30, "w1")
    assert set(err.value.fields) == {"departments"}
    with pytest.raises(Forbidden):  # the street owns it now
        whistle.whistle(order(level=Level.street), ADMIN, NOW, spec, 30, "w1")
    with pytest.raises(Conflict):
        whistle.whistle(held(state=S.resolved), ADMIN, NOW, spec, 30, "w1")


def test_a_report_in_before_its_deadline_is_on_time_and_after_it_late():
    summoned = whistle.whistle(order(), ADMIN, NOW, WhistleIn(departments=["police"]), 30,
                               "w1").order
    on_time = whistle.report_in(summoned, POLICE, NOW + 10 * MINUTE)
    item = on_time.order.report_ins[0]
    assert (item.state, item.late, item.reported_at) == (
        ReportInState.reported, False, NOW + 10 * MINUTE)
    assert on_time.events[0] == ReportInRecorded(
        order_id="o-1", community_id="c", level=Level.grid, whistle_id="w1",
        target="department:police", late=False, latency_seconds=600.0)
    late = whistle.report_in(summoned, POLICE, NOW + 31 * MINUTE)
    assert late.order.report_ins[0].late is True and late.history[0].late is True


def test_a_report_in_with_nothing_owed_is_a_conflict():
    with pytest.raises(Conflict):
        whistle.report_in(order(), POLICE, NOW)
    summoned = whistle.whistle(order(), ADMIN, NOW, WhistleIn(departments=["police"]), 30,
                               "w1").order
    done = whistle.report_in(summoned, POLICE, NOW).order
    with pytest.raises(Conflict):
        whistle.report_in(done, POLICE, NOW)
