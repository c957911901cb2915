"""An approved decision becomes work orders in dispatch (one per task, once) and an item
residents rate in evaluation."""

from __future__ import annotations

import time
import uuid

import pytest
from nameko.standalone.events import event_dispatcher

from deploy.waits import wait_until
from services.common.errors import Forbidden, NotFound
from tests.deliberation.helpers import (
    EventProbe,
    caller,
    events,
    hall_body,
    held_meeting,
    listed_topic,
    minutes_body,
    roster,
    slot_start,
    wait_events,
)


def order_or_none(rpc, who: dict, order_id: str) -> dict | None:  # noqa: ANN001
    try:
        return rpc.dispatch.get_order(who, order_id)
    except NotFound:
        return None


def _approved_with_deadline(platform, rpc, admin: dict, deadline_ts: float) -> dict:  # noqa: ANN001
    """A meeting held on a listed topic whose one-task plan is approved without a vote."""
    topic = listed_topic(rpc, admin)
    hall = rpc.deliberation.create_hall(admin, hall_body())
    people = roster(platform)
    start = slot_start()
    meeting = rpc.deliberation.schedule_meeting(admin, {
        "topic_id": topic["id"], "hall_id": hall["id"], "starts_ts": start,
        "ends_ts": start + 1800, "participants": people})
    minutes = minutes_body([p["account_id"] for p in people], tasks=1)
    minutes["plan"]["deadline_ts"] = deadline_ts
    rpc.deliberation.record_minutes(admin, meeting["id"], minutes)
    rpc.deliberation.review_decision(admin, meeting["id"], {"approve": True,
                                                            "vote_required": False})
    return meeting


def test_an_approved_decision_makes_one_order_per_task_and_a_rateable_item(dplatform):
    admin = caller(dplatform, "community_admin", "A")
    with dplatform.rpc() as rpc:
        meeting, _ = held_meeting(rpc, dplatform)
        done = rpc.deliberation.review_decision(admin, meeting["id"], {
            "approve": True, "vote_required": False})
        assert done["state"] == "approved"
        (approved,) = wait_events("decision.approved", meeting_id=meeting["id"])
        ids = [f"o-{meeting['decision_id']}-{n}" for n in (1, 2)]
        assert wait_until(lambda: all(order_or_none(rpc, admin, i) for i in ids), timeout=15,
                          every=0.3)
        order = rpc.dispatch.get_order(admin, ids[0])
        assert order["summary"] == "清理任务 1" and order["community_id"] == meeting[
            "community_id"]
        assert order["department_id"] == "dept-property"

        # The same decision announced again (a new envelope: past the inbox) makes no
        # second order: the orders' ids are the decision's tasks.
        again = {**next(e for e in EventProbe.seen if e["type"] == "decision.approved"
                        and e["payload"]["meeting_id"] == meeting["id"]),
                 "id": uuid.uuid4().hex}
        event_dispatcher(dplatform.config)("deliberation", "decision.approved", again)
        time.sleep(1.0)
        made = [e for i in ids for e in events("order.created", order_id=i)]
        assert len(made) == 2

        resident = caller(dplatform, "resident", "A", "rater")

        def rate() -> dict | None:
            try:
                return rpc.evaluation.rate_item(resident, meeting["decision_id"], {"score": 5})
            except NotFound:
                return None

        assert wait_until(rate, timeout=15, every=0.3)
        outsider = caller(dplatform, "resident", "B", "rater")
        try:
            rpc.evaluation.rate_item(outsider, meeting["decision_id"], {"score": 1})
            raise AssertionError("another community rated the decision")
        except NotFound:
            pass
    assert approved["tasks"][0] == {"n": 1, "category": "other", "summary": "清理任务 1"}
    assert len(events("evaluation_item.opened", item_id=meeting["decision_id"])) == 1


