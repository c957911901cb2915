"""Each level sees what reached it: grid workers their grid, units what they are on."""

from __future__ import annotations

from services.dispatch.service import DispatchService
from tests.dispatch.helpers import grid_tree, token_headers, triage


def test_a_grid_worker_sees_and_claims_only_their_grid_until_it_escalates_to_them(platform):
    client = platform.start(DispatchService)
    ids = grid_tree(platform)
    order_id = f"o-{triage(platform, grid_id=ids['W2'])}"
    worker = {code: token_headers(platform, "grid_worker", f"u-gw-{code}", grid_id=ids[code])
              for code in ("W1", "W2", "W", "L1")}

    def sees(code: str) -> bool:
        listed = client.get("/orders", headers=worker[code]).json()["items"]
        got = client.get(f"/orders/{order_id}", headers=worker[code]).status_code
        assert (got == 200) == (order_id in {o["id"] for o in listed})
        return got == 200

    assert [sees(c) for c in ("W1", "W2", "W", "L1")] == [False, True, False, False]
    assert client.post(f"/orders/{order_id}/claim", headers=worker["W1"]).status_code == 404

    up = client.post(f"/orders/{order_id}/escalate", headers=worker["W2"],
                     json={"reason": "涉及两个网格，本网格解决不了"})
    assert up.status_code == 200, up.text
    assert (up.json()["level"], up.json()["grid_id"]) == ("grid", ids["W"])
    assert [sees(c) for c in ("W1", "W2", "W", "L1")] == [False, True, True, False]

    up = client.post(f"/orders/{order_id}/escalate", headers=worker["W"],
                     json={"reason": "需要社区协调"})
    assert (up.json()["level"], up.json()["grid_id"]) == ("community", ids["L1"])
    assert up.json()["reached_levels"] == ["grid", "community"]
    assert [sees(c) for c in ("W1", "W2", "W", "L1")] == [False, True, True, True]
    assert client.post(f"/orders/{order_id}/claim", headers=worker["W1"]).status_code == 404
    assert client.post(f"/orders/{order_id}/claim", headers=worker["W"]).status_code == 403
    claimed = client.post(f"/orders/{order_id}/claim", headers=worker["L1"])
    assert claimed.status_code == 200 and claimed.json()["claimed_by"] == "u-gw-L1"


def test_a_department_sees_only_orders_it_is_responsible_for_or_whistled_to(platform):
    client = platform.start(DispatchService)
    admin = platform.headers("community_admin")
    police = token_headers(platform, "department", "u-police", department_id="police")
    housing = token_headers(platform, "department", "u-housing", department_id="housing")
    urban = token_headers(platform, "department", "u-urban", department_id="urban-management")
    made = client.post("/orders", headers=admin, json={
        "category": "fire_hazard", "urgency": "urgent", "summary": "消防通道堵塞",
        "leader": "王书记", "department_id": "police", "cooperating": ["housing"]})
    assert made.status_code == 201, made.text
    order_id = made.json()["id"]
    assert made.json()["departments"] == ["police", "housing"]

    def listed(headers: dict) -> set[str]:
        return {o["id"] for o in client.get("/orders", headers=headers).json()["items"]}

    assert order_id in listed(police) and order_id in listed(housing)
    assert order_id not in listed(urban)
    assert client.get(f"/orders/{order_id}", headers=urban).status_code == 404
    whistled = client.post(f"/orders/{order_id}/whistle", headers=admin,
                           json={"departments": ["urban-management"]})
    assert whistled.status_code == 200, whistled.text
    assert client.get(f"/orders/{order_id}", headers=urban).status_code == 200
    resident = platform.headers("resident")
    assert client.get(f"/orders/{order_id}", headers=resident).status_code == 403
    other = token_headers(platform, "grid_worker", "u-gw-b", "B", grid_id="g-x")
    assert client.get(f"/orders/{order_id}", headers=other).status_code == 404
