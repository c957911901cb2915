"""A refusal for someone else's object reads exactly like a made-up id (#9: some routes
answered 403 for another community's real object and 404 for a made-up one)."""

from __future__ import annotations

from services.dispatch.service import DispatchService
from services.intake.service import IntakeService
from tests.intake.helpers import issue_body
from tests.platform import PASSWORD, error_of

CATEGORY = {"code": "pigeons", "name": "鸽子扰民", "name_en": "Pigeons", "group": "环境",
            "triage": {"route": "community", "issue_class": "public"}}


def _same(real, made_up, status: int) -> None:
    assert real.status_code == made_up.status_code == status, (real.text, made_up.text)
    assert error_of(real) == error_of(made_up)


def test_another_tenants_objects_are_not_found_like_made_up_ones(platform):
    client = platform.start(IntakeService, DispatchService)
    admin_a = platform.headers("community_admin", "A")
    b, nowhere = platform.community_id("B"), "c-made-up"

    def category(community_id: str):
        return client.put(f"/communities/{community_id}/categories/pigeons", headers=admin_a,
                          json=CATEGORY)

    _same(category(b), category(nowhere), 404)

    resident_a = platform.headers("resident", "A")

    def submit(community_id: str):
        return client.post("/issues", headers=resident_a,
                           json=issue_body(platform, community_id=community_id))

    _same(submit(b), submit(nowhere), 404)

    def user(community_id: str):
        return client.post("/users", headers=admin_a, json={
            "username": f"u{community_id[-6:]}", "password": PASSWORD, "role": "resident",
            "display_name": "X", "community_id": community_id})

    _same(user(b), user(nowhere), 422)

    street_admin_a = platform.headers("street_admin", "A")

    def community(street_id: str):
        return client.post("/registry/communities", headers=street_admin_a,
                           json={"street_id": street_id, "name": "新社区"})

    _same(community(platform.tenancy().streets["B"]["id"]), community("s-made-up"), 404)

    unit = client.post("/responders", headers=platform.headers("community_admin", "B"), json={
        "community_id": b, "kind": "department", "name": "派出所", "department_id": "police"})
    assert unit.status_code == 201, unit.text
    volunteer_b = platform.headers("volunteer", "B")

    def duty(responder_id: str):
        return client.put(f"/responders/{responder_id}/duty", headers=volunteer_b,
                          json={"on_duty": False})

    _same(duty(unit.json()["id"]), duty("r-made-up"), 404)
