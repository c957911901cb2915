"""Which deadlines an order has breached, each under a key that makes its handling happen once.

The key carries the deadline itself ("response:<iso>"), so a fresh deadline is a
new breach and a rerun (or a second replica) of the same breach finds it done.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from services.dispatch.domain.states import ACTIVE, OrderState


@dataclass(frozen=True)
class Breach:
    key: str
    kind: str  # response (nobody took it) | claim (taken, no 响应) | resolution | report_in
    due_at: datetime
    target: str | None = None  # report_in: "department:<id>" / "member:<id>"
    whistle_id: str | None = None


def _key(kind: str, due_at: datetime, suffix: str = "") -> str:
    return f"{kind}:{due_at.isoformat()}{suffix}"


def pending(state: str, response_due: datetime | None, resolution_due: datetime | None,
            report_ins: Iterable[dict], done: Iterable[str]) -> list[Breach]:
    """Every deadline still to watch, breached or not, minus those already handled."""
    found: list[Breach] = []
    state = OrderState(state)
    if response_due and state is OrderState.open:
        found.append(Breach(_key("response", response_due), "response", response_due))
    if response_due and state is OrderState.claimed:
        found.append(Breach(_key("claim", response_due), "claim", response_due))
    if resolution_due and state in ACTIVE:
        found.append(Breach(_key("resolution", resolution_due), "resolution", resolution_due))
    for item in report_ins:
        if item.get("state") == "pending":
            found.append(Breach(_key("report_in", item["due_at"],
                                     f":{item['whistle_id']}:{item['target']}"),
                                "report_in", item["due_at"], item["target"], item["whistle_id"]))
    handled = set(done)
    return [b for b in found if b.key not in handled]


def due_now(breaches: list[Breach], now: datetime) -> list[Breach]:
    return sorted((b for b in breaches if b.due_at <= now), key=lambda b: b.due_at)


def next_due(breaches: list[Breach]) -> datetime | None:
    return min((b.due_at for b in breaches), default=None)


def report_in_late(due_at: datetime, reported_at: datetime) -> bool:
    return reported_at > due_at
