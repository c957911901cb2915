"""吹哨报到: the owning level summons units and members; each reports in by a deadline."""

from __future__ import annotations

from datetime import datetime, timedelta

from services.common.caller import Caller, Role
from services.common.contracts.dispatch import (
    OrderWhistled,
    ReportInOut,
    ReportInRecorded,
    ReportInState,
    TimelineKind,
    WhistleIn,
    WhistleOut,
)
from services.common.contracts.workflow import Level
from services.common.errors import Conflict, Forbidden, InvalidInput
from services.dispatch.domain import scope, timers
from services.dispatch.domain.order import Change, Outcome, WorkOrder, added, scope_of
from services.dispatch.domain.states import ACTIVE

K = TimelineKind
CALLER_LEVEL = {Role.community_admin: Level.community, Role.street_admin: Level.street,
                Role.district_admin: Level.district}


def check_spec(who: Caller, spec: WhistleIn) -> None:
    """Before anything is loaded: the role that whistles, and someone to whistle."""
    who.require_role(*CALLER_LEVEL)
    if not spec.departments and not spec.members:
        raise InvalidInput("whistle someone", {"departments": "or members: at least one"})


def whistle(order: WorkOrder, who: Caller, at: datetime, spec: WhistleIn, minutes: float,
            whistle_id: str) -> Outcome:
    """Summon `spec`'s targets; each owes a report-in within `minutes`."""
    check_spec(who, spec)
    if not scope.is_owner(who, scope_of(order)):
        raise Forbidden("only the owning level whistles", {"order_id": "not yours"})
    if order.state not in ACTIVE:
        raise Conflict(f"the order is {order.state.value}", {"state": order.state.value})
    due_at = at + timedelta(minutes=minutes)
    level = CALLER_LEVEL.get(who.role, order.level)
    targets = [f"department:{d}" for d in spec.departments] + [f"member:{m}" for m in spec.members]
    step = Change(order, who, at)
    step.set(
        report_ins=order.report_ins + tuple(
            ReportInOut(whistle_id=whistle_id, target=t, level=level, whistled_at=at,
                        due_at=due_at) for t in targets),
        whistles=order.whistles + (WhistleOut(id=whistle_id, whistler_id=who.user_id,
                                              level=level, at=at, due_at=due_at,
                                              targets=targets, note=spec.note),),
        whistle_count=order.whistle_count + 1,
        departments=added(order.departments, *spec.departments),
        members=added(order.members, *spec.members))
    step.note(K.whistled, whistle_id=whistle_id, targets=targets)
    step.emit(OrderWhistled, whistle_id=whistle_id, whistler_id=who.user_id,
              departments=spec.departments, members=spec.members, report_in_due_at=due_at)
    return step.done()


def target_of(who: Caller) -> str:
    return (f"department:{who.department_id}" if who.role is Role.department
            else f"member:{who.user_id}")


def report_in(order: WorkOrder, who: Caller, at: datetime) -> Outcome:
    """报到 to every whistle that summoned the caller; after its deadline it is recorded late
    (a missed one too: the miss stays counted)."""
    target = target_of(who)
    step = Change(order, who, at)
    items = []
    for item in order.report_ins:
        if item.target == target and item.state in (ReportInState.pending,
                                                    ReportInState.missed):
            late = timers.report_in_late(item.due_at, at)
            item = item.model_copy(update={"state": ReportInState.reported,
                                           "reported_at": at, "late": late})
            step.emit(ReportInRecorded, whistle_id=item.whistle_id, target=target, late=late,
                      latency_seconds=(at - item.whistled_at).total_seconds())
            step.note(K.reported_in, target=target, late=late)
        items.append(item)
    if not step.events:
        raise Conflict("nothing to report in to", {"order_id": "not summoned or done"})
    step.set(report_ins=tuple(items))
    return step.done()
