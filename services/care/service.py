"""Care service (一老一小): the catalogue of services for the old and the young, bookings
held to each session's capacity, delivery (hours and points follow by event), and the visit
rota of elderly people living alone whose missed visits escalate.

The class only wires dependencies and the timers; entrypoints live in the mixins by concern.
"""

from __future__ import annotations

import logging
import time

from nameko.timer import timer

from services.care import bookings, rota, visitors
from services.care.bookings import BookingEntrypoints
from services.care.catalogue import CatalogueEntrypoints
from services.care.handlers import EventHandlers
from services.care.models import DOCUMENTS
from services.care.rota import RotaEntrypoints
from services.common.caller import Caller
from services.common.metrics import Instrumentation
from services.common.outbox import OutboxRelay
from services.common.rpc import TimedRpcProxy, dump
from services.common.store import Store
from services.common.timers import poll_timer

log = logging.getLogger(__name__)
BACKFILL_SECONDS = 5  # once done, a tick is two reads by _id


class CareService(CatalogueEntrypoints, BookingEntrypoints, RotaEntrypoints, EventHandlers):
    name = "care"
    store = Store("care", DOCUMENTS)
    relay = OutboxRelay()
    instrumentation = Instrumentation()

    # Off the request path only: the visitors' backfill (within LINLI_RPC_TIMEOUT_SECONDS).
    identity = TimedRpcProxy("identity")

    @timer(interval=BACKFILL_SECONDS)  # not eager: RPC replies are not consumed yet at start
    def backfill_visitors(self) -> None:
        """Copy the grid workers and volunteers identity had before care listened (once;
        retried while identity is down: until then a rota's visitors are not checked)."""
        for mirror in (visitors.GRID_WORKERS, visitors.VOLUNTEERS):
            try:
                mirror.backfill(lambda q: self.identity.account_names(dump(Caller.system()), q),
                                visitors.entry_for(mirror))
            except Exception as exc:  # identity down (Unavailable): the next tick
                log.warning("%s backfill not done yet: %r", mirror.kind, exc)

    @poll_timer()
    def fire_missed_visits(self) -> None:
        """Awaited visits past their grace: missed and escalated, once (any replica)."""
        rota.run_due(time.time())

    @poll_timer()
    def repair_seats(self) -> None:
        """Seats of cancels stopped before their release (a crash), freed once."""
        bookings.repair(time.time())
