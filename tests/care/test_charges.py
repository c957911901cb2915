"""一老一小 priced in points: booking locks the price from the booker, delivery spends it, a
cancel gives it back, and a booker with too few points has that booking undone (its seat
freed) by points' refusal, all by events between care and points."""

from __future__ import annotations

import time

from nameko.standalone.events import event_dispatcher
from nameko.testing.services import entrypoint_waiter

from deploy.waits import wait_until
from services.common.caller import Caller
from services.common.contracts import new_event
from services.common.contracts.care import CareBooked, CareBookingCancelled, CareDelivered
from tests.care.helpers import add_service, add_session, book, tag


def _resident_with(platform, points: int) -> tuple[dict, dict]:
    """A real resident of A holding `points` (awarded once points has heard of them)."""
    name = f"cc{tag()}"
    user, headers = platform.user("resident", "A", name), platform.headers("resident", "A", name)
    if points:
        admin = platform.headers("community_admin")
        awarded = platform.award(admin, user["id"], points, "志愿服务")
        assert awarded.status_code == 201 and awarded.json()["state"] == "posted", awarded.text
    return user, headers


def _balance(platform, headers: dict) -> tuple[int, int]:
    got = platform.client.get("/points/balance", headers=headers)
    assert got.status_code == 200, got.text
    return got.json()["active"], got.json()["locked"]


def _booking(platform, booking_id: str, headers: dict) -> dict:
    got = platform.client.get(f"/care/bookings/{booking_id}", headers=headers)
    assert got.status_code == 200, got.text
    return got.json()


def test_a_priced_service_locks_at_booking_spends_at_delivery_and_gives_back_a_cancel(
        cplatform):
    service = add_service(cplatform, price_points=30, capacity=3, eligibility={})
    session = add_session(cplatform, service["id"])
    _, rich = _resident_with(cplatform, 50)
    _, other = _resident_with(cplatform, 40)

    made = book(cplatform, session["id"], rich, {"beneficiary": {"name": "刘奶奶", "age": 70}})
    assert made.status_code == 201, made.text
    assert made.json()["price_points"] == 30
    assert wait_until(lambda: _balance(cplatform, rich) == (20, 30), timeout=10, every=0.2), \
        _balance(cplatform, rich)

    second = book(cplatform, session["id"], other, {"beneficiary": {"name": "刘奶奶", "age": 70}})
    assert second.status_code == 201, second.text
    assert wait_until(lambda: _balance(cplatform, other) == (10, 30), timeout=10, every=0.2)
    cancelled = cplatform.client.post(f"/care/bookings/{second.json()['id']}/cancel",
                                      headers=other)
    assert cancelled.status_code == 200, cancelled.text
    assert wait_until(lambda: _balance(cplatform, other) == (40, 0), timeout=10, every=0.2), \
        _balance(cplatform, other)

    admin = cplatform.headers("community_admin")
    delivered = cplatform.client.post(f"/care/bookings/{made.json()['id']}/delivery",
                                      headers=admin, json={})
    assert delivered.status_code == 200, delivered.text
    assert wait_until(lambda: _balance(cplatform, rich) == (20, 0), timeout=10, every=0.2), \
        _balance(cplatform, rich)
    # each event again, under a new id (a replay the inbox cannot recognise): the ledger's
    # keys (booking and round) make each step once
    community = cplatform.community_id("A")
    again = [("on_care_booked", "care.booked", CareBooked(
                 booking_id=made.json()["id"], service_id=service["id"], session_id=session["id"],
                 community_id=community, account_id=made.json()["account_id"], round=1,
                 price_points=30)),
             ("on_care_booking_cancelled", "care.booking_cancelled", CareBookingCancelled(
                 booking_id=second.json()["id"], session_id=session["id"],
                 community_id=community, account_id=second.json()["account_id"], round=1,
                 price_points=30))]
    for handler, kind, payload in again:
        with entrypoint_waiter(cplatform.containers["points"], handler, timeout=10):
            event_dispatcher(cplatform.config)("care", kind, new_event(
                payload, Caller.system(), community).to_message())
    time.sleep(0.5)  # nothing more moves: each step once, and a charge never goes back
    assert _balance(cplatform, rich) == (20, 0) and _balance(cplatform, other) == (40, 0)
    assert _charge(cplatform, made.json()["id"]) == "spent"
    assert _charge(cplatform, second.json()["id"]) == "released"
    books = cplatform.client.get(f"/points/verify?community_id={cplatform.community_id('A')}",
                                 headers=cplatform.headers("ops"))
    assert books.status_code == 200, books.text
    assert (books.json()["drift"], books.json()["zero_sum"]) == (0, True), books.text


