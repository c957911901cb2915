"""Meetings: a hall's slot is booked once, the "4 + N" roster, attendance once each,
structured minutes, review by the party committee (return with reasons, then approve)."""

from __future__ import annotations

import calendar
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import pytest

from deploy.waits import wait_until
from services.common.errors import Conflict, Forbidden, InvalidInput, NotFound
from services.deliberation.domain import meetings as rules
from services.deliberation.models import HallSlot
from tests.deliberation.helpers import (
    caller,
    events,
    hall_body,
    listed_topic,
    minutes_body,
    roster,
    slot_start,
    wait_events,
)


def test_two_bookings_racing_for_one_hall_and_slot_exactly_one_wins(dplatform):
    admin = caller(dplatform, "community_admin", "A")
    with dplatform.rpc() as rpc:
        hall = rpc.deliberation.create_hall(admin, hall_body())
        people = roster(dplatform)
        topics = [listed_topic(rpc, admin) for _ in range(6)]
    start = slot_start()
    gate = threading.Barrier(len(topics))

    def book(i: int) -> str:
        # Overlapping windows: each holds the slot at `start + 30 min`.
        begin = start + (1800 if i % 2 else 0)
        with dplatform.rpc() as rpc:
            gate.wait(timeout=30)
            try:
                return rpc.deliberation.schedule_meeting(admin, {
                    "topic_id": topics[i]["id"], "hall_id": hall["id"], "starts_ts": begin,
                    "ends_ts": begin + 3600, "participants": people})["id"]
            except Conflict as exc:
                assert exc.fields == {"hall_id": "booked"}
                return "refused"

    with ThreadPoolExecutor(max_workers=len(topics)) as pool:
        outcomes = list(pool.map(book, range(len(topics))))
    winners = [o for o in outcomes if o != "refused"]
    assert len(winners) == 1, outcomes
    with dplatform.rpc() as rpc:
        # The losers gave their other slots back: the hour after the winner's is free.
        won = rpc.deliberation.get_meeting(admin, winners[0])
        later = rpc.deliberation.schedule_meeting(admin, {
            "topic_id": listed_topic(rpc, admin)["id"], "hall_id": hall["id"],
            "starts_ts": won["ends_ts"], "ends_ts": won["ends_ts"] + 1800,
            "participants": people})
    assert later["state"] == "scheduled"


