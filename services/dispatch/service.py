"""Dispatch service (吹哨报到): grids, responders, work orders, claims, whistles, deadlines.

The class only wires dependencies; entrypoints live in the mixins by concern.
"""

from __future__ import annotations

import logging

from nameko.timer import timer

from services.common.caller import Caller
from services.common.metrics import Instrumentation
from services.common.outbox import OutboxRelay
from services.common.rpc import TimedRpcProxy, dump
from services.common.store import Store
from services.dispatch import catalogue, commit, metrics, scheduler, upkeep
from services.dispatch.handlers import EventHandlers
from services.dispatch.models import DOCUMENTS
from services.dispatch.rpc_grids import GridEntrypoints
from services.dispatch.rpc_orders import OrderEntrypoints
from services.dispatch.rpc_responders import ResponderEntrypoints
from services.dispatch.rpc_results import ResultEntrypoints
from services.dispatch.rpc_whistle import WhistleEntrypoints

log = logging.getLogger(__name__)
CLAIM_RECONCILE_SECONDS = 300
BACKFILL_SECONDS = 5  # once done, a tick is one read by _id
GAUGE_REFRESH_SECONDS = 15  # a Prometheus scrape interval (one read of the tally)


class DispatchService(GridEntrypoints, ResponderEntrypoints, OrderEntrypoints,
                      ResultEntrypoints, WhistleEntrypoints, EventHandlers):
    name = "dispatch"
    store = Store("dispatch", DOCUMENTS)
    relay = OutboxRelay()
    instrumentation = Instrumentation()
    # Off the request path only: the catalogue backfill (within LINLI_RPC_TIMEOUT_SECONDS).
    intake = TimedRpcProxy("intake")

    @timer(interval=CLAIM_RECONCILE_SECONDS, eager=True)
    def reconcile_claims(self) -> None:
        """Bring a batch of open-claim counters back to the orders members hold (after a crash)."""
        upkeep.reconcile_claim_counters()

    @scheduler.poll_timer()
    def fire_deadlines(self) -> None:
        """Apply every breached deadline once (safe with any number of replicas)."""
        scheduler.run_due(commit.now())

    @timer(interval=BACKFILL_SECONDS)  # not eager: RPC replies are not consumed yet at start
    def backfill_catalogue(self) -> None:
        """Copy the catalogue entries intake made before dispatch listened (once; retried
        while intake is down: until then an order's category is not checked)."""
        try:
            catalogue.CATEGORIES.backfill(
                lambda q: self.intake.category_states(dump(Caller.system()), q),
                catalogue.entry_of)
        except Exception as exc:  # intake down (Unavailable) or older: the next tick
            log.warning("catalogue backfill not done yet: %r", exc)

    @timer(interval=GAUGE_REFRESH_SECONDS, eager=True)
    def refresh_gauges(self) -> None:
        """Set the open and overdue gauges from the deployment's tally."""
        metrics.refresh()
