"""Care service (一老一小): the catalogue of services for the old and the young, bookings
held to each session's capacity, delivery (hours and points follow by event), and the visit
rota of elderly people living alone whose missed visits escalate.

The class only wires dependencies and the timer; entrypoints live in the mixins by concern.
"""

from __future__ import annotations

import time

from services.care import bookings, rota
from services.care.bookings import BookingEntrypoints
from services.care.catalogue import CatalogueEntrypoints
from services.care.handlers import EventHandlers
from services.care.models import DOCUMENTS
from services.care.rota import RotaEntrypoints
from services.common.metrics import Instrumentation
from services.common.outbox import OutboxRelay
from services.common.store import Store
from services.common.timers import poll_timer


class CareService(CatalogueEntrypoints, BookingEntrypoints, RotaEntrypoints, EventHandlers):
    name = "care"
    store = Store("care", DOCUMENTS)
    relay = OutboxRelay()
    instrumentation = Instrumentation()

    @poll_timer()
    def fire_missed_visits(self) -> None:
        """Awaited visits past their grace: missed and escalated, once (any replica)."""
        rota.run_due(time.time())

    @poll_timer()
    def repair_seats(self) -> None:
        """Seats of cancels stopped before their release (a crash), freed once."""
        bookings.repair(time.time())
