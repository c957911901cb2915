"""The four lists through the gateway: a need matched to resources becomes a project;
residents see it once published (公示); its last milestone writes project.completed."""

from __future__ import annotations

import time
import uuid

from nameko.standalone.events import event_dispatcher
from nameko.testing.services import entrypoint_waiter

from services.common.caller import Caller
from services.common.contracts import new_event
from services.common.contracts.intake import IssueTriaged
from tests.dispatch.helpers import token_headers
from tests.platform import error_of
from tests.volunteers.helpers import wait_events


def test_a_need_with_resources_becomes_a_published_project_that_completes(vplatform):
    client = vplatform.client
    admin = vplatform.headers("community_admin")
    need = client.post("/lists", headers=admin, json={
        "list": "need", "title": "老旧小区加装电梯", "detail": "3 号楼居民联名"}).json()
    room = client.post("/lists", headers=admin, json={
        "list": "resource", "title": "物业活动室", "detail": "每周六可用",
        "resource_kind": "space", "offered_by": "物业公司"}).json()
    bad = client.post("/lists", headers=admin, json={"list": "resource", "title": "钱",
                                                     "detail": "x"})
    assert bad.status_code == 422 and "resource_kind" in error_of(bad)["fields"]
    needs = client.get("/lists/need", headers=admin).json()["items"]
    assert need["id"] in [n["id"] for n in needs]

    now = time.time()
    made = client.post("/projects", headers=admin, json={
        "need_id": need["id"], "resource_ids": [room["id"]], "owner_unit_id": "property-co",
        "title": "加装电梯项目", "participant_account_ids": ["u-helper"],
        "milestones": [{"title": "征询意见", "due_ts": now + 86400},
                       {"title": "施工", "due_ts": now + 30 * 86400}]})
    assert made.status_code == 201, made.text
    project = made.json()
    again = client.post("/projects", headers=admin, json={
        "need_id": need["id"], "resource_ids": [room["id"]], "owner_unit_id": "x",
        "title": "重复", "milestones": [{"title": "m", "due_ts": now}]})
    assert again.status_code == 409

    resident = token_headers(vplatform, "resident", f"u-r-{uuid.uuid4().hex[:6]}")
    assert client.get(f"/projects/{project['id']}", headers=resident).status_code == 404
    done_early = client.post(f"/projects/{project['id']}/milestones/0/done", headers=admin)
    assert done_early.status_code == 409
    assert client.post(f"/projects/{project['id']}/publish", headers=admin).status_code == 200
    public = client.get("/projects", headers=resident).json()["items"]
    assert project["id"] in [p["id"] for p in public]
    for index in (1, 0):
        step = client.post(f"/projects/{project['id']}/milestones/{index}/done", headers=admin)
        assert step.status_code == 200
    assert step.json()["state"] == "completed"
    (event,) = wait_events("project.completed", project_id=project["id"])
    assert (event["need_id"], event["owner_unit_id"]) == (need["id"], "property-co")
    matched = client.get("/lists/need", headers=admin).json()["items"]
    assert {n["state"] for n in matched if n["id"] == need["id"]} == {"matched"}
    other = vplatform.headers("community_admin", "B")
    assert client.get(f"/projects/{project['id']}", headers=other).status_code == 404


def _triaged(vplatform, issue_class: str) -> dict:  # noqa: ANN001
    tenancy = vplatform.tenancy()
    community = tenancy.communities["A"]
    issue_id = f"i-{uuid.uuid4().hex[:10]}"
    payload = IssueTriaged(issue_id=issue_id, community_id=community["id"],
                           street_id=tenancy.streets["A"]["id"],
                           district_id=tenancy.district["id"], category="lighting",
                           route="community", issue_class=issue_class, urgency="normal",
                           summary="3 号楼路灯\n不亮")
    event = new_event(payload, Caller.system(), community["id"])
    send = event_dispatcher(vplatform.config)
    for _ in range(2):  # a redelivery adds nothing (the inbox, then the entry's own id)
        with entrypoint_waiter(vplatform.containers["volunteers"], "on_issue_triaged",
                               timeout=10):
            send("intake", "issue.triaged", event.to_message())
    return {"issue_id": issue_id}


def test_public_issues_fill_the_problem_list_and_problems_are_not_entered_by_hand(vplatform):
    client = vplatform.client
    admin = vplatform.headers("community_admin")
    public = _triaged(vplatform, "public")
    private = _triaged(vplatform, "hardship")  # 困难事: a person's matter, not the public list
    problems = client.get("/lists/problem", headers=admin).json()["items"]
    ours = [p for p in problems if p["issue_id"] in (public["issue_id"], private["issue_id"])]
    assert [(p["issue_id"], p["title"], p["state"]) for p in ours] == [
        (public["issue_id"], "3 号楼路灯 不亮", "open")]
    by_hand = client.post("/lists", headers=admin, json={
        "list": "problem", "title": "路灯", "detail": "x", "issue_id": public["issue_id"]})
    assert by_hand.status_code == 422 and "list" in error_of(by_hand)["fields"]
    other = vplatform.headers("community_admin", "B")
    assert public["issue_id"] not in [p["issue_id"] for p in client.get(
        "/lists/problem", headers=other).json()["items"]]
