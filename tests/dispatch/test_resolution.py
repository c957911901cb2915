"""Resolution: result with evidence, confirm or return, reopen with history; overdue escalation."""

from __future__ import annotations

import time

from nameko.standalone.events import event_dispatcher
from nameko.testing.services import entrypoint_hook, entrypoint_waiter

from deploy.waits import wait_until
from services.common.caller import Caller
from services.common.contracts import new_event
from services.common.contracts.intake import IssueReopened
from services.dispatch.service import DispatchService
from tests.dispatch.helpers import grid_tree, token_headers, triage
from tests.platform import error_of


def test_a_result_is_returned_then_confirmed_and_a_reopen_keeps_the_history(platform):
    client = platform.start(DispatchService)
    ids = grid_tree(platform)
    issue_id = triage(platform, grid_id=ids["W1"])
    order_id = f"o-{issue_id}"
    worker = token_headers(platform, "grid_worker", "u-gw-w1", grid_id=ids["W1"])
    admin = platform.headers("community_admin")
    for step in ("claim", "acknowledge"):
        assert client.post(f"/orders/{order_id}/{step}", headers=worker).status_code == 200
    body = {"result": "路灯已修复", "evidence": ["photo://lamp-after"]}
    assert client.post(f"/orders/{order_id}/result", headers=worker, json=body).status_code == 200
    assert client.post(f"/orders/{order_id}/confirm", headers=worker).status_code == 403
    returned = client.post(f"/orders/{order_id}/return", headers=admin,
                           json={"reason": "另一盏也不亮"})
    assert returned.status_code == 200 and returned.json()["state"] == "in_progress"
    assert client.post(f"/orders/{order_id}/result", headers=worker, json=body).status_code == 200
    confirmed = client.post(f"/orders/{order_id}/confirm", headers=admin)
    assert confirmed.status_code == 200 and confirmed.json()["state"] == "confirmed"
    assert confirmed.json()["evidence"] == ["photo://lamp-after"]

    community = platform.tenancy().communities["A"]
    event = new_event(IssueReopened(issue_id=issue_id, community_id=community["id"],
                                    reason="居民不满意：又坏了"), Caller.system(), community["id"])
    with entrypoint_waiter(platform.containers["dispatch"], "on_issue_reopened", timeout=10):
        event_dispatcher(platform.config)("intake", "issue.reopened", event.to_message())
    order = client.get(f"/orders/{order_id}", headers=admin).json()
    assert order["state"] == "open" and order["claimed_by"] is None
    assert [t["kind"] for t in order["timeline"]] == [
        "created", "claimed", "acknowledged", "resolved", "returned", "resolved", "confirmed",
        "reopened"]
    assert order["timeline"][-1]["reason"] == "居民不满意：又坏了"


def test_an_overdue_order_escalates_once_and_counts_as_overdue(platform):
    client = platform.start(DispatchService)
    admin = platform.headers("community_admin")
    escalated_before = _sample(client, 'linli_dispatch_escalations_total{cause="resolution"}')
    made = client.post("/orders", headers=admin, json={
        "category": "water_pipe", "urgency": "high", "summary": "水管爆裂",
        "person_id": "u-gw-root", "response_hours": 1.5 / 3600, "resolution_hours": 1.5 / 3600})
    assert made.status_code == 201, made.text
    order_id = made.json()["id"]
    assert (made.json()["level"], made.json()["state"]) == ("community", "claimed")
    person = token_headers(platform, "grid_worker", "u-gw-root", grid_id=made.json()["grid_id"])
    answered = client.post(f"/orders/{order_id}/acknowledge", headers=person)
    assert answered.status_code == 200, answered.text
    assert wait_until(lambda: client.get(f"/orders/{order_id}", headers=admin).json()[
        "level"] == "street", timeout=6, every=0.1)
    time.sleep(1.0)  # five more polls: the same breach does not escalate again
    order = client.get(f"/orders/{order_id}", headers=admin).json()
    escalations = [t for t in order["timeline"] if t["kind"] == "escalated"]
    assert len(escalations) == 1 and "not resolved" in escalations[0]["reason"]
    assert order["overdue"] is True and order["reached_levels"] == ["community", "street"]
    street = platform.headers("street_admin", "A")
    reached = client.get("/orders?reached=street", headers=street).json()["items"]
    assert [o["id"] for o in reached] == [order_id]
    assert client.get("/orders?reached=district", headers=street).json()["items"] == []
    assert client.get("/orders?reached=nowhere", headers=street).status_code == 422
    stats = client.get("/orders/stats", headers=admin).json()
    assert stats["overdue"] == 1 and stats["orders"] == {"street/in_progress": 1}
    assert _sample(client, 'linli_dispatch_escalations_total{cause="resolution"}') == \
        escalated_before + 1
    with entrypoint_hook(platform.containers["dispatch"], "refresh_gauges") as refresh:
        refresh()
    assert _sample(client, "linli_dispatch_overdue_orders") == 1
    assert _sample(client, 'linli_dispatch_orders{level="street",state="in_progress"}') == 1
    assert _sample(client, 'linli_dispatch_orders{level="community",state="claimed"}') == 0


