"""吹哨报到 end to end through the gateway, with intake: whistle, report in, escalate, resolve."""

from __future__ import annotations

import time

from deploy.waits import wait_until
from services.dispatch.service import DispatchService
from services.intake.service import IntakeService
from tests.dispatch.helpers import token_headers


def test_a_whistle_with_one_late_unit_is_recorded_escalated_and_resolved_in_intake(platform):
    client = platform.start(DispatchService, IntakeService)
    resident, admin = platform.headers("resident"), platform.headers("community_admin")

    def read(order_id: str) -> dict:
        return client.get(f"/orders/{order_id}", headers=admin).json()
    filed = client.post("/issues", headers=resident, json={
        "community_id": platform.community_id("A"), "category": "illegal_construction",
        "description": "楼顶私搭乱建，占用消防通道", "channel": "app",
        "location": {"lat": 39.9042, "lng": 116.4074, "address": "东湖路 12 号"}})
    assert filed.status_code == 201, filed.text
    issue_id = filed.json()["id"]
    triaged = client.post(f"/issues/{issue_id}/triage", headers=admin, json={})
    assert triaged.status_code == 200, triaged.text
    order_id = f"o-{issue_id}"
    assert wait_until(lambda: client.get(f"/orders/{order_id}", headers=admin).status_code
                      == 200, timeout=10, every=0.1)
    order = client.get(f"/orders/{order_id}", headers=admin).json()
    assert order["level"] == "community" and order["issue_id"] == issue_id

    whistle = client.post(f"/orders/{order_id}/whistle", headers=admin, json={
        "departments": ["urban-management", "housing"], "report_in_minutes": 0.04,
        "note": "违建拆除，城管、住建报到"})
    assert whistle.status_code == 200, whistle.text
    urban = token_headers(platform, "department", "u-urban", department_id="urban-management")
    housing = token_headers(platform, "department", "u-housing", department_id="housing")
    on_time = client.post(f"/orders/{order_id}/report-in", headers=urban)
    assert on_time.status_code == 200, on_time.text

    # housing misses the 2.4 s deadline: the scheduler records it and escalates to the street.
    assert wait_until(lambda: read(order_id)["level"] == "street", timeout=8, every=0.1)
    order = read(order_id)
    kinds = [t["kind"] for t in order["timeline"]]
    assert kinds.count("report_in_missed") == 1 and kinds.count("escalated") == 1
    street = platform.headers("street_admin", "A")
    assert client.get(f"/orders/{order_id}", headers=street).status_code == 200

    late = client.post(f"/orders/{order_id}/report-in", headers=housing)
    assert late.status_code == 200
    states = {r["target"]: (r["state"], r["late"]) for r in late.json()["report_ins"]}
    assert states == {"department:urban-management": ("reported", False),
                      "department:housing": ("reported", True)}
    again = client.post(f"/orders/{order_id}/report-in", headers=housing)
    assert again.status_code == 409

    assert client.post(f"/orders/{order_id}/confirm", headers=admin).status_code == 409
    result = client.post(f"/orders/{order_id}/result", headers=urban, json={
        "result": "违建已拆除，通道已清理", "evidence": ["photo://after-1"]})
    assert result.status_code == 200 and result.json()["state"] == "resolved"
    # 事不完、人不撤: the whistler confirms, though the street now owns the order.
    confirmed = client.post(f"/orders/{order_id}/confirm", headers=admin)
    assert confirmed.status_code == 200 and confirmed.json()["state"] == "confirmed"

    assert wait_until(lambda: client.get(f"/issues/{issue_id}", headers=admin).json()[
        "state"] == "resolved", timeout=8, every=0.1)
    stats = client.get("/orders/stats", headers=admin).json()
    assert (stats["whistles"], stats["late_report_ins"], stats["missed_report_ins"],
            stats["escalations"]) == (1, 1, 1, 1)

    # An inspection finds it back (a resident's dissatisfaction is a rating, evaluation's):
    # intake reopens the issue, dispatch the order, history kept.
    reopened = client.post(f"/issues/{issue_id}/reopen", headers=admin,
                           json={"reason": "楼顶又搭起来了"})
    assert reopened.status_code == 200, reopened.text
    assert wait_until(lambda: read(order_id)["state"] == "open", timeout=8, every=0.1)
    order = read(order_id)
    kinds = [t["kind"] for t in order["timeline"]]
    assert kinds[-1] == "reopened" and kinds.index("whistled") < kinds.index("confirmed")
    assert len(order["report_ins"]) == 2 and order["result"] == "违建已拆除，通道已清理"


def test_whistle_counts_per_community_include_the_quiet_ones(platform):
    client = platform.start(DispatchService)
    admin_a, admin_b = platform.headers("community_admin"), platform.headers("community_admin", "B")
    made = client.post("/orders", headers=admin_a,
                       json={"category": "road_damage", "summary": "坑"})
    for _ in range(2):
        assert client.post(f"/orders/{made.json()['id']}/whistle", headers=admin_a,
                           json={"departments": ["urban-management"]}).status_code == 200
    b_made = client.post("/orders", headers=admin_b,
                         json={"category": "road_damage", "summary": "坑"})
    assert b_made.status_code == 201
    district = platform.headers("district_admin", "A")
    counts = {c["community_id"]: c["whistles"]
              for c in client.get("/orders/whistle-counts", headers=district).json()}
    assert counts == {platform.community_id("A"): 2, platform.community_id("B"): 0}
    mine = client.get("/orders/whistle-counts", headers=admin_b).json()
    assert [c["community_id"] for c in mine] == [platform.community_id("B")]


def test_two_missed_report_ins_are_both_recorded_but_escalate_the_order_once(platform):
    client = platform.start(DispatchService)
    admin = platform.headers("community_admin")

    def read(order_id: str) -> dict:
        return client.get(f"/orders/{order_id}", headers=admin).json()
    order_id = client.post("/orders", headers=admin, json={
        "category": "garbage_collection", "summary": "垃圾站满溢"}).json()["id"]
    whistled = client.post(f"/orders/{order_id}/whistle", headers=admin, json={
        "departments": ["urban-management", "property-co"], "report_in_minutes": 0.02})
    assert whistled.status_code == 200
    assert wait_until(lambda: [r["state"] for r in read(order_id)["report_ins"]] == [
        "missed", "missed"], timeout=6, every=0.1)
    order = read(order_id)
    time.sleep(0.6)  # three more polls
    order = client.get(f"/orders/{order_id}", headers=admin).json()
    kinds = [t["kind"] for t in order["timeline"]]
    assert kinds.count("report_in_missed") == 2 and kinds.count("escalated") == 1
    assert order["level"] == "street"
