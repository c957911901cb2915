"""A department acts only on its own community's orders that name it (#9: department scope
was district-wide: a department id is a name within one community)."""

from __future__ import annotations

import pytest

from services.common.errors import NotFound
from services.dispatch.service import DispatchService
from tests.dispatch.helpers import admin_caller, token_headers


def _department(platform, where: str, department_id: str) -> dict:
    community = platform.tenancy().communities[where]
    return {"user_id": f"u-{department_id}-{where}", "role": "department",
            "district_id": platform.tenancy().district["id"],
            "street_id": community["street_id"], "community_id": community["id"],
            "department_id": department_id}


def _order_in_b_naming_police(client, platform) -> str:
    admin_b = token_headers(platform, "community_admin", "u-admin-b", "B")
    made = client.post("/orders", headers=admin_b, json={
        "community_id": platform.community_id("B"), "category": "fire_hazard",
        "urgency": "urgent", "summary": "消防通道堵塞", "leader": "李书记",
        "department_id": "police"})
    assert made.status_code == 201, made.text
    whistled = client.post(f"/orders/{made.json()['id']}/whistle", headers=admin_b,
                           json={"departments": ["urban"]})
    assert whistled.status_code == 200, whistled.text
    return made.json()["id"]


def test_a_department_of_another_community_cannot_read_report_in_or_resolve(platform):
    client = platform.start(DispatchService)
    order_id = _order_in_b_naming_police(client, platform)
    for department_id in ("police", "urban"):
        outsider = token_headers(platform, "department", f"u-{department_id}-a", "A",
                                 department_id=department_id)
        assert client.get(f"/orders/{order_id}", headers=outsider).status_code == 404
        page = client.get("/orders", headers=outsider).json()["items"]
        assert order_id not in {o["id"] for o in page}
        assert client.post(f"/orders/{order_id}/report-in",
                           headers=outsider).status_code == 404
        assert client.post(f"/orders/{order_id}/result", headers=outsider,
                           json={"result": "已处理"}).status_code == 404
    insider = token_headers(platform, "department", "u-urban-b", "B", department_id="urban")
    assert client.get(f"/orders/{order_id}", headers=insider).status_code == 200
    reported = client.post(f"/orders/{order_id}/report-in", headers=insider)
    assert reported.status_code == 200, reported.text
    police_b = token_headers(platform, "department", "u-police-b", "B", department_id="police")
    assert client.get(f"/orders/{order_id}", headers=police_b).status_code == 200


@pytest.mark.parametrize("method", ["get_order", "report_in", "submit_result"])
def test_the_service_itself_refuses_another_communitys_department(platform, method):
    client = platform.start(DispatchService)
    order_id = _order_in_b_naming_police(client, platform)
    args = {"submit_result": ({"result": "已处理"},)}.get(method, ())
    with platform.rpc() as rpc:
        with pytest.raises(NotFound):
            getattr(rpc.dispatch, method)(_department(platform, "A", "police"), order_id, *args)
        listed = rpc.dispatch.list_orders(_department(platform, "A", "police"))
        assert order_id not in {o["id"] for o in listed["items"]}
        own = rpc.dispatch.get_order(_department(platform, "B", "police"), order_id)
        assert own["id"] == order_id
        assert rpc.dispatch.get_order(admin_caller(platform, "B"), order_id)["id"] == order_id
