"""督: an approved decision is watched until dispatch confirms each of its work orders.

`supervise_ts` (the plan's deadline, an indexed float) is unset once every order is
confirmed; the PollTimer marks a decision still open at its deadline overdue, once, with
`decision.overdue` for the street (a version-conditioned commit: once across replicas),
and moves `supervise_ts` to `ESCALATE_AFTER_SECONDS` past the deadline: still open then,
the decision escalates to its street once (`decision.escalated`, the street's list).
Dispatch's own deadlines escalate each order up the tree as they always do.
"""

from __future__ import annotations

import logging

from services.common.aggregate import change
from services.common.caller import Caller
from services.deliberation import metrics
from services.deliberation.domain import meetings as rules
from services.deliberation.models import Meeting

log = logging.getLogger(__name__)
BATCH = 20
ORDER_PREFIX = "o-d-"  # dispatch's ids for a decision's orders: o-<decision>-<n>


def task_of(order_id: str) -> tuple[str, int] | None:
    """(meeting id, task number) of a decision's order id, else None (another order)."""
    if not order_id.startswith(ORDER_PREFIX):
        return None
    meeting_id, _, n = order_id.removeprefix(ORDER_PREFIX).rpartition("-")
    return (meeting_id, int(n)) if meeting_id and n.isdigit() else None


def confirmed(order_id: str, at: float, caller: Caller) -> None:
    task = task_of(order_id)
    if task is None or Meeting.objects(id=task[0]).only("id").first() is None:
        return
    done = change(lambda: Meeting.objects.get(id=task[0]),
                  lambda m, now: rules.task_done(m, task[1], at), caller)
    if done.decision is not None and done.doc.executed_ts:
        on_time = done.doc.executed_ts <= done.doc.plan["deadline_ts"]
        metrics.EXECUTED.labels("on_time" if on_time else "late").inc()


def run_due(now: float) -> int:
    due = list(Meeting.objects(supervise_ts__lte=now).only("id").limit(BATCH))
    for doc in due:
        try:
            done = change(lambda i=doc.id: Meeting.objects.get(id=i),
                          lambda m, at: rules.due(m, now), Caller.system())
            if done.decision is not None:
                (metrics.ESCALATED if done.doc.escalated_ts else metrics.OVERDUE).inc()
        except Exception:  # one bad decision must not stop the others; the next poll retries
            log.exception("supervising %s failed", doc.id)
    return len(due)