def test_a_meeting_runs_from_roster_to_reviewed_minutes(dplatform):
    admin = caller(dplatform, "community_admin", "A")
    with dplatform.rpc() as rpc:
        topic = listed_topic(rpc, admin)
        hall = rpc.deliberation.create_hall(admin, hall_body())
        people = roster(dplatform, extra=2)
        start = slot_start()
        body = {"topic_id": topic["id"], "hall_id": hall["id"], "starts_ts": start,
                "ends_ts": start + 5400, "participants": people}
        with pytest.raises(InvalidInput) as bad:  # the "4" are not optional
            rpc.deliberation.schedule_meeting(admin, body | {"participants": people[1:]})
        assert "mediation_committee" not in bad.value.fields["participants"]
        assert "community_committee" in bad.value.fields["participants"]
        with pytest.raises(Forbidden):
            rpc.deliberation.schedule_meeting(caller(dplatform, "resident", "A", "r9"), body)
        meeting = rpc.deliberation.schedule_meeting(admin, body)
        assert meeting["state"] == "scheduled" and len(meeting["participants"]) == 6

        came = [p["account_id"] for p in people[:5]]
        rpc.deliberation.record_attendance(admin, meeting["id"], {"account_ids": came[:3]})
        after = rpc.deliberation.record_attendance(admin, meeting["id"], {"account_ids": came})
        assert [p["attended"] for p in after["participants"]] == [True] * 5 + [False]
        with pytest.raises(InvalidInput):
            rpc.deliberation.record_attendance(admin, meeting["id"], {"account_ids": ["u-x"]})

        speakers = [p["account_id"] for p in people]
        with pytest.raises(InvalidInput):  # the debate opens with a motion
            bad_minutes = minutes_body(speakers)
            bad_minutes["steps"] = bad_minutes["steps"][1:]
            rpc.deliberation.record_minutes(admin, meeting["id"], bad_minutes)
        held = rpc.deliberation.record_minutes(admin, meeting["id"], minutes_body(speakers))
        assert held["state"] == "held"
        assert [s["kind"] for s in held["steps"]] == [
            "motion", "second", "opposition", "debate", "expert_opinion"]

        with pytest.raises(Forbidden):
            rpc.deliberation.review_decision(caller(dplatform, "resident", "A", "r9"),
                                             meeting["id"], {"approve": True})
        with pytest.raises(InvalidInput) as no_reason:
            rpc.deliberation.review_decision(admin, meeting["id"], {"approve": False})
        assert "reason" in str(no_reason.value.fields)
        returned = rpc.deliberation.review_decision(admin, meeting["id"], {
            "approve": False, "reason": "预算不清, 请补充"})
        assert returned["state"] == "returned" and returned["review_reason"]
        rpc.deliberation.record_minutes(admin, meeting["id"], minutes_body(speakers))
        reviewed = rpc.deliberation.review_decision(admin, meeting["id"], {"approve": True})
        assert reviewed["state"] == "reviewed"

        outsider = caller(dplatform, "community_admin", "B")
        for call in (lambda: rpc.deliberation.get_meeting(outsider, meeting["id"]),
                     lambda: rpc.deliberation.record_attendance(outsider, meeting["id"],
                                                                {"account_ids": came}),
                     lambda: rpc.deliberation.review_decision(outsider, meeting["id"],
                                                              {"approve": True}),
                     lambda: rpc.deliberation.get_meeting(outsider, "m-made-up")):
            with pytest.raises(NotFound):
                call()
        with pytest.raises(NotFound):  # a hall of another community
            rpc.deliberation.schedule_meeting(outsider, body)

    attended = wait_events("meeting.attended", 5, meeting_id=meeting["id"])
    assert sorted(e["account_id"] for e in attended) == sorted(came)
    reviews = wait_events("decision.reviewed", 2, meeting_id=meeting["id"])
    assert [r["approved"] for r in reviews] == [False, True]
    assert reviews[0]["street_id"] == dplatform.tenancy().streets["A"]["id"]  # for the record
    assert len(events("meeting.attended", meeting_id=meeting["id"])) == 5
    with dplatform.rpc() as rpc:
        assert wait_until(lambda: rpc.deliberation.get_topic(admin, topic["id"])["state"]
                          == "scheduled", timeout=10, every=0.2)


def test_a_cancelled_meeting_frees_its_slots_and_puts_the_topic_back_on_the_list(dplatform):
    admin = caller(dplatform, "community_admin", "A")
    with dplatform.rpc() as rpc:
        topic = listed_topic(rpc, admin)
        hall = rpc.deliberation.create_hall(admin, hall_body())
        people = roster(dplatform)
        start = slot_start()
        body = {"topic_id": topic["id"], "hall_id": hall["id"], "starts_ts": start,
                "ends_ts": start + 3600, "participants": people}
        meeting = rpc.deliberation.schedule_meeting(admin, body)
        assert wait_until(lambda: rpc.deliberation.get_topic(admin, topic["id"])["state"]
                          == "scheduled", timeout=10, every=0.2)
        with pytest.raises(NotFound):
            rpc.deliberation.cancel_meeting(caller(dplatform, "community_admin", "B"),
                                            meeting["id"], {"reason": "改期"})
        with pytest.raises(InvalidInput):
            rpc.deliberation.cancel_meeting(admin, meeting["id"], {"reason": ""})
        with pytest.raises(Conflict):  # the slot is held
            rpc.deliberation.schedule_meeting(admin, body)
        cancelled = rpc.deliberation.cancel_meeting(admin, meeting["id"], {"reason": "改期"})
        assert cancelled["state"] == "cancelled"
        again = rpc.deliberation.cancel_meeting(admin, meeting["id"], {"reason": "改期"})
        assert again["state"] == "cancelled"
        assert wait_until(lambda: rpc.deliberation.get_topic(admin, topic["id"])["state"]
                          == "listed", timeout=10, every=0.2)
        rebooked = rpc.deliberation.schedule_meeting(admin, body)
        assert rebooked["state"] == "scheduled" and rebooked["id"] != meeting["id"]


