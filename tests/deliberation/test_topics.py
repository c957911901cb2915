"""Topics: proposals gather supporters to the list, urgent first, per community; issues
filed as deliberation topics arrive by event; another tenant's topic is a 404."""

from __future__ import annotations

import time
import uuid

import pytest
from nameko.standalone.events import event_dispatcher

from deploy.waits import wait_until
from services.common.caller import Caller
from services.common.contracts import new_event
from services.common.contracts.evaluation import WarningRaised
from services.common.contracts.intake import IssueTriaged
from services.common.errors import Conflict, Forbidden, InvalidInput, NotFound
from tests.deliberation.helpers import caller, events, tag, wait_events


def proposal(**extra) -> dict:
    return {"title": f"加装电梯 {tag()}", "detail": "三号楼老人多, 提议加装电梯",
            "category": "purple"} | extra


def test_a_proposal_is_listed_once_it_has_its_supporters_each_counted_once(dplatform):
    with dplatform.rpc() as rpc:
        resident = caller(dplatform, "resident", "A", "proposer")
        topic = rpc.deliberation.propose_topic(resident, proposal())
        assert (topic["state"], topic["source"], topic["supporters"]) == (
            "proposed", "proposal", 0)
        assert topic["parties"][:4] == ["community_committee", "mediation_committee", "police",
                                        "residents_representative"]
        assert "property_company" in topic["parties"]  # purple's own parties
        pending = rpc.deliberation.topic_list(resident, None, True)
        assert topic["id"] in [t["id"] for t in pending["items"]]
        for i in range(topic["support_threshold"] - 1):
            supporter = caller(dplatform, "resident", "A", f"s{i}")
            after = rpc.deliberation.support_topic(supporter, topic["id"])
            again = rpc.deliberation.support_topic(supporter, topic["id"])
            assert after["supporters"] == again["supporters"] == i + 1
        assert after["state"] == "proposed"
        assert rpc.deliberation.support_topic(resident, topic["id"])["supporters"] == 4
        last = caller(dplatform, "resident", "A", "s-last")
        listed = rpc.deliberation.support_topic(last, topic["id"])
        assert listed["state"] == "listed" and listed["supporters"] == 5
        with pytest.raises(Conflict):
            rpc.deliberation.support_topic(caller(dplatform, "resident", "A", "late"),
                                           topic["id"])
        board = rpc.deliberation.topic_list(resident)
        assert topic["id"] in [t["id"] for t in board["items"]]
    (event,) = wait_events("topic.listed", topic_id=topic["id"])
    assert event["source"] == "proposal"


def test_urgent_topics_head_the_list_and_the_list_pages_by_keyset(dplatform):
    with dplatform.rpc() as rpc:
        admin = caller(dplatform, "community_admin", "A")
        made = [rpc.deliberation.propose_topic(admin, proposal(urgent=i == 1, category="blue"))
                for i in range(4)]
        assert all(t["state"] == "listed" and t["source"] == "admin" for t in made)
        first = rpc.deliberation.topic_list(admin, None, False, 2)
        assert first["items"][0]["urgent"]  # the urgent one heads the list
        assert first["next_cursor"]
        ids, cursor = [], None
        while True:
            page = rpc.deliberation.topic_list(admin, None, False, 50, cursor)
            ids += [t["id"] for t in page["items"]]
            cursor = page["next_cursor"]
            if not cursor:
                break
        assert len(ids) == len(set(ids))
        assert [t["id"] for t in made if not t["urgent"]][::-1] == [
            i for i in ids if i in {t["id"] for t in made} - {made[1]["id"]}]
        with pytest.raises(InvalidInput) as bad:
            rpc.deliberation.topic_list(admin, None, False, 500)
        assert "limit" in bad.value.fields


def test_another_communitys_topic_is_a_404_and_roles_are_checked(dplatform):
    with dplatform.rpc() as rpc:
        topic = rpc.deliberation.propose_topic(caller(dplatform, "resident", "A", "p2"),
                                               proposal())
        outsider = caller(dplatform, "resident", "B", "o1")
        for call in (lambda: rpc.deliberation.get_topic(outsider, topic["id"]),
                     lambda: rpc.deliberation.support_topic(outsider, topic["id"]),
                     lambda: rpc.deliberation.get_topic(outsider, "t-made-up"),
                     lambda: rpc.deliberation.pick_topic(caller(dplatform, "community_admin",
                                                                "B"), topic["id"])):
            with pytest.raises(NotFound):
                call()
        with pytest.raises(NotFound):  # naming another community to read its list
            rpc.deliberation.topic_list(outsider, dplatform.community_id("A"))
        with pytest.raises(Forbidden):
            rpc.deliberation.pick_topic(caller(dplatform, "resident", "A", "p3"), topic["id"])
        with pytest.raises(Forbidden):
            rpc.deliberation.propose_topic(caller(dplatform, "merchant", "A"), proposal())
        with pytest.raises(InvalidInput) as bad:
            rpc.deliberation.propose_topic(caller(dplatform, "resident", "A", "p2"),
                                           proposal(category="pink"))
        assert "category" in bad.value.fields
        street = caller(dplatform, "street_admin", "A")
        assert wait_until(lambda: _reads(rpc, street, dplatform.community_id("A")),
                          timeout=10, every=0.2)
        with pytest.raises(NotFound):
            rpc.deliberation.topic_list(caller(dplatform, "street_admin", "B"),
                                        dplatform.community_id("A"))
        picked = rpc.deliberation.pick_topic(caller(dplatform, "community_admin", "A"),
                                             topic["id"])
        assert picked["state"] == "listed"


