"""Breached deadlines as a pure rule: each breach once by its key, and what it does."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from services.common.contracts.dispatch import (
    OrderEscalated,
    OrderReturnedToPool,
    OrderState,
    ReportInMissed,
    ReportInState,
    TimelineKind,
    WhistleIn,
)
from services.common.contracts.workflow import Level
from services.dispatch.domain import deadlines, timers, whistle
from tests.dispatch.unit.orders import ADMIN, HOUR, NOW, held, order, who

S = OrderState


def test_nothing_due_decides_nothing():
    assert deadlines.breach(order(), NOW + HOUR) is None


def test_a_response_deadline_nobody_met_escalates_one_step_and_records_its_key_once():
    at = NOW + 3 * HOUR
    out = deadlines.breach(order(), at)
    assert (out.order.level, out.order.grid_id, out.order.state) == (Level.grid, "g2", S.open)
    assert out.order.breaches == (f"response:{(NOW + 2 * HOUR).isoformat()}",)
    assert [type(e) for e in out.events] == [OrderEscalated] and out.causes == ("response",)
    assert out.history[0].by == "system" and "nobody responded" in out.history[0].reason
    assert deadlines.breach(out.order, at) is None  # the same breach never fires twice


def test_a_claim_without_a_response_goes_back_to_the_pool_with_a_fresh_window():
    at = NOW + 3 * HOUR
    out = deadlines.breach(held(), at)
    assert (out.order.state, out.order.claimed_by, out.order.misses) == (S.open, None, 1)
    assert out.order.response_due_at == at + 2 * HOUR and out.released == "u-gw"
    assert isinstance(out.events[0], OrderReturnedToPool)
    assert out.history[0].kind is TimelineKind.claim_lapsed and out.causes == ()
    assert out.order.level is Level.grid  # a lapse is not an escalation


def test_a_resolution_breach_escalates_and_makes_the_order_overdue():
    at = NOW + 25 * HOUR
    acknowledged = held(state=S.in_progress)
    assert not timers.overdue(acknowledged) and timers.late(acknowledged, at)
    out = deadlines.breach(acknowledged, at)
    assert out.order.grid_id == "g2" and out.causes == ("resolution",)
    assert timers.overdue(out.order)
    assert not timers.overdue(replace(out.order, state=S.resolved))  # done: no longer overdue


def test_at_the_district_a_breach_is_recorded_without_escalating():
    out = deadlines.breach(held(state=S.in_progress, level=Level.district), NOW + 25 * HOUR)
    assert out.order.level is Level.district and out.events == () and out.causes == ()
    assert out.order.breaches == (f"resolution:{(NOW + 24 * HOUR).isoformat()}",)


def test_a_missed_report_in_is_marked_counted_and_escalates_above_the_whistler_once():
    summoned = whistle.whistle(order(level=Level.community, grid_id="root"), ADMIN, NOW,
                               WhistleIn(departments=["police", "urban"]), 30, "w1").order
    at = NOW + timedelta(minutes=31)
    out = deadlines.breach(summoned, at)
    assert [r.state for r in out.order.report_ins] == [ReportInState.missed] * 2
    assert out.order.missed_count == 2
    assert [type(e) for e in out.events] == [ReportInMissed, OrderEscalated, ReportInMissed]
    assert out.order.level is Level.street and out.causes == ("report_in",)  # once per level
    assert [e.escalated_to for e in out.events if isinstance(e, ReportInMissed)] == [
        Level.street, Level.street]
    assert deadlines.breach(out.order, at) is None
    late = whistle.report_in(out.order, who("department", department_id="police"), at)
    assert late.order.report_ins[0].late is True and late.order.missed_count == 2
