"""The isolation matrix (matrix.py) probed exhaustively: through the gateway, and at the RPC
level with the same callers (where the gateway's role gates never let the services' own
checks run). One platform for the module; every probe leaves the records as they were
(reads, refusals, and writes that are already true)."""

from __future__ import annotations

import json
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from services.common.errors import DomainError
from services.dispatch.service import DispatchService
from services.evaluation.service import EvaluationService
from services.gateway import tokens
from services.intake.service import IntakeService
from tests.isolation import matrix
from tests.platform import PASSWORD, SYSTEM, Platform

WHERE = {"own": "A", "neighbour": "A2", "far": "B"}
TALLY: Counter[str] = Counter()


@dataclass
class World:
    platform: Platform
    ids: dict[str, dict[str, str]]  # target → {"issue", "order", "responder", "community", "user"}
    callers: dict[str, dict[str, Any]]  # role → caller context
    headers: dict[str, dict[str, str]]  # role → a signed token for that caller


def caller(platform: Platform, role: str, where: str = "A") -> dict[str, Any]:
    tenancy = platform.tenancy()
    who: dict[str, Any] = {"user_id": f"m-{role}-{where}", "district_id": tenancy.district["id"],
                           "role": "resident" if role == "reporter" else role}
    if role == "street_admin":
        who["street_id"] = tenancy.streets[where]["id"]
    elif role not in ("district_admin", "ops"):
        community = tenancy.communities[where]
        who |= {"street_id": community["street_id"], "community_id": community["id"]}
    who |= {"grid_worker": {"grid_id": f"grid-{where}"}, "department": {
        "department_id": "police"}, "merchant": {"merchant_id": f"shop-{where}"}}.get(role, {})
    return who


def _wait_dispatched(rpc: Any, admin: dict, issue_id: str) -> None:
    deadline = time.monotonic() + 20
    while rpc.intake.get_issue(admin, issue_id)["state"] != "dispatched":
        assert time.monotonic() < deadline, f"{issue_id} was not dispatched"
        time.sleep(0.1)


def _wait_evaluated(rpc: Any, reporter: dict, issue_id: str) -> None:
    """Evaluation has heard of the issue: its reporter's rating is refused as early (409),
    not as unknown (404). Nothing is written by the refusal."""
    deadline = time.monotonic() + 20
    while True:
        try:
            rpc.evaluation.rate_issue(reporter, issue_id, {"level": "satisfied"})
        except DomainError as exc:
            if exc.status == 409:
                return
        assert time.monotonic() < deadline, f"evaluation never heard of {issue_id}"
        time.sleep(0.1)


@pytest.fixture(scope="module")
def world(module_platform: Platform) -> World:
    platform = module_platform
    platform.start(IntakeService, DispatchService, EvaluationService)
    tenancy = platform.tenancy()
    with platform.rpc() as rpc:
        tenancy.communities["A2"] = rpc.identity.create_community(
            SYSTEM, {"street_id": tenancy.streets["A"]["id"], "name": "Community A2"})
        ids: dict[str, dict[str, str]] = {}
        for target, where in WHERE.items():
            community_id, admin = tenancy.communities[where]["id"], caller(
                platform, "community_admin", where)
            issue = rpc.intake.submit_issue(caller(platform, "reporter", where), {
                "community_id": community_id, "category": "street_lighting",
                "description": "3 号楼前的路灯一周没亮了",
                "location": {"lat": 39.9042, "lng": 116.4074}})
            rpc.intake.triage_issue(admin, issue["id"], {})
            unit = rpc.dispatch.register_responder(admin, {
                "community_id": community_id, "kind": "department", "name": "派出所",
                "department_id": "police"})
            order = rpc.dispatch.make_order(admin, {
                "community_id": community_id, "category": "road_damage", "summary": "路面塌陷",
                "leader": "王书记", "department_id": "police"})
            account = rpc.identity.create_user(SYSTEM, {
                "username": f"neighbour_{where}_{uuid.uuid4().hex[:6]}", "password": PASSWORD,
                "role": "resident", "display_name": f"居民 {where}",
                "community_id": community_id})
            ids[target] = {"issue": issue["id"], "order": order["id"], "responder": unit["id"],
                           "community": community_id, "user": account["id"]}
        for target, where in WHERE.items():
            _wait_dispatched(rpc, caller(platform, "community_admin", where),
                             ids[target]["issue"])
            _wait_evaluated(rpc, caller(platform, "reporter", where), ids[target]["issue"])
    callers = {role: caller(platform, role) for role in matrix.ROLES}
    secret = platform.settings.jwt_secret
    headers = {role: {"Authorization": "Bearer " + tokens.issue(
        dict(who, id=who["user_id"]), secret, 3600)} for role, who in callers.items()}
    return World(platform, ids, callers, headers)


