"""Volunteers service (志愿者 · 社区运营官): profiles, micro-wishes, activities, matching.

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
from services.volunteers import grids, matching, metrics
from services.volunteers.activities import ActivityEntrypoints
from services.volunteers.board import BoardEntrypoints
from services.volunteers.handlers import EventHandlers
from services.volunteers.index import CATCH_UP_SECONDS, MatchIndexProvider
from services.volunteers.lists import ListEntrypoints
from services.volunteers.matching import MatchEntrypoints
from services.volunteers.models import DOCUMENTS
from services.volunteers.policy import PolicyEntrypoints
from services.volunteers.profiles import ProfileEntrypoints
from services.volunteers.renewal import RenewalEntrypoints
from services.volunteers.wishes import WishEntrypoints

log = logging.getLogger(__name__)
GAUGE_REFRESH_SECONDS = 15
BACKFILL_SECONDS = 30


class VolunteersService(ProfileEntrypoints, WishEntrypoints, ActivityEntrypoints,
                        MatchEntrypoints, ListEntrypoints, PolicyEntrypoints, RenewalEntrypoints,
                        EventHandlers, BoardEntrypoints):
    name = "volunteers"
    store = Store("volunteers", DOCUMENTS)
    relay = OutboxRelay()
    instrumentation = Instrumentation()
    matching = MatchIndexProvider()
    dispatch = TimedRpcProxy("dispatch")  # only for the one-off grid backfill, off requests

    @poll_timer()
    def fire_offer_deadlines(self) -> None:
        """Offers nobody answered in time move to the next candidate (once, any replica)."""
        matching.run_due(time.time())

    @timer(interval=CATCH_UP_SECONDS)
    def catch_up_index(self) -> None:
        """What other replicas wrote since the last read (a range on `changed_ts`)."""
        if self.matching.ready:
            self.matching.catch_up()

    @timer(interval=GAUGE_REFRESH_SECONDS, eager=True)
    def refresh_gauges(self) -> None:
        metrics.refresh()

    @timer(interval=BACKFILL_SECONDS)  # not eager: RPC replies are not consumed yet at start
    def backfill_grids(self) -> None:
        """Copy the grids dispatch made before this service listened (once)."""
        try:
            if grids.backfill(lambda q: self.dispatch.grid_states(dump(Caller.system()), q)) \
                    and self.matching.ready:
                self.matching.catch_up()
        except Exception as exc:  # dispatch down or slow: the next tick
            log.warning("grid backfill not done yet: %r", exc)