def _charge(platform, booking_id: str, round_: int = 1) -> str | None:
    row = platform.client.app.state.mongo[platform.settings.db_name("points")][
        "care_charges"].find_one({"_id": f"cc-{booking_id}-{round_}"})
    return row["state"] if row else None


def test_a_delivery_ahead_of_its_booking_lock_posts_the_lock_itself_once(cplatform):
    """Points hears care.delivered before care.booked (a backlog on one queue): it locks and
    spends in one go, and the late booking event finds the lock it would have made."""
    user, headers = _resident_with(cplatform, 25)
    community, booking_id = cplatform.community_id("A"), f"bk-late-{tag()}"
    delivered = CareDelivered(
        booking_id=booking_id, service_id="cs-x", session_id="ss-x", community_id=community,
        kind="meal_aid", resident_account_id=user["id"], provider_kind="social_org",
        delivered_by="u-provider", hours=1.0, price_points=20, round=1,
        delivered_ts=time.time())
    booked = CareBooked(booking_id=booking_id, service_id="cs-x", session_id="ss-x",
                        community_id=community, account_id=user["id"], round=1,
                        price_points=20)
    for handler, kind, payload in (("on_care_delivered_spend", "care.delivered", delivered),
                                   ("on_care_booked", "care.booked", booked)):
        with entrypoint_waiter(cplatform.containers["points"], handler, timeout=10):
            event_dispatcher(cplatform.config)("care", kind, new_event(
                payload, Caller.system(), community).to_message())
    assert _balance(cplatform, headers) == (5, 0)
    assert _charge(cplatform, booking_id) == "spent"


def test_a_cancel_ahead_of_its_booking_lock_leaves_nothing_to_lock(cplatform):
    """Points hears the cancel before the booking: a tombstone on the lock's key, so the
    late lock moves nothing and the charge stays void."""
    user, headers = _resident_with(cplatform, 25)
    community, booking_id = cplatform.community_id("A"), f"bk-gone-{tag()}"
    cancelled = CareBookingCancelled(booking_id=booking_id, session_id="ss-x",
                                     community_id=community, account_id=user["id"], round=1,
                                     price_points=20)
    booked = CareBooked(booking_id=booking_id, service_id="cs-x", session_id="ss-x",
                        community_id=community, account_id=user["id"], round=1,
                        price_points=20)
    for handler, kind, payload in (("on_care_booking_cancelled", "care.booking_cancelled",
                                    cancelled), ("on_care_booked", "care.booked", booked)):
        with entrypoint_waiter(cplatform.containers["points"], handler, timeout=10):
            event_dispatcher(cplatform.config)("care", kind, new_event(
                payload, Caller.system(), community).to_message())
    assert _balance(cplatform, headers) == (25, 0)
    assert _charge(cplatform, booking_id) == "void"


def test_too_few_points_undo_the_booking_and_free_its_seat(cplatform):
    service = add_service(cplatform, price_points=30, capacity=1, eligibility={})
    session = add_session(cplatform, service["id"])
    _, poor = _resident_with(cplatform, 10)
    made = book(cplatform, session["id"], poor, {"beneficiary": {"name": "刘奶奶", "age": 70}})
    assert made.status_code == 201, made.text  # booked at once: points answers by event
    assert wait_until(lambda: _booking(cplatform, made.json()["id"], poor)["state"]
                      == "cancelled", timeout=10, every=0.2)
    undone = _booking(cplatform, made.json()["id"], poor)
    assert undone["cancel_reason"] == "insufficient_points"
    assert _balance(cplatform, poor) == (10, 0)  # nothing was taken
    seats = cplatform.client.get(f"/care/services/{service['id']}/sessions").json()["items"]
    assert [s["free"] for s in seats if s["id"] == session["id"]] == [1]  # the seat is back
    _, able = _resident_with(cplatform, 30)
    taken = book(cplatform, session["id"], able, {"beneficiary": {"name": "刘奶奶", "age": 70}})
    assert taken.status_code == 201, taken.text
    assert wait_until(lambda: _balance(cplatform, able) == (0, 30), timeout=10, every=0.2)
    time.sleep(1.0)
    assert _booking(cplatform, taken.json()["id"], able)["state"] == "booked"


def test_a_free_service_moves_no_points(cplatform):
    service = add_service(cplatform, price_points=0, capacity=2, eligibility={})
    session = add_session(cplatform, service["id"])
    _, nobody = _resident_with(cplatform, 0)
    made = book(cplatform, session["id"], nobody, {"beneficiary": {"name": "刘奶奶", "age": 70}})
    assert made.status_code == 201, made.text
    time.sleep(1.0)
    assert _booking(cplatform, made.json()["id"], nobody)["state"] == "booked"
    assert _balance(cplatform, nobody) == (0, 0)
