"""接诉即办 across the real processes: a resident files through the gateway, the community
triages, dispatch makes the order from intake's event, and intake hears it back."""

from __future__ import annotations

import uuid

import pytest
from nameko.standalone.rpc import ClusterRpcProxy

from deploy.waits import wait_until

pytestmark = pytest.mark.e2e
SYSTEM = {"user_id": "system", "role": "system", "district_id": "*"}
PASSWORD = "password-e2e-1"


def _tenancy(amqp_uri: str) -> dict[str, dict]:
    tag = uuid.uuid4().hex[:8]
    with ClusterRpcProxy({"AMQP_URI": amqp_uri}, timeout=10) as rpc:
        district = rpc.identity.create_district(SYSTEM, {"name": "E2E", "code": f"e{tag}"})
        street = rpc.identity.create_street(SYSTEM, {"district_id": district["id"],
                                                     "name": "Street"})
        community = rpc.identity.create_community(SYSTEM, {"street_id": street["id"],
                                                           "name": "Community"})
        users = {role: rpc.identity.create_user(SYSTEM, {
            "username": f"{role}_{tag}", "password": PASSWORD, "role": role,
            "display_name": role, "community_id": community["id"]})
            for role in ("resident", "community_admin")}
    return {"community": community, **users}


def _sign_in(gateway, user: dict) -> dict:
    response = gateway.post("/auth/login", json={"username": user["username"],
                                                 "password": PASSWORD})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def test_an_issue_filed_and_triaged_is_dispatched_by_the_running_services(stack, gateway):
    made = _tenancy(stack.amqp_uri)
    resident = _sign_in(gateway, made["resident"])
    admin = _sign_in(gateway, made["community_admin"])
    filed = gateway.post("/issues", headers=resident, json={
        "community_id": made["community"]["id"], "category": "street_lighting",
        "description": "东门路灯不亮 the east gate street light is out",
        "location": {"address": "东门"}, "channel": "app"})
    assert filed.status_code == 201, filed.text
    issue_id = filed.json()["id"]
    triaged = gateway.post(f"/issues/{issue_id}/triage", headers=admin, json={})
    assert triaged.status_code == 200, triaged.text
    assert triaged.json()["triage"]["route"] == "community"

    def state() -> str:
        return gateway.get(f"/issues/{issue_id}", headers=resident).json()["state"]

    assert wait_until(lambda: state() == "dispatched", timeout=20), state()
    orders = gateway.get("/orders", headers=admin).json()["items"]
    assert [o["issue_id"] for o in orders] == [issue_id]
    timeline = gateway.get(f"/issues/{issue_id}/timeline", headers=resident).json()["items"]
    assert [e["state"] for e in timeline][-1] == "dispatched"
