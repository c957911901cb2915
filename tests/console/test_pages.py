"""The console without a browser or services: role-aware navigation (never a link the API
would refuse), the sign-in redirect, CSRF on every POST, a 403 page for another role's page,
a contract's field reasons under their fields, and the language switch."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from urllib.parse import urlsplit, urlunsplit

import pytest
from fastapi.testclient import TestClient

from services.common.caller import ADMIN_ROLES, Role
from services.common.config import Settings
from services.gateway import tokens
from services.gateway.app import create_app
from services.gateway.console import nav
from services.gateway.routes import evaluation, orders, points
from services.intake.domain import CHANNEL_ROLES


@pytest.fixture(scope="module")
def client(request, rabbit_manager, store_uri) -> Iterator[TestClient]:
    vhost = f"linli_console_pages_{uuid.uuid4().hex[:8]}"
    amqp = urlsplit(request.config.getoption("RABBIT_AMQP_URI"))
    rabbit_manager.create_vhost(vhost)
    rabbit_manager.set_vhost_permissions(vhost, amqp.username, ".*", ".*", ".*")
    settings = Settings(amqp_uri=urlunsplit(amqp._replace(path=f"/{vhost}")),
                        mongo_uri=store_uri, db_prefix=f"t{uuid.uuid4().hex[:10]}_",
                        rpc_timeout_seconds=2)
    try:
        with TestClient(create_app(settings), follow_redirects=False) as running:
            running.settings = settings
            yield running
    finally:
        rabbit_manager.delete_vhost(vhost)


def _signed_in(client: TestClient, role: Role, **placement: str) -> dict[str, str]:
    user = {"id": f"u-{role.value}", "role": role.value, "district_id": "d-1",
            "community_id": "c-1", **placement}
    token = tokens.issue(user, client.settings.jwt_secret, 600)
    return {"linli_access": token, "linli_csrf": "x" * 40}


def test_each_page_is_offered_to_exactly_the_roles_its_api_routes_allow():
    pages = {page.path: set(page.roles) for page in nav.NAV}
    assert pages["/console/orders"] == set(orders.WORKERS)
    assert pages["/console/dashboard"] == set(evaluation.READERS)
    assert pages["/console/points"] == set(points.EARNERS)
    assert pages["/console/triage"] == {Role.community_admin}
    assert pages["/console/counter"] == {Role.merchant}  # confirm_redemption's one role
    assert {Role.resident} == pages["/console/issues"]
    resident = {p.path for p in nav.NAV if nav.may_open(Role.resident, p)}
    assert resident == {"/console/issues", "/console/issues/new", "/console/points",
                        "/console/notifications", "/console/wishes", "/console/activities",
                        "/console/topics", "/console/five-micro"}
    for role in ADMIN_ROLES | {Role.ops, Role.merchant}:
        assert nav.home_of(role) in {p.path for p in nav.NAV if nav.may_open(role, p)}


def test_the_console_offers_each_role_intakes_channels():
    assert {c: set(r) for c, r in nav.CHANNELS.items()} == {
        c.value: set(r) - {Role.app} for c, r in CHANNEL_ROLES.items()}


def test_no_session_redirects_to_sign_in_with_the_page_to_come_back_to(client):
    got = client.get("/console/triage?cursor=x")
    assert got.status_code == 303
    assert got.headers["location"] == "/console/login?next=/console/triage%3Fcursor%3Dx"
    page = client.get("/console/login")
    assert page.status_code == 200 and 'name="csrf"' in page.text
    assert "登录" in page.text and "HttpOnly" in page.headers["set-cookie"]


def test_a_resident_sees_no_admin_link_and_gets_403_on_an_admin_page(client):
    client.cookies.update(_signed_in(client, Role.resident))
    try:
        for path in ("/console/triage", "/console/dashboard", "/console/counter",
                     "/console/ops", "/console/orders"):
            got = client.get(path)
            assert got.status_code == 403, (path, got.text)
            assert 'id="error-page"' in got.text
            links = set(re.findall(r'<nav class="main">(.*?)</nav>', got.text, re.S)[0]
                        .split('href="')[1:])
            hrefs = {link.split('"')[0] for link in links}
            assert hrefs == {"/console/issues", "/console/issues/new", "/console/points",
                             "/console/notifications", "/console/wishes",
                             "/console/activities", "/console/topics",
                             "/console/five-micro"}
    finally:
        client.cookies.clear()


def test_a_post_without_the_csrf_token_is_refused(client):
    client.cookies.update(_signed_in(client, Role.merchant, merchant_id="m-1"))
    try:
        got = client.post("/console/counter/check", data={"code": "ABCDEFGH"})
        assert got.status_code == 403 and "csrf" in got.text
        forged = client.post("/console/counter/check", data={"code": "ABCDEFGH",
                                                              "csrf": "y" * 40})
        assert forged.status_code == 403
    finally:
        client.cookies.clear()


def test_a_refused_field_shows_its_reason_under_the_field_and_keeps_what_was_typed(client):
    client.cookies.update(_signed_in(client, Role.merchant, merchant_id="m-1"))
    try:
        got = client.post("/console/counter/check", data={"code": "no!", "csrf": "x" * 40})
        assert got.status_code == 422
        reason = re.search(r'data-error-for="code">([^<]+)<', got.text)
        assert reason and "pattern" in reason.group(1)
        assert 'value="NO!"' in got.text  # what was typed, as read back (upper case)
        ok = client.post("/console/counter/check", data={"code": "abcd efgh",
                                                          "csrf": "x" * 40})
        # valid once read back: it goes on to points, not running here (a 503, kept typed)
        assert ok.status_code == 503, ok.text
        assert 'value="ABCDEFGH"' in ok.text
    finally:
        client.cookies.clear()


def test_the_sign_in_form_names_an_empty_username(client):
    client.cookies.update({"linli_csrf": "x" * 40})
    try:
        got = client.post("/console/login", data={"username": "", "password": "p",
                                                  "csrf": "x" * 40})
        assert got.status_code == 422
        assert 'data-error-for="username"' in got.text
    finally:
        client.cookies.clear()


def test_english_by_the_switch_kept_in_a_cookie(client):
    got = client.get("/console/login?lang=en")
    assert "Sign in" in got.text and 'lang="en"' in got.text
    assert "linli_lang=en" in got.headers["set-cookie"]
    client.cookies.set("linli_lang", "en")
    try:
        assert "Sign in" in client.get("/console/login").text
    finally:
        client.cookies.clear()
    assert "登录" in client.get("/console/login").text
