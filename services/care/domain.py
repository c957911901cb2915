"""The rules of 一老一小 as pure functions: eligibility, a booking's steps, the visit rota and
its missed deadline. Each reads a document (or plain values), is given the clock, and
returns the Decision or raises a DomainError naming the field. No I/O here.

    booking:  booked ──confirm──▶ confirmed ──deliver──▶ delivered
              booked | confirmed ──cancel──▶ cancelled ──book again──▶ booked (round + 1)
    rota:     cycle n due at visit_due_ts; a visit ──▶ cycle n + 1 due every_days later;
              due + grace passed without a visit ──(PollTimer, once)──▶ missed, escalated,
              cycle n + 1 due every_days after cycle n's due time
    ladder:   missed ──▶ community; still not visited escalate_hours later ──▶ street;
              again ──▶ district (the top); a visit puts it back to none
"""

from __future__ import annotations

from typing import Any

from services.common.aggregate import Decision
from services.common.contracts.care import (
    BookingState,
    CareBooked,
    CareBookingCancelled,
    CareDelivered,
    CareVisited,
    CareVisitEscalated,
    CareVisitMissed,
)
from services.common.errors import Conflict, InvalidInput
from services.common.paging import page_key

DAY = 86400.0
HELD = (BookingState.booked.value, BookingState.confirmed.value)


def eligible(rules: dict, age: int, living_alone: bool) -> None:
    """The beneficiary fits the service's band, or a 422 naming what does not fit."""
    low, high = rules.get("min_age"), rules.get("max_age")
    if low is not None and age < low:
        raise InvalidInput("the service is for older people", {"beneficiary.age":
                                                               f"at least {low}"})
    if high is not None and age > high:
        raise InvalidInput("the service is for younger people", {"beneficiary.age":
                                                                 f"at most {high}"})
    if rules.get("living_alone") and not living_alone:
        raise InvalidInput("the service is for people living alone",
                           {"beneficiary.living_alone": "must be true"})


def bookable(starts_ts: float, ends_ts: float, active: bool, now: float) -> None:
    if not active:
        raise Conflict("the service is withdrawn", {"service_id": "inactive"})
    if ends_ts <= now:
        raise Conflict("the session is over", {"session_id": "ended"})


# --- bookings ---------------------------------------------------------------------------


def book(booking: Any, now: float, beneficiary: dict, price_points: int = 0) -> Decision | None:
    """The seat is held (seats.take succeeded, or this holder already held it): the booking
    is made, or made again after a cancellation; a held booking is the same booking."""
    if booking.state in HELD and not booking._created:
        return None  # a double click, a retry: one booking
    if booking.state == BookingState.delivered.value:
        raise Conflict("the service was delivered", {"session_id": "already served"})
    n = 1 if booking._created else (booking.round or 1) + 1
    event = CareBooked(booking_id=booking.id, service_id=booking.service_id,
                       session_id=booking.session_id, community_id=booking.community_id,
                       account_id=booking.account_id, round=n, price_points=price_points)
    return Decision(changes={"state": BookingState.booked.value, "round": n, "booked_ts": now,
                             "beneficiary": beneficiary, "confirmed_ts": None,
                             "cancelled_ts": None, "release_pending": False,
                             "cancel_reason": None, "price_points": price_points},
                    events=[event])


def adoptable(booking: Any) -> bool:
    """A holder already holding the seat may make (or make again) their booking, unless a
    cancel of it is still freeing the seat (`release_pending`): then they ask again."""
    if booking is None or booking.state != BookingState.cancelled.value:
        return True
    if booking.release_pending:
        raise Conflict("the booking is being cancelled; book again in a moment",
                       {"session_id": "being cancelled"})
    return True


def released(booking: Any) -> Decision | None:
    """The cancelled booking's seat is free: the cancel is over (a rebook cleared it)."""
    if booking.state != BookingState.cancelled.value or not booking.release_pending:
        return None
    return Decision(changes={"release_pending": False})


def cancel(booking: Any, now: float, reason: str | None = None,
           round_: int | None = None) -> Decision | None:
    """Give up the seat (before delivery); a second cancel decides nothing (frees nothing).
    `round_`: the round a system cancel is about (points refused its charge); a booking
    made again since is another round, and stays."""
    if booking.state == BookingState.cancelled.value:
        return None
    if round_ is not None and (booking.round != round_
                               or booking.state == BookingState.delivered.value):
        return None  # another round, or served already (cancel_unpaid counts it)
    if booking.state == BookingState.delivered.value:
        raise Conflict("a delivered service is not cancelled", {"state": booking.state})
    event = CareBookingCancelled(booking_id=booking.id, session_id=booking.session_id,
                                 community_id=booking.community_id,
                                 account_id=booking.account_id, round=booking.round,
                                 price_points=int(booking.price_points or 0))
    return Decision(changes={"state": BookingState.cancelled.value, "cancelled_ts": now,
                             "release_pending": True, "cancel_reason": reason},
                    events=[event])