def _body(route: matrix.Route, ids: dict[str, str]) -> dict | None:
    if route.body is None:
        return None
    return {k: v.format(**ids) if isinstance(v, str) else v for k, v in route.body.items()}


def _listed(route: matrix.Route, found: Any, ids: dict[str, str]) -> str:
    return "ok" if ids[route.lists] in json.dumps(found) else "empty"


def through_gateway(world: World, route: matrix.Route, role: str, target: str) -> Any:
    ids, client = world.ids[target], world.platform.client
    assert client is not None
    headers = {} if route.public else world.headers[role]
    response = client.request(route.method, route.path.format(**ids), headers=headers,
                              json=_body(route, ids))
    if response.status_code != route.ok:
        return response.status_code
    return _listed(route, response.json(), ids) if route.lists else "ok"


def at_rpc(world: World, rpc: Any, route: matrix.Route, role: str, target: str) -> Callable:
    """Send the call now (the probes of a route run concurrently); the answer when called."""
    ids = world.ids[target]
    service, method, names = route.rpc
    values = ids | {"body": _body(route, ids), "on_duty": True, "query": {},
                    "figures": {"unit": "community", "unit_id": ids["community"],
                                "start": "2026-11-01", "end": "2026-11-30"}}
    who = None if route.public else world.callers[role]
    reply = getattr(getattr(rpc, service), method).call_async(who, *[values[n] for n in names])

    def answer() -> Any:
        try:
            found = reply.result()
        except DomainError as exc:
            return exc.status
        return _listed(route, found, ids) if route.lists else "ok"

    return answer


def _check(level: str, route_name: str, probe) -> None:  # noqa: ANN001
    wrong = []
    probes = {role: [probe(role, target) for target in matrix.TARGETS] for role in matrix.ROLES}
    for role in matrix.ROLES:
        want = matrix.expected(level, route_name, role)
        got = tuple(p() if callable(p) else p for p in probes[role])
        TALLY[f"{level}.probed"] += len(got)
        TALLY[f"{level}.passed"] += sum(g == w for g, w in zip(got, want, strict=True))
        if got != want:
            wrong.append(f"{role}: expected {want}, got {got}")
    assert not wrong, f"{level} {route_name}:\n  " + "\n  ".join(wrong)


@pytest.mark.parametrize("route_name", list(matrix.ROUTES))
def test_the_gateway_answers_as_the_matrix_says(world, route_name):
    route = matrix.ROUTES[route_name]
    _check("gateway", route_name, lambda role, t: through_gateway(world, route, role, t))


@pytest.fixture(scope="module")
def rpc(world):
    with world.platform.rpc() as proxy:
        yield proxy


@pytest.mark.parametrize("route_name", list(matrix.ROUTES))
def test_each_service_answers_as_the_matrix_says_without_the_gateway(world, rpc, route_name):
    route = matrix.ROUTES[route_name]
    _check("rpc", route_name, lambda role, t: at_rpc(world, rpc, route, role, t))


def test_the_matrix_covers_every_route_role_and_target(capsys):
    for table in (matrix.GATEWAY, matrix.RPC):
        assert set(table) <= set(matrix.ROUTES)
        for rows in table.values():
            assert set(rows) <= set(matrix.ROLES)
            assert all(len(row) == len(matrix.TARGETS) for row in rows.values())
    assert set(matrix.GATEWAY) == set(matrix.ROUTES)
    assert all(set(rows) == set(matrix.ROLES) for rows in matrix.GATEWAY.values())
    with capsys.disabled():
        print(f"\nisolation matrix: {len(matrix.ROUTES)} routes x {len(matrix.ROLES)} roles x "
              f"{len(matrix.TARGETS)} targets = {matrix.size()} cells per level; "
              f"gateway {TALLY['gateway.passed']}/{TALLY['gateway.probed']} passed, "
              f"rpc {TALLY['rpc.passed']}/{TALLY['rpc.probed']} passed")
