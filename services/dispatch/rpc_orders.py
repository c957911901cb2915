"""Order entrypoints: make, list, claim (抢单), acknowledge (响应), hand back, escalate."""

from __future__ import annotations

from datetime import datetime

from mongoengine.queryset.visitor import Q
from nameko.rpc import rpc

from services.common.caller import ADMIN_ROLES, Caller, Role
from services.common.contracts.dispatch import (
    OrderAcknowledged,
    OrderClaimed,
    OrderIn,
    OrderReturnedToPool,
)
from services.common.contracts.workflow import ReasonIn
from services.common.errors import Conflict, Forbidden
from services.common.rpc import as_caller, parse
from services.common.store import StaleWrite
from services.dispatch import grids, making, metrics, orders
from services.dispatch.domain import scope
from services.dispatch.domain.states import ACTIVE, OrderState, transition
from services.dispatch.models import Order


class OrderEntrypoints:
    @rpc
    def make_order(self, caller: dict, data: dict) -> dict:
        """制单: a work order with its leader, units, person and deadlines."""
        who = as_caller(caller)
        who.require_role(*ADMIN_ROLES)
        spec = parse(OrderIn, data)
        policy = grids.policy_for(who, spec.community_id)
        order = making.build(who, policy, spec, orders.now())
        order.commit()
        return orders.view(order)

    @rpc
    def get_order(self, caller: dict, order_id: str) -> dict:
        """One order with its history, if the caller may see it."""
        return orders.view(orders.load(as_caller(caller), order_id))

    @rpc
    def list_orders(self, caller: dict, community_id: str | None = None,
                    state: str | None = None, pool: bool | None = None,
                    reached: str | None = None) -> list[dict]:
        """The orders the caller may see (a department: those it is on; a member: the pool);
        `reached`: only those that reached a level (what was escalated to a street, say)."""
        who = as_caller(caller)
        query = Order.objects(district_id=who.district_id) if who.role is not Role.system \
            else Order.objects()
        if who.role is Role.department:
            query = query.filter(departments=who.department_id, community_id=who.community_id)
        elif community_id or who.community_id:
            query = query.filter(community_id=community_id or who.community_id)
        elif who.role is Role.street_admin:
            query = query.filter(street_id=who.street_id)
        if who.role is Role.grid_worker:  # narrow in the store, not after the limit
            query = query.filter(Q(reached_grids=who.grid_id) | Q(members=who.user_id)
                                 | Q(claimed_by=who.user_id))
        if state:
            query = query.filter(state=state)
        if pool is not None:
            query = query.filter(pool=bool(pool))
        if reached:
            query = query.filter(reached_levels=str(reached))
        seen = [o for o in query.order_by("-created_at").limit(500)
                if scope.can_see(who, orders.scope_of(o))]
        return [orders.view(o) for o in seen]

    @rpc
    def claim_order(self, caller: dict, order_id: str) -> dict:
        """抢单: the first valid claim wins; the rest get 409 already claimed."""
        who = as_caller(caller)
        who.require_role(*scope.CLAIM_ROLES)
        order = orders.load(who, order_id)
        scope.check_may_claim(who, orders.scope_of(order))
        cap = grids.policy_for(Caller.system(), order.community_id).claim_cap
        orders.take_claim_slot(who.user_id, cap)
        for _ in range(5):
            try:
                return self._claim(who, order)
            except StaleWrite:
                order = orders.load(who, order_id)
                if order.state != OrderState.open:
                    orders.release_claim_slot(who.user_id)
                    raise Conflict("already claimed", {"order_id": "someone was first"}) from None
            except Exception:
                orders.release_claim_slot(who.user_id)
                raise
        orders.release_claim_slot(who.user_id)
        raise Conflict("the order keeps changing; retry", {"order_id": "busy"})

    def _claim(self, who: Caller, order: Order) -> dict:
        at = orders.now()
        order.state = transition(order.state, "claim").value
        order.claimed_by, order.claimed_at = who.user_id, at
        if order.response_due_at is None or order.response_due_at <= at:
            # Taken after the response deadline (the order escalated): a fresh window to answer.
            order.response_due_at = making.sla.due(at, order.response_hours)
        orders.note(order, who, "claimed", at)
        orders.emit(order, who, OrderClaimed, responder_id=who.user_id)
        orders.refresh_due(order)
        order.commit()
        metrics.CLAIM_LATENCY.observe((at - order.opened_at).total_seconds())
        return orders.view(order)

    @rpc
    def acknowledge_order(self, caller: dict, order_id: str) -> dict:
        """响应: the claimer answers before the response deadline; work is in progress."""
        who = as_caller(caller)

        def acknowledge(order: Order, at: datetime) -> None:
            _check_mine(who, order)
            order.state = transition(order.state, "acknowledge").value
            orders.note(order, who, "acknowledged", at)
            orders.emit(order, who, OrderAcknowledged, responder_id=who.user_id)

        return orders.view(orders.change(who, order_id, acknowledge))

    @rpc
    def hand_back_order(self, caller: dict, order_id: str, data: dict) -> dict:
        """Hand a claimed order back to the pool, with a reason."""
        who = as_caller(caller)
        reason = parse(ReasonIn, data).reason

        def hand_back(order: Order, at: datetime) -> None:
            _check_mine(who, order)
            order.state = transition(order.state, "hand_back").value
            order.claimed_by = None
            order.response_due_at = making.sla.due(at, order.response_hours)
            orders.note(order, who, "handed_back", at, reason=reason)
            orders.emit(order, who, OrderReturnedToPool, responder_id=who.user_id, reason=reason)

        order = orders.change(who, order_id, hand_back)
        orders.release_claim_slot(who.user_id)
        return orders.view(order)

    @rpc
    def escalate_order(self, caller: dict, order_id: str, data: dict) -> dict:
        """上报 "cannot solve here": the order moves one level up with the reason."""
        who = as_caller(caller)
        reason = parse(ReasonIn, data).reason
        released: str | None = None

        def escalate(order: Order, at: datetime) -> None:
            nonlocal released
            sc = orders.scope_of(order)
            if not (scope.is_owner(who, sc) or who.user_id == order.claimed_by
                    or (who.role is Role.grid_worker and who.grid_id == order.grid_id)):
                raise Forbidden("only the order's holder or owning level escalates it",
                                {"order_id": "not yours"})
            if order.state not in ACTIVE:
                raise Conflict(f"the order is {order.state}", {"state": order.state})
            released = order.claimed_by
            orders.escalate(order, who, reason, at)
            # The level above takes it as a whole: the holder lets go.
            order.state, order.claimed_by = OrderState.open.value, None

        order = orders.change(who, order_id, escalate)
        metrics.ESCALATIONS.labels("explicit").inc()
        orders.release_claim_slot(released)
        return orders.view(order)


def _check_mine(who: Caller, order: Order) -> None:
    if order.claimed_by != who.user_id:
        raise Forbidden("this order is not yours", {"order_id": "claimed by someone else"})
