"""Points service (积分): the ledger, earning rules, partner merchants, redemption.

The class only wires dependencies and timers; entrypoints live in the mixins by concern.
"""

from __future__ import annotations

import logging
import time

from nameko.timer import timer

from services.common.caller import Caller
from services.common.metrics import Instrumentation
from services.common.outbox import OutboxRelay
from services.common.rpc import TimedRpcProxy, dump
from services.common.store import Store
from services.common.timers import poll_timer
from services.points import expiry, ledger, metrics, redemption, residents, verify
from services.points.handlers import EventHandlers
from services.points.models import DOCUMENTS
from services.points.rpc_board import BoardEntrypoints
from services.points.rpc_books import BookEntrypoints
from services.points.rpc_redemptions import RedemptionEntrypoints

log = logging.getLogger(__name__)

VERIFY_SECONDS = 300  # the drift gauge's refresh (bounded: VERIFY_COMMUNITIES per run)
VERIFY_COMMUNITIES = 20
BACKFILL_SECONDS = 5  # once done, a tick is one read by _id
EXPIRY_SECONDS = 60  # a year end is acted on within a minute, a page per community a run


class PointsService(BookEntrypoints, RedemptionEntrypoints, EventHandlers, BoardEntrypoints):
    name = "points"
    store = Store("points", DOCUMENTS)
    relay = OutboxRelay()
    instrumentation = Instrumentation()
    # Only the one-off backfill of identity's accounts asks identity (a timer, never a write).
    identity = TimedRpcProxy("identity")

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

    @timer(interval=BACKFILL_SECONDS)  # not eager: RPC replies are not consumed yet at start
    def backfill_accounts(self) -> None:
        """Copy the accounts identity had before points listened (once; retried)."""
        try:
            residents.ACCOUNTS.backfill(
                lambda q: self.identity.account_names(dump(Caller.system()), q),
                residents.entry_of)
        except Exception as exc:  # identity down (Unavailable) or older: the next tick
            log.warning("account backfill not done yet: %r", exc)

    @timer(interval=VERIFY_SECONDS, eager=False)
    def verify_books(self) -> None:
        """Set the drift gauge from a verification of the next VERIFY_COMMUNITIES."""
        verify.refresh_drift(VERIFY_COMMUNITIES)
