"""Bookings: a resident books a session's seat, cancels it; the provider (its account, or
the community admin) confirms and records delivery (`care.delivered`: hours and points).

The seat first (`seats.take`, one conditional update that holds the capacity under any
concurrency), then the booking (its id is the session and the holder: a double click, a
retry or a concurrent second request all commit the same document once). A holder who
already holds the seat gets their booking, made if a crash left it unmade. A cancel
commits first and then frees the seat, only if this call cancelled it: a second cancel
frees nothing.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from nameko.rpc import rpc

from services.care import domain, metrics, seats
from services.care.catalogue import find_service, find_session
from services.care.models import Booking, CareOffering, booking_id
from services.common import access, audit
from services.common.aggregate import Committed, change
from services.common.caller import Caller, Role
from services.common.contracts.care import BookingIn, BookingOut, BookingPage, DeliveryIn
from services.common.errors import Conflict, Forbidden, NotFound
from services.common.paging import PageQuery, fetch, page_key
from services.common.rpc import as_caller, parse, replies
from services.common.store import StaleWrite

log = logging.getLogger(__name__)
REPAIR_GRACE_SECONDS = 30.0  # a live cancel frees its seat well within this
REPAIR_BATCH = 50
BOOKERS = (Role.resident, Role.volunteer, Role.operator, Role.grid_worker,
           Role.community_admin)


def is_provider(who: Caller, service: CareOffering) -> bool:
    """The service's provider account, or its community's admin (and the system)."""
    if access.is_admin_of(who, service):
        return True
    return (who.district_id == service.district_id and bool(service.provider_account_id)
            and who.user_id == service.provider_account_id)


def view(who: Caller, b: Booking, service: CareOffering | None = None) -> dict:
    mine = who.user_id == b.account_id
    shown = mine or who.role is Role.system or (
        service is not None and is_provider(who, service))
    return BookingOut(
        id=b.id, service_id=b.service_id, session_id=b.session_id, community_id=b.community_id,
        account_id=b.account_id, beneficiary_ref=(b.beneficiary or {}).get("ref", "self"),
        beneficiary_name=(b.beneficiary or {}).get("name") if shown else None, state=b.state,
        round=b.round or 1, booked_ts=b.booked_ts, confirmed_ts=b.confirmed_ts,
        delivered_ts=b.delivered_ts, cancelled_ts=b.cancelled_ts,
        # why the system cancelled it is the booker's (and the admin's), not the provider's
        cancel_reason=b.cancel_reason if mine or access.is_admin_of(who, b) else None,
        price_points=b.price_points or 0, hours=b.hours,
        version=b.version).model_dump(mode="json")


def _commit_booking(who: Caller, bid: str, session, service: CareOffering, holder: str,
                    beneficiary: dict) -> Committed[Booking]:
    now = time.time()
    fresh = Booking(id=bid, district_id=session.district_id, street_id=session.street_id,
                    community_id=session.community_id, service_id=service.id,
                    session_id=session.id, account_id=who.user_id, holder=holder,
                    beneficiary=beneficiary, booked_ts=now,
                    page_key=page_key(f"a:{who.user_id}", now, bid),
                    session_key=domain.session_key(session.id, now, bid))
    if service.provider_account_id:
        fresh.provider_key = page_key(f"p:{service.provider_account_id}", now, bid)
    return change(lambda: Booking.objects(id=bid).first() or fresh,
                  lambda b, at: domain.book(b, time.time(), beneficiary,
                                            int(service.price_points or 0)), who)


def cancel_unpaid(booking_id: str, round_: int, who: Caller) -> bool:
    """Points refused the booking's charge (too few points): that round is cancelled and
    its seat freed, once; a redelivery, or a booking made again since, changes nothing."""
    try:
        done = change(lambda: Booking.objects.get(id=booking_id), lambda b, at: domain.cancel(
            b, time.time(), reason="insufficient_points", round_=round_), who)
    except Booking.DoesNotExist:
        return False
    booking = done.doc
    if done.decision is None:
        if booking.state == "delivered" and booking.round == round_:
            # served before points could refuse it (a session booked as it started): owed,
            # nothing to undo; counted for the community to follow up
            log.warning("care booking %s:%s was delivered unpaid", booking_id, round_)
            _count(booking, "unpaid_delivered")
        return False
    free_seat(booking, who)
    _count(booking, "unpaid")
    return True


def _count(booking: Booking, step: str) -> None:
    service = CareOffering.objects(id=booking.service_id).only("kind").first()
    metrics.BOOKINGS.labels(service.kind if service else "other", step).inc()


def free_seat(booking: Booking, who: Caller) -> None:
    """Free a cancelled booking's seat (guarded by its holder: once), then mark the cancel
    over. In that order: a rebook meanwhile either finds the seat still held and a cancel
    pending (409, ask again) or takes the freed seat; never a booking without its seat."""
    if seats.release(booking.session_id, booking.holder):
        metrics.SEATS.labels("freed").inc()
    change(lambda: Booking.objects.get(id=booking.id), lambda b, at: domain.released(b), who)


def repair(now: float) -> int:
    """Cancels that stopped between their commit and the seat's release (a crash): freed
    after the grace, once (the release is guarded by the holder)."""
    done = 0
    for b in Booking.objects(release_pending=True).limit(REPAIR_BATCH):
        if b.state == "cancelled" and (b.cancelled_ts or 0) <= now - REPAIR_GRACE_SECONDS:
            try:
                free_seat(b, Caller.system())
                done += 1
            except StaleWrite:
                continue  # another replica or a rebook moved it: the next poll re-reads
    return done


def _step(who: Caller, booking: Booking, action: str,
          decide: Callable[[Booking], Any]) -> Committed[Booking]:
    """A step of a booking (cancel, confirm, deliver) in the commit frame, audited when an
    admin takes it."""
    return change(lambda: Booking.objects.get(id=booking.id), audit.audited(
        lambda b, at: decide(b), who, action, "care_booking"), who)


class BookingEntrypoints:
    @rpc
    @replies(BookingOut)
    def book_session(self, caller: dict, session_id: str, data: dict) -> dict:
        """Book a seat of a session for oneself or a dependent (once per person served)."""
        who = as_caller(caller)
        who.require_role(*BOOKERS)
        spec = parse(BookingIn, data)
        session = find_session(session_id)
        if not access.sees(who, session) or who.role is Role.system:
            raise NotFound("no such session", {"session_id": "unknown"})
        access.home(who, session.community_id)
        service = find_service(session.service_id)
        now = time.time()
        domain.bookable(session.starts_ts, session.ends_ts, bool(service.active), now)
        ben = spec.beneficiary
        domain.eligible(dict(service.eligibility or {}), ben.age, ben.living_alone)
        holder = f"{who.user_id}/{ben.ref}"
        bid = booking_id(session.id, holder)
        known = Booking.objects(id=bid).first()
        if known is not None and known.state in domain.HELD:
            return view(who, known, service)  # a double click after the first answered
        if seats.take(session.id, holder):
            metrics.SEATS.labels("taken").inc()
        elif not seats.holds(session.id, holder):
            metrics.SEATS.labels("full").inc()
            raise Conflict("the session is full", {"session_id": "full"})
        else:
            domain.adoptable(Booking.objects(id=bid).first())  # not while a cancel frees it
        done = _commit_booking(who, bid, session, service, holder, ben.model_dump(mode="json"))
        if done.decision is not None:
            metrics.BOOKINGS.labels(service.kind, "booked").inc()
        return view(who, done.doc, service)

    @rpc
    @replies(BookingOut)
    def cancel_booking(self, caller: dict, booking_id: str) -> dict:
        """The booker gives up the seat (or the provider or admin cancels it): freed once."""
        who = as_caller(caller)
        booking, service = self._booking(who, booking_id)
        if who.user_id != booking.account_id and not is_provider(who, service):
            raise Forbidden("the booker or the provider cancels", {"role": who.role.value})
        done = _step(who, booking, "care.booking_cancel", lambda b: domain.cancel(b, time.time()))
        if done.decision is not None:
            free_seat(done.doc, who)
            metrics.BOOKINGS.labels(service.kind, "cancelled").inc()
        return view(who, done.doc, service)

    @rpc
    @replies(BookingOut)
    def confirm_booking(self, caller: dict, booking_id: str) -> dict:
        """The provider confirms a booked seat."""
        who = as_caller(caller)
        booking, service = self._provider(who, booking_id)
        done = _step(who, booking, "care.booking_confirm",
                     lambda b: domain.confirm(b, time.time()))
        return view(who, done.doc, service)

    @rpc
    @replies(BookingOut)
    def record_delivery(self, caller: dict, booking_id: str, data: dict) -> dict:
        """The provider records the service given: `care.delivered` (hours, points), once."""
        who = as_caller(caller)
        spec = parse(DeliveryIn, data)
        booking, service = self._provider(who, booking_id)
        session = find_session(booking.session_id)
        done = _step(who, booking, "care.delivery_record", lambda b: domain.deliver(
            b, service, session.starts_ts, spec.hours, spec.note, who.user_id, time.time()))
        if done.decision is not None:
            metrics.BOOKINGS.labels(service.kind, "delivered").inc()
            metrics.HOURS.labels(service.provider_kind).inc(done.doc.hours or 0)
        return view(who, done.doc, service)

    @rpc
    @replies(BookingOut)
    def get_booking(self, caller: dict, booking_id: str) -> dict:
        """A booking, for its booker, the provider and the community admin."""
        who = as_caller(caller)
        booking, service = self._booking(who, booking_id)
        if who.user_id != booking.account_id and not is_provider(who, service):
            raise NotFound("no such booking", {"booking_id": "unknown"})
        return view(who, booking, service)

    @rpc
    @replies(BookingPage)
    def list_bookings(self, caller: dict, session_id: str | None = None,
                      limit: int | None = None, cursor: str | None = None,
                      provided: bool = False) -> dict:
        """The caller's own bookings, (`provided`) the bookings of the services the caller's
        account provides, or (`session_id`) a session's roster for its provider and the
        community admin."""
        who = as_caller(caller)
        query = PageQuery.of(limit, cursor)
        if provided and session_id is None:
            docs, nxt = fetch(Booking.objects, "provider_key", f"p:{who.user_id}", query)
            services = {sid: find_service(sid) for sid in {d.service_id for d in docs}}
            return {"items": [view(who, d, services[d.service_id]) for d in docs
                              if is_provider(who, services[d.service_id])], "next_cursor": nxt}
        if session_id is None:
            docs, nxt = fetch(Booking.objects, "page_key", f"a:{who.user_id}", query)
            return {"items": [view(who, d) for d in docs], "next_cursor": nxt}
        session = find_session(session_id)
        service = find_service(session.service_id)
        if not is_provider(who, service):
            raise NotFound("no such session", {"session_id": "unknown"})
        docs, nxt = fetch(Booking.objects, "session_key", f"s:{session.id}", query)
        return {"items": [view(who, d, service) for d in docs], "next_cursor": nxt}

    def _booking(self, who: Caller, bid: str) -> tuple[Booking, CareOffering]:
        booking = Booking.objects(id=str(bid)).first()
        if booking is None or not access.sees(who, booking):
            raise NotFound("no such booking", {"booking_id": "unknown"})
        return booking, find_service(booking.service_id)

    def _provider(self, who: Caller, bid: str) -> tuple[Booking, CareOffering]:
        booking, service = self._booking(who, bid)
        if not is_provider(who, service):
            if who.user_id == booking.account_id:
                raise Forbidden("the provider does this", {"role": who.role.value})
            raise NotFound("no such booking", {"booking_id": "unknown"})
        return booking, service