def confirm(booking: Any, now: float) -> Decision | None:
    if booking.state == BookingState.confirmed.value:
        return None
    if booking.state != BookingState.booked.value:
        raise Conflict("only a booked seat is confirmed", {"state": booking.state})
    return Decision(changes={"state": BookingState.confirmed.value, "confirmed_ts": now})


def deliver(booking: Any, service: Any, session_starts_ts: float, hours: float | None,
            note: str, by: str, now: float) -> Decision | None:
    """The service was given: `care.delivered` once per round (hours and points follow)."""
    if booking.state == BookingState.delivered.value:
        return None
    if booking.state not in HELD:
        raise Conflict("a cancelled booking is not delivered", {"state": booking.state})
    if session_starts_ts > now:
        raise Conflict("the session has not started", {"session_id": "in the future"})
    given = round(hours or service.hours or 1.0, 2)
    event = CareDelivered(
        booking_id=booking.id, service_id=service.id, session_id=booking.session_id,
        community_id=booking.community_id, kind=service.kind,
        resident_account_id=booking.account_id, provider_kind=service.provider_kind,
        provider_account_id=service.provider_account_id, delivered_by=by, hours=given,
        price_points=int(booking.price_points or 0), round=booking.round, delivered_ts=now)
    return Decision(changes={"state": BookingState.delivered.value, "delivered_ts": now,
                             "hours": given, "delivery_note": note}, events=[event])


# --- the visit rota ---------------------------------------------------------------------


def visitors(elder: Any) -> list[str]:
    return [v for v in [elder.grid_worker_id, *(elder.volunteer_ids or [])] if v]


LADDER = ("none", "community", "street", "district")  # level n of a missed visit
TOP = len(LADDER) - 1


def level_of(elder: Any) -> int:
    """How far the missed visit went up; an elder already overdue before the ladder existed
    is at the community's rung."""
    level = min(max(int(elder.level or 0), 0), TOP)
    return max(level, 1) if elder.cycle_missed else level


def rung_since(elder: Any) -> float | None:
    """When the missed visit reached its rung (before the ladder: when it was missed)."""
    if elder.escalated_ts is not None:
        return elder.escalated_ts
    if elder.cycle_missed and elder.visit_due_ts is not None:
        return elder.visit_due_ts + (elder.grace_seconds or 0)
    return None


def step(elder: Any) -> float:
    """The time between two rungs (a rota assigned before the ladder: a day)."""
    return DAY if elder.escalate_seconds is None else float(elder.escalate_seconds)


def assign(elder: Any, grid_worker_id: str, volunteer_ids: list[str], every_days: int,
           first_due_ts: float | None, grace_hours: float, now: float,
           escalate_hours: float = 24.0) -> Decision:
    """A rota (re)assigned: the awaited visit is due at `first_due_ts` (or every_days on)."""
    due = first_due_ts if first_due_ts is not None else now + every_days * DAY
    if due <= now - DAY:
        raise InvalidInput("the first visit is not long past", {"first_due_ts": "in the past"})
    return Decision(changes={"grid_worker_id": grid_worker_id,
                             "volunteer_ids": list(volunteer_ids), "every_days": every_days,
                             "grace_seconds": grace_hours * 3600.0,
                             "escalate_seconds": escalate_hours * 3600.0,
                             "level": 0, "escalated_ts": None,
                             "cycle": max(elder.cycle or 0, 0) + 1, "visit_due_ts": due,
                             "cycle_missed": False})


SAME_VISIT_SECONDS = 600


def same_visit(elder: Any, visitor_id: str, now: float) -> bool:
    """The visitor's record of the visit they just made (a double click, a retry)."""
    return (elder.last_visitor_id == visitor_id and elder.last_visit_ts is not None
            and now - elder.last_visit_ts < SAME_VISIT_SECONDS and bool(elder.last_visit_id))


def visited(elder: Any, visitor_id: str, well: bool, now: float) -> tuple[Decision, bool]:
    """A visit recorded: the next one is due every_days from now; `late` if the awaited
    visit had been missed already."""
    if not elder.every_days:
        raise Conflict("no rota is assigned", {"rota": "none"})
    late = bool(elder.cycle_missed)
    event = CareVisited(elder_id=elder.id, community_id=elder.community_id,
                        visitor_id=visitor_id, cycle=elder.cycle, late=late, visited_ts=now)
    vid = f"{elder.id}:{elder.cycle}:{visitor_id}"
    return Decision(changes={"visits": (elder.visits or 0) + 1, "last_visit_ts": now,
                             "last_visit_id": vid, "last_visitor_id": visitor_id,
                             "cycle": elder.cycle + 1,
                             "visit_due_ts": now + elder.every_days * DAY,
                             "cycle_missed": False, "level": 0, "escalated_ts": None},
                    events=[event]), late


