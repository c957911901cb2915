"""The `audit.recorded` events of every service that performs admin acts: one handler per
source (nameko subscribes by source service). The insert keyed by the event id is the
handler's idempotence, so the inbox is skipped (`idempotent=True`)."""

from __future__ import annotations

from services.audit import entries
from services.common.contracts import Envelope
from services.common.inbox import handles

SOURCES = ("identity", "intake", "dispatch", "points", "evaluation", "deliberation",
           "volunteers", "mediation", "care", "incubation")


def _handler(source: str):  # noqa: ANN202
    def record(self, envelope: Envelope) -> None:  # noqa: ANN001
        entries.store(envelope, source)

    record.__name__ = f"on_{source}_audit_recorded"
    record.__doc__ = f"An admin act of {source}: stored once, by the event's id."
    return handles(source, "audit.recorded", idempotent=True)(record)


class EventHandlers:
    pass


for _source in SOURCES:
    setattr(EventHandlers, f"on_{_source}_audit_recorded", _handler(_source))
