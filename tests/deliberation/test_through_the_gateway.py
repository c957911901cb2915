"""Issue #13's path through the gateway: a proposal gathers supporters → topic → meeting
with its debate → review → household vote passes → work orders in dispatch → resolved →
rated in evaluation. And the gateway's own role and community checks."""

from __future__ import annotations

import time

from deploy.waits import wait_until
from tests.deliberation.helpers import hall_body, minutes_body, roster, slot_start, wait_events
from tests.platform import error_of


def test_from_a_proposal_to_a_rated_decision(dplatform):
    client = dplatform.client
    h = {name: dplatform.headers("resident", "A", name) for name in
         ("gw-prop", "gw-s0", "gw-s1", "gw-s2", "gw-s3", "gw-s4")}
    admin = dplatform.headers("community_admin", "A")
    made = client.post("/topics", headers=h["gw-prop"], json={
        "title": "小区充电桩", "detail": "电动车飞线充电, 提议建集中充电桩", "category": "blue"})
    assert made.status_code == 201, made.text
    topic = made.json()
    for name in ("gw-s0", "gw-s1", "gw-s2", "gw-s3", "gw-s4"):
        supported = client.post(f"/topics/{topic['id']}/support", headers=h[name])
        assert supported.status_code == 200, supported.text
    assert supported.json()["state"] == "listed"
    assert topic["id"] in [t["id"] for t in client.get("/topics", headers=h["gw-s0"])
                           .json()["items"]]

    hall = client.post("/halls", headers=admin, json=hall_body())
    assert hall.status_code == 201, hall.text
    people = roster(dplatform)
    start = slot_start()
    meeting = client.post("/meetings", headers=admin, json={
        "topic_id": topic["id"], "hall_id": hall.json()["id"], "starts_ts": start,
        "ends_ts": start + 3600, "participants": people})
    assert meeting.status_code == 201, meeting.text
    mid = meeting.json()["id"]
    body = minutes_body([p["account_id"] for p in people], tasks=1)
    assert client.post(f"/meetings/{mid}/minutes", headers=admin, json=body).status_code == 200
    reviewed = client.post(f"/meetings/{mid}/review", headers=admin, json={"approve": True})
    assert reviewed.json()["state"] == "reviewed", reviewed.text
    voters = {f"hh-{name}": [dplatform.user("resident", "A", name)["id"]]
              for name in ("gw-s0", "gw-s1", "gw-s2")}
    opened = client.post(f"/meetings/{mid}/vote", headers=admin, json={
        "electorate": [{"household_id": k, "members": v} for k, v in voters.items()],
        "closes_ts": time.time() + 2.5})
    assert opened.status_code == 200, opened.text
    for name in ("gw-s0", "gw-s1"):
        cast = client.post(f"/meetings/{mid}/ballots", headers=h[name], json={"choice": "yes"})
        assert cast.status_code == 201, cast.text
        assert "choice" not in cast.json()
    twice = client.post(f"/meetings/{mid}/ballots", headers=h["gw-s0"], json={"choice": "no"})
    assert twice.status_code == 409 and error_of(twice)["fields"] == {
        "meeting_id": "already voted"}
    outsider = dplatform.headers("resident", "B", "gw-o")
    assert client.post(f"/meetings/{mid}/ballots", headers=outsider,
                       json={"choice": "no"}).status_code == 404

    assert wait_until(lambda: client.get(f"/meetings/{mid}", headers=admin).json()["state"]
                      == "approved", timeout=10, every=0.2)
    result = client.get(f"/meetings/{mid}", headers=h["gw-s4"]).json()["result"]
    assert (result["turnout"], result["passed"], result["counts"]["yes"]) == (2, True, 2)

    decision = reviewed.json()["decision_id"]
    order_id = f"o-{decision}-1"
    assert wait_until(lambda: client.get(f"/orders/{order_id}", headers=admin).status_code
                      == 200, timeout=15, every=0.3)
    worker = dplatform.headers("grid_worker", "A")
    claimed = client.post(f"/orders/{order_id}/claim", headers=worker)
    assert claimed.status_code == 200, claimed.text
    resolved = client.post(f"/orders/{order_id}/result", headers=worker,
                           json={"result": "充电桩已安装", "evidence": ["照片"]})
    assert resolved.status_code == 200, resolved.text
    confirmed = client.post(f"/orders/{order_id}/confirm", headers=admin)
    assert confirmed.status_code == 200, confirmed.text
    (executed,) = wait_events("decision.executed", decision_id=decision)
    assert executed["on_time"]
    done = client.get(f"/meetings/{mid}", headers=admin).json()
    assert (done["tasks_total"], done["tasks_done"], done["overdue"]) == (1, 1, False)

    def rated() -> bool:
        response = client.post(f"/evaluation/items/{decision}/rate", headers=h["gw-s2"],
                               json={"score": 4})
        return response.status_code == 200

    assert wait_until(rated, timeout=15, every=0.3)


def test_the_gateway_checks_role_and_community_before_the_service(dplatform):
    client = dplatform.client
    resident = dplatform.headers("resident", "A", "gw-r")
    other = dplatform.community_id("B")
    assert client.post("/halls", headers=resident, json=hall_body()).status_code == 403
    admin = dplatform.headers("community_admin", "A")
    foreign = client.post("/halls", headers=admin, json=hall_body(community_id=other))
    assert foreign.status_code == 404
    assert client.get(f"/topics?community_id={other}", headers=resident).status_code == 404
    assert client.get("/topics/t-made-up", headers=resident).status_code == 404
    merchant = dplatform.headers("merchant", "A")
    assert client.get("/topics", headers=merchant).status_code == 403
    bad = client.post("/topics", headers=resident, json={
        "title": "x", "detail": "y", "category": "blue", "colour": "red"})
    assert bad.status_code == 422 and "colour" in error_of(bad)["fields"]
    assert client.get("/topics?limit=500", headers=resident).status_code == 422
