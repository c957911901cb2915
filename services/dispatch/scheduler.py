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
from collections.abc import Callable
from datetime import datetime

from services.common.caller import Caller
from services.common.store import StaleWrite
from services.common.timers import poll_timer  # noqa: F401  (the service's @scheduler.poll_timer)
from services.dispatch import commit
from services.dispatch.domain import deadlines
from services.dispatch.models import Order

log = logging.getLogger(__name__)
BATCH = 200


def run_due(now: datetime) -> int:
    """Apply every breached deadline; return how many orders changed.

    The due query is a float range on the one indexed `next_due_ts`, sorted by it, with a
    limit: flat however many orders are stored (what is left waits for the next poll)."""
    changed = 0
    due = Order.objects(next_due_ts__lte=now.timestamp()).order_by("next_due_ts").only(
        "id").limit(BATCH)
    for order_id in [o.id for o in due]:
        try:
            _, outcome = commit.change(Caller.system(), _loader(order_id),
                                       lambda o, at: deadlines.breach(o, at))
        except StaleWrite:
            continue  # it kept changing under us: the next poll re-reads
        except Exception:  # one bad order must not stop the others' deadlines
            log.exception("deadline handling failed for %s", order_id)
            continue
        changed += outcome is not None
    return changed


def _loader(order_id: str) -> Callable[[], Order]:
    return lambda: Order.objects.get(id=order_id)
