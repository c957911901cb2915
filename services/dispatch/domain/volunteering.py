"""Orders volunteers serve (小事党群办): the skill an order asks for, and the volunteer a
match of the volunteers service found (`match.accepted`) taking the order.

Rules on the value, as `work.py`'s: the commit frame writes them in one version-conditioned
write, so an assignment and a member's claim from the pool never both land.
"""

from __future__ import annotations

from datetime import datetime

from services.common.caller import Caller
from services.common.contracts.dispatch import (
    OrderClaimed,
    OrderSkillSet,
    OrderState,
    TimelineKind,
)
from services.common.contracts.workflow import Route
from services.common.errors import Conflict
from services.dispatch.domain import sla
from services.dispatch.domain.order import Change, Outcome, WorkOrder, added
from services.dispatch.domain.states import Action, transition

K = TimelineKind


def route_of(order: WorkOrder) -> Route:
    return Route.party_volunteer if order.pool else Route.community


def set_skill(order: WorkOrder, who: Caller, at: datetime, skill: str | None) -> Outcome | None:
    """The skill an open order asks for; `order.skill_set` has volunteers offer it afresh.
    Only while nobody holds it: the holder's work is not re-matched under them."""
    if order.state is not OrderState.open:
        raise Conflict("only an open order's skill is set (hand it back first)",
                       {"state": order.state.value})
    if order.skill == skill:
        return None  # the same skill again: nothing to re-match
    step = Change(order, who, at)
    step.set(skill=skill)
    step.note(K.skill_set, skill=skill)
    step.emit(OrderSkillSet, skill=skill, route=route_of(order), district_id=order.district_id,
              street_id=order.street_id, grid_id=order.grid_id)
    return step.done()


def assign_matched(order: WorkOrder, volunteer_id: str, who: Caller,
                   at: datetime) -> Outcome | None:
    """The volunteer who accepted the match takes the order (assigned, 响应 still due).

    None when there is nothing to do: they hold it already (a redelivery), or it is no longer
    open (a member claimed it from the pool first, or a result was submitted): the late
    acceptance changes nothing. An open order is assigned at whatever level it is now."""
    if order.claimed_by == volunteer_id or order.state is not OrderState.open:
        return None
    step = Change(order, who, at)
    due = order.response_due_at
    step.set(state=transition(order.state, Action.claim), claimed_by=volunteer_id,
             claimed_at=at, members=added(order.members, volunteer_id),
             response_due_at=due if due and due > at else sla.due(at, order.response_hours))
    step.note(K.assigned, responder=volunteer_id)
    step.emit(OrderClaimed, responder_id=volunteer_id)
    return step.done()