def test_slots_left_by_a_crash_are_freed_by_the_next_booking_that_needs_them(dplatform):
    admin = caller(dplatform, "community_admin", "A")
    with dplatform.rpc() as rpc:
        hall = rpc.deliberation.create_hall(admin, hall_body())
        people = roster(dplatform)
        start = slot_start()
        first_slot = rules.slots(hall["id"], start, start + 1800)[0]

        def body() -> dict:
            return {"topic_id": listed_topic(rpc, admin)["id"], "hall_id": hall["id"],
                    "starts_ts": start, "ends_ts": start + 1800, "participants": people}

        # A booking that died between its slot and its meeting, a moment ago: still held.
        HallSlot(id=first_slot, hall_id=hall["id"], meeting_id="m-ghost",
                 taken_ts=time.time()).save(force_insert=True)
        with pytest.raises(Conflict):
            rpc.deliberation.schedule_meeting(admin, body())
        # The same, past ORPHAN_SECONDS: the next booking frees it and wins.
        HallSlot.objects(id=first_slot).update(set__taken_ts=time.time() - 120)
        meeting = rpc.deliberation.schedule_meeting(admin, body())
        assert HallSlot.objects(id=first_slot).first().meeting_id == meeting["id"]
        # A cancelled meeting whose release did not run.
        rpc.deliberation.cancel_meeting(admin, meeting["id"], {"reason": "改期"})
        HallSlot(id=first_slot, hall_id=hall["id"], meeting_id=meeting["id"],
                 taken_ts=time.time()).save(force_insert=True)
        again = rpc.deliberation.schedule_meeting(admin, body())
        assert HallSlot.objects(id=first_slot).first().meeting_id == again["id"]


