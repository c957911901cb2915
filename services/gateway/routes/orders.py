"""Work orders (工单): make, pool and claim (抢单), respond, whistle and report in, resolve."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status

from services.common.caller import ADMIN_ROLES, CLAIM_ROLES, Role
from services.common.contracts.dispatch import (
    OrderIn,
    OrderOut,
    OrderPage,
    OrderSkillIn,
    OrderState,
    OrderStats,
    ResultIn,
    WhistleCount,
    WhistleIn,
)
from services.common.contracts.workflow import Level, ReasonIn
from services.common.paging import DEFAULT_PAGE, MAX_PAGE
from services.gateway.deps import CallerDep, PathId, QueryId, RpcDep, caller_args, require

router = APIRouter(prefix="/orders", tags=["orders"])

CLAIMERS = tuple(CLAIM_ROLES)  # dispatch's own table (services.common.caller)
WORKERS = (*CLAIMERS, Role.department, *ADMIN_ROLES)


@router.post("", status_code=status.HTTP_201_CREATED, response_model=OrderOut)
def make_order(body: OrderIn, caller: CallerDep, rpc: RpcDep) -> dict:
    """制单: a work order with leader, units, person and deadlines (admins)."""
    require(caller, *ADMIN_ROLES)
    return rpc.call("dispatch", "make_order", caller_args(caller), body.model_dump(mode="json"))


@router.get("", response_model=OrderPage)
def list_orders(caller: CallerDep, rpc: RpcDep, community_id: QueryId = None,
                state: OrderState | None = None, pool: bool | None = None,
                reached: Level | None = None, mine: bool = False,
                limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = DEFAULT_PAGE,
                cursor: Annotated[str | None, Query(max_length=512)] = None,
                by_deadline: bool = False) -> dict:
    """A page of the orders in the caller's scope, newest first (members: the pool; units:
    theirs; `mine`: what the caller holds); `reached=street`: what was escalated to the
    street; `by_deadline`: a community's active orders, the nearest resolution deadline
    first (the board). Pass `next_cursor` back as `cursor` for the next page."""
    require(caller, *WORKERS)
    return rpc.call("dispatch", "list_orders", caller_args(caller), community_id,
                    state.value if state else None, pool, reached.value if reached else None,
                    mine, limit, cursor, by_deadline)


@router.get("/stats", response_model=OrderStats)
def order_stats(caller: CallerDep, rpc: RpcDep, community_id: QueryId = None) -> dict:
    """Orders by level and state, overdue, whistles, report-ins, escalations."""
    require(caller, *ADMIN_ROLES, Role.ops)
    return rpc.call("dispatch", "order_stats", caller_args(caller), community_id)


@router.get("/whistle-counts", response_model=list[WhistleCount])
def whistle_counts(caller: CallerDep, rpc: RpcDep) -> list[dict]:
    """Whistles per community in the caller's scope (too few and too many are both signals)."""
    require(caller, *ADMIN_ROLES, Role.ops)
    return rpc.call("dispatch", "whistle_counts", caller_args(caller))


@router.get("/{order_id}", response_model=OrderOut)
def get_order(order_id: PathId, caller: CallerDep, rpc: RpcDep) -> dict:
    """One order with its timeline."""
    require(caller, *WORKERS)
    return rpc.call("dispatch", "get_order", caller_args(caller), order_id)


@router.post("/{order_id}/claim", response_model=OrderOut)
def claim_order(order_id: PathId, caller: CallerDep, rpc: RpcDep) -> dict:
    """抢单: the first valid claim wins; later ones get 409."""
    require(caller, *CLAIMERS)
    return rpc.call("dispatch", "claim_order", caller_args(caller), order_id)


@router.post("/{order_id}/acknowledge", response_model=OrderOut)
def acknowledge_order(order_id: PathId, caller: CallerDep, rpc: RpcDep) -> dict:
    """响应: answer a claimed order before its response deadline."""
    require(caller, *CLAIMERS)
    return rpc.call("dispatch", "acknowledge_order", caller_args(caller), order_id)


@router.put("/{order_id}/skill", response_model=OrderOut)
def set_order_skill(order_id: PathId, body: OrderSkillIn, caller: CallerDep,
                    rpc: RpcDep) -> dict:
    """The skill an open order asks for (小事党群办: volunteers offers it to those who fit);
    the community's admins."""
    require(caller, Role.community_admin)
    return rpc.call("dispatch", "set_order_skill", caller_args(caller), order_id,
                    body.model_dump(mode="json"))


@router.post("/{order_id}/hand-back", response_model=OrderOut)
def hand_back_order(order_id: PathId, body: ReasonIn, caller: CallerDep, rpc: RpcDep) -> dict:
    """Give a claimed order back to the pool, with a reason."""
    require(caller, *CLAIMERS)
    return rpc.call("dispatch", "hand_back_order", caller_args(caller), order_id,
                    body.model_dump())


@router.post("/{order_id}/escalate", response_model=OrderOut)
def escalate_order(order_id: PathId, body: ReasonIn, caller: CallerDep, rpc: RpcDep) -> dict:
    """上报: cannot be solved at this level; the next level takes it."""
    require(caller, *CLAIMERS, *ADMIN_ROLES)
    return rpc.call("dispatch", "escalate_order", caller_args(caller), order_id,
                    body.model_dump())


@router.post("/{order_id}/whistle", response_model=OrderOut)
def whistle_order(order_id: PathId, body: WhistleIn, caller: CallerDep, rpc: RpcDep) -> dict:
    """吹哨: summon departments and members; each must report in by the deadline."""
    require(caller, *ADMIN_ROLES)
    return rpc.call("dispatch", "whistle_order", caller_args(caller), order_id,
                    body.model_dump())


@router.post("/{order_id}/report-in", response_model=OrderOut)
def report_in(order_id: PathId, caller: CallerDep, rpc: RpcDep) -> dict:
    """报到: a summoned department or member joins the order."""
    require(caller, Role.department, *CLAIMERS)
    return rpc.call("dispatch", "report_in", caller_args(caller), order_id)


@router.post("/{order_id}/result", response_model=OrderOut)
def submit_result(order_id: PathId, body: ResultIn, caller: CallerDep, rpc: RpcDep) -> dict:
    """Submit the result with evidence; the owning level confirms it."""
    require(caller, *CLAIMERS, Role.department)
    return rpc.call("dispatch", "submit_result", caller_args(caller), order_id,
                    body.model_dump())


@router.post("/{order_id}/confirm", response_model=OrderOut)
def confirm_order(order_id: PathId, caller: CallerDep, rpc: RpcDep) -> dict:
    """Accept the result (the whistler or the owning level): the issue is resolved."""
    require(caller, *ADMIN_ROLES)
    return rpc.call("dispatch", "confirm_order", caller_args(caller), order_id)


@router.post("/{order_id}/return", response_model=OrderOut)
def return_order(order_id: PathId, body: ReasonIn, caller: CallerDep, rpc: RpcDep) -> dict:
    """Reject the result with a reason: work continues."""
    require(caller, *ADMIN_ROLES)
    return rpc.call("dispatch", "return_order", caller_args(caller), order_id,
                    body.model_dump())
