"""Which deadlines an order has breached, each under a key that makes its handling happen once.

The key carries the deadline itself ("response:<iso>"), so a fresh deadline is a
new breach and a rerun (or a second replica) of the same breach finds it done.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from services.common.contracts.dispatch import ReportInOut, ReportInState
from services.dispatch.domain.order import WorkOrder
from services.dispatch.domain.states import ACTIVE, OrderState


class Kind(StrEnum):
    response = "response"  # nobody took it in time
    claim = "claim"  # taken, no 响应 in time
    resolution = "resolution"
    report_in = "report_in"


@dataclass(frozen=True)
class Breach:
    key: str
    kind: Kind
    due_at: datetime
    target: str | None = None  # report_in: "department:<id>" / "member:<id>"
    whistle_id: str | None = None


def _key(kind: Kind, due_at: datetime, suffix: str = "") -> str:
    return f"{kind}:{due_at.isoformat()}{suffix}"


def pending(state: OrderState, response_due: datetime | None, resolution_due: datetime | None,
            report_ins: Iterable[ReportInOut], done: Iterable[str]) -> list[Breach]:
    """Every deadline still to watch, breached or not, minus those already handled."""
    found: list[Breach] = []
    state = OrderState(state)
    if response_due and state is OrderState.open:
        found.append(Breach(_key(Kind.response, response_due), Kind.response, response_due))
    if response_due and state is OrderState.claimed:
        found.append(Breach(_key(Kind.claim, response_due), Kind.claim, response_due))
    if resolution_due and state in ACTIVE:
        found.append(Breach(_key(Kind.resolution, resolution_due), Kind.resolution,
                            resolution_due))
    for item in report_ins:
        if item.state is ReportInState.pending:
            found.append(Breach(_key(Kind.report_in, item.due_at,
                                     f":{item.whistle_id}:{item.target}"),
                                Kind.report_in, item.due_at, item.target, item.whistle_id))
    handled = set(done)
    return [b for b in found if b.key not in handled]


def watched(order: WorkOrder) -> list[Breach]:
    return pending(order.state, order.response_due_at, order.resolution_due_at,
                   order.report_ins, order.breaches)


def overdue(order: WorkOrder) -> bool:
    """Active, and its resolution deadline's breach was handled (escalated or recorded)."""
    return bool(order.state in ACTIVE and order.resolution_due_at
                and _key(Kind.resolution, order.resolution_due_at) in order.breaches)


def late(order: WorkOrder, at: datetime) -> bool:
    """Active past its resolution deadline (what a reader sees before the timer runs)."""
    return bool(order.state in ACTIVE and order.resolution_due_at
                and order.resolution_due_at < at)


def due_now(breaches: list[Breach], now: datetime) -> list[Breach]:
    return sorted((b for b in breaches if b.due_at <= now), key=lambda b: b.due_at)


def next_due(breaches: list[Breach]) -> datetime | None:
    return min((b.due_at for b in breaches), default=None)


def report_in_late(due_at: datetime, reported_at: datetime) -> bool:
    return reported_at > due_at
