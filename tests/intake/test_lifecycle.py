"""The lifecycle through the gateway: every legal step, every illegal one a 409 with the state."""

from __future__ import annotations

import pytest

from services.common.errors import Forbidden
from services.intake.service import IntakeService
from tests.intake.helpers import Flow, file_issue, publish_order, sign_in
from tests.intake.unit.test_lifecycle import LEGAL
from tests.platform import error_of

HTTP_ACTIONS = ("triage", "reject", "resolve", "close", "reopen", "merge")
EVENT_ACTIONS = {"order.created": "dispatch", "order.claimed": "start",
                 "order.acknowledged": "start", "order.confirmed": "resolve",
                 "rating.given": "rate"}
# evaluation's satisfied rating rates the issue and then closes it: two steps, one event
FOLLOWED_BY = {"rating.given": ("closed", 2)}


def _legal(state: str, action: str) -> str | None:
    return next((dst.value for (src, a), dst in LEGAL.items()
                 if src.value == state and a.value == action), None)


def test_every_illegal_action_is_a_409_naming_the_current_state(platform):
    platform.start(IntakeService)
    flow = Flow(platform)
    for state in Flow.PATHS:
        issue = flow.issue_in(state)
        for action in HTTP_ACTIONS:
            if _legal(state, action):
                continue
            response = flow.act(issue, action)
            assert response.status_code == 409, (state, action, response.text)
            assert error_of(response)["fields"] == {"state": state}, (state, action)


def test_every_legal_action_moves_the_issue_and_appends_to_its_timeline(platform):
    client = platform.start(IntakeService)
    flow = Flow(platform)
    admin = sign_in(platform, "community_admin")
    for state in Flow.PATHS:
        for action in (*HTTP_ACTIONS, *EVENT_ACTIONS):
            target = _legal(state, EVENT_ACTIONS.get(action, action))
            if target is None:
                continue
            issue = flow.issue_in(state)
            before = len(client.get(f"/issues/{issue['id']}/timeline",
                                    headers=admin).json()["items"])
            response = flow.act(issue, action)
            assert response is None or response.status_code == 200, (state, action,
                                                                      response.text)
            target, steps = FOLLOWED_BY.get(action, (target, 1))
            got = client.get(f"/issues/{issue['id']}", headers=admin).json()
            assert got["state"] == target, (state, action, got["state"])
            timeline = client.get(f"/issues/{issue['id']}/timeline", headers=admin).json()["items"]
            assert len(timeline) == before + steps and timeline[-1]["state"] == target


def test_the_reporter_follows_the_whole_story_on_the_timeline(platform):
    client = platform.start(IntakeService)
    flow = Flow(platform)
    issue = flow.issue_in("closed")
    timeline = client.get(f"/issues/{issue['id']}/timeline",
                          headers=sign_in(platform, "resident"))
    assert timeline.status_code == 200
    assert [e["state"] for e in timeline.json()["items"]] == [
        "received", "triaged", "dispatched", "in_progress", "resolved", "rated", "closed"]
    assert all(e["at"] and e["actor_role"] for e in timeline.json()["items"])
    admin_steps = [e for e in timeline.json()["items"] if e["actor_role"] == "community_admin"]
    assert admin_steps and all(e["actor_id"] is None for e in admin_steps)  # staff stay unnamed
    assert "路灯已更换" in timeline.json()["items"][4]["note"]


def test_order_notes_land_on_the_timeline_without_moving_the_issue(platform):
    client = platform.start(IntakeService)
    issue = Flow(platform).issue_in("in_progress")
    publish_order(platform, "order.returned", issue, reason="照片不清楚")
    publish_order(platform, "order.escalated", issue, reason="超期", level="street")
    got = client.get(f"/issues/{issue['id']}/timeline", headers=sign_in(platform, "resident"))
    notes = [e["note"] for e in got.json()["items"]]
    assert any("照片不清楚" in n for n in notes) and any("street" in n for n in notes)
    assert got.json()["items"][-1]["state"] == "in_progress"


def test_a_redelivered_or_late_order_event_changes_nothing(platform):
    client = platform.start(IntakeService)
    issue = Flow(platform).issue_in("in_progress")
    admin = sign_in(platform, "community_admin")
    before = client.get(f"/issues/{issue['id']}/timeline", headers=admin).json()["items"]
    publish_order(platform, "order.created", issue)  # late: already past dispatched
    got = client.get(f"/issues/{issue['id']}", headers=admin)
    assert got.json()["state"] == "in_progress"
    after = client.get(f"/issues/{issue['id']}/timeline", headers=admin).json()["items"]
    assert len(after) == len(before) + 1  # only a note
    assert (after[-1]["state"], after[-1]["note"]) == (
        "in_progress", f"work order made (order o-{issue['id']})")


def test_only_admins_triage(platform):
    """(Who may rate is evaluation's: tests/evaluation/test_satisfaction_flow.py.)"""
    client = platform.start(IntakeService)
    fresh = file_issue(platform)
    triaged = client.post(f"/issues/{fresh['id']}/triage", headers=sign_in(platform, "resident"),
                          json={})
    assert triaged.status_code == 403


def test_the_reporter_may_withdraw_but_not_reject_as_invalid(platform):
    client = platform.start(IntakeService)
    issue = file_issue(platform)
    resident = sign_in(platform, "resident")
    invalid = client.post(f"/issues/{issue['id']}/reject", headers=resident,
                          json={"reason": "invalid"})
    assert invalid.status_code == 403
    withdrawn = client.post(f"/issues/{issue['id']}/reject", headers=resident,
                            json={"reason": "withdrawn", "note": "已自行解决"})
    assert withdrawn.status_code == 200
    assert (withdrawn.json()["state"], withdrawn.json()["reject_reason"]) == (
        "rejected", "withdrawn")


def test_the_reporter_reopens_by_rating_and_the_community_reopens_directly(platform):
    """One owner of ratings: a resident's "not satisfied" goes through evaluation's rating
    (its first unsatisfied rating reopens the issue); intake refuses the direct reopen with
    the route to use, in the gateway and in the service. Staff reopen (supervision)."""
    client = platform.start(IntakeService)
    issue = Flow(platform).issue_in("resolved")
    path = f"/issues/{issue['id']}/reopen"
    refused = client.post(path, headers=sign_in(platform, "resident"), json={"reason": "不亮"})
    assert refused.status_code == 403
    assert error_of(refused)["fields"] == {
        "role": f"rate it instead: POST /issues/{issue['id']}/rate"}
    reporter = {"user_id": "u-resident-A-1", "role": "resident",  # sign_in's reporter
                "district_id": platform.tenancy().district["id"],
                "community_id": platform.community_id("A")}
    with platform.rpc() as rpc, pytest.raises(Forbidden, match="rating it unsatisfied"):
        rpc.intake.reopen_issue(reporter, issue["id"], {"reason": "不亮"})
    reopened = client.post(path, headers=sign_in(platform, "community_admin"),
                           json={"reason": "督查发现路灯仍不亮"})
    assert reopened.status_code == 200 and reopened.json()["state"] == "reopened", reopened.text