def _sample(client, name: str) -> float:  # noqa: ANN001
    """A sample's value on the gateway's /metrics (0 if not yet exported)."""
    for line in client.get("/metrics").text.splitlines():
        if line.startswith(f"{name} "):
            return float(line.split()[-1])
    return 0.0


def test_bad_input_is_refused_with_the_field_and_stores_nothing(platform):
    client = platform.start(DispatchService)
    admin = platform.headers("community_admin")
    bad = client.post("/orders", headers=admin, json={"category": "", "summary": "x",
                                                     "urgency": "soon", "response_hours": -1})
    assert bad.status_code == 422
    assert {"category", "urgency", "response_hours"} <= set(error_of(bad)["fields"])
    unknown_grid = client.post("/orders", headers=admin, json={
        "category": "road", "summary": "坑", "grid_id": "g-nowhere"})
    assert unknown_grid.status_code == 422 and error_of(unknown_grid)["fields"] == {
        "grid_id": "not a grid of this community"}
    assert client.get("/orders", headers=admin).json()["items"] == []
    made = client.post("/orders", headers=admin, json={"category": "road", "summary": "坑"})
    order_id = made.json()["id"]
    empty = client.post(f"/orders/{order_id}/whistle", headers=admin, json={})
    assert empty.status_code == 422 and "departments" in error_of(empty)["fields"]
    assert client.post("/orders/o-missing/claim",
                       headers=platform.headers("volunteer")).status_code == 404
    assert client.put(f"/grids/policy?community_id={platform.community_id('A')}", headers=admin,
                      json={"sla": {"urgent": [-1, 2]}}).status_code == 422


def test_units_are_picked_by_category_and_duty_and_members_report_in_themselves(platform):
    client = platform.start(DispatchService)
    admin = platform.headers("community_admin")
    unit = client.post("/responders", headers=admin, json={
        "kind": "department", "name": "城管执法队", "department_id": "urban-management",
        "categories": ["illegal_construction"], "contact": "010-1234567"})
    assert unit.status_code == 201, unit.text
    assert unit.json() == {
        "id": unit.json()["id"], "community_id": platform.community_id("A"),
        "kind": "department", "name": "城管执法队", "user_id": None,
        "department_id": "urban-management", "home_grid_id": None,
        "categories": ["illegal_construction"], "jurisdiction": [], "skills": [],
        "on_duty": True, "contact": "010-1234567", "consent": "given"}
    order = client.post("/orders", headers=admin, json={
        "category": "illegal_construction", "urgency": "complex", "summary": "违建"}).json()
    assert order["department_id"] == "urban-management"
    assert order["resolution_hours"] == 15 * 24
    off = client.put(f"/responders/{unit.json()['id']}/duty", headers=admin,
                     json={"on_duty": False})
    assert off.status_code == 200 and off.json()["on_duty"] is False
    order = client.post("/orders", headers=admin, json={
        "category": "illegal_construction", "summary": "又一处违建"}).json()
    assert order["department_id"] is None

    volunteer = platform.headers("volunteer")
    joined = client.post("/responders", headers=volunteer, json={
        "kind": "party_member", "name": "张党员", "skills": ["维修"]})
    assert joined.status_code == 201 and joined.json()["user_id"] == platform.user(
        "volunteer")["id"]
    as_unit = client.post("/responders", headers=volunteer, json={
        "kind": "department", "name": "假部门", "department_id": "x"})
    assert as_unit.status_code == 403
    again = client.post("/responders", headers=volunteer, json={
        "kind": "party_member", "name": "张党员"})
    assert again.status_code == 409
    listed = client.get("/responders?category=illegal_construction", headers=admin).json()
    assert [r["name"] for r in listed] == ["城管执法队"]
