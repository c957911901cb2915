"""Deliberation service (议事协商 · 集议办督评): halls, topic lists, "4 + N" meetings, review
by the party committee, household votes with quorums, decisions handed to dispatch.

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
from services.deliberation import closing, grids, metrics, supervision
from services.deliberation.handlers import EventHandlers
from services.deliberation.models import DOCUMENTS
from services.deliberation.rpc_board import BoardEntrypoints
from services.deliberation.rpc_halls import HallEntrypoints
from services.deliberation.rpc_meetings import MeetingEntrypoints
from services.deliberation.rpc_roster import RosterEntrypoints
from services.deliberation.rpc_topics import TopicEntrypoints
from services.deliberation.rpc_votes import VoteEntrypoints

GAUGE_REFRESH_SECONDS = 15
BACKFILL_SECONDS = 5  # once done, a tick is one read by _id
log = logging.getLogger(__name__)


class DeliberationService(HallEntrypoints, RosterEntrypoints, TopicEntrypoints,
                          MeetingEntrypoints, VoteEntrypoints, EventHandlers,
                          BoardEntrypoints):
    name = "deliberation"
    store = Store("deliberation", DOCUMENTS)
    relay = OutboxRelay()
    instrumentation = Instrumentation()
    # Off the request path only: the grid backfill (within LINLI_RPC_TIMEOUT_SECONDS).
    dispatch = TimedRpcProxy("dispatch")

    @poll_timer()
    def close_votes(self) -> None:
        """Votes past their window close and publish their result (once, any replica)."""
        closing.run_due(time.time())

    @poll_timer()
    def supervise_decisions(self) -> None:
        """督: decisions still open at their deadline are marked overdue (once)."""
        supervision.run_due(time.time())

    @timer(interval=GAUGE_REFRESH_SECONDS, eager=True)
    def refresh_gauges(self) -> None:
        metrics.refresh()

    @timer(interval=BACKFILL_SECONDS)  # not eager: RPC replies are not consumed yet at start
    def backfill_grids(self) -> None:
        """Copy the grids dispatch made before deliberation listened (once; retried while it
        is down: until then a grid joint meeting's grid is taken as given)."""
        try:
            grids.GRIDS.backfill(lambda q: self.dispatch.grid_states(dump(Caller.system()), q),
                                 grids.entry_of)
        except Exception as exc:  # dispatch down (Unavailable) or older: the next tick
            log.warning("grid backfill not done yet: %r", exc)
