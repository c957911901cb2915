"""Who sees and who may claim an order: each level sees what reached it.

A grid worker sees the orders of the grids an order has been owned by (its own
grid, or a grid below it that escalated up to theirs); a department sees its own
community's orders that name it (responsible, co-operating or whistled: a
department id is a name within one community, so "police" of another community
is another unit); members see the pool and what they took or were summoned to.
Ops sees no order (its scope is health, metrics and aggregate figures).
"""

from __future__ import annotations

from dataclasses import dataclass

from services.common.caller import CLAIM_ROLES, MEMBER_ROLES, Caller, Role
from services.common.contracts.workflow import Level
from services.common.errors import Conflict, Forbidden
from services.dispatch.domain.ladder import rank


@dataclass(frozen=True)
class OrderScope:
    district_id: str
    street_id: str
    community_id: str
    level: str
    grid_id: str | None = None
    reached_grids: tuple[str, ...] = ()
    departments: tuple[str, ...] = ()
    members: tuple[str, ...] = ()  # summoned by a whistle or assigned
    pool: bool = False
    state: str = "open"
    claimed_by: str | None = None


def can_see(caller: Caller, order: OrderScope) -> bool:
    role = caller.role
    if role is Role.system:
        return True
    if role is Role.ops or caller.district_id != order.district_id:
        return False
    if role is Role.district_admin:
        return True
    if role is Role.street_admin:
        return caller.street_id == order.street_id
    if caller.community_id != order.community_id:
        return False
    if role is Role.department:
        return caller.department_id is not None and caller.department_id in order.departments
    if role is Role.community_admin:
        return True
    if caller.user_id in (order.claimed_by, *order.members):
        return True
    if role is Role.grid_worker:
        return caller.grid_id in order.reached_grids
    if role in MEMBER_ROLES:  # the pool is public to members, taken orders included
        return order.pool
    return False


def check_may_claim(caller: Caller, order: OrderScope) -> None:
    """Forbidden for the wrong role, Conflict when someone already has it."""
    caller.require_role(*CLAIM_ROLES)
    if caller.role in MEMBER_ROLES and not order.pool:
        raise Forbidden("members claim from the pool only", {"order_id": "not in the pool"})
    if caller.role is Role.grid_worker and not order.pool and (
            caller.grid_id != order.grid_id or rank(order.level) > rank(Level.community)):
        raise Forbidden("this order is not at your grid", {"order_id": "not at your grid"})
    if order.state != "open":
        raise Conflict("already claimed", {"order_id": f"order is {order.state}"})


def is_owner(caller: Caller, order: OrderScope) -> bool:
    """The owning level's admin: confirms, returns, whistles, makes and reassigns."""
    role = caller.role
    if role is Role.system:
        return True
    if not can_see(caller, order):
        return False
    level_rank = rank(order.level)
    if role is Role.community_admin:
        return level_rank <= rank(Level.community)
    if role is Role.street_admin:
        return level_rank <= rank(Level.street)
    return role is Role.district_admin