def test_a_decision_still_open_at_its_deadline_is_overdue_once_and_the_street_told(dplatform):
    admin = caller(dplatform, "community_admin", "A")
    with dplatform.rpc() as rpc:
        meeting = _approved_with_deadline(dplatform, rpc, admin, time.time() + 1.0)
        (late,) = wait_events("decision.overdue", meeting_id=meeting["id"])
        assert (late["tasks_done"], late["tasks_total"]) == (0, 1)
        assert late["street_id"] == dplatform.tenancy().streets["A"]["id"]
        view = rpc.deliberation.get_meeting(admin, meeting["id"])
        assert view["overdue"] and view["executed_ts"] is None
        time.sleep(0.6)
        assert len(events("decision.overdue", meeting_id=meeting["id"])) == 1


def test_an_overdue_decision_escalates_to_its_street_once_and_the_street_lists_it(dplatform):
    """A plan whose deadline is past the grace already: overdue, then (the same timer's next
    due) escalated, each once; the street's admins list it, another street's do not."""
    from services.deliberation.domain.meetings import ESCALATE_AFTER_SECONDS

    admin = caller(dplatform, "community_admin", "A")
    with dplatform.rpc() as rpc:
        meeting = _approved_with_deadline(dplatform, rpc, admin,
                                          time.time() - ESCALATE_AFTER_SECONDS - 60)
        (up,) = wait_events("decision.escalated", meeting_id=meeting["id"])
        assert up["street_id"] == dplatform.tenancy().streets["A"]["id"]
        assert (up["tasks_done"], up["tasks_total"]) == (0, 1)
        street = caller(dplatform, "street_admin", "A")
        listed = rpc.deliberation.list_escalations(street)["items"]
        assert meeting["decision_id"] in [e["decision_id"] for e in listed]
        district = caller(dplatform, "district_admin", "A")
        assert meeting["decision_id"] in [e["decision_id"] for e in rpc.deliberation.
                                          list_escalations(district, up["street_id"])["items"]]
        other = rpc.deliberation.list_escalations(caller(dplatform, "street_admin", "B"))
        assert meeting["decision_id"] not in [e["decision_id"] for e in other["items"]]
        with pytest.raises(NotFound):
            rpc.deliberation.list_escalations(caller(dplatform, "street_admin", "B"),
                                              up["street_id"])
        with pytest.raises(Forbidden):
            rpc.deliberation.list_escalations(admin)
        time.sleep(0.6)
    assert len(events("decision.overdue", meeting_id=meeting["id"])) == 1
    assert len(events("decision.escalated", meeting_id=meeting["id"])) == 1
    gw = dplatform.client.get("/deliberation/escalations",
                              headers=dplatform.headers("street_admin", "A"))
    assert gw.status_code == 200, gw.text
    assert meeting["decision_id"] in [e["decision_id"] for e in gw.json()["items"]]


def test_still_open_a_grace_after_the_street_the_decision_goes_up_to_the_district(dplatform):
    """Two graces past its deadline already: overdue, the street, then the district, each
    once, in the timer's successive dues; the district's admin lists it without a street."""
    from services.deliberation.domain.meetings import ESCALATE_AFTER_SECONDS

    admin = caller(dplatform, "community_admin", "A")
    with dplatform.rpc() as rpc:
        meeting = _approved_with_deadline(dplatform, rpc, admin,
                                          time.time() - 2 * ESCALATE_AFTER_SECONDS - 60)
        assert wait_until(lambda: len(events("decision.escalated",
                                             meeting_id=meeting["id"])) == 2, timeout=10,
                          every=0.1)
        time.sleep(0.6)  # a few more polls: nothing more goes up
        rungs = [e["level"] for e in events("decision.escalated", meeting_id=meeting["id"])]
        assert sorted(rungs) == ["district", "street"]
        district = rpc.deliberation.list_escalations(caller(dplatform, "district_admin", "A"))
        [up] = [e for e in district["items"] if e["decision_id"] == meeting["decision_id"]]
        assert up["district_escalated_ts"] >= up["escalated_ts"]
    gw = dplatform.client.get("/deliberation/escalations",
                              headers=dplatform.headers("district_admin", "A"))
    assert gw.status_code == 200, gw.text
    assert meeting["decision_id"] in [e["decision_id"] for e in gw.json()["items"]]
