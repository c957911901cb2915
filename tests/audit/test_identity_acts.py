"""Identity's admin acts through the gateway: each is one entry with who, role, what, which
record, before/after and the request id; a non-admin's act and the system's are none."""

from __future__ import annotations

import time

from tests.audit.helpers import entries, tag, wait_entries


def test_a_deactivation_through_the_gateway_is_exactly_one_entry(aplatform):
    client, t = aplatform.client, tag()
    admin_user = aplatform.user("community_admin")
    admin, district = aplatform.headers("community_admin"), aplatform.headers("district_admin")
    resident = aplatform.user("resident", "A", f"r{t}")
    request_id = f"req-{t}"

    done = client.post(f"/users/{resident['id']}/deactivate",
                       headers=admin | {"X-Request-ID": request_id})
    assert done.status_code == 200, done.text
    assert client.post(f"/users/{resident['id']}/deactivate", headers=admin).status_code == 200

    [entry] = wait_entries(client, district, 1, lambda e: e["record_id"] == resident["id"],
                           action="user.deactivate")
    assert entry["actor_id"] == admin_user["id"]
    assert entry["actor_role"] == "community_admin"
    assert entry["service"] == "identity"
    assert (entry["record_type"], entry["community_id"]) == ("user", aplatform.community_id())
    assert entry["before"]["active"] is True and entry["after"]["active"] is False
    assert "username" not in entry["after"]  # the changed fields only
    assert entry["request_id"] == request_id
    assert abs(entry["ts"] - time.time()) < 30
    time.sleep(0.5)  # the second deactivation changed nothing: still one entry
    again = [e for e in entries(client, district, action="user.deactivate")
             if e["record_id"] == resident["id"]]
    assert len(again) == 1


def test_account_creation_reset_revoke_and_app_keys_are_entries(aplatform):
    client, t = aplatform.client, tag()
    admin, district = aplatform.headers("community_admin"), aplatform.headers("district_admin")
    made = client.post("/users", headers=admin, json={
        "username": f"grid_{t}", "password": "password-123", "role": "resident",
        "display_name": "新居民", "community_id": aplatform.community_id()})
    assert made.status_code == 201, made.text
    user_id = made.json()["id"]
    assert client.post(f"/users/{user_id}/password-reset", headers=admin).status_code == 201
    assert client.post(f"/users/{user_id}/revoke-tokens", headers=admin).status_code == 200
    key = client.post("/app-keys", headers=admin, json={
        "name": f"app {t}", "community_ids": [aplatform.community_id()]})
    assert key.status_code == 201, key.text
    assert client.post(f"/app-keys/{key.json()['id']}/revoke", headers=admin).status_code == 200

    mine = wait_entries(client, district, 5, lambda e: e["record_id"] in (user_id,
                                                                          key.json()["id"]),
                        community_id=aplatform.community_id())
    by_action = {e["action"]: e for e in mine}
    assert set(by_action) == {"user.create", "user.issue_reset", "user.revoke_tokens",
                              "app_key.issue", "app_key.revoke"}
    created = by_action["user.create"]
    assert created["before"] == {} and created["after"]["role"] == "resident"
    assert created["after"]["username"] == f"grid_{t}"
    assert "password_hash" not in created["after"]
    assert by_action["user.issue_reset"]["after"]["reset_hash"] == "<redacted>"
    assert by_action["app_key.revoke"]["after"]["active"] is False
    assert by_action["app_key.issue"]["after"]["name"] == f"app {t}"


def test_a_residents_own_password_change_is_not_an_admin_act(aplatform):
    client, t = aplatform.client, tag()
    district = aplatform.headers("district_admin")
    resident = aplatform.user("resident", "A", f"p{t}")
    own = aplatform.headers("resident", "A", f"p{t}")
    changed = client.post("/auth/password", headers=own, json={
        "current_password": "password-123", "new_password": "password-456"})
    assert changed.status_code == 200, changed.text
    time.sleep(1.0)
    assert [e for e in entries(client, district, actor_id=resident["id"])] == []
