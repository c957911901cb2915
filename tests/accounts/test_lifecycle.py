"""Account lifecycle through the gateway: revoked and deactivated accounts' tokens refused
within the poll, refresh tokens rotated and a reused one ending its family, passwords reset
and changed, the login limit shared by two gateway processes."""

from __future__ import annotations

import time
import uuid

import httpx

from deploy.waits import wait_until
from services.gateway.app import create_app
from services.gateway.rpc import RpcPool
from tests.platform import PASSWORD, error_of


def _login(client, user: dict, password: str = PASSWORD):
    return client.post("/auth/login", json={"username": user["username"], "password": password})


def _bearer(body: dict) -> dict:
    return {"Authorization": f"Bearer {body['access_token']}"}


def _refused_soon(client, headers: dict) -> bool:
    """The gateway's revocation map catches up within its poll (0.3 s here, 15 s default)."""
    return wait_until(lambda: client.get("/auth/me", headers=headers).status_code == 401, 10,
                      every=0.1)


def test_a_revoked_token_is_refused_and_a_new_sign_in_works(aplatform):
    client, name = aplatform.client, uuid.uuid4().hex[:6]
    resident = aplatform.user("resident", name=name)
    before = _bearer(_login(client, resident).json())
    assert client.get("/auth/me", headers=before).status_code == 200
    admin = aplatform.headers("community_admin")
    revoked = client.post(f"/users/{resident['id']}/revoke-tokens", headers=admin)
    assert revoked.status_code == 200, revoked.text
    assert _refused_soon(client, before)
    assert error_of(client.get("/auth/me", headers=before))["fields"] == {
        "authorization": "revoked"}
    after = _bearer(_login(client, resident).json())
    assert client.get("/auth/me", headers=after).status_code == 200


def test_a_deactivated_account_is_refused_until_reactivated(aplatform):
    client, name = aplatform.client, uuid.uuid4().hex[:6]
    resident = aplatform.user("resident", name=name)
    session = _login(client, resident).json()
    admin = aplatform.headers("community_admin")
    done = client.post(f"/users/{resident['id']}/deactivate", headers=admin)
    assert done.status_code == 200 and done.json()["active"] is False
    assert _refused_soon(client, _bearer(session))
    assert _login(client, resident).status_code == 401
    assert client.post("/auth/refresh", json={
        "refresh_token": session["refresh_token"]}).status_code == 401
    back = client.post(f"/users/{resident['id']}/reactivate", headers=admin)
    assert back.status_code == 200 and back.json()["active"] is True
    again = _login(client, resident)
    assert again.status_code == 200
    assert client.get("/auth/me", headers=_bearer(again.json())).status_code == 200
    assert client.get("/auth/me", headers=_bearer(session)).status_code == 401  # still void


def test_a_refresh_rotates_and_a_reused_refresh_token_ends_the_family(aplatform):
    client = aplatform.client
    resident = aplatform.user("resident", name=uuid.uuid4().hex[:6])
    first = _login(client, resident).json()
    assert first["expires_in"] <= 900
    second = client.post("/auth/refresh", json={"refresh_token": first["refresh_token"]})
    assert second.status_code == 200, second.text
    rotated = second.json()
    assert rotated["refresh_token"] != first["refresh_token"]
    assert client.get("/auth/me", headers=_bearer(rotated)).status_code == 200
    reused = client.post("/auth/refresh", json={"refresh_token": first["refresh_token"]})
    assert reused.status_code == 401
    assert error_of(reused)["fields"] == {"refresh_token": "revoked"}
    # The thief's reuse ended the family: the rightful holder's newer token is spent too.
    assert client.post("/auth/refresh", json={
        "refresh_token": rotated["refresh_token"]}).status_code == 401
    assert client.post("/auth/refresh", json={
        "refresh_token": "rf-nothing.0.notasecretatall123"}).status_code == 401


