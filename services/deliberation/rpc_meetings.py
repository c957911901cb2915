"""Meeting entrypoints: schedule in a hall ("4 + N" roster), attendance, minutes, review."""

from __future__ import annotations

import time

from nameko.rpc import rpc

from services.common import audit
from services.common.aggregate import Committed, Decision, change
from services.common.caller import Caller, Role
from services.common.contracts.deliberation import (
    AttendanceIn,
    CancelIn,
    EscalationPage,
    MeetingIn,
    MeetingOut,
    MeetingPage,
    MeetingScheduled,
    MeetingState,
    MinutesIn,
    ReviewIn,
    TopicState,
)
from services.common.errors import Conflict, NotFound
from services.common.paging import PageQuery, fetch, page_key
from services.common.rpc import as_caller, parse, replies
from services.deliberation import access, booking, metrics, rpc_roster, views
from services.deliberation.domain import meetings as rules
from services.deliberation.models import Hall, Meeting, new_id
from services.deliberation.rpc_topics import find as find_topic

# 社区 (居委会 / 社区党委, DOMAIN.md) runs deliberation and its party committee reviews.
ORGANISERS = (Role.community_admin,)
REVIEWERS = (Role.community_admin,)


def find(who: Caller, meeting_id: str) -> Meeting:
    doc = access.found(who, Meeting.objects(id=str(meeting_id)).first(), "meeting",
                       "meeting_id")
    if who.role in (Role.merchant, Role.department, Role.ops):
        raise NotFound("no such meeting", {"meeting_id": "unknown"})
    return doc


def own(who: Caller, meeting_id: str) -> Meeting:
    """A meeting the caller administers (its community's admin): others get the 404."""
    doc = find(who, meeting_id)
    if not access.is_admin_of(who, doc):
        raise NotFound("no such meeting", {"meeting_id": "unknown"})
    return doc


def update(who: Caller, meeting_id: str, decide, action: str) -> Committed[Meeting]:  # noqa: ANN001
    """A change of the meeting; an admin's carries its audit event (`meeting.<action>`)."""
    return change(lambda: Meeting.objects.get(id=meeting_id),
                  lambda m, at: audit.attach(decide(m), who, m, f"meeting.{action}", "meeting"),
                  who)


def outcome(done: Committed[Meeting]) -> None:
    if done.decision is not None and done.doc.state == MeetingState.approved.value:
        metrics.DECISIONS.labels("approved").inc()


