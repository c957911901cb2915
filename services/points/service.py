"""Points service (积分): the ledger, earning rules, partner merchants, redemption.

The class only wires dependencies and timers; entrypoints live in the mixins by concern.
"""

from __future__ import annotations

import time

from nameko.timer import timer

from services.common.metrics import Instrumentation
from services.common.outbox import OutboxRelay
from services.common.store import Store
from services.common.timers import poll_timer
from services.points import expiry, ledger, metrics, redemption, verify
from services.points.handlers import EventHandlers
from services.points.models import DOCUMENTS
from services.points.rpc_books import BookEntrypoints
from services.points.rpc_redemptions import RedemptionEntrypoints

VERIFY_SECONDS = 300  # the drift gauge's refresh (bounded: VERIFY_COMMUNITIES per run)
VERIFY_COMMUNITIES = 20
EXPIRY_SECONDS = 60  # a year end is acted on within a minute, a page per community a run


class PointsService(BookEntrypoints, RedemptionEntrypoints, EventHandlers):
    name = "points"
    store = Store("points", DOCUMENTS)
    relay = OutboxRelay()
    instrumentation = Instrumentation()

    @poll_timer()
    def fire_deadlines(self) -> None:
        """Expire codes, fail stalled requests, settle what is left (once, any replicas)."""
        redemption.run_due(time.time())

    @poll_timer()
    def sweep_postings(self) -> None:
        """Finish postings whose applier's lease ran out (a crash between two steps)."""
        metrics.POSTINGS_SWEPT.inc(ledger.sweep())
        ledger.AFTERCARE.flush()

    @timer(interval=EXPIRY_SECONDS, eager=True)
    def expire_points(self) -> None:
        """At a year end: expire what the communities' policies say, a page at a time."""
        expiry.run_due(time.time())

    @timer(interval=VERIFY_SECONDS, eager=False)
    def verify_books(self) -> None:
        """Set the drift gauge from a verification of the next VERIFY_COMMUNITIES."""
        verify.refresh_drift(VERIFY_COMMUNITIES)