def test_sign_out_ends_the_session(aplatform):
    client = aplatform.client
    resident = aplatform.user("resident", name=uuid.uuid4().hex[:6])
    session = _login(client, resident).json()
    body = {"refresh_token": session["refresh_token"]}
    assert client.post("/auth/logout", json=body).json() == {"done": True}
    assert client.post("/auth/refresh", json=body).status_code == 401


def test_an_admin_reset_and_a_changed_password(aplatform):
    client = aplatform.client
    resident = aplatform.user("resident", name=uuid.uuid4().hex[:6])
    old = _bearer(_login(client, resident).json())
    admin = aplatform.headers("community_admin")
    ticket = client.post(f"/users/{resident['id']}/password-reset", headers=admin)
    assert ticket.status_code == 201, ticket.text
    reset = {"reset_token": ticket.json()["reset_token"], "new_password": "brand-new-pass"}
    assert client.post("/auth/password-reset", json=reset).status_code == 200
    assert client.post("/auth/password-reset", json=reset).status_code == 401  # one time
    assert _login(client, resident).status_code == 401
    assert _refused_soon(client, old)
    signed = _login(client, resident, "brand-new-pass").json()
    changed = client.post("/auth/password", headers=_bearer(signed), json={
        "current_password": "brand-new-pass", "new_password": "third-password"})
    assert changed.status_code == 200, changed.text
    assert client.get("/auth/me", headers=_bearer(changed.json())).status_code == 200
    assert _refused_soon(client, _bearer(signed))
    wrong = client.post("/auth/password", headers=_bearer(changed.json()), json={
        "current_password": "not-it", "new_password": "fourth-password"})
    assert wrong.status_code == 422 and "current_password" in error_of(wrong)["fields"]


def test_only_the_accounts_admins_manage_it(aplatform):
    client = aplatform.client
    far = aplatform.user("resident", "B", name=uuid.uuid4().hex[:6])
    near = aplatform.user("resident", name=uuid.uuid4().hex[:6])
    admin_a = aplatform.headers("community_admin")
    assert client.post(f"/users/{far['id']}/deactivate", headers=admin_a).status_code == 404
    resident = aplatform.headers("resident")
    assert client.post(f"/users/{near['id']}/deactivate", headers=resident).status_code == 403
    me = aplatform.user("community_admin")
    assert client.post(f"/users/{me['id']}/deactivate", headers=admin_a).status_code == 409
    street_b = aplatform.headers("street_admin", "B")
    assert client.post(f"/users/{far['id']}/revoke-tokens", headers=street_b).status_code == 200


def test_the_login_limit_holds_across_two_gateway_processes(aplatform):
    user = aplatform.user("resident", name=uuid.uuid4().hex[:6])
    limit = aplatform.settings.login_attempts_per_minute
    assert wait_until(lambda: time.time() % 60 < 54, 10, every=0.2)  # one fixed window
    settings = aplatform.settings
    app = create_app(settings)  # a second gateway process: its own app, RPC pool and state
    app.state.settings = settings
    app.state.rpc = RpcPool(settings.amqp_uri, 2, settings.rpc_timeout_seconds)
    portal = aplatform.client.portal  # one event loop per OS thread (eventlet): share it

    def other(body: dict) -> httpx.Response:
        async def send() -> httpx.Response:
            transport = httpx.ASGITransport(app=app, client=("testclient", 50000))
            async with httpx.AsyncClient(transport=transport, base_url="http://gw2") as c:
                return await c.post("/auth/login", json=body)
        return portal.call(send)

    wrong = {"username": user["username"], "password": "wrong-pass"}
    try:
        answers = [(aplatform.client.post("/auth/login", json=wrong) if i % 2 else other(wrong)
                    ).status_code for i in range(limit)]
        assert answers == [401] * limit
        right = {"username": user["username"], "password": PASSWORD}
        for refused in (aplatform.client.post("/auth/login", json=right), other(right)):
            assert refused.status_code == 429
            assert error_of(refused)["code"] == "rate_limited"
    finally:
        app.state.rpc.close()
