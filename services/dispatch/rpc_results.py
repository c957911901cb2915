"""Resolution entrypoints: a result is submitted; the owning level or whistler confirms it."""

from __future__ import annotations

from datetime import datetime

from nameko.rpc import rpc

from services.common.caller import Caller, Role
from services.common.contracts.dispatch import (
    OrderConfirmed,
    OrderResolved,
    OrderReturned,
    ResultIn,
)
from services.common.contracts.workflow import ReasonIn
from services.common.errors import Forbidden
from services.common.rpc import as_caller, parse
from services.dispatch import orders
from services.dispatch.domain import scope
from services.dispatch.domain.states import transition
from services.dispatch.models import Order


def _works_on(who: Caller, order: Order) -> bool:
    if who.user_id in (order.claimed_by, order.person_id) or who.role is Role.system:
        return True
    return who.role is Role.department and who.department_id in order.departments


def _confirms(who: Caller, order: Order) -> bool:
    """事不完、人不撤: the whistler, or the admin of the level that owns it, closes it."""
    whistlers = {w.get("whistler_id") for w in order.whistles}
    return who.user_id in whistlers or scope.is_owner(who, orders.scope_of(order))


class ResultEntrypoints:
    @rpc
    def submit_result(self, caller: dict, order_id: str, data: dict) -> dict:
        """The responder submits the result with evidence; the owning level has to confirm it."""
        who = as_caller(caller)
        result = parse(ResultIn, data)

        def submit(order: Order, at: datetime) -> None:
            if not _works_on(who, order):
                raise Forbidden("only a responder on this order submits its result",
                                {"order_id": "not yours"})
            action = "submit_result" if order.state != "open" else "submit_open"
            order.state = transition(order.state, action).value
            order.result, order.evidence = result.result, list(result.evidence)
            orders.note(order, who, "resolved", at, result=result.result)
            orders.emit(order, who, OrderResolved, responder_id=who.user_id,
                        result=result.result)

        return orders.view(orders.change(who, order_id, submit))

    @rpc
    def confirm_order(self, caller: dict, order_id: str) -> dict:
        """The owning level or the whistler accepts the result: intake marks the issue resolved."""
        who = as_caller(caller)

        def confirm(order: Order, at: datetime) -> None:
            if not _confirms(who, order):
                raise Forbidden("only the whistler or the owning level confirms",
                                {"order_id": "not yours to confirm"})
            order.state = transition(order.state, "confirm").value
            orders.note(order, who, "confirmed", at)
            orders.emit(order, who, OrderConfirmed, result=order.result or "")

        order = orders.change(who, order_id, confirm)
        orders.release_claim_slot(order.claimed_by)
        return orders.view(order)

    @rpc
    def return_order(self, caller: dict, order_id: str, data: dict) -> dict:
        """The owning level rejects the result, with a reason: work continues."""
        who = as_caller(caller)
        reason = parse(ReasonIn, data).reason

        def give_back(order: Order, at: datetime) -> None:
            if not _confirms(who, order):
                raise Forbidden("only the whistler or the owning level returns a result",
                                {"order_id": "not yours"})
            order.state = transition(order.state, "return").value
            orders.note(order, who, "returned", at, reason=reason)
            orders.emit(order, who, OrderReturned, reason=reason)

        return orders.view(orders.change(who, order_id, give_back))