def test_a_halls_utilisation_is_its_booked_slots_over_its_open_ones_from_the_counters(dplatform):
    """9:00-17:00 is 16 half hours a day; a 1 h and a 1.5 h meeting on one day book 5, the
    cancelled one gives its 3 back (the counters the commits move, not a count)."""
    admin = caller(dplatform, "community_admin", "A")
    local = 8 * 3600
    day = (int((slot_start() + local) // 86400)) * 86400 - local  # a local midnight
    period = time.strftime("%Y-%m", time.gmtime(day + local))
    days = calendar.monthrange(int(period[:4]), int(period[5:]))[1]
    with dplatform.rpc() as rpc:
        hall = rpc.deliberation.create_hall(admin, hall_body(opening_hours="9:00-17:00"))
        made = []
        for start, hours in ((day + 10 * 3600, 1), (day + 14 * 3600, 1.5)):
            topic = listed_topic(rpc, admin)
            made.append(rpc.deliberation.schedule_meeting(admin, {
                "topic_id": topic["id"], "hall_id": hall["id"], "starts_ts": start,
                "ends_ts": start + hours * 3600, "participants": roster(dplatform)}))
        used = rpc.deliberation.hall_utilisation(admin, hall["id"], period)
        assert used == {"hall_id": hall["id"], "period": period, "booked_slots": 5,
                        "open_slots": 16 * days, "rate": round(5 / (16 * days), 4)}
        rpc.deliberation.cancel_meeting(admin, made[1]["id"], {"reason": "改期"})
        assert rpc.deliberation.hall_utilisation(admin, hall["id"], period)[
            "booked_slots"] == 2
        street = caller(dplatform, "street_admin", "A")
        assert rpc.deliberation.hall_utilisation(street, hall["id"], period)[
            "booked_slots"] == 2
        other_month = "2001-02"
        assert rpc.deliberation.hall_utilisation(admin, hall["id"], other_month)[
            "booked_slots"] == 0
        for outsider in (caller(dplatform, "community_admin", "B"),
                         caller(dplatform, "street_admin", "B")):
            with pytest.raises(NotFound):
                rpc.deliberation.hall_utilisation(outsider, hall["id"], period)
        with pytest.raises(Forbidden):
            rpc.deliberation.hall_utilisation(caller(dplatform, "resident", "A"), hall["id"])
        with pytest.raises(InvalidInput) as bad:
            rpc.deliberation.hall_utilisation(admin, hall["id"], "2026-13")
        assert "period" in bad.value.fields
        online = rpc.deliberation.create_hall(admin, hall_body(opening_hours="随时"))
        assert rpc.deliberation.hall_utilisation(admin, online["id"])["rate"] is None
    gw = dplatform.client.get(f"/halls/{hall['id']}/utilisation", params={"period": period},
                              headers=dplatform.headers("community_admin", "A"))
    assert gw.status_code == 200 and gw.json()["booked_slots"] == 2
    assert dplatform.client.get(f"/halls/{hall['id']}/utilisation",
                                headers=dplatform.headers("community_admin", "B")
                                ).status_code == 404


def test_a_hall_with_opening_hours_refuses_bookings_outside_them(dplatform):
    """9:00-17:00 local: 16:00-17:00 is booked; 16:30-17:30, 8:30-9:30 and an evening
    meeting are 422s naming starts_ts, for meetings and for another service's booking,
    and leave no slot held."""
    admin = caller(dplatform, "community_admin", "A")
    local = 8 * 3600
    day = (int((slot_start() + local) // 86400)) * 86400 - local  # a local midnight
    with dplatform.rpc() as rpc:
        hall = rpc.deliberation.create_hall(admin, hall_body(opening_hours="9:00-17:00"))
        for start, end in ((16.5, 17.5), (8.5, 9.5), (19, 21)):
            topic = listed_topic(rpc, admin)
            with pytest.raises(InvalidInput) as bad:
                rpc.deliberation.schedule_meeting(admin, {
                    "topic_id": topic["id"], "hall_id": hall["id"],
                    "starts_ts": day + start * 3600, "ends_ts": day + end * 3600,
                    "participants": roster(dplatform)})
            assert "starts_ts" in bad.value.fields
            with pytest.raises(InvalidInput):
                rpc.deliberation.book_hall(admin, {
                    "hall_id": hall["id"], "community_id": hall["community_id"],
                    "starts_ts": day + start * 3600, "ends_ts": day + end * 3600,
                    "holder_id": f"case-{start}"})
        assert HallSlot.objects(hall_id=hall["id"]).count() == 0
        topic = listed_topic(rpc, admin)
        met = rpc.deliberation.schedule_meeting(admin, {
            "topic_id": topic["id"], "hall_id": hall["id"], "starts_ts": day + 16 * 3600,
            "ends_ts": day + 17 * 3600, "participants": roster(dplatform)})
        assert met["state"] == "scheduled"


def test_a_hall_open_on_weekdays_refuses_a_saturday_and_takes_a_friday(dplatform):
    """"周一至周五 9:00-17:00": Saturday 10:00-11:00 is a 422 naming starts_ts that holds no
    slot; the Friday before, the same hours, is scheduled."""
    admin = caller(dplatform, "community_admin", "A")
    local = 8 * 3600
    day = (int((slot_start() + local) // 86400)) * 86400 - local  # a local midnight
    saturday = day + ((5 - datetime.fromtimestamp(day + local, UTC).weekday()) % 7) * 86400
    with dplatform.rpc() as rpc:
        hall = rpc.deliberation.create_hall(admin, hall_body(opening_hours="周一至周五 9:00-17:00"))
        topic = listed_topic(rpc, admin)
        with pytest.raises(InvalidInput) as bad:
            rpc.deliberation.schedule_meeting(admin, {
                "topic_id": topic["id"], "hall_id": hall["id"], "starts_ts": saturday + 36000,
                "ends_ts": saturday + 39600, "participants": roster(dplatform)})
        assert "周一至周五" in bad.value.fields["starts_ts"]
        assert HallSlot.objects(hall_id=hall["id"]).count() == 0
        friday = saturday - 86400
        met = rpc.deliberation.schedule_meeting(admin, {
            "topic_id": topic["id"], "hall_id": hall["id"], "starts_ts": friday + 36000,
            "ends_ts": friday + 39600, "participants": roster(dplatform)})
        assert met["state"] == "scheduled"
        assert HallSlot.objects(hall_id=hall["id"]).count() == 2
