"""Evaluation's deadlines: a case's response and resolution deadlines (an item still open
past its deadline is overdue the moment it passes, not when it is finally answered) and
its rating window (no rating by its end: not rated). Each is data on the case
(`next_due_ts`); a poll claims the due ones through the commit frame, keyed by the
deadline it fires, so replicas and restarts fire each exactly once."""

from __future__ import annotations

import logging
import time

from services.common.caller import Caller
from services.common.store import StaleWrite
from services.evaluation import cases, moves
from services.evaluation.domain import Input

log = logging.getLogger(__name__)
BATCH = 200


def run_due(now: float | None = None) -> int:
    """Fire every passed deadline of up to BATCH cases; the rest wait for the next poll."""
    at = time.time() if now is None else now
    fired = 0
    for case_id, due in cases.due_ids(at, BATCH):
        try:
            done = cases.apply(case_id, Input("due", at), f"due:{due!r}", Caller.system())
            fired += done.step is not None
        except StaleWrite:
            continue  # it kept changing under us: the next poll re-reads
        except Exception:  # one bad case must not stop the others' deadlines
            log.exception("deadline handling failed for %s", case_id)
    return fired


def sweep_pending() -> int:
    """Apply the counter moves a crash left on cases between their commit and the buckets."""
    moved = 0
    for case_id in cases.pending_ids(BATCH):
        try:
            moved += moves.apply_pending(case_id)
        except Exception:
            log.exception("applying the pending figures of %s failed", case_id)
    return moved
