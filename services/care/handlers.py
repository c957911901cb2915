"""Events care consumes: points refusing a booking's charge (the booker has too few points
for a service priced in points) undoes that round of the booking and frees its seat;
identity's new accounts, the grid workers and volunteers a rota may name (visitors.py)."""

from __future__ import annotations

from services.care import bookings, visitors
from services.common.caller import Caller
from services.common.contracts import Envelope
from services.common.contracts.identity import UserCreated
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

    @handles("identity", "user.created")
    def on_user_created(self, envelope: Envelope) -> None:
        """A grid worker or volunteer of a community: a rota may name them."""
        created: UserCreated = envelope.parsed()
        visitors.learn(created.community_id, created.user_id, created.role)
