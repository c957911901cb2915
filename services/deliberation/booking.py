"""Hall booking without double booking: one document per half-hour slot, `_id`
"<hall>:<slot>", so of two bookings racing for a slot exactly one insert wins.

A booking takes its slots in order and gives back the ones it took if any is held; the
slot documents name the meeting, so a release removes only its own. (A crash between the
slots and the meeting's insert leaves slots held by a meeting that does not exist: they
would need a sweep, which is not built yet.)
"""

from __future__ import annotations

from mongoengine.errors import NotUniqueError

from services.common.errors import Conflict
from services.deliberation import metrics
from services.deliberation.models import HallSlot


def take(hall_id: str, slot_ids: list[str], meeting_id: str) -> None:
    taken: list[str] = []
    for slot_id in slot_ids:
        try:
            HallSlot(id=slot_id, hall_id=hall_id, meeting_id=meeting_id).save(force_insert=True)
        except NotUniqueError as exc:
            release(taken, meeting_id)
            metrics.BOOKINGS_REFUSED.inc()
            raise Conflict("the hall is booked at that time", {"hall_id": "booked"}) from exc
        taken.append(slot_id)


def release(slot_ids: list[str], meeting_id: str) -> None:
    for slot_id in slot_ids:
        HallSlot.objects(id=slot_id, meeting_id=meeting_id).delete()