class MeetingEntrypoints:
    @rpc
    @replies(MeetingOut)
    def schedule_meeting(self, caller: dict, data: dict) -> MeetingOut:
        """Book the hall's half-hour slots (one booking wins a slot) and set the roster."""
        who = as_caller(caller)
        who.require_role(*ORGANISERS)
        spec = parse(MeetingIn, data)
        topic = find_topic(who, spec.topic_id)
        if not access.is_admin_of(who, topic):
            raise NotFound("no such topic", {"topic_id": "unknown"})
        if topic.state not in (TopicState.listed, TopicState.scheduled):
            raise Conflict("the topic is not on the list", {"topic_id": topic.state})
        hall = Hall.objects(id=spec.hall_id).first()
        if hall is None or hall.community_id != topic.community_id:
            raise NotFound("no such hall", {"hall_id": "unknown"})
        people = rules.roster(spec.participants)
        rpc_roster.check_fixed(topic.community_id, spec.participants)
        meeting_id, now = new_id("m"), time.time()
        booking.within_hours(hall, spec.starts_ts, spec.ends_ts)
        slot_ids = rules.slots(hall.id, spec.starts_ts, spec.ends_ts)
        doc = Meeting(id=meeting_id, district_id=topic.district_id, street_id=topic.street_id,
                      community_id=topic.community_id, topic_id=topic.id,
                      topic_kind=topic.kind or "matter", topic_title=topic.title,
                      renewal=dict(topic.renewal or {}), hall_id=hall.id,
                      starts_ts=spec.starts_ts, ends_ts=spec.ends_ts, slots=slot_ids,
                      state=MeetingState.scheduled.value, participants=people, created_ts=now,
                      page_key=page_key(f"c:{topic.community_id}", spec.starts_ts, meeting_id))
        event = MeetingScheduled(meeting_id=meeting_id, community_id=doc.community_id,
                                 topic_id=topic.id, hall_id=hall.id, starts_ts=spec.starts_ts,
                                 ends_ts=spec.ends_ts)
        booking.take(hall.id, slot_ids, meeting_id)
        try:
            done = change(lambda: doc, lambda m, at: audit.attach(
                Decision(events=[event]), who, m, "meeting.schedule", "meeting", before={},
                after=audit.fields_of(m, ("topic_id", "hall_id", "starts_ts", "ends_ts"))),
                who)
        except Exception:
            booking.release(slot_ids, meeting_id)
            raise
        return views.meeting(done.doc)

    @rpc
    @replies(MeetingOut)
    def get_meeting(self, caller: dict, meeting_id: str) -> MeetingOut:
        """A meeting, its minutes, decision and (once closed) the vote's tally."""
        return views.meeting(find(as_caller(caller), meeting_id))

    @rpc
    @replies(MeetingPage)
    def list_meetings(self, caller: dict, community_id: str | None = None,
                      limit: int | None = None, cursor: str | None = None) -> dict:
        """The community's meetings, latest start first."""
        who = as_caller(caller)
        place = access.reader_home(who, community_id)
        docs, nxt = fetch(Meeting.objects, "page_key", f"c:{place}",
                          PageQuery.of(limit, cursor))
        return views.page(docs, nxt, views.meeting)

    @rpc
    @replies(EscalationPage)
    def list_escalations(self, caller: dict, street_id: str | None = None,
                         limit: int | None = None, cursor: str | None = None) -> dict:
        """督: overdue decisions escalated to a street, latest first. A street admin reads
        their own street's; a district admin names a street of their district, or reads
        those that went on up to the district (no street named)."""
        who = as_caller(caller)
        who.require_role(Role.street_admin, Role.district_admin)
        if who.role is Role.street_admin:
            if street_id is not None and street_id != who.street_id:
                raise NotFound("no such street", {"street_id": "unknown"})
            street_id = who.street_id
        elif not street_id:
            docs, nxt = fetch(Meeting.objects, "district_escalation_key",
                              f"d:{who.district_id}", PageQuery.of(limit, cursor))
            return views.page(docs, nxt, views.escalation)
        docs, nxt = fetch(Meeting.objects, "escalation_key",
                          f"s:{who.district_id}:{street_id}", PageQuery.of(limit, cursor))
        return views.page(docs, nxt, views.escalation)

    @rpc
    @replies(MeetingOut)
    def record_attendance(self, caller: dict, meeting_id: str, data: dict) -> MeetingOut:
        """Who of the roster came (each once: meeting.attended, points may pay)."""
        who = as_caller(caller)
        who.require_role(*ORGANISERS)
        spec = parse(AttendanceIn, data)
        doc = own(who, meeting_id)
        done = update(who, doc.id, lambda m: rules.attend(m, spec.account_ids, time.time()),
                      "record_attendance")
        return views.meeting(done.doc)

    @rpc
    @replies(MeetingOut)
    def record_minutes(self, caller: dict, meeting_id: str, data: dict) -> MeetingOut:
        """The debate (motion, second, opposition, debate, expert opinion) and the plan."""
        who = as_caller(caller)
        who.require_role(*ORGANISERS)
        spec = parse(MinutesIn, data)
        doc = own(who, meeting_id)
        return views.meeting(update(who, doc.id, lambda m: rules.record_minutes(m, spec),
                                          "record_minutes").doc)

    @rpc
    @replies(MeetingOut)
    def review_decision(self, caller: dict, meeting_id: str, data: dict) -> MeetingOut:
        """审议 by the community party committee: approve (to a vote) or return with reasons."""
        who = as_caller(caller)
        who.require_role(*REVIEWERS)
        spec = parse(ReviewIn, data)
        doc = own(who, meeting_id)
        done = update(who, doc.id, lambda m: rules.review(m, spec), "review")
        outcome(done)
        return views.meeting(done.doc)

    @rpc
    @replies(MeetingOut)
    def cancel_meeting(self, caller: dict, meeting_id: str, data: dict) -> MeetingOut:
        """Call a meeting off before review: its hall slots are given back."""
        who = as_caller(caller)
        who.require_role(*ORGANISERS)
        spec = parse(CancelIn, data)
        doc = own(who, meeting_id)
        done = update(who, doc.id, lambda m: rules.cancel(m, spec.reason), "cancel")
        # After the commit: a crash here leaves the slots held by a cancelled meeting, and
        # cancelling again (a no-op on the meeting) gives them back.
        booking.release(list(done.doc.slots or []), done.doc.id)
        return views.meeting(done.doc)
