"""Orders through the one commit frame (`services.common.aggregate.change`), then settled.

`change` loads the document, hands the rule the order as a value (`WorkOrder`), and
the frame writes the rule's new state, events (outbox) and history lines, with the
derived fields (deadline, page keys) and the difference it makes to the community's
figures (`Order.tally`, folded into `OrderTally` exactly once: services/common/counters),
in ONE write conditional on the version read; again on a fresh load if another writer
won. After the commit `settle` does what lives in other documents: the claim slot the
rule freed, the metrics.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import fields
from datetime import UTC, datetime
from typing import Any

from pymongo.errors import DuplicateKeyError

from services.common import aggregate, audit
from services.common.aggregate import Decision
from services.common.caller import Caller
from services.common.contracts.dispatch import (
    OrderClaimed,
    OrderState,
    OrderWhistled,
    ReportInMissed,
    ReportInOut,
    ReportInRecorded,
    TimelineEntry,
    WhistleOut,
)
from services.common.contracts.workflow import Level
from services.common.errors import Conflict
from services.common.paging import SEP
from services.dispatch import metrics
from services.dispatch.domain.keys import derived
from services.dispatch.domain.order import Outcome, WorkOrder
from services.dispatch.models import ClaimCounter, Order, OrderLine

Rule = Callable[[WorkOrder, datetime], Outcome | None]
NESTED = {"whistles": WhistleOut, "report_ins": ReportInOut}


def now() -> datetime:
    return datetime.now(UTC)


def facts(doc: Order) -> WorkOrder:
    """The order as a value: the document's fields the rules read."""
    values: dict[str, Any] = {}
    for f in fields(WorkOrder):
        value = getattr(doc, f.name)
        if f.name in NESTED:
            value = tuple(NESTED[f.name].model_validate(v) for v in value)
        elif isinstance(value, list):
            value = tuple(value)
        values[f.name] = value
    values["state"], values["level"] = OrderState(doc.state), Level(doc.level)
    values["reached_levels"] = tuple(Level(v) for v in doc.reached_levels)
    return WorkOrder(**values)


def stored(order: WorkOrder) -> dict[str, Any]:
    """The value as the document stores it (lists, dicts, plain strings)."""
    out: dict[str, Any] = {}
    for f in fields(WorkOrder):
        value = getattr(order, f.name)
        if f.name in NESTED:
            value = [v.model_dump() for v in value]
        elif isinstance(value, tuple):
            value = [getattr(v, "value", v) for v in value]
        out[f.name] = getattr(value, "value", value)
    return out


def changes(before: WorkOrder, after: WorkOrder) -> dict[str, Any]:
    old = stored(before)
    return {k: v for k, v in stored(after).items() if old[k] != v} | derived(after)


def lines(order_id: str, version: int, history: tuple[TimelineEntry, ...]) -> list[OrderLine]:
    """The history entries as the lines the commit of `version` carries (ids repeatable)."""
    out = []
    for n, entry in enumerate(history):
        key = f"{order_id}{SEP}{version:08d}{SEP}{n:02d}"
        out.append(OrderLine(id=key, key=key, **entry.model_dump(exclude_none=True)))
    return out


def decision(doc: Order, before: WorkOrder, outcome: Outcome) -> Decision:
    return Decision(changes=changes(before, outcome.order), events=outcome.events,
                    history=lines(doc.id, doc.version + 1, outcome.history))


def trail(decided: Decision, caller: Caller, doc: Order, action: str | None,
          before: WorkOrder | None, after: WorkOrder) -> Decision:
    """`decided` with the audit event of an admin's act on the order (`order.<action>`):
    the order's own fields that changed, not the derived keys."""
    if action is None:
        return decided
    old, new = ({} if before is None else stored(before)), stored(after)
    moved = {k: v for k, v in new.items() if old.get(k) != v}
    return audit.attach(decided, caller, doc, f"order.{action}", "order", record_id=after.id,
                        before={k: old[k] for k in moved if k in old}, after=moved,
                        community_id=after.community_id)


def change(caller: Caller, load: Callable[[], Order], rule: Rule,
           action: str | None = None) -> tuple[Order, Outcome | None]:
    """Load, decide, commit (retrying on a stale version), settle. The rule raises to refuse
    and returns None when there is nothing to do (then nothing is written). `action`: the
    act's name in the audit log, recorded when the caller is an admin."""
    seen: dict[str, Any] = {}

    def decide(doc: Order, at: datetime) -> Decision | None:
        before = facts(doc)
        outcome = rule(before, at)
        seen.update(before=before, outcome=outcome)
        if outcome is None:
            return None
        return trail(decision(doc, before, outcome), caller, doc, action, before, outcome.order)

    done = aggregate.change(load, decide, caller, clock=now)
    if done.decision is not None:
        settle(seen["before"], seen["outcome"])
    return done.doc, seen["outcome"]


def create(caller: Caller, outcome: Outcome) -> Order:
    """Insert a new order (NotUniqueError if its id exists: an order per issue), then settle."""
    doc = Order(**stored(outcome.order), **derived(outcome.order))
    made = Decision(events=outcome.events, history=lines(doc.id, 1, outcome.history))
    aggregate.apply(doc, trail(made, caller, doc, "make", None, outcome.order), caller)
    entries = aggregate.count(doc, None)
    doc.commit()
    aggregate.fold_counts(doc, entries)
    settle(None, outcome)
    return doc


def settle(before: WorkOrder | None, outcome: Outcome) -> None:
    """What the commit implies outside the order: a freed slot, the metrics."""
    release_claim_slot(outcome.released)
    observe(outcome, made=before is None)


def observe(outcome: Outcome, made: bool) -> None:
    for event in outcome.events:
        if isinstance(event, OrderClaimed) and not made:  # assigned by the maker: no race
            metrics.CLAIM_LATENCY.observe(
                (outcome.order.claimed_at - outcome.order.opened_at).total_seconds())
        elif isinstance(event, OrderWhistled):
            metrics.WHISTLES.inc()
        elif isinstance(event, ReportInRecorded):
            metrics.REPORT_IN_LATENCY.observe(event.latency_seconds)
        elif isinstance(event, ReportInMissed):
            metrics.REPORT_INS_MISSED.inc()
    for cause in outcome.causes:
        metrics.ESCALATIONS.labels(cause).inc()


def take_claim_slot(user_id: str, cap: int) -> None:
    """Guarded `$inc`: at the cap the filter misses and the upsert's insert collides."""
    try:
        ClaimCounter._get_collection().update_one(
            {"_id": user_id, "open_claims": {"$lt": cap}},
            {"$inc": {"open_claims": 1}, "$set": {"key": user_id}}, upsert=True)
    except DuplicateKeyError as exc:
        raise Conflict(f"you already hold {cap} open orders", {"claim_cap": str(cap)}) from exc


def release_claim_slot(user_id: str | None) -> None:
    if user_id:
        ClaimCounter._get_collection().update_one(
            {"_id": user_id, "open_claims": {"$gt": 0}}, {"$inc": {"open_claims": -1}})
