"""Hall booking without double booking: one document per half-hour slot, `_id`
"<hall>:<slot>", so of two bookings racing for a slot exactly one insert wins.

A booking takes its slots in order and gives back the ones it took if any is held; the
slot documents name the meeting, so a release removes only its own. A slot left behind
by a crash (held by a meeting that was never inserted, `ORPHAN_SECONDS` after it was
taken, or by a cancelled meeting whose release did not run) is repaired lazily, when
another booking finds it in its way: freed conditional on its holder, then taken again.
Nothing scans the slots.
"""

from __future__ import annotations

import time

from mongoengine.errors import NotUniqueError

from services.common.contracts.deliberation import MeetingState
from services.common.errors import Conflict, InvalidInput
from services.deliberation import metrics
from services.deliberation.domain import halls
from services.deliberation.models import Hall, HallBooking, HallSlot, Meeting

ORPHAN_SECONDS = 60.0  # longer than any booking takes between its slots and its meeting


def within_hours(hall: Hall, starts_ts: float, ends_ts: float) -> None:
    """A booking outside the hall's opening hours is refused before any slot is taken."""
    if halls.outside_hours(hall.opening_hours, starts_ts, ends_ts):
        metrics.BOOKINGS_REFUSED.inc()
        raise InvalidInput("the hall is closed at that time",
                           {"starts_ts": f"outside the opening hours {hall.opening_hours}"})


def take(hall_id: str, slot_ids: list[str], meeting_id: str) -> None:
    taken: list[str] = []
    for slot_id in slot_ids:
        if not _insert(hall_id, slot_id, meeting_id) and not (
                _free_if_stale(slot_id) and _insert(hall_id, slot_id, meeting_id)):
            release(taken, meeting_id)
            metrics.BOOKINGS_REFUSED.inc()
            raise Conflict("the hall is booked at that time", {"hall_id": "booked"})
        taken.append(slot_id)


def _insert(hall_id: str, slot_id: str, meeting_id: str) -> bool:
    try:
        HallSlot(id=slot_id, hall_id=hall_id, meeting_id=meeting_id,
                 taken_ts=time.time()).save(force_insert=True)
        return True
    except NotUniqueError:
        return False


def _free_if_stale(slot_id: str, now: float | None = None) -> bool:
    """Free a slot whose holder never came to be or was cancelled; True if it was freed."""
    slot = HallSlot.objects(id=slot_id).first()
    if slot is None:
        return True  # released meanwhile: try again
    holder = (Meeting.objects(id=slot.meeting_id).only("state").first()
              or HallBooking.objects(id=slot.meeting_id).only("state").first())
    at = time.time() if now is None else now
    orphan = holder is None and at - (slot.taken_ts or 0) > ORPHAN_SECONDS
    if not orphan and (holder is None or holder.state != MeetingState.cancelled.value):
        return False
    HallSlot.objects(id=slot_id, meeting_id=slot.meeting_id).delete()
    return True


def release(slot_ids: list[str], meeting_id: str) -> None:
    for slot_id in slot_ids:
        HallSlot.objects(id=slot_id, meeting_id=meeting_id).delete()
