"""Resolution entrypoints: a result is submitted; the owning level or whistler confirms it."""

from __future__ import annotations

from nameko.rpc import rpc

from services.common.contracts.dispatch import OrderOut, ResultIn
from services.common.contracts.workflow import ReasonIn
from services.common.rpc import as_caller, dump, parse, replies
from services.dispatch import commit, orders
from services.dispatch.domain import results


class ResultEntrypoints:
    @rpc
    @replies(OrderOut)
    def submit_result(self, caller: dict, order_id: str, data: dict) -> dict:
        """The responder submits the result with evidence; the owning level has to confirm it."""
        who = as_caller(caller)
        spec = parse(ResultIn, data)
        done, _ = commit.change(who, orders.loader(who, order_id), lambda o, at: results.submit(
            o, who, at, spec.result, tuple(spec.evidence)))
        return dump(orders.view(done))

    @rpc
    @replies(OrderOut)
    def confirm_order(self, caller: dict, order_id: str) -> dict:
        """The owning level or the whistler accepts the result: intake marks the issue resolved."""
        who = as_caller(caller)
        done, _ = commit.change(who, orders.loader(who, order_id),
                                lambda o, at: results.confirm(o, who, at), "confirm")
        return dump(orders.view(done))

    @rpc
    @replies(OrderOut)
    def return_order(self, caller: dict, order_id: str, data: dict) -> dict:
        """The owning level rejects the result, with a reason: work continues."""
        who = as_caller(caller)
        reason = parse(ReasonIn, data).reason
        done, _ = commit.change(who, orders.loader(who, order_id),
                                lambda o, at: results.return_result(o, who, at, reason),
                                "return")
        return dump(orders.view(done))
