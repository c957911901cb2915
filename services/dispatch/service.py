"""Dispatch service (吹哨报到): grids, responders, work orders, claims, whistles, deadlines.

The class only wires dependencies; entrypoints live in the mixins by concern.
"""

from __future__ import annotations

from services.common.metrics import Instrumentation
from services.common.outbox import OutboxRelay
from services.common.store import Store
from services.dispatch import metrics, orders, scheduler
from services.dispatch.handlers import EventHandlers
from services.dispatch.models import DOCUMENTS
from services.dispatch.rpc_grids import GridEntrypoints
from services.dispatch.rpc_orders import OrderEntrypoints
from services.dispatch.rpc_responders import ResponderEntrypoints
from services.dispatch.rpc_results import ResultEntrypoints
from services.dispatch.rpc_whistle import WhistleEntrypoints


class DispatchService(GridEntrypoints, ResponderEntrypoints, OrderEntrypoints,
                      ResultEntrypoints, WhistleEntrypoints, EventHandlers):
    name = "dispatch"
    store = Store("dispatch", DOCUMENTS)
    relay = OutboxRelay()
    instrumentation = Instrumentation()

    @scheduler.poll_timer()
    def fire_deadlines(self) -> None:
        """Apply every breached deadline once (safe with any number of replicas)."""
        now = orders.now()
        scheduler.run_due(now)
        metrics.refresh(now)
