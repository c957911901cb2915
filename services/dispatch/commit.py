"""The one commit frame of an order: load, let a rule decide, write it all at once, settle.

`change` loads the document, hands the rule the order as a value (`WorkOrder`), and
writes the rule's new state, events (outbox) and history, with the derived fields
(deadline, page keys), in ONE write conditional on the version read; again on a
fresh load if another writer won. After the commit it settles what lives in other
documents: the claim slot the rule freed and the community's figures (`OrderTally`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import fields
from datetime import UTC, datetime
from typing import Any

from pymongo.errors import DuplicateKeyError

from services.common.caller import Caller
from services.common.contracts import new_event
from services.common.contracts.dispatch import (
    OrderClaimed,
    OrderState,
    OrderWhistled,
    ReportInMissed,
    ReportInOut,
    ReportInRecorded,
    WhistleOut,
)
from services.common.contracts.workflow import Level
from services.common.errors import Conflict
from services.common.store import retry_on_stale
from services.dispatch import metrics
from services.dispatch.domain.keys import derived, tally_delta
from services.dispatch.domain.order import Outcome, WorkOrder
from services.dispatch.models import EVERYWHERE, ClaimCounter, Order, OrderTally

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


def apply(doc: Order, outcome: Outcome, values: dict[str, Any], caller: Caller) -> None:
    """Put the decision on the document in memory: fields, events, history (no I/O)."""
    for name, value in values.items():
        setattr(doc, name, value)
    if outcome.events:
        doc.record(*(new_event(e, caller, doc.community_id) for e in outcome.events))
    if outcome.history:
        doc.timeline = list(doc.timeline) + [h.model_dump() for h in outcome.history]


def change(caller: Caller, load: Callable[[], Order], rule: Rule) -> tuple[Order, Outcome | None]:
    """Load, decide, commit (retrying on a stale version), settle. The rule raises to refuse
    and returns None when there is nothing to do (then nothing is written)."""
    def attempt() -> tuple[Order, WorkOrder, Outcome | None]:
        doc = load()
        before = facts(doc)
        outcome = rule(before, now())
        if outcome is not None:
            apply(doc, outcome, changes(before, outcome.order), caller)
            doc.commit()
        return doc, before, outcome

    doc, before, outcome = retry_on_stale(attempt)
    if outcome is not None:
        settle(before, outcome)
    return doc, outcome


def create(caller: Caller, outcome: Outcome) -> Order:
    """Insert a new order (NotUniqueError if its id exists: an order per issue), then settle."""
    doc = Order(**stored(outcome.order), **derived(outcome.order), timeline=[])
    apply(doc, outcome, {}, caller)
    doc.commit()
    settle(None, outcome)
    return doc


def settle(before: WorkOrder | None, outcome: Outcome) -> None:
    """What the commit implies outside the order: a freed slot, the figures, the metrics."""
    release_claim_slot(outcome.released)
    delta = tally_delta(before, outcome.order)
    if delta:
        for scope in (f"c:{outcome.order.community_id}", EVERYWHERE):
            OrderTally.add(scope, delta)
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
