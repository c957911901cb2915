"""Earning from other services' events: the same event pays once; caps hold under a burst."""

from __future__ import annotations

import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
from amqp.exceptions import NotFound as AmqpNotFound
from nameko.amqp.publish import UndeliverableMessage
from nameko.standalone.events import event_dispatcher

from deploy.waits import wait_until
from services.common.caller import Caller
from services.common.contracts import new_event
from services.common.contracts.intake import IssueState, IssueStatusChanged
from services.common.contracts.volunteers import (
    ActivityCheckedIn,
    VolunteerHoursLogged,
    WishFulfilled,
)
from services.points.service import PointsService
from tests.points import helpers


@pytest.fixture(scope="module")
def world(module_platform):
    module_platform.start(PointsService)
    return helpers.build(module_platform)


def _resolved(world, issue_id: str, reporter: str) -> dict:
    return new_event(IssueStatusChanged(
        issue_id=issue_id, community_id=world.platform.community_id("A"),
        from_state=IssueState.in_progress, to_state=IssueState.resolved,
        notify=[reporter]), Caller.system(), world.platform.community_id("A")).to_message()


def _publish(world, message: dict) -> None:
    dispatch = event_dispatcher(world.platform.config)

    def sent() -> bool:
        try:
            dispatch("intake", "issue.status_changed", message)
        except (UndeliverableMessage, AmqpNotFound):
            return False
        return True

    assert wait_until(sent, timeout=20, every=0.2)


def _earned(world, user_id: str) -> int:
    acct = f"acct:{world.platform.community_id('A')}:resident:{user_id}"
    return int((world.db()["accounts"].find_one({"_id": acct}) or {}).get("balance") or 0)


def test_the_same_resolved_issue_delivered_three_times_pays_once(world):
    reporter = f"u-rep-{uuid.uuid4().hex[:6]}"
    issue_id = f"i-{uuid.uuid4().hex[:8]}"
    message = _resolved(world, issue_id, reporter)
    _publish(world, message)
    _publish(world, message)  # the broker's redelivery: the inbox drops it
    _publish(world, _resolved(world, issue_id, reporter))  # a new envelope, the same issue
    assert wait_until(lambda: _earned(world, reporter) == 5, timeout=20, every=0.1)
    inbox = world.db()["processed_events"]
    assert wait_until(lambda: inbox.count_documents({}) >= 2, timeout=20)
    assert _earned(world, reporter) == 5
    postings = world.db()["postings"].count_documents({"source": f"issue:{issue_id}"})
    assert postings == 1


def test_the_daily_cap_holds_under_a_burst_of_events(world):
    reporter = f"u-rep-{uuid.uuid4().hex[:6]}"
    messages = [_resolved(world, f"i-{uuid.uuid4().hex[:8]}", reporter) for _ in range(12)]
    with ThreadPoolExecutor(6) as pool:
        list(pool.map(lambda m: _publish(world, m), messages))
    inbox = world.db()["processed_events"]
    assert wait_until(lambda: inbox.count_documents(
        {"_id": {"$in": [f"on_issue_status_changed:{m['id']}" for m in messages]}}) == 12,
        timeout=30, every=0.2)
    assert _earned(world, reporter) == 20  # 5 points each, capped at 20 a day
    assert helpers.verify(world, world.platform.community_id("A"))["drift"] == 0


def _publish_as(world, source: str, event_type: str, payload) -> dict:  # noqa: ANN001
    message = new_event(payload, Caller.system(), payload.community_id).to_message()
    dispatch = event_dispatcher(world.platform.config)

    def sent() -> bool:
        try:
            dispatch(source, event_type, message)
        except (UndeliverableMessage, AmqpNotFound):
            return False
        return True

    assert wait_until(sent, timeout=20, every=0.2)
    return message


def test_volunteer_hours_delivered_three_times_pay_once_by_the_hour(world):
    volunteer = f"u-vol-{uuid.uuid4().hex[:6]}"
    community = world.platform.community_id("A")
    logged = VolunteerHoursLogged(
        log_id=f"h-activity-a1-{volunteer}", community_id=community, account_id=volunteer,
        hours=2.5, source_kind="activity", source_id="a1", logged_ts=time.time())
    for _ in range(3):  # three envelopes (a producer's retry), one log
        _publish_as(world, "volunteers", "volunteer.hours_logged", logged)
    assert wait_until(lambda: _earned(world, volunteer) == 25, timeout=20, every=0.1)
    wish = WishFulfilled(wish_id=f"w-{uuid.uuid4().hex[:6]}", community_id=community,
                         resident_account_id="u-someone", volunteer_account_id=volunteer,
                         fulfilled_ts=time.time())
    checked_in = ActivityCheckedIn(activity_id="a1", community_id=community,
                                   account_id=volunteer, checked_in_ts=time.time())
    messages = [_publish_as(world, "volunteers", "wish.fulfilled", wish),
                _publish_as(world, "volunteers", "activity.checked_in", checked_in),
                _publish_as(world, "volunteers", "activity.checked_in", checked_in)]
    inbox = world.db()["processed_events"]
    assert wait_until(lambda: inbox.count_documents({"_id": {"$in": [
        f"{h}:{m['id']}" for h, m in zip(("on_wish_fulfilled", "on_activity_checked_in",
                                          "on_activity_checked_in"), messages, strict=True)]}})
        == 3, timeout=20, every=0.1)
    assert _earned(world, volunteer) == 25 + 8 + 3
    postings = world.db()["postings"]
    assert postings.count_documents({"key": {"$regex": volunteer}}) == 3


def test_an_order_resolved_by_a_member_pays_once_confirmed_and_a_grid_worker_earns_nothing(
        world):
    from services.common.contracts.dispatch import OrderConfirmed, OrderResolved

    community = world.platform.community_id("A")
    tenancy = world.platform.tenancy()
    dispatch = event_dispatcher(world.platform.config)
    inbox = world.db()["processed_events"]
    for role, expected in (("volunteer", 10), ("grid_worker", 0)):
        member = f"u-{role}-{uuid.uuid4().hex[:6]}"
        order_id = f"o-{uuid.uuid4().hex[:8]}"
        by = Caller(user_id=member, role=role, district_id=tenancy.district["id"],
                    community_id=community)
        confirmed = new_event(OrderConfirmed(order_id=order_id, community_id=community,
                                             level="community", result="修好了"),
                              Caller.system(), community).to_message()
        resolved = new_event(OrderResolved(order_id=order_id, community_id=community,
                                           level="community", responder_id=member,
                                           result="修好了"), by, community).to_message()
        # Confirmed first: the events travel on separate queues; whichever is second pays.
        for event_type, message in (("order.confirmed", confirmed),
                                    ("order.resolved", resolved),
                                    ("order.confirmed", {**confirmed, "id": uuid.uuid4().hex})):
            assert wait_until(lambda t=event_type, m=message, d=dispatch: _sent(d, t, m),
                              timeout=20, every=0.2)
        assert wait_until(lambda c=confirmed, r=resolved, i=inbox: i.count_documents({"_id": {
            "$in": [f"on_order_confirmed:{c['id']}", f"on_order_resolved:{r['id']}"]}}) == 2,
            timeout=20, every=0.1)
        time.sleep(0.5)  # the third delivery too
        assert _earned(world, member) == expected, role


def _sent(dispatch, event_type: str, message: dict) -> bool:  # noqa: ANN001
    try:
        dispatch("dispatch", event_type, message)
    except (UndeliverableMessage, AmqpNotFound):
        return False
    return True
