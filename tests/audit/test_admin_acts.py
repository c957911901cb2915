"""The admin acts of intake, dispatch and points through the gateway: each is one entry
with its service, action, record and the request id of the HTTP request that made it."""

from __future__ import annotations

from tests.audit.helpers import tag, wait_entries

HERE = {"lat": 39.9042, "lng": 116.4074}


def _issue(platform, headers: dict) -> dict:  # noqa: ANN001
    filed = platform.client.post("/issues", headers=headers, json={
        "community_id": platform.community_id(), "category": "street_lighting",
        "description": "3 号楼前的路灯一周没亮了", "location": HERE, "channel": "app"})
    assert filed.status_code == 201, filed.text
    return filed.json()


def _by_action(found: list[dict]) -> dict[str, dict]:
    by: dict[str, dict] = {}
    for entry in found:
        assert entry["action"] not in by, f"two entries of {entry['action']}: {found}"
        by[entry["action"]] = entry
    return by


def test_intakes_triage_merge_reject_and_reveal_are_entries(aplatform):
    client, t = aplatform.client, tag()
    admin, district = aplatform.headers("community_admin"), aplatform.headers("district_admin")
    resident = aplatform.headers("resident", "A", f"i{t}")
    first, second, third = (_issue(aplatform, resident) for _ in range(3))
    rid = {"X-Request-ID": f"req-{t}"}
    assert client.post(f"/issues/{second['id']}/merge", headers=admin | rid,
                       json={"original_id": first["id"]}).status_code == 200
    assert client.post(f"/issues/{third['id']}/reject", headers=admin,
                       json={"reason": "not_responsible"}).status_code == 200, "reject"
    revealed = client.post(f"/issues/{first['id']}/reveal-reporter", headers=district,
                           json={"reason": "核实恶意举报"})
    assert revealed.status_code == 200, revealed.text

    ids = {first["id"], second["id"], third["id"]}
    found = wait_entries(client, district, 3, lambda e: e["record_id"] in ids,
                         record_type="issue")
    by = _by_action(found)
    assert {"issue.merge", "issue.reject", "issue.reveal_reporter"} <= set(by)
    merged = by["issue.merge"]
    assert (merged["service"], merged["record_id"]) == ("intake", second["id"])
    assert merged["after"]["state"] == "merged" and merged["after"]["duplicate_of"] == first["id"]
    assert merged["before"]["state"] == second["state"] and merged["request_id"] == f"req-{t}"
    assert by["issue.reject"]["after"]["reject_reason"] == "not_responsible"
    reveal = by["issue.reveal_reporter"]
    assert reveal["actor_role"] == "district_admin"
    assert reveal["after"] == {"reason": "核实恶意举报"}


def test_dispatchs_order_making_and_escalation_are_entries(aplatform):
    client, t = aplatform.client, tag()
    admin, district = aplatform.headers("community_admin"), aplatform.headers("district_admin")
    made = client.post("/orders", headers=admin | {"X-Request-ID": f"req-{t}"},
                       json={"category": "street_lighting", "summary": f"坑 {t}"})
    assert made.status_code == 201, made.text
    order = made.json()
    escalated = client.post(f"/orders/{order['id']}/escalate", headers=admin,
                            json={"reason": "需要街道协调"})
    assert escalated.status_code == 200, escalated.text

    by = _by_action(wait_entries(client, district, 2, lambda e: e["record_id"] == order["id"],
                                 record_type="order"))
    assert set(by) == {"order.make", "order.escalate"}
    assert by["order.make"]["request_id"] == f"req-{t}"
    assert by["order.make"]["after"]["summary"] == f"坑 {t}"
    assert by["order.make"]["before"] == {}
    assert by["order.escalate"]["before"]["level"] == "community"
    assert by["order.escalate"]["after"]["level"] == "street"
    assert by["order.escalate"]["service"] == "dispatch"

    policy = client.put(f"/grids/policy?community_id={aplatform.community_id()}",
                        headers=admin, json={"claim_cap": 7})
    assert policy.status_code == 200, policy.text
    [config] = wait_entries(client, district, 1, lambda e: e["after"] == {"claim_cap": 7},
                            action="policy.set", community_id=aplatform.community_id())
    assert config["record_id"] == aplatform.community_id()
    assert config["before"]["claim_cap"] != 7


def test_a_new_street_is_an_entry_of_the_district(aplatform):
    client, t = aplatform.client, tag()
    district = aplatform.headers("district_admin")
    made = client.post("/registry/streets", headers=district, json={"name": f"新街道 {t}"})
    assert made.status_code == 201, made.text
    [entry] = wait_entries(client, district, 1, lambda e: e["record_id"] == made.json()["id"],
                           action="street.create")
    assert entry["after"] == {"name": f"新街道 {t}"} and entry["street_id"] == made.json()["id"]
    assert entry["community_id"] is None and entry["actor_role"] == "district_admin"


def test_points_rules_merchants_and_awards_are_entries(aplatform):
    client, t = aplatform.client, tag()
    admin, district = aplatform.headers("community_admin"), aplatform.headers("district_admin")
    community = aplatform.community_id()
    rule = client.put(f"/points/rules/vote_cast?community_id={community}", headers=admin,
                      json={"points": 2, "daily_cap": 4, "weekly_cap": 10})
    assert rule.status_code == 200, rule.text
    merchant = client.post("/points/merchants", headers=admin, json={
        "merchant_id": f"m-{t}", "name": "便民超市", "modes": ["points_exchange"]})
    assert merchant.status_code == 201, merchant.text
    again = client.post("/points/merchants", headers=admin, json={
        "merchant_id": f"m-{t}", "name": "便民超市", "modes": ["points_exchange"]})
    assert again.status_code == 201  # onboarded already: no second entry

    by = _by_action(wait_entries(client, district, 1,
                                 lambda e: e["record_id"] == f"m-{t}",
                                 action="merchant.onboard"))
    assert by["merchant.onboard"]["after"] == {"name": "便民超市", "modes": ["points_exchange"]}
    rules = wait_entries(client, district, 1, lambda e: e["record_id"] == f"{community}|vote_cast",
                         action="rule.set")
    assert rules[0]["after"]["points"] == 2 and rules[0]["service"] == "points"

    resident = aplatform.user("resident", "A", f"w{t}")
    award = aplatform.award(admin, resident["id"], 5, "邻里互助")
    assert award.status_code == 201, award.text
    [made] = wait_entries(client, district, 1, lambda e: e["record_id"] == award.json()["id"],
                          action="award.make")
    assert made["after"] == {"user_id": resident["id"], "points": 5, "reason": "邻里互助",
                             "state": "awaiting_approval"}
    assert made["actor_role"] == "community_admin"
