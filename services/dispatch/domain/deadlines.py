"""What a breached deadline does (the scheduler applies it; each breach once, by its key).

| breach | effect |
| response, nobody claimed | escalate one step |
| claim: claimed, no 响应 | back to the pool, the miss counted, a fresh response window |
| resolution | escalate one step; the order counts as overdue |
| report-in | marked missed; escalate above the whistler, once per level |
"""

from __future__ import annotations

from datetime import datetime

from services.common.caller import Caller
from services.common.contracts.dispatch import (
    OrderReturnedToPool,
    ReportInMissed,
    ReportInState,
    TimelineKind,
)
from services.common.contracts.workflow import Level
from services.dispatch.domain import ladder, sla, timers
from services.dispatch.domain.order import Change, Outcome, WorkOrder
from services.dispatch.domain.states import ACTIVE, Action, transition
from services.dispatch.domain.work import climb

K = TimelineKind
WHY = {timers.Kind.response: "nobody responded in time",
       timers.Kind.resolution: "not resolved by the deadline"}


def breach(order: WorkOrder, at: datetime) -> Outcome | None:
    """Every deadline of `order` due at `at`, in order, recorded by key; None if none is."""
    due = timers.due_now(timers.watched(order), at)
    if not due:
        return None
    step = Change(order, Caller.system(order.district_id), at)
    released = None
    for item in due:
        if item.kind is timers.Kind.claim:
            released = step.order.claimed_by
            _lapse(step)
        elif item.kind in WHY and step.order.level is not Level.district:
            if climb(step, f"{WHY[item.kind]} ({item.due_at.isoformat()})"):
                step.causes.append(item.kind.value)
        elif item.kind is timers.Kind.report_in:
            _missed(step, item)
        step.set(breaches=(*step.order.breaches, item.key))
    return step.done(released=released)


def _lapse(step: Change) -> None:
    """No 响应 before the response deadline: back to the pool, the miss recorded."""
    order = step.order
    step.set(state=transition(order.state, Action.lapse), claimed_by=None,
             misses=order.misses + 1, response_due_at=sla.due(step.at, order.response_hours))
    step.note(K.claim_lapsed, responder=order.claimed_by)
    step.emit(OrderReturnedToPool, responder_id=order.claimed_by,
              reason="no response before the response deadline")


def _missed(step: Change, item: timers.Breach) -> None:
    """A summoned unit did not report in: recorded, and escalated above the whistler."""
    order, items, level = step.order, [], Level.community
    for report in order.report_ins:
        if report.whistle_id == item.whistle_id and report.target == item.target:
            level = ladder.above(report.level)
            report = report.model_copy(update={"state": ReportInState.missed})
        items.append(report)
    step.set(report_ins=tuple(items), missed_count=order.missed_count + 1)
    step.note(K.report_in_missed, target=item.target, escalated_to=level)
    step.emit(ReportInMissed, whistle_id=item.whistle_id, target=item.target,
              escalated_to=level)
    reason = f"{item.target} did not report in by {item.due_at.isoformat()}"
    if step.order.state in ACTIVE and climb(step, reason, to_level=level):
        step.causes.append("report_in")
