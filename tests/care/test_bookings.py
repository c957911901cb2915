"""Bookings at capacity: exactly the capacity is booked under concurrent requests, a double
click is one booking, a cancel frees its seat once; delivery fires `care.delivered` once."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

from deploy.waits import wait_until
from services.care.bookings import REPAIR_GRACE_SECONDS
from tests.care.helpers import (
    add_service,
    add_session,
    book,
    elderly,
    event_ids,
    events,
    resident,
    tag,
)
from tests.dispatch.helpers import token_headers
from tests.platform import error_of


def _session(platform, session_id: str, service_id: str) -> dict:
    page = platform.client.get(f"/care/services/{service_id}/sessions").json()["items"]
    return next(s for s in page if s["id"] == session_id)


def _all_at_once(calls: list) -> list:
    start = threading.Barrier(len(calls))

    def run(call):  # noqa: ANN001, ANN202
        start.wait(timeout=30)
        return call()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(run, calls))


def test_twelve_concurrent_bookings_of_five_seats_book_exactly_five(cplatform):
    service = add_service(cplatform, capacity=5)
    session = add_session(cplatform, service["id"])
    people = [resident(cplatform) for _ in range(12)]
    results = _all_at_once([lambda h=h: book(cplatform, session["id"], h) for h in people])
    codes = sorted(r.status_code for r in results)
    assert codes == [201] * 5 + [409] * 7, [r.text for r in results]
    refused = [error_of(r) for r in results if r.status_code == 409]
    assert {e["code"] for e in refused} == {"conflict"}
    assert all(e["fields"] == {"session_id": "full"} for e in refused)
    seats = _session(cplatform, session["id"], service["id"])
    assert (seats["booked"], seats["free"]) == (5, 0)
    booked = {r.json()["id"] for r in results if r.status_code == 201}
    assert len(booked) == 5
    assert wait_until(lambda: len(events("care.booked", session_id=session["id"])) >= 5,
                      timeout=10, every=0.1)
    assert {e["booking_id"] for e in events("care.booked", session_id=session["id"])} == booked
    assert len(event_ids("care.booked", session_id=session["id"])) == 5


def test_a_double_click_is_one_booking(cplatform):
    service = add_service(cplatform, capacity=3)
    session = add_session(cplatform, service["id"])
    me = resident(cplatform)
    results = _all_at_once([lambda: book(cplatform, session["id"], me) for _ in range(6)])
    assert {r.status_code for r in results} == {201}, [r.text for r in results]
    assert len({r.json()["id"] for r in results}) == 1
    again = book(cplatform, session["id"], me)  # and once more, after they all answered
    assert again.status_code == 201 and again.json()["id"] == results[0].json()["id"]
    seats = _session(cplatform, session["id"], service["id"])
    assert (seats["booked"], seats["free"]) == (1, 2)
    mine = cplatform.client.get("/care/bookings", headers=me).json()["items"]
    assert [b["id"] for b in mine if b["session_id"] == session["id"]] == [again.json()["id"]]
    assert wait_until(lambda: events("care.booked", session_id=session["id"]), timeout=10)
    assert len(event_ids("care.booked", session_id=session["id"])) == 1


def test_a_dependent_is_another_seat_of_the_same_booker(cplatform):
    service = add_service(cplatform, kind="after_school", title="四点半课堂",
                          eligibility={"min_age": 3, "max_age": 12}, capacity=4)
    session = add_session(cplatform, service["id"])
    parent = resident(cplatform)
    kids = [{"beneficiary": {"ref": f"kid{i}", "name": f"小明{i}", "age": 7 + i}}
            for i in range(2)]
    made = [book(cplatform, session["id"], parent, body) for body in kids]
    assert [m.status_code for m in made] == [201, 201]
    assert len({m.json()["id"] for m in made}) == 2
    assert _session(cplatform, session["id"], service["id"])["booked"] == 2


def test_a_cancel_frees_its_seat_once(cplatform):
    service = add_service(cplatform, capacity=1)
    session = add_session(cplatform, service["id"])
    first, second, third = (resident(cplatform) for _ in range(3))
    made = book(cplatform, session["id"], first)
    assert made.status_code == 201
    full = book(cplatform, session["id"], second)
    assert full.status_code == 409 and error_of(full)["fields"] == {"session_id": "full"}
    path = f"/care/bookings/{made.json()['id']}/cancel"
    results = _all_at_once([lambda: cplatform.client.post(path, headers=first)
                            for _ in range(4)])
    assert {r.status_code for r in results} == {200}
    assert {r.json()["state"] for r in results} == {"cancelled"}
    seats = _session(cplatform, session["id"], service["id"])
    assert (seats["booked"], seats["free"]) == (0, 1)  # freed once, not four times
    taken = [book(cplatform, session["id"], h) for h in (second, third)]
    assert [t.status_code for t in taken] == [201, 409]
    assert wait_until(lambda: events("care.booking_cancelled", session_id=session["id"]),
                      timeout=10)
    assert len(event_ids("care.booking_cancelled", session_id=session["id"])) == 1


def test_a_cancelled_booking_is_made_again_as_its_next_round(cplatform):
    service = add_service(cplatform, capacity=2)
    session = add_session(cplatform, service["id"])
    me = resident(cplatform)
    made = book(cplatform, session["id"], me).json()
    cplatform.client.post(f"/care/bookings/{made['id']}/cancel", headers=me)
    again = book(cplatform, session["id"], me)
    assert again.status_code == 201
    assert (again.json()["id"], again.json()["round"], again.json()["state"]) == (
        made["id"], 2, "booked")
    assert _session(cplatform, session["id"], service["id"])["booked"] == 1


def test_the_provider_confirms_and_records_delivery_once(cplatform):
    provider = f"u-provider-{tag()}"
    provider_headers = token_headers(cplatform, "volunteer", provider)
    service = add_service(cplatform, provider_kind="volunteer", provider_name="志愿者 小李",
                          provider_account_id=provider, kind="companionship", hours=2.0)
    session = add_session(cplatform, service["id"])
    me = resident(cplatform)
    made = book(cplatform, session["id"], me).json()
    not_mine = cplatform.client.post(f"/care/bookings/{made['id']}/delivery", headers=me,
                                     json={})
    assert not_mine.status_code == 403 and error_of(not_mine)["fields"] == {"role": "resident"}
    confirmed = cplatform.client.post(f"/care/bookings/{made['id']}/confirm",
                                      headers=provider_headers)
    assert confirmed.status_code == 200 and confirmed.json()["state"] == "confirmed"
    roster = cplatform.client.get(f"/care/bookings?session_id={session['id']}",
                                  headers=provider_headers).json()["items"]
    assert [(b["id"], b["beneficiary_name"]) for b in roster] == [(made["id"], "王奶奶")]
    provided = cplatform.client.get("/care/bookings?provided=true",
                                    headers=provider_headers).json()["items"]
    assert [b["id"] for b in provided] == [made["id"]]
    stranger = cplatform.client.get(f"/care/bookings?session_id={session['id']}",
                                    headers=resident(cplatform))
    assert stranger.status_code == 404
    assert error_of(stranger)["fields"] == {"session_id": "unknown"}
    for _ in range(2):
        done = cplatform.client.post(f"/care/bookings/{made['id']}/delivery",
                                     headers=provider_headers, json={"note": "陪聊一下午"})
        assert done.status_code == 200, done.text
        assert (done.json()["state"], done.json()["hours"]) == ("delivered", 2.0)
    assert wait_until(lambda: events("care.delivered", booking_id=made["id"]), timeout=10)
    assert len(event_ids("care.delivered", booking_id=made["id"])) == 1
    delivered = events("care.delivered", booking_id=made["id"])[0]
    assert (delivered["provider_account_id"], delivered["resident_account_id"],
            delivered["hours"], delivered["provider_kind"]) == (
        provider, made["account_id"], 2.0, "volunteer")
    late = cplatform.client.post(f"/care/bookings/{made['id']}/cancel", headers=me)
    assert late.status_code == 409 and error_of(late)["fields"] == {"state": "delivered"}


def test_a_session_not_started_is_not_delivered_and_an_ended_one_not_booked(cplatform):
    service = add_service(cplatform)
    later = add_session(cplatform, service["id"], starts_in=3600)
    me = resident(cplatform)
    made = book(cplatform, later["id"], me).json()
    early = cplatform.client.post(f"/care/bookings/{made['id']}/delivery",
                                  headers=cplatform.headers("community_admin"), json={})
    assert early.status_code == 409
    assert error_of(early)["fields"] == {"session_id": "in the future"}
    over = add_session(cplatform, service["id"], starts_in=-7200, lasts=3600)
    gone = book(cplatform, over["id"], me)
    assert gone.status_code == 409 and error_of(gone)["fields"] == {"session_id": "ended"}
    assert elderly()["beneficiary"]["living_alone"] is True


def test_a_providers_account_earns_the_care_rule_once_and_a_volunteer_not_by_it(cplatform):
    """A family's or an organisation's account earns care_delivered per delivery; a
    volunteer's hours are the volunteers service's (volunteer_hour, tests/volunteers)."""
    paid = {}
    for kind in ("social_org", "volunteer"):
        provider = f"u-carer-{tag()}"
        headers = token_headers(cplatform, "volunteer" if kind == "volunteer" else "operator",
                                provider)
        service = add_service(cplatform, provider_kind=kind, provider_name="服务者",
                              provider_account_id=provider, kind="home_care", hours=2.0)
        session = add_session(cplatform, service["id"])
        made = book(cplatform, session["id"], resident(cplatform)).json()
        for _ in range(2):
            done = cplatform.client.post(f"/care/bookings/{made['id']}/delivery",
                                         headers=headers, json={})
            assert done.status_code == 200, done.text
        paid[kind] = (headers, made["id"])

    def balance(headers: dict) -> int:
        got = cplatform.client.get("/points/balance", headers=headers)
        return got.json()["active"] if got.status_code == 200 else -1

    org, booking = paid["social_org"]
    assert wait_until(lambda: balance(org) == 5, timeout=15, every=0.2), balance(org)
    rules = cplatform.client.get("/points/rules", headers=org).json()
    assert {"kind": "care_delivered", "points": 5} in [
        {"kind": r["kind"], "points": r["points"]} for r in rules]
    statement = cplatform.client.get("/points/statement", headers=org).json()
    assert [(p["amount"], p["source"]) for p in statement["items"]] == [
        (5, f"care:{booking}:1")]
    assert balance(paid["volunteer"][0]) == 0


def test_a_cancel_stopped_before_its_release_is_repaired_once(cplatform):
    """A crash between the cancel's commit and the seat's release (made here by writing
    the cancelled booking as the commit left it): a rebook meanwhile is asked to wait, the
    repair frees the seat after the grace, once, and the booking is made again."""
    service = add_service(cplatform, capacity=1)
    session = add_session(cplatform, service["id"])
    me = resident(cplatform)
    made = book(cplatform, session["id"], me).json()
    bookings = cplatform.client.app.state.mongo[cplatform.settings.db_name("care")]["bookings"]
    # cancelled a moment before the grace ends: the repair is not due for 3 s yet
    bookings.update_one({"_id": made["id"]}, {"$set": {
        "state": "cancelled", "release_pending": True,
        "cancelled_ts": time.time() - REPAIR_GRACE_SECONDS + 3}, "$inc": {"version": 1}})
    waiting = book(cplatform, session["id"], me)  # the seat is still held by the stopped cancel
    assert waiting.status_code == 409, waiting.text
    assert error_of(waiting)["fields"] == {"session_id": "being cancelled"}
    assert wait_until(lambda: _session(cplatform, session["id"], service["id"])["free"] == 1
                      or bookings.find_one({"_id": made["id"]})["state"] == "booked",
                      timeout=15, every=0.2)
    again = book(cplatform, session["id"], me)
    assert again.status_code == 201 and again.json()["round"] == 2, again.text
    seats = _session(cplatform, session["id"], service["id"])
    assert (seats["booked"], seats["free"]) == (1, 0)
    other = book(cplatform, session["id"], resident(cplatform))
    assert other.status_code == 409 and error_of(other)["fields"] == {"session_id": "full"}
