"""Loading, viewing and changing orders: the glue between the documents and the rules."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from pymongo.errors import DuplicateKeyError

from services.common.caller import Caller
from services.common.contracts import new_event
from services.common.contracts.dispatch import OrderEscalated, OrderOut
from services.common.contracts.workflow import Level
from services.common.errors import Conflict, NotFound
from services.common.rpc import dump
from services.common.store import as_utc, retry_on_stale
from services.dispatch.domain import ladder, timers
from services.dispatch.domain.scope import OrderScope, can_see
from services.dispatch.domain.states import ACTIVE, OPEN_CLAIM
from services.dispatch.models import ClaimCounter, Order


def now() -> datetime:
    return datetime.now(UTC)


def scope_of(order: Order) -> OrderScope:
    return OrderScope(
        district_id=order.district_id, street_id=order.street_id,
        community_id=order.community_id, level=order.level, grid_id=order.grid_id,
        reached_grids=tuple(order.reached_grids), departments=tuple(order.departments),
        members=tuple(order.members), pool=bool(order.pool), state=order.state,
        claimed_by=order.claimed_by)


def load(caller: Caller, order_id: str) -> Order:
    """The order, if the caller may see it (404 otherwise: no existence leak)."""
    order = Order.objects(id=str(order_id)).first()
    if order is None or not can_see(caller, scope_of(order)):
        raise NotFound("no such order", {"order_id": "unknown"})
    return order


def ref(order: Order) -> dict[str, Any]:
    return {"order_id": order.id, "issue_id": order.issue_id,
            "community_id": order.community_id, "level": order.level}


def emit(order: Order, caller: Caller, payload_cls: type, **fields: Any) -> None:
    order.record(new_event(payload_cls(**ref(order), **fields), caller, order.community_id))


def note(order: Order, caller: Caller, kind: str, at: datetime, **detail: Any) -> None:
    """Append to the order's history (reassigned whole: see models.py)."""
    entry = {"at": at, "kind": kind, "by": caller.user_id, "role": caller.role.value,
             "level": order.level, **detail}
    order.timeline = list(order.timeline) + [entry]


def report_ins(order: Order) -> list[dict[str, Any]]:
    return [dict(item, due_at=as_utc(item["due_at"])) for item in order.report_ins]


def watched(order: Order) -> list[timers.Breach]:
    return timers.pending(order.state, order.response_due_at,
                          order.resolution_due_at, report_ins(order), order.breaches)


def refresh_due(order: Order) -> None:
    """Recompute the numbers the scheduler and the overdue count query by."""
    due = timers.next_due(watched(order))
    order.next_due_ts = due.timestamp() if due else None
    resolution = order.resolution_due_at
    order.resolution_due_ts = (resolution.timestamp() if resolution and order.state in ACTIVE
                               else None)


def change(caller: Caller, order_id: str, mutate: Callable[[Order, datetime], None]) -> Order:
    """Load the order, `mutate(order, now)`, refresh its deadlines and commit; all of it
    again if another writer committed first (`mutate` raises to refuse)."""
    def attempt() -> Order:
        order = load(caller, order_id)
        mutate(order, now())
        refresh_due(order)
        order.commit()
        return order

    return retry_on_stale(attempt)


def escalate(order: Order, caller: Caller, reason: str, at: datetime,
             to_level: Level | None = None) -> bool:
    """Move the order up one step (or up to `to_level`); False if it is there already."""
    from_level = order.level
    if to_level is None:
        level, grid_id = ladder.next_step(order.level, order.grid_id, list(order.grid_chain))
    elif ladder.rank(to_level) > ladder.rank(order.level):
        level, grid_id = to_level, (order.grid_chain[-1] if order.grid_chain else order.grid_id)
    else:
        return False
    order.level, order.grid_id = level.value, grid_id
    if grid_id and grid_id not in order.reached_grids:
        order.reached_grids = list(order.reached_grids) + [grid_id]
    if level.value not in order.reached_levels:
        order.reached_levels = list(order.reached_levels) + [level.value]
    note(order, caller, "escalated", at, from_level=from_level, reason=reason)
    emit(order, caller, OrderEscalated, from_level=Level(from_level), reason=reason)
    return True


def overdue(order: Order, at: datetime) -> bool:
    """Still active past its resolution deadline."""
    return bool(order.resolution_due_at and order.resolution_due_at < at
                and order.state in ACTIVE)


def view(order: Order) -> dict[str, Any]:
    """The order as its readers see it: the fields `OrderOut` declares, and whether it is late."""
    fields = {name: getattr(order, name) for name in OrderOut.model_fields if name != "overdue"}
    return dump(OrderOut.model_validate(fields | {"overdue": overdue(order, now())}))


def take_claim_slot(user_id: str, cap: int) -> None:
    """Guarded `$inc`: at the cap the filter misses and the upsert's insert collides."""
    try:
        ClaimCounter._get_collection().update_one(
            {"_id": user_id, "open_claims": {"$lt": cap}}, {"$inc": {"open_claims": 1}},
            upsert=True)
    except DuplicateKeyError as exc:
        raise Conflict(f"you already hold {cap} open orders", {"claim_cap": str(cap)}) from exc


def release_claim_slot(user_id: str | None) -> None:
    if user_id:
        ClaimCounter._get_collection().update_one(
            {"_id": user_id, "open_claims": {"$gt": 0}}, {"$inc": {"open_claims": -1}})


def reconcile_claim_counters() -> int:
    """Heal counters a crash left too high; return how many were corrected.

    A process that dies between taking (or before releasing) a slot and the order's
    commit leaves its member one claim too many. The truth is the orders the member
    holds. Each correction is conditional on the value read first, so a claim racing
    the recount wins and the next pass looks again.
    """
    counters = ClaimCounter._get_collection()
    holding, fixed = [s.value for s in OPEN_CLAIM], 0
    for counter in counters.find({"open_claims": {"$gt": 0}}):
        held = Order.objects(claimed_by=counter["_id"], state__in=holding).count()
        if held < counter["open_claims"]:
            fixed += counters.update_one(
                {"_id": counter["_id"], "open_claims": counter["open_claims"]},
                {"$set": {"open_claims": held}}).modified_count
    return fixed

