"""Points service (积分): the ledger, earning rules, partner merchants, redemption.

The class only wires dependencies and timers; entrypoints live in the mixins by concern.
"""

from __future__ import annotations

import logging
import time

from nameko.timer import timer

from services.common.metrics import Instrumentation
from services.common.outbox import OutboxRelay
from services.common.store import Store
from services.points import ledger, metrics, redemption, scheduler, verify
from services.points.handlers import EventHandlers
from services.points.models import DOCUMENTS
from services.points.rpc_books import BookEntrypoints
from services.points.rpc_redemptions import RedemptionEntrypoints

log = logging.getLogger(__name__)
VERIFY_SECONDS = 300  # the drift gauge's refresh (bounded: VERIFY_COMMUNITIES per run)
VERIFY_COMMUNITIES = 20


class PointsService(BookEntrypoints, RedemptionEntrypoints, EventHandlers):
    name = "points"
    store = Store("points", DOCUMENTS)
    relay = OutboxRelay()
    instrumentation = Instrumentation()

    @scheduler.poll_timer()
    def fire_deadlines(self) -> None:
        """Expire codes, fail stalled requests, settle what is left (once, any replicas)."""
        redemption.run_due(time.time())

    @scheduler.poll_timer()
    def sweep_postings(self) -> None:
        """Finish postings whose applier's lease ran out (a crash between two steps)."""
        metrics.POSTINGS_SWEPT.inc(ledger.sweep())

    @timer(interval=VERIFY_SECONDS, eager=False)
    def verify_books(self) -> None:
        """Set the drift gauge from a verification of up to VERIFY_COMMUNITIES communities."""
        for community_id in verify.communities(limit=VERIFY_COMMUNITIES * 4)[
                :VERIFY_COMMUNITIES]:
            report = verify.verify_community(community_id)
            drift = report.drift + (0 if report.zero_sum or not report.complete else 1)
            metrics.LEDGER_DRIFT.labels(community_id).set(drift)
            if drift:
                log.error("points ledger drift in %s: %s", community_id,
                          report.model_dump_json())
