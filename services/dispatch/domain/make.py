"""制单 as a rule: a new order from what the maker asked and where it was placed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from services.common.caller import Caller
from services.common.contracts.dispatch import (
    OrderClaimed,
    OrderCreated,
    OrderIn,
    OrderState,
    TimelineKind,
)
from services.common.contracts.workflow import Level, Route
from services.dispatch.domain import sla
from services.dispatch.domain.order import Change, Outcome, WorkOrder

K = TimelineKind


@dataclass(frozen=True)
class Placement:
    """Where the order goes, looked up by the caller: the community and the grid tree."""

    district_id: str
    street_id: str
    community_id: str
    root_grid_id: str
    grid_id: str
    chain: tuple[str, ...]  # the grid … the root
    department_id: str | None  # the on-duty unit responsible for the category there
    sla: dict[str, list[float]] | None = None


def make(who: Caller, at: datetime, order_id: str, spec: OrderIn, where: Placement,
         issue_id: str | None = None) -> Outcome:
    """The order with its deadlines and `order.created`; claimed on the assignee's behalf
    when the maker names a person (响应 still due). ValueError for hours that cannot be."""
    response_h, resolution_h = sla.hours_for(where.sla, spec.urgency, spec.response_hours,
                                             spec.resolution_hours)
    level = spec.level or (Level.community if where.grid_id == where.root_grid_id
                           else Level.grid)
    department = spec.department_id or where.department_id
    order = WorkOrder(
        id=order_id, issue_id=issue_id, source="issue" if issue_id else spec.source,
        district_id=where.district_id, street_id=where.street_id,
        community_id=where.community_id, level=level, grid_id=where.grid_id,
        grid_chain=where.chain, reached_grids=(where.grid_id,), reached_levels=(level,),
        pool=spec.route is Route.party_volunteer, state=OrderState.open,
        category=spec.category, urgency=spec.urgency.value, summary=spec.summary,
        leader=spec.leader, department_id=department, person_id=spec.person_id,
        cooperating=tuple(spec.cooperating),
        departments=tuple(u for u in dict.fromkeys([department, *spec.cooperating]) if u),
        members=(spec.person_id,) if spec.person_id else (), opened_at=at, created_at=at,
        response_hours=response_h, resolution_hours=resolution_h,
        response_due_at=sla.due(at, response_h), resolution_due_at=sla.due(at, resolution_h),
        skill=spec.skill)
    step = Change(order, who, at)
    step.note(K.created, source=order.source, ref=spec.source_ref)
    step.emit(OrderCreated, grid_id=where.grid_id, response_due_at=order.response_due_at,
              resolution_due_at=order.resolution_due_at, route=spec.route, skill=spec.skill,
              district_id=where.district_id, street_id=where.street_id,
              department_id=department, summary=spec.summary)
    if spec.person_id:
        step.set(state=OrderState.claimed, claimed_by=spec.person_id, claimed_at=at)
        step.note(K.assigned, responder=spec.person_id)
        step.emit(OrderClaimed, responder_id=spec.person_id)
    return step.done()