def visit_missed(elder: Any, now: float) -> Decision | None:
    """The PollTimer's claim: the awaited visit passed its grace without a visit. Once per
    cycle, whoever polls; the rota goes on (the next cycle, every_days after this due)."""
    if not elder.every_days or elder.cycle_missed or elder.visit_due_ts is None:
        return None
    if elder.visit_due_ts + (elder.grace_seconds or 0) > now:
        return None
    # the previous cycle not visited either: the miss stays where that one had reached, and
    # so does the rung's clock (a short cycle must not keep restarting it)
    level = max(level_of(elder), 1)
    since = rung_since(elder) if level_of(elder) >= 1 else None
    event = CareVisitMissed(**_on_the_ladder(elder, level), due_ts=elder.visit_due_ts)
    return Decision(changes={"missed": (elder.missed or 0) + 1, "cycle_missed": True,
                             "level": level, "escalated_ts": since if since is not None
                             else now}, events=[event])


def _on_the_ladder(elder: Any, level: int) -> dict[str, Any]:
    """The fields both ladder events carry (ids only), told to the visitors and the admin
    who registered the elder."""
    return {"elder_id": elder.id, "community_id": elder.community_id,
            "street_id": elder.street_id, "district_id": elder.district_id,
            "grid_id": elder.grid_id, "cycle": elder.cycle, "escalated_to": LADDER[level],
            "notify": list(dict.fromkeys([*visitors(elder), elder.registered_by]))}


def escalate(elder: Any, now: float) -> Decision | None:
    """The missed visit still not made `escalate_seconds` after its last escalation: one
    level up, once per level (the PollTimer's claim); at the district it stays."""
    level, since = level_of(elder), rung_since(elder)
    if not elder.cycle_missed or level < 1 or level >= TOP or since is None:
        return None
    if since + step(elder) > now:
        return None
    event = CareVisitEscalated(**_on_the_ladder(elder, level + 1),
                               missed_since_ts=elder.visit_due_ts + (elder.grace_seconds or 0))
    return Decision(changes={"level": level + 1, "escalated_ts": now}, events=[event])


def derive_elder(elder: Any) -> None:
    """The deadline is the awaited visit's due time plus the grace, until it is missed;
    a missed visit waits for the next cycle's (due every_days after the missed one)."""
    if not elder.every_days or elder.visit_due_ts is None:
        elder.next_due_ts = None
        return
    period = elder.every_days * DAY
    grace = elder.grace_seconds or 0
    if elder.cycle_missed:
        elder.next_due_ts = elder.visit_due_ts + period + grace
        level, since = level_of(elder), rung_since(elder)
        if 1 <= level < TOP and since is not None:  # the next rung
            elder.next_due_ts = min(elder.next_due_ts, since + step(elder))
    else:
        elder.next_due_ts = elder.visit_due_ts + grace
    # the street's list of its escalated elders (the district's names a street)
    elder.escalation_key = (page_key(f"s:{elder.district_id}:{elder.street_id}",
                                     elder.escalated_ts, elder.id)
                            if elder.cycle_missed and level_of(elder) >= 2 and elder.street_id
                            else None)


def roll_over(elder: Any, now: float) -> Decision | None:
    """A missed cycle whose next due time came: the next cycle is awaited (it may be
    missed in its turn). Runs in the same timer claim as `visit_missed`."""
    if not elder.cycle_missed or not elder.every_days or elder.visit_due_ts is None:
        return None
    nxt = elder.visit_due_ts + elder.every_days * DAY
    if nxt + (elder.grace_seconds or 0) > now:
        return None
    return Decision(changes={"cycle": elder.cycle + 1, "visit_due_ts": nxt,
                             "cycle_missed": False})


def due(elder: Any, now: float) -> Decision | None:
    """What the deadline means now: the next cycle rolled over, then (or else) missed, or
    else the missed visit one level up."""
    rolled = roll_over(elder, now)
    if rolled is None:
        return visit_missed(elder, now) or escalate(elder, now)
    ahead = _Ahead(elder, rolled.changes)
    missed = visit_missed(ahead, now)
    if missed is None:
        return rolled
    return Decision(changes={**rolled.changes, **missed.changes}, events=missed.events)


class _Ahead:
    """The elder as a rolled-over change leaves it (a read-only view, no I/O)."""

    def __init__(self, elder: Any, changes: dict) -> None:
        self._elder, self._changes = elder, changes

    def __getattr__(self, name: str) -> Any:
        return self._changes[name] if name in self._changes else getattr(self._elder, name)


def session_key(session_id: str, at: float, bid: str) -> str:
    return page_key(f"s:{session_id}", at, bid)
