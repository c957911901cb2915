"""Events care consumes: points refusing a booking's charge (the booker has too few points
for a service priced in points) undoes that round of the booking and frees its seat."""

from __future__ import annotations

from services.care import bookings
from services.common.caller import Caller
from services.common.contracts import Envelope
from services.common.contracts.points import CareChargeRefused
from services.common.inbox import handles


class EventHandlers:
    @handles("points", "care_charge.refused", idempotent=True)
    def on_care_charge_refused(self, envelope: Envelope) -> None:
        """Idempotent by the booking's state: a cancelled round decides nothing again, and a
        round made since is another round, left alone."""
        event: CareChargeRefused = envelope.parsed()
        bookings.cancel_unpaid(event.booking_id, event.round,
                               Caller.system(request_id=envelope.correlation_id))
