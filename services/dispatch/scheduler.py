"""Durable timers: deadlines live on the orders; any replica may poll; each fires once.

A poll reads the orders whose earliest watched deadline (`next_due_ts`) has
passed and applies every breached deadline in one commit conditioned on the
version it read, recording the breach's key with it. A second replica that read
the same order loses the commit (StaleWrite) and, re-reading, finds the key
done; a restart re-reads the stored deadlines. State change, breach key and
events are one write, so nothing fires twice and nothing is lost.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from nameko.timer import Timer

from services.common.caller import Caller
from services.common.config import settings_from_nameko
from services.common.contracts.dispatch import OrderReturnedToPool, ReportInMissed
from services.common.contracts.workflow import Level
from services.common.store import StaleWrite
from services.dispatch import metrics, orders
from services.dispatch.domain import ladder, sla, timers
from services.dispatch.domain.states import ACTIVE, transition
from services.dispatch.models import Order

log = logging.getLogger(__name__)
BATCH = 200


class PollTimer(Timer):
    """A nameko timer whose interval is LINLI_SCHEDULER_POLL_SECONDS (read at container setup)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(interval=1.0, **kwargs)

    def setup(self) -> None:
        self.interval = settings_from_nameko(self.container.config).scheduler_poll_seconds


poll_timer = PollTimer.decorator


def run_due(now: datetime) -> int:
    """Apply every breached deadline; return how many orders changed."""
    changed = 0
    due = Order.objects(next_due_ts__lte=now.timestamp()).order_by("next_due_ts").limit(BATCH)
    for order in due:
        try:
            released = apply(order, now)
        except StaleWrite:
            continue  # another replica (or a user) changed it: the next poll re-reads
        except Exception:  # one bad order must not stop the others' deadlines
            log.exception("deadline handling failed for %s", order.id)
            continue
        orders.release_claim_slot(released)
        changed += 1
    return changed


def apply(order: Order, now: datetime) -> str | None:
    """Handle the order's due breaches in one commit; return a claimer whose slot to free."""
    system = Caller.system(order.district_id)
    released, causes = None, []
    for breach in timers.due_now(orders.watched(order), now):
        if breach.kind == "claim":
            released = order.claimed_by
            _lapse(order, system, now)
        elif breach.kind in ("response", "resolution") and order.level != Level.district:
            why = "nobody responded in time" if breach.kind == "response" else \
                "not resolved by the deadline"
            orders.escalate(order, system, f"{why} ({breach.due_at.isoformat()})", now)
            causes.append(breach.kind)
        elif breach.kind == "report_in":
            causes += _missed(order, system, breach, now)
        order.breaches = list(order.breaches) + [breach.key]
    orders.refresh_due(order)
    order.commit()
    for cause in causes:
        metrics.ESCALATIONS.labels(cause).inc()
    return released


def _lapse(order: Order, system: Caller, now: datetime) -> None:
    """No 响应 before the response deadline: back to the pool, the miss recorded."""
    holder = order.claimed_by
    order.state = transition(order.state, "lapse").value
    order.claimed_by, order.misses = None, (order.misses or 0) + 1
    order.response_due_at = sla.due(now, order.response_hours)
    orders.note(order, system, "claim_lapsed", now, responder=holder)
    orders.emit(order, system, OrderReturnedToPool, responder_id=holder,
                reason="no response before the response deadline")


def _missed(order: Order, system: Caller, breach: timers.Breach, now: datetime) -> list[str]:
    """A summoned unit did not report in: recorded, and escalated above the whistler."""
    items, level = [], Level.community
    for item in order.report_ins:
        if item["whistle_id"] == breach.whistle_id and item["target"] == breach.target:
            level = ladder.above(item.get("level") or order.level)
            item = dict(item, state="missed")
        items.append(item)
    order.report_ins = items
    orders.note(order, system, "report_in_missed", now, target=breach.target,
                escalated_to=level.value)
    orders.emit(order, system, ReportInMissed, whistle_id=breach.whistle_id,
                target=breach.target, escalated_to=level)
    metrics.REPORT_INS_MISSED.inc()
    reason = f"{breach.target} did not report in by {breach.due_at.isoformat()}"
    if order.state in ACTIVE and orders.escalate(order, system, reason, now, to_level=level):
        return ["report_in"]
    return []
