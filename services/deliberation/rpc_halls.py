"""Hall entrypoints (议事厅): create and list a community's halls (published to residents)."""

from __future__ import annotations

import re
import time

from mongoengine.errors import NotUniqueError
from nameko.rpc import rpc

from services.common import audit
from services.common.caller import Role
from services.common.contracts.deliberation import (
    HallBookingIn,
    HallBookingOut,
    HallIn,
    HallOut,
    HallPage,
    UtilisationOut,
)
from services.common.errors import Conflict, InvalidInput, NotFound
from services.common.paging import PageQuery, fetch, page_key
from services.common.rpc import as_caller, parse, replies
from services.deliberation import access, booking, views
from services.deliberation.domain import halls as usage
from services.deliberation.domain import meetings as meeting_rules
from services.deliberation.models import DeliberationCounts, Hall, HallBooking, new_id

HALL_MAKERS = (Role.community_admin,)
REPORT_READERS = (Role.community_admin, Role.street_admin, Role.district_admin)


class HallEntrypoints:
    @rpc
    @replies(HallOut)
    def create_hall(self, caller: dict, data: dict) -> HallOut:
        """A community admin publishes a hall: address, opening hours, capacity, contact."""
        who = as_caller(caller)
        who.require_role(*HALL_MAKERS)
        spec = parse(HallIn, data)
        place = access.home(who, spec.community_id)
        now = time.time()
        hall_id = new_id("h")
        doc = Hall(id=hall_id, district_id=place.district_id, street_id=place.street_id,
                   community_id=place.community_id, created_ts=now,
                   page_key=page_key(f"c:{place.community_id}", now, hall_id),
                   **spec.model_dump(mode="json", exclude={"community_id"}))
        audit.record_on(doc, who, "hall.create", "hall", hall_id,
                        after={"name": doc.name, "capacity": doc.capacity},
                        community_id=place.community_id, street_id=place.street_id,
                        district_id=place.district_id)
        doc.commit()
        return views.hall(doc)

    @rpc
    @replies(HallPage)
    def list_halls(self, caller: dict, community_id: str | None = None,
                   limit: int | None = None, cursor: str | None = None) -> dict:
        """The community's halls, newest first (any account of the community)."""
        who = as_caller(caller)
        place = access.reader_home(who, community_id)
        docs, nxt = fetch(Hall.objects, "page_key", f"c:{place}",
                          PageQuery.of(limit, cursor))
        return views.page(docs, nxt, views.hall)

    @rpc
    @replies(UtilisationOut)
    def hall_utilisation(self, caller: dict, hall_id: str,
                         period: str | None = None) -> UtilisationOut:
        """A hall's utilisation in a month (default: this one) for the admins over it: the
        booked slots from the counters the bookings' commits move (one `_id` read)."""
        who = as_caller(caller)
        who.require_role(*REPORT_READERS)
        month = usage.current_period(time.time()) if period is None else str(period)
        if not re.match(usage.PERIOD, month):
            raise InvalidInput("a period is a month, YYYY-MM", {"period": "not YYYY-MM"})
        hall = Hall.objects(id=str(hall_id)).first()
        if hall is None or not access.is_staff_over(who, hall) or (
                who.role is Role.community_admin and not access.is_admin_of(who, hall)):
            raise NotFound("no such hall", {"hall_id": "unknown"})
        row = DeliberationCounts._get_collection().find_one(
            {"_id": usage.scope(hall.id, month)}, {"booked_slots": 1}) or {}
        booked = int(row.get("booked_slots") or 0)
        open_ = usage.open_slots(hall.opening_hours, month)
        return UtilisationOut(hall_id=hall.id, period=month, booked_slots=booked,
                              open_slots=open_, rate=usage.rate(booked, open_))

    @rpc
    @replies(HallBookingOut)
    def book_hall(self, caller: dict, data: dict) -> HallBookingOut:
        """Book a hall's half-hour slots for another service's meeting (mediation's): one
        booking wins a slot, as for meetings; 409 when the hall is booked then."""
        who = as_caller(caller)
        who.require_role(*HALL_MAKERS)
        spec = parse(HallBookingIn, data)
        place = access.home(who, spec.community_id)
        hall = Hall.objects(id=spec.hall_id).first()
        if hall is None or hall.community_id != place.community_id:
            raise NotFound("no such hall", {"hall_id": "unknown"})
        booking.within_hours(hall, spec.starts_ts, spec.ends_ts)
        booking_id = f"hb-{spec.holder_id}"
        done = HallBooking.objects(id=booking_id, state="held").first()
        if done is None:  # a repeat (a timed-out caller asking again) finds it held
            slot_ids = meeting_rules.slots(hall.id, spec.starts_ts, spec.ends_ts)
            done = HallBooking(id=booking_id, hall_id=hall.id, community_id=hall.community_id,
                               slots=slot_ids, starts_ts=spec.starts_ts, ends_ts=spec.ends_ts,
                               created_ts=time.time())
            try:  # the slots' holder exists before it holds them (never an orphan)
                done.save(force_insert=True)
            except NotUniqueError:  # the same booking asked twice at once: the first wins
                raise Conflict("the booking is being made", {"holder_id": "in progress"}) from None
            try:
                booking.take(hall.id, slot_ids, booking_id)
            except Exception:
                HallBooking.objects(id=booking_id).delete()
                raise
        return HallBookingOut(booking_id=done.id, hall_id=done.hall_id,
                              starts_ts=done.starts_ts, ends_ts=done.ends_ts,
                              slots=len(done.slots))