def _reads(rpc, street: dict, community_id: str) -> bool:  # noqa: ANN001
    """A street admin reads its community's list once identity's community.created is in."""
    try:
        rpc.deliberation.topic_list(street, community_id)
        return True
    except NotFound:
        return False


def test_an_issue_triaged_as_a_deliberation_topic_is_listed_once(dplatform):
    tenancy = dplatform.tenancy()
    issue_id = f"i-{tag()}"
    payload = IssueTriaged(issue_id=issue_id, community_id=dplatform.community_id("A"),
                           street_id=tenancy.streets["A"]["id"],
                           district_id=tenancy.district["id"], category="deliberation_topic",
                           route="community", issue_class="special", urgency="urgent",
                           summary="小区停车位分配不公, 请议事")
    event = new_event(payload, Caller.system(), payload.community_id)
    send = event_dispatcher(dplatform.config)
    send("intake", "issue.triaged", event.to_message())
    send("intake", "issue.triaged", event.to_message())  # redelivered
    (listed,) = wait_events("topic.listed", topic_id=f"t-{issue_id}")
    assert listed["source"] == "issue" and listed["urgent"]
    time.sleep(0.5)
    assert len(events("topic.listed", topic_id=f"t-{issue_id}")) == 1  # not twice
    with dplatform.rpc() as rpc:
        topic = rpc.deliberation.get_topic(caller(dplatform, "resident", "A", "p2"),
                                           f"t-{issue_id}")
    assert topic["issue_id"] == issue_id and topic["state"] == "listed"


def test_a_listed_topic_takes_comments_from_its_community_only(dplatform):
    admin = caller(dplatform, "community_admin", "A")
    resident = caller(dplatform, "resident", "A", "c1")
    with dplatform.rpc() as rpc:
        pending = rpc.deliberation.propose_topic(resident, proposal())
        with pytest.raises(Conflict):  # still gathering supporters
            rpc.deliberation.comment_topic(resident, pending["id"], {"text": "支持"})
        topic = rpc.deliberation.propose_topic(admin, proposal())
        said = [rpc.deliberation.comment_topic(resident, topic["id"], {"text": f"意见 {i}"})
                for i in range(3)]
        page = rpc.deliberation.topic_comments(resident, topic["id"], 2)
        assert [c["id"] for c in page["items"]] == [said[2]["id"], said[1]["id"]]
        rest = rpc.deliberation.topic_comments(resident, topic["id"], 2, page["next_cursor"])
        assert [c["id"] for c in rest["items"]] == [said[0]["id"]] and not rest["next_cursor"]
        outsider = caller(dplatform, "resident", "B", "c1")
        with pytest.raises(NotFound):
            rpc.deliberation.comment_topic(outsider, topic["id"], {"text": "路过"})
        with pytest.raises(NotFound):
            rpc.deliberation.topic_comments(outsider, topic["id"])
        with pytest.raises(InvalidInput) as empty:
            rpc.deliberation.comment_topic(resident, topic["id"], {"text": ""})
        assert "text" in empty.value.fields


def test_an_early_warning_from_evaluation_goes_on_the_list_once(dplatform):
    alert_id = f"al-{tag()}"
    payload = WarningRaised(alert_id=alert_id, community_id=dplatform.community_id("A"),
                            grid_id="g-1", category="noise", recent=9, baseline=2.0,
                            issue_ids=["i-1", "i-2"])
    event = new_event(payload, Caller.system(), payload.community_id)
    send = event_dispatcher(dplatform.config)
    send("evaluation", "warning.raised", event.to_message())
    send("evaluation", "warning.raised", {**event.to_message(), "id": uuid.uuid4().hex})
    (listed,) = wait_events("topic.listed", topic_id=f"t-{alert_id}")
    assert listed["source"] == "warning"
    time.sleep(0.5)
    assert len(events("topic.listed", topic_id=f"t-{alert_id}")) == 1


def test_an_admin_enters_a_topic_of_the_grid_joint_meeting_naming_a_grid_of_the_community(
        dplatform):
    """The grid is checked on deliberation's copy of dispatch's grids (each community's root
    grid `g-root-<community>` is dispatch's from its start)."""
    from services.deliberation.grids import GRIDS

    a, b = dplatform.community_id("A"), dplatform.community_id("B")
    assert wait_until(lambda: GRIDS.check(a, f"g-root-{a}") and GRIDS.primed(b),
                      timeout=20, every=0.2)
    admin = caller(dplatform, "community_admin", "A")
    body = proposal(source="grid_meeting", grid_id=f"g-root-{a}", urgent=True)
    with dplatform.rpc() as rpc:
        topic = rpc.deliberation.propose_topic(admin, body)
        assert (topic["source"], topic["grid_id"], topic["state"]) == (
            "grid_meeting", f"g-root-{a}", "listed")
        with pytest.raises(InvalidInput) as bad:  # B's grid is not one of A's
            rpc.deliberation.propose_topic(admin, body | {"grid_id": f"g-root-{b}"})
        assert "grid_id" in bad.value.fields
        with pytest.raises(InvalidInput) as bad:  # the grid meeting's topic names its grid
            rpc.deliberation.propose_topic(admin, proposal(source="grid_meeting"))
        assert "grid_id" in str(bad.value.fields)
        with pytest.raises(Forbidden):  # a resident's proposal is not the grid meeting's
            rpc.deliberation.propose_topic(caller(dplatform, "resident", "A", "gm"), body)
    made = dplatform.client.post("/topics", headers=dplatform.headers("community_admin", "B"),
                                 json=body | {"grid_id": f"g-root-{b}"})
    assert made.status_code == 201 and made.json()["source"] == "grid_meeting"
