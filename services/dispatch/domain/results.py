"""Results: submitted by a responder, confirmed or returned by the owning level or whistler,
reopened when the resident is not satisfied."""

from __future__ import annotations

from datetime import datetime

from services.common.caller import Caller, Role
from services.common.contracts.dispatch import (
    OrderConfirmed,
    OrderMerged,
    OrderReopened,
    OrderResolved,
    OrderReturned,
    OrderState,
    TimelineKind,
)
from services.common.errors import Forbidden
from services.dispatch.domain import scope, sla
from services.dispatch.domain.order import Change, Outcome, WorkOrder, scope_of
from services.dispatch.domain.states import Action, transition

K = TimelineKind


def works_on(who: Caller, order: WorkOrder) -> bool:
    if who.user_id in (order.claimed_by, order.person_id) or who.role is Role.system:
        return True
    return who.role is Role.department and who.department_id in order.departments


def confirms(who: Caller, order: WorkOrder) -> bool:
    """事不完、人不撤: the whistler, or the admin of the level that owns it, closes it."""
    return (who.user_id in {w.whistler_id for w in order.whistles}
            or scope.is_owner(who, scope_of(order)))


def submit(order: WorkOrder, who: Caller, at: datetime, result: str,
           evidence: tuple[str, ...]) -> Outcome:
    """The holder (or a whistled unit, even on an order nobody claimed) submits the result."""
    if not works_on(who, order):
        raise Forbidden("only a responder on this order submits its result",
                        {"order_id": "not yours"})
    action = Action.submit_open if order.state is OrderState.open else Action.submit_result
    step = Change(order, who, at)
    step.set(state=transition(order.state, action), result=result, evidence=evidence)
    step.note(K.resolved, result=result)
    step.emit(OrderResolved, responder_id=who.user_id, result=result)
    return step.done()


def confirm(order: WorkOrder, who: Caller, at: datetime) -> Outcome:
    """The result is accepted: intake marks the issue resolved; the holder's slot frees."""
    if not confirms(who, order):
        raise Forbidden("only the whistler or the owning level confirms",
                        {"order_id": "not yours to confirm"})
    step = Change(order, who, at)
    step.set(state=transition(order.state, Action.confirm))
    step.note(K.confirmed)
    step.emit(OrderConfirmed, result=order.result or "")
    return step.done(released=order.claimed_by)


def return_result(order: WorkOrder, who: Caller, at: datetime, reason: str) -> Outcome:
    """The result is rejected with a reason: work continues."""
    if not confirms(who, order):
        raise Forbidden("only the whistler or the owning level returns a result",
                        {"order_id": "not yours"})
    step = Change(order, who, at)
    step.set(state=transition(order.state, Action.return_result))
    step.note(K.returned, reason=reason)
    step.emit(OrderReturned, reason=reason)
    return step.done()


def reopen(order: WorkOrder, who: Caller, at: datetime, reason: str) -> Outcome | None:
    """An unsatisfied rating reopens it with fresh deadlines, history kept; None if it is not
    resolved or confirmed (already reopened by this event's first delivery)."""
    if order.state not in (OrderState.resolved, OrderState.confirmed):
        return None
    holder = order.claimed_by if order.state is OrderState.resolved else None  # confirm freed it
    step = Change(order, who, at)
    step.set(state=transition(order.state, Action.reopen), claimed_by=None, opened_at=at,
             response_due_at=sla.due(at, order.response_hours),
             resolution_due_at=sla.due(at, order.resolution_hours))
    step.note(K.reopened, reason=reason)
    step.emit(OrderReopened, reason=reason)
    return step.done(released=holder)


FOLDABLE = frozenset({OrderState.open, OrderState.claimed, OrderState.in_progress,
                      OrderState.resolved})


def fold(order: WorkOrder, who: Caller, at: datetime, original_issue_id: str) -> Outcome | None:
    """Its issue was merged into `original_issue_id`: the order closes as `merged` (no
    deadline runs in that state, the holder's claim slot frees); None if it is merged or
    confirmed already (a redelivery, or work that was done)."""
    if order.state not in FOLDABLE:
        return None
    holder = order.claimed_by if order.state is not OrderState.open else None
    step = Change(order, who, at)
    step.set(state=transition(order.state, Action.fold))
    step.note(K.merged, reason=f"merged into o-{original_issue_id}")
    step.emit(OrderMerged, original_issue_id=original_issue_id)
    return step.done(released=holder)
