"""Deliberation service (议事协商 · 集议办督评): halls, topic lists, "4 + N" meetings, review
by the party committee, household votes with quorums, decisions handed to dispatch.

The class only wires dependencies and timers; entrypoints live in the mixins by concern.
"""

from __future__ import annotations

import time

from nameko.timer import timer

from services.common.metrics import Instrumentation
from services.common.outbox import OutboxRelay
from services.common.store import Store
from services.common.timers import poll_timer
from services.deliberation import closing, metrics, supervision
from services.deliberation.handlers import EventHandlers
from services.deliberation.models import DOCUMENTS
from services.deliberation.rpc_halls import HallEntrypoints
from services.deliberation.rpc_meetings import MeetingEntrypoints
from services.deliberation.rpc_roster import RosterEntrypoints
from services.deliberation.rpc_topics import TopicEntrypoints
from services.deliberation.rpc_votes import VoteEntrypoints

GAUGE_REFRESH_SECONDS = 15


class DeliberationService(HallEntrypoints, RosterEntrypoints, TopicEntrypoints,
                          MeetingEntrypoints, VoteEntrypoints, EventHandlers):
    name = "deliberation"
    store = Store("deliberation", DOCUMENTS)
    relay = OutboxRelay()
    instrumentation = Instrumentation()

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
