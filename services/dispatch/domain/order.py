"""The work order as a value, and the outcome of a rule: the new value, its events, its history.

Rules take a `WorkOrder` (a frozen value: no document, no I/O) and return an
`Outcome`; the commit frame (`services/dispatch/commit.py`) turns it into one
version-conditioned write. A value rather than the document so a rule cannot
write by accident, and a unit test builds one in a line (`tests/dispatch/unit`).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from services.common.caller import Caller
from services.common.contracts.dispatch import (
    OrderRef,
    OrderState,
    ReportInOut,
    TimelineEntry,
    TimelineKind,
    WhistleOut,
)
from services.common.contracts.workflow import Level
from services.dispatch.domain.scope import OrderScope


@dataclass(frozen=True)
class WorkOrder:
    id: str
    district_id: str
    street_id: str
    community_id: str
    level: Level
    state: OrderState
    category: str
    urgency: str
    summary: str
    opened_at: datetime
    created_at: datetime
    response_hours: float
    resolution_hours: float
    source: str = "manual"  # issue | deliberation | manual
    issue_id: str | None = None
    grid_id: str | None = None
    grid_chain: tuple[str, ...] = ()  # own grid … root
    reached_grids: tuple[str, ...] = ()
    reached_levels: tuple[Level, ...] = ()
    pool: bool = False
    leader: str | None = None
    department_id: str | None = None
    person_id: str | None = None
    cooperating: tuple[str, ...] = ()
    departments: tuple[str, ...] = ()
    members: tuple[str, ...] = ()
    claimed_by: str | None = None
    claimed_at: datetime | None = None
    response_due_at: datetime | None = None
    resolution_due_at: datetime | None = None
    result: str | None = None
    evidence: tuple[str, ...] = ()
    whistles: tuple[WhistleOut, ...] = ()
    report_ins: tuple[ReportInOut, ...] = ()
    breaches: tuple[str, ...] = ()  # keys of deadlines already handled
    misses: int = 0  # claims that lapsed without 响应
    whistle_count: int = 0
    escalation_count: int = 0
    missed_count: int = 0  # report-ins that missed their deadline
    skill: str | None = None  # of the taxonomy: volunteers matches the order on it


@dataclass(frozen=True)
class Outcome:
    """What a rule decided. `released`: the member whose claim slot to free after the commit;
    `causes`: why the order escalated (for the escalation counter)."""

    order: WorkOrder
    events: tuple[OrderRef, ...] = ()
    history: tuple[TimelineEntry, ...] = ()
    released: str | None = None
    causes: tuple[str, ...] = ()


@dataclass
class Change:
    """Builds an Outcome inside one rule: the order as it becomes, and what it implies."""

    order: WorkOrder
    who: Caller
    at: datetime
    events: list[OrderRef] = field(default_factory=list)
    history: list[TimelineEntry] = field(default_factory=list)
    causes: list[str] = field(default_factory=list)

    def set(self, **fields: Any) -> None:
        self.order = replace(self.order, **fields)

    def emit(self, payload_cls: type[OrderRef], **fields: Any) -> None:
        self.events.append(payload_cls(**ref(self.order), **fields))

    def note(self, kind: TimelineKind, **detail: Any) -> None:
        self.history.append(TimelineEntry(at=self.at, kind=kind, by=self.who.user_id,
                                          role=self.who.role.value, level=self.order.level,
                                          **detail))

    def done(self, released: str | None = None) -> Outcome:
        return Outcome(self.order, tuple(self.events), tuple(self.history), released,
                       tuple(self.causes))


def ref(order: WorkOrder) -> dict[str, Any]:
    return {"order_id": order.id, "issue_id": order.issue_id,
            "community_id": order.community_id, "level": order.level}


def scope_of(order: WorkOrder) -> OrderScope:
    return OrderScope(
        district_id=order.district_id, street_id=order.street_id,
        community_id=order.community_id, level=order.level, grid_id=order.grid_id,
        reached_grids=order.reached_grids, departments=order.departments,
        members=order.members, pool=order.pool, state=order.state, claimed_by=order.claimed_by)


def added(items: tuple[Any, ...], *new: Any) -> tuple[Any, ...]:
    """`items` and then each of `new` not in it yet, in order."""
    return tuple(dict.fromkeys([*items, *new]))
