"""Taking and working an order: claim (抢单), acknowledge (响应), hand back, escalate (上报)."""

from __future__ import annotations

from datetime import datetime

from services.common.caller import Caller, Role
from services.common.contracts.dispatch import (
    OrderAcknowledged,
    OrderClaimed,
    OrderEscalated,
    OrderReturnedToPool,
    TimelineKind,
)
from services.common.contracts.workflow import Level
from services.common.errors import Forbidden
from services.dispatch.domain import ladder, scope, sla
from services.dispatch.domain.order import Change, Outcome, WorkOrder, added, scope_of
from services.dispatch.domain.states import Action, transition

K = TimelineKind


def claim(order: WorkOrder, who: Caller, at: datetime) -> Outcome:
    """抢单: open, at the claimer's grid or in the pool; a fresh response window if it ran out
    (the order escalated before anyone took it)."""
    scope.check_may_claim(who, scope_of(order))
    step = Change(order, who, at)
    due = order.response_due_at
    step.set(state=transition(order.state, Action.claim), claimed_by=who.user_id, claimed_at=at,
             response_due_at=due if due and due > at else sla.due(at, order.response_hours))
    step.note(K.claimed)
    step.emit(OrderClaimed, responder_id=who.user_id)
    return step.done()


def acknowledge(order: WorkOrder, who: Caller, at: datetime) -> Outcome:
    """响应: the holder answers; work is in progress."""
    check_holder(who, order)
    step = Change(order, who, at)
    step.set(state=transition(order.state, Action.acknowledge))
    step.note(K.acknowledged)
    step.emit(OrderAcknowledged, responder_id=who.user_id)
    return step.done()


def hand_back(order: WorkOrder, who: Caller, at: datetime, reason: str) -> Outcome:
    """The holder gives it back to the pool with a reason; a fresh response window starts."""
    check_holder(who, order)
    step = Change(order, who, at)
    step.set(state=transition(order.state, Action.hand_back), claimed_by=None,
             response_due_at=sla.due(at, order.response_hours))
    step.note(K.handed_back, reason=reason)
    step.emit(OrderReturnedToPool, responder_id=who.user_id, reason=reason)
    return step.done(released=who.user_id)


def escalate(order: WorkOrder, who: Caller, at: datetime, reason: str) -> Outcome:
    """上报 "cannot solve here": by the holder, the owning level or the grid's worker; the
    level above takes it as a whole, so the holder lets go."""
    if not (scope.is_owner(who, scope_of(order)) or who.user_id == order.claimed_by
            or (who.role is Role.grid_worker and who.grid_id == order.grid_id)):
        raise Forbidden("only the order's holder or owning level escalates it",
                        {"order_id": "not yours"})
    step = Change(order, who, at)
    state = transition(order.state, Action.release)
    climb(step, reason)
    step.set(state=state, claimed_by=None)
    step.causes.append("explicit")
    return step.done(released=order.claimed_by)


def climb(step: Change, reason: str, to_level: Level | None = None) -> bool:
    """Move the order up one step (or up to `to_level`); False if it is there already."""
    order = step.order
    if to_level is None:
        level, grid_id = ladder.next_step(order.level, order.grid_id, list(order.grid_chain))
    elif ladder.rank(to_level) > ladder.rank(order.level):
        level, grid_id = to_level, (order.grid_chain[-1] if order.grid_chain else order.grid_id)
    else:
        return False
    step.set(level=level, grid_id=grid_id,
             reached_grids=added(order.reached_grids, grid_id) if grid_id
             else order.reached_grids,
             reached_levels=added(order.reached_levels, level),
             escalation_count=order.escalation_count + 1)
    step.note(K.escalated, from_level=order.level, reason=reason)
    step.emit(OrderEscalated, from_level=order.level, reason=reason)
    return True


def check_holder(who: Caller, order: WorkOrder) -> None:
    if order.claimed_by != who.user_id:
        raise Forbidden("this order is not yours", {"order_id": "claimed by someone else"})
