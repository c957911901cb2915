"""A person is a community's responder only with their consent (#9: a community admin
registered another community's account, or anyone, without asking)."""

from __future__ import annotations

import pytest

from services.common.errors import Forbidden, NotFound
from services.dispatch.service import DispatchService
from tests.dispatch.helpers import admin_caller, token_headers


def _member(platform, where: str, user_id: str, role: str = "volunteer") -> dict:
    community = platform.tenancy().communities[where]
    return {"user_id": user_id, "role": role, "district_id": platform.tenancy().district["id"],
            "street_id": community["street_id"], "community_id": community["id"]}


def test_an_admins_registration_of_a_person_waits_for_that_persons_consent(platform):
    client = platform.start(DispatchService)
    admin = platform.headers("community_admin", "A")
    body = {"community_id": platform.community_id("A"), "kind": "party_member",
            "name": "王党员", "user_id": "u-vol-a"}
    registered = client.post("/responders", headers=admin, json=body)
    assert registered.status_code == 201, registered.text
    assert registered.json()["consent"] == "pending"
    path = f"/responders/{registered.json()['id']}/accept"
    stranger = token_headers(platform, "volunteer", "u-vol-a2", "A")
    assert client.post(path, headers=stranger).status_code == 404  # not theirs to accept
    assert client.post(path, headers=admin).status_code == 403  # nor the admin's
    person = token_headers(platform, "volunteer", "u-vol-a", "A")
    accepted = client.post(path, headers=person)
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["consent"] == "given"
    listed = client.get("/responders", headers=admin).json()
    assert [(r["user_id"], r["consent"]) for r in listed] == [("u-vol-a", "given")]


def test_another_communitys_account_cannot_be_made_a_responder(platform):
    client = platform.start(DispatchService)
    registered = client.post("/responders", headers=platform.headers("community_admin", "A"),
                             json={"community_id": platform.community_id("A"),
                                   "kind": "volunteer", "name": "李志愿者", "user_id": "u-vol-b"})
    assert registered.json()["consent"] == "pending"
    outsider = token_headers(platform, "volunteer", "u-vol-b", "B")
    refused = client.post(f"/responders/{registered.json()['id']}/accept", headers=outsider)
    assert refused.status_code == 403 and "community_id" in refused.json()["error"]["fields"]
    listed = client.get("/responders", headers=platform.headers("community_admin", "A")).json()
    assert [r["consent"] for r in listed] == ["pending"]


def test_reporting_in_oneself_is_consent_and_a_unit_needs_none(platform):
    client = platform.start(DispatchService)
    me = token_headers(platform, "volunteer", "u-vol-self", "A")
    joined = client.post("/responders", headers=me, json={
        "community_id": platform.community_id("A"), "kind": "volunteer", "name": "张志愿者"})
    assert joined.status_code == 201 and joined.json()["consent"] == "given"
    unit = client.post("/responders", headers=platform.headers("community_admin", "A"), json={
        "community_id": platform.community_id("A"), "kind": "department", "name": "派出所",
        "department_id": "police", "categories": ["fire_hazard"]})
    assert unit.status_code == 201 and unit.json()["consent"] == "given"


def test_the_service_checks_consent_without_the_gateway(platform):
    platform.start(DispatchService)
    with platform.rpc() as rpc:
        pending = rpc.dispatch.register_responder(admin_caller(platform, "A"), {
            "community_id": platform.community_id("A"), "kind": "operator", "name": "赵老师",
            "user_id": "u-op-a"})
        assert pending["consent"] == "pending"
        with pytest.raises(NotFound):  # the admin cannot accept for the person
            rpc.dispatch.accept_responder(admin_caller(platform, "A"), pending["id"])
        with pytest.raises(Forbidden):  # the right person, the wrong role for the kind
            rpc.dispatch.accept_responder(_member(platform, "A", "u-op-a", "resident"),
                                          pending["id"])
        accepted = rpc.dispatch.accept_responder(_member(platform, "A", "u-op-a", "operator"),
                                                 pending["id"])
        assert accepted["consent"] == "given"
