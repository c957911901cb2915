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
from datetime import UTC, datetime
from typing import Any

import eventlet
import eventlet.queue
import pytest

from services.audit.service import AuditService
from services.care.service import CareService
from services.common.errors import DomainError
from services.deliberation.service import DeliberationService
from services.dispatch.service import DispatchService
from services.evaluation.service import EvaluationService
from services.gateway import tokens
from services.incubation.service import IncubationService
from services.intake.service import IntakeService
from services.mediation.service import MediationService
from services.notify.service import NotifyService
from services.points.service import PointsService
from services.volunteers.service import VolunteersService
from tests.isolation import matrix, victims
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


def _wait_notified(rpc: Any, reporter: dict, issue_id: str) -> str:
    """The reporter's notification of the issue's triage, once notify has written it."""
    deadline = time.monotonic() + 20
    while True:
        page = rpc.notify.list_notifications(reporter, {})
        found = [n["id"] for n in page["items"] if n["ref"] == f"issue:{issue_id}"]
        if found:
            return found[-1]
        assert time.monotonic() < deadline, f"notify never told the reporter of {issue_id}"
        time.sleep(0.1)


def _wait_audited(rpc: Any, district_admin: dict, order_id: str) -> None:
    """The audit entry of the target's order, made by its community admin."""
    deadline = time.monotonic() + 20
    while True:
        page = rpc.audit.list_entries(district_admin, {"record_type": "order"})
        if any(e["record_id"] == order_id for e in page["items"]):
            return
        assert time.monotonic() < deadline, f"the audit log never got order {order_id}"
        time.sleep(0.1)


def _redemption(rpc: Any, admin: dict, where: str, account: dict) -> dict[str, str]:
    """The target's merchant (shop-<where>) a partner with an offer; the target's resident
    (a real account: points refuses an award to one it knows not to live there, and may
    not have heard of this one yet) awarded points and redeeming them."""
    rpc.points.onboard_merchant(admin, {"merchant_id": f"shop-{where}", "name": f"小店 {where}",
                                        "modes": ["points_exchange"]})
    now = time.time()
    offer = rpc.points.create_offer(admin, {
        "merchant_id": f"shop-{where}", "title": "理发", "price": 10, "stock": 100,
        "valid_from": _iso(now - 3600), "valid_until": _iso(now + 86400),
        "per_resident_limit": 100})
    deadline = time.monotonic() + 20
    while True:
        try:
            rpc.points.make_award(admin, {"user_id": account["id"], "points": 50,
                                          "reason": "邻里互助"})
            break
        except DomainError as exc:  # 422 user_id: the account's event is on its way
            assert exc.status == 422 and time.monotonic() < deadline, exc
            time.sleep(0.1)
    made = rpc.points.request_redemption(_resident(admin, account["id"]),
                                         {"offer_id": offer["id"]})
    return {"redemption": made["id"], "offer": offer["id"]}


def _resident(admin: dict, user_id: str) -> dict:
    return {"user_id": user_id, "role": "resident", "community_id": admin["community_id"],
            "street_id": admin["street_id"], "district_id": admin["district_id"]}


def _issued(rpc: Any, admin: dict, ids: dict[str, str]) -> dict[str, str]:
    """A fresh code of the target's resident at the target's merchant (its price awarded)."""
    rpc.points.make_award(admin, {"user_id": ids["user"], "points": 10, "reason": "邻里互助"})
    made = rpc.points.request_redemption(_resident(admin, ids["user"]),
                                         {"offer_id": ids["offer"]})
    return {"code": made["code"], "redemption": made["id"]}


def _iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).isoformat()


