"""制单: turning an issue, a deliberation decision or an admin's request into a work order."""

from __future__ import annotations

from datetime import datetime

from services.common.caller import Caller
from services.common.contracts.dispatch import OrderClaimed, OrderCreated, OrderIn
from services.common.contracts.workflow import Level, Route
from services.common.errors import InvalidInput
from services.dispatch import grids, orders
from services.dispatch.domain import sla
from services.dispatch.domain.states import OrderState
from services.dispatch.models import CommunityPolicy, Grid, Order, Responder


def build(caller: Caller, policy: CommunityPolicy, spec: OrderIn, at: datetime,
          issue_id: str | None = None, grid_id: str | None = None) -> Order:
    """A new order, its deadlines and its `order.created` event (not yet committed)."""
    grid_id = grid_id or spec.grid_id
    if grid_id and not Grid.objects(id=grid_id, community_id=policy.id).first():
        raise InvalidInput("unknown grid", {"grid_id": "not a grid of this community"})
    if not grid_id and spec.location is not None:
        grid_id = grids.resolve(policy, spec.location.model_dump())["grid_id"]
    grid_id = grids.owning_grid(grid_id) if grid_id else policy.root_grid_id
    chain = grids.chain(grid_id)
    level = spec.level or (Level.community if grid_id == policy.root_grid_id else Level.grid)
    try:
        response_h, resolution_h = sla.hours_for(policy.sla, spec.urgency, spec.response_hours,
                                                 spec.resolution_hours)
    except ValueError as exc:
        raise InvalidInput(str(exc), {"response_hours": "must be positive"}) from exc
    department = spec.department_id or responsible_department(policy.id, spec.category, chain)
    units = [u for u in dict.fromkeys([department, *spec.cooperating]) if u]
    order = Order(
        **({"id": f"o-{issue_id}"} if issue_id else {}), issue_id=issue_id,
        source="issue" if issue_id else spec.source, district_id=policy.district_id,
        street_id=policy.street_id, community_id=policy.id, level=level.value,
        grid_id=grid_id, grid_chain=chain, reached_grids=[grid_id], reached_levels=[level.value],
        pool=spec.route is Route.party_volunteer, state=OrderState.open.value,
        category=spec.category, urgency=spec.urgency.value, summary=spec.summary,
        leader=spec.leader, department_id=department, person_id=spec.person_id,
        cooperating=list(spec.cooperating), departments=units,
        members=[spec.person_id] if spec.person_id else [], opened_at=at,
        response_hours=response_h, resolution_hours=resolution_h,
        response_due_at=sla.due(at, response_h), resolution_due_at=sla.due(at, resolution_h),
        created_at=at, timeline=[])
    orders.note(order, caller, "created", at, source=order.source, ref=spec.source_ref)
    orders.emit(order, caller, OrderCreated, grid_id=grid_id,
                response_due_at=order.response_due_at, resolution_due_at=order.resolution_due_at)
    if spec.person_id:  # assigned by the maker: claimed on their behalf, 响应 still due
        orders.take_claim_slot(spec.person_id, cap=10**6)
        order.state, order.claimed_by = OrderState.claimed.value, spec.person_id
        order.claimed_at = at
        orders.note(order, caller, "assigned", at, responder=spec.person_id)
        orders.emit(order, caller, OrderClaimed, responder_id=spec.person_id)
    orders.refresh_due(order)
    return order


def responsible_department(community_id: str, category: str, chain: list[str]) -> str | None:
    """The on-duty unit responsible for the category whose jurisdiction covers the grid."""
    for unit in Responder.objects(community_id=community_id, kind="department",
                                  categories=category, on_duty=True):
        if not unit.jurisdiction or set(unit.jurisdiction) & set(chain):
            return unit.department_id
    return None
