"""The console in a real browser: the whole stack as `make up` starts it (deploy/local_stack.py,
isolated like tests/e2e: its own stack directory, store, vhost and ports), a small tenancy
made over RPC, and one headless Chromium from Debian driven by Selenium.

LINLI_CONSOLE_STACK_ENV=<json of a running stack's LINLI_* env> reuses a stack already up
(a developer's loop); CI starts its own.
"""

from __future__ import annotations

import json
import os
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from nameko.standalone.rpc import ClusterRpcProxy

from deploy.browser import driver, ensure_browser
from services.common.errors import InvalidInput
from tests.isolated_stack import isolated_stack

SYSTEM = {"user_id": "system", "role": "system", "district_id": "*"}
PASSWORD = "console-test-1"


@pytest.fixture(scope="package")
def stack_env(request: pytest.FixtureRequest, rabbit_manager,
              tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    reuse = os.environ.get("LINLI_CONSOLE_STACK_ENV")
    if reuse:
        yield json.loads(Path(reuse).read_text())
        return
    with isolated_stack(request, rabbit_manager, tmp_path_factory, "console", seed=False,
                        say=lambda _: None, LINLI_OUTBOX_POLL_SECONDS="0.3") as running:
        yield running.env


def _retry_unknown(call, field: str, timeout: float = 15) -> dict:
    """A read model that has not heard of a record made a moment ago names it (422): wait."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return call()
        except InvalidInput as exc:
            if field not in (exc.fields or {}) or time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def make_tenancy(amqp_uri: str) -> SimpleNamespace:
    """A district, a street, a community with a grid tree, one account per role the flow
    needs, a partner merchant with an offer, and 100 points for the resident."""
    tag = uuid.uuid4().hex[:6]
    with ClusterRpcProxy({"AMQP_URI": amqp_uri}, timeout=20) as rpc:
        identity = rpc.identity
        district = identity.create_district(SYSTEM, {"name": "测试区", "code": f"c{tag}"})
        street = identity.create_street(SYSTEM, {"district_id": district["id"],
                                                 "name": "测试街道"})
        community = identity.create_community(SYSTEM, {"street_id": street["id"],
                                                       "name": "测试社区"})
        place = {"district_id": district["id"], "street_id": street["id"],
                 "community_id": community["id"]}
        rpc.dispatch.register_community(SYSTEM, {"id": community["id"], **place})
        rows = [{"code": "L1", "name": "一级网格", "level": "1"},
                {"code": "L2", "name": "东片区", "level": "2", "parent_code": "L1"},
                {"code": "L3", "name": "东1网格", "level": "3", "parent_code": "L2"},
                {"code": "C1", "name": "东1小区", "level": "compound", "parent_code": "L3",
                 "addresses": ["东1小区"]}]
        report = rpc.dispatch.import_grids(SYSTEM, community["id"], rows, False)
        assert report["valid"], report
        grids = {g["code"]: g["id"] for g in rpc.dispatch.list_grids(SYSTEM, community["id"])}
        users = {}
        for role, extra in [("resident", {}), ("community_admin", {}),
                            ("grid_worker", {"grid_id": grids["L3"]}),
                            ("merchant", {"merchant_id": f"m-{tag}"}),
                            ("street_admin", {"community_id": None}),
                            ("ops", {"community_id": None, "street_id": None})]:
            data = {"username": f"{role}_{tag}", "password": PASSWORD, "role": role,
                    "display_name": role, **place, **extra}
            data = {k: v for k, v in data.items() if v is not None}
            users[role] = _retry_unknown(lambda d=data: identity.create_user(SYSTEM, d),
                                         "grid_id")
        points = rpc.points
        points.ensure_rules(SYSTEM, community["id"])
        points.onboard_merchant(SYSTEM, {"community_id": community["id"],
                                         "merchant_id": f"m-{tag}", "name": "测试便利店",
                                         "modes": ["points_exchange"]})
        now = datetime.now(UTC)
        offer = points.create_offer(SYSTEM | {"idempotency_key": f"offer-{tag}"}, {
            "community_id": community["id"], "merchant_id": f"m-{tag}", "title": "大米 5kg",
            "price": 30, "stock": 10, "valid_from": now.isoformat(),
            "valid_until": (now + timedelta(days=30)).isoformat(), "per_resident_limit": 3})
        _retry_unknown(lambda: points.make_award(SYSTEM | {"idempotency_key": f"aw-{tag}"}, {
            "community_id": community["id"], "user_id": users["resident"]["id"],
            "points": 100, "reason": "测试积分"}), "user_id")
    return SimpleNamespace(district=district, street=street, community=community,
                           users=users, offer=offer, password=PASSWORD)


@pytest.fixture(scope="package")
def tenancy(stack_env: dict[str, str]) -> SimpleNamespace:
    return make_tenancy(stack_env["LINLI_AMQP_URI"])


@pytest.fixture(scope="package")
def base_url(stack_env: dict[str, str]) -> str:
    return f"http://127.0.0.1:{stack_env['LINLI_GATEWAY_PORT']}/console"


@pytest.fixture(scope="package")
def browser() -> Iterator:
    ensure_browser()
    chromium = driver(1280, 900)
    try:
        yield chromium
    finally:
        chromium.quit()