@pytest.fixture(scope="module")
def world(module_platform: Platform) -> World:
    platform = module_platform
    platform.start(IntakeService, DispatchService, EvaluationService, PointsService,
                   VolunteersService, MediationService, NotifyService, DeliberationService,
                   AuditService, CareService, IncubationService)
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
                           "community": community_id, "user": account["id"],
                           **_redemption(rpc, admin, where, account)}
            ids[target]["case"] = victims.case_of(
                rpc, admin, community_id, caller(platform, "reporter", where)["user_id"])
            ids[target] |= victims.deliberation_of(rpc, admin, caller(platform, "reporter", where))
            ids[target]["merchant"] = f"shop-{where}"
            ids[target] |= victims.make(rpc, "published", community_id, admin, {}, {})
            ids[target] |= victims.renewal_of(rpc, admin, photo=True)
            ids[target]["street"] = tenancy.streets["B" if where == "B" else "A"]["id"]
            ids[target] |= victims.care_records(rpc, admin, caller(platform, "reporter", where),
                                                where)
            ids[target]["organisation"] = victims.organisation_of(
                rpc, admin, caller(platform, "reporter", where)["user_id"])
        for target, where in WHERE.items():
            _wait_dispatched(rpc, caller(platform, "community_admin", where),
                             ids[target]["issue"])
            _wait_evaluated(rpc, caller(platform, "reporter", where), ids[target]["issue"])
            ids[target]["notification"] = _wait_notified(
                rpc, caller(platform, "reporter", where), ids[target]["issue"])
            _wait_audited(rpc, caller(platform, "district_admin", where), ids[target]["order"])
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
    values = ids | {"body": _body(route, ids), "on_duty": True, "query": {}, "unit": "community",
                    "yes": True, "need_list": "need", "settlement": {
                        "merchant_id": ids["merchant"], "community_id": ids["community"],
                        "start": "2026-01-01T00:00:00Z", "end": "2027-01-01T00:00:00Z"},
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


READERS = eventlet.GreenPool(8)  # a route's gateway probes at once, as its clients would send


def _check(level: str, route_name: str, probe) -> None:  # noqa: ANN001
    wrong = []
    cells = [(role, target) for role in matrix.ROLES for target in matrix.TARGETS]
    sent = (list(READERS.imap(lambda cell: probe(*cell), cells)) if level == "gateway"
            else [probe(*cell) for cell in cells])  # RPC probes are sent async already
    probes = {role: sent[n * len(matrix.TARGETS):(n + 1) * len(matrix.TARGETS)]
              for n, role in enumerate(matrix.ROLES)}
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


# --- state-changing routes (matrix.WRITES) ----------------------------------------------------

CLAIMERS = ("volunteer", "operator")  # who claims from the pool


def _fill(template: Any, values: dict[str, str]) -> Any:
    if isinstance(template, str):
        return template.format(**values)
    if isinstance(template, dict):
        return {k: _fill(v, values) for k, v in template.items()}
    if isinstance(template, list):
        return [_fill(v, values) for v in template]
    return template


def _victim(world: World, rpc: Any, route: matrix.Write, target: str,
            prober: dict | None) -> dict[str, str]:
    """A fresh record of the route's kind in the target community (for `prober`, when its
    own report or claim is what the route acts on)."""
    where = WHERE[target]
    community_id = world.ids[target]["community"]
    reporter = caller(world.platform, "reporter", where)
    member = victims.fresh(caller(world.platform, "volunteer", where))
    if prober is not None and prober.get("community_id") == community_id:
        if prober["user_id"].startswith("m-reporter"):
            reporter = prober
        if prober["role"] in CLAIMERS:
            member = prober
    admin = caller(world.platform, "community_admin", where)
    if route.victim == "issued":
        made = _issued(rpc, admin, world.ids[target])
    elif route.victim == "pending_award":  # above the threshold: it awaits a second admin
        made = {"award": rpc.points.make_award(victims.fresh(admin), {
            "user_id": world.ids[target]["user"], "points": 101, "reason": "邻里互助"})["id"]}
    elif route.victim == "offer":  # of the target's partner shop
        now = time.time()
        made = {"offer": rpc.points.create_offer(admin, {
            "merchant_id": f"shop-{where}", "title": "修鞋", "price": 10, "stock": 5,
            "valid_from": _iso(now - 3600), "valid_until": _iso(now + 86400)})["id"]}
    else:
        made = victims.make(rpc, route.victim, community_id, admin, reporter, member, prober)
    return made | {"community": community_id, "user": world.ids[target]["user"],
                   "merchant": f"shop-{where}", "uniq": victims.uniq()}


def _token(world: World, who: dict) -> dict[str, str]:
    secret = world.platform.settings.jwt_secret
    return {"Authorization": "Bearer " + tokens.issue(dict(who, id=who["user_id"]), secret, 3600)}


def _write_gateway(world: World, route: matrix.Write, who: dict, values: dict) -> Any:
    client = world.platform.client
    assert client is not None
    files = {"file": ("grids.csv", _fill(route.upload, values), "text/csv")} if route.upload \
        else None
    response = client.request(route.method, _fill(route.path, values), headers=_token(world, who),
                              json=_fill(route.body, values), files=files)
    return "ok" if response.status_code == route.ok else response.status_code


def _write_rpc(rpc: Any, route: matrix.Write, who: dict, values: dict) -> Callable:
    service, method, names = route.rpc
    args = values | {"body": _fill(route.body, values), "upload": _fill(route.upload, values),
                     "csv": "csv", "dry_run": False, "year": 2025, "vote_cast": "vote_cast",
                     "zero": 0, "key": f"c{values['uniq']}"}
    reply = getattr(getattr(rpc, service), method).call_async(who, *[args[n] for n in names])

    def answer() -> Any:
        try:
            reply.result()
        except DomainError as exc:
            return exc.status
        return "ok"

    return answer


class Makers:
    """Victims are made concurrently, each maker on its own RPC proxy (a chain of calls)."""

    def __init__(self, world: World, size: int = 8) -> None:
        self.world, self.idle = world, eventlet.queue.LightQueue()
        self.runners = [world.platform.rpc() for _ in range(size)]
        for runner in self.runners:
            self.idle.put(runner.start())
        self.pool = eventlet.GreenPool(size)

    def make(self, route: matrix.Write, cells: list[tuple[str, dict | None]]) -> list[dict]:
        def one(cell: tuple[str, dict | None]) -> dict:
            proxy = self.idle.get()
            try:
                return _victim(self.world, proxy, route, *cell)
            finally:
                self.idle.put(proxy)
        return list(self.pool.imap(one, cells))

    def close(self) -> None:
        for runner in self.runners:
            runner.stop()


@pytest.fixture(scope="module")
def makers(world) -> Any:
    made = Makers(world)
    yield made
    made.close()


def _check_writes(world: World, rpc: Any, makers: Makers, level: str, name: str,
                  shared: dict[str, dict]) -> list[str]:
    route = matrix.WRITES[name]
    cells = [(role, i, target) for role in matrix.ROLES
             for i, target in enumerate(matrix.TARGETS)]
    # a write expected to succeed (or not decided yet): a fresh caller and a record of its own
    fresh = {(role, i): victims.fresh(world.callers[role]) for role, i, _ in cells
             if (want := matrix.expected_write(level, name, role)) is None or want[i] == "ok"}
    own = dict(zip(fresh, makers.make(route, [(matrix.TARGETS[i], who)
                                               for (_, i), who in fresh.items()]), strict=True))
    calls = [(fresh.get((role, i), world.callers[role]),
              own.get((role, i), shared[target]) | {"uniq": victims.uniq()})
             for role, i, target in cells]
    if level == "gateway":  # the gateway's requests at once, as its clients would send them
        answers = list(makers.pool.imap(lambda c: _write_gateway(world, route, *c), calls))
    else:
        answers = [_write_rpc(rpc, route, *c) for c in calls]
    probes = {role: answers[n * len(matrix.TARGETS):(n + 1) * len(matrix.TARGETS)]
              for n, role in enumerate(matrix.ROLES)}
    wrong: list[str] = []
    for role in matrix.ROLES:
        want = matrix.expected_write(level, name, role)
        got = tuple(p() if callable(p) else p for p in probes[role])
        TALLY[f"{level}.writes.probed"] += len(got)
        if want is not None:
            TALLY[f"{level}.writes.passed"] += sum(g == w for g, w in zip(got, want, strict=True))
        if got != want:
            wrong.append(f"{level} {role}: expected {want}, got {got}")
    return wrong


@pytest.mark.parametrize("route_name", list(matrix.WRITES))
def test_every_state_change_answers_as_the_write_matrix_says(world, rpc, makers, route_name):
    route = matrix.WRITES[route_name]
    # the refusals of both levels share one record per target (a refusal changes nothing)
    shared = dict(zip(matrix.TARGETS, makers.make(route, [(t, None) for t in matrix.TARGETS]),
                      strict=True))
    wrong = _check_writes(world, rpc, makers, "gateway", route_name, shared)
    wrong += _check_writes(world, rpc, makers, "rpc", route_name, shared)
    assert not wrong, f"{route_name}:\n  " + "\n  ".join(wrong)


def test_the_write_matrix_covers_every_role_and_target(capsys):
    assert set(matrix.WRITE_GATEWAY) == set(matrix.WRITES)
    assert set(matrix.WRITE_RPC) <= set(matrix.WRITES)
    for table in (matrix.WRITE_GATEWAY, matrix.WRITE_RPC):
        for rows in table.values():
            assert all(len(row) == len(matrix.TARGETS) for row in rows.values())
    assert all(set(rows) == set(matrix.ROLES) for rows in matrix.WRITE_GATEWAY.values())
    with capsys.disabled():
        print(f"\nwrite matrix: {len(matrix.WRITES)} routes x {len(matrix.ROLES)} roles x "
              f"{len(matrix.TARGETS)} targets = {matrix.write_size()} cells per level; gateway "
              f"{TALLY['gateway.writes.passed']}/{TALLY['gateway.writes.probed']} passed, rpc "
              f"{TALLY['rpc.writes.passed']}/{TALLY['rpc.writes.probed']} passed")
