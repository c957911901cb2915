"""Mediation service (矛盾纠纷调解): cases with their parties' consent, a mediator matched by
the volunteers service, meetings in deliberation's halls, an outcome with a follow-up.

The class only wires dependencies and timers; entrypoints live in the mixins by concern.
"""

from __future__ import annotations

import time

from nameko.rpc import rpc
from nameko.timer import timer

from services.common.contracts.mediation import FiguresOut
from services.common.metrics import Instrumentation
from services.common.outbox import OutboxRelay
from services.common.rpc import TimedRpcProxy, as_caller, replies
from services.common.store import Store
from services.common.timers import poll_timer
from services.mediation import figures, followups, metrics
from services.mediation.cases import CaseEntrypoints
from services.mediation.handlers import EventHandlers
from services.mediation.models import DOCUMENTS

GAUGE_REFRESH_SECONDS = 15
BOOKING_TIMEOUT_SECONDS = 3.0  # a meeting waits at most this for its hall, then is unplaced


class MediationService(CaseEntrypoints, EventHandlers):
    name = "mediation"
    store = Store("mediation", DOCUMENTS)
    relay = OutboxRelay()
    instrumentation = Instrumentation()
    deliberation = TimedRpcProxy("deliberation", timeout=BOOKING_TIMEOUT_SECONDS)

    @rpc
    @replies(FiguresOut)
    def case_figures(self, caller: dict, unit: str, unit_id: str) -> FiguresOut:
        """Cases by kind and outcome, time to agreement, follow-ups kept (counters)."""
        return figures.read(as_caller(caller), str(unit), str(unit_id))

    @poll_timer()
    def fire_follow_ups(self) -> None:
        """Agreements whose follow-up date came: due, once (any replica, any restart)."""
        followups.run_due(time.time())

    @timer(interval=GAUGE_REFRESH_SECONDS, eager=True)
    def refresh_gauges(self) -> None:
        metrics.refresh()
