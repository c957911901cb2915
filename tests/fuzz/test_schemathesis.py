"""schemathesis against the gateway's own OpenAPI, every route, every role (issue #9).

Identity, intake and dispatch run in-process over the real broker and store. For each
operation schemathesis generates valid and invalid requests (positive and negative
modes); each is sent with the token of a role drawn alongside it (or none, or a forged
one) and, half the time, with the path's ids swapped for real objects so bodies reach
the services. Every answer must be below 500; every refusal in its API's error shape
(Open311 its own), a 422 naming the field; a refused creation stores nothing and no
refused request keeps an idempotency record. Per-route case counts are printed (-s) and
written to `schemathesis-counts.json` in the test's tmp directory (or LINLI_FUZZ_REPORT).
"""

from __future__ import annotations

import hashlib
import json
import os
import time
import uuid
from collections import Counter
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode

from services.audit.service import AuditService
from services.care.service import CareService
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
from tests.intake.helpers import issue_body

EXAMPLES = int(os.environ.get("LINLI_FUZZ_EXAMPLES", "4"))  # per operation and mode
ROLES = ["resident", "grid_worker", "volunteer", "operator", "department", "community_admin",
         "street_admin", "district_admin", "merchant", "ops"]
CREATES = {  # a refused request to these must not add a record to that collection
    ("POST", "/issues"): ("intake", "issues"),
    ("POST", "/open311/v2/requests.{fmt}"): ("intake", "issues"),
    ("POST", "/orders"): ("dispatch", "orders"),
    ("POST", "/responders"): ("dispatch", "responders"),
    ("POST", "/users"): ("identity", "users"),
    ("POST", "/registry/streets"): ("identity", "streets"),
    ("POST", "/registry/communities"): ("identity", "communities"),
    ("POST", "/points/awards"): ("points", "awards"),
    ("POST", "/points/offers"): ("points", "offers"),
    ("POST", "/points/merchants"): ("points", "partners"),
    ("POST", "/wishes"): ("volunteers", "wishes"),
    ("POST", "/activities"): ("volunteers", "activities"),
    ("POST", "/matches"): ("volunteers", "matches"),
    ("POST", "/lists"): ("volunteers", "list_entries"),
    ("POST", "/projects"): ("volunteers", "projects"),
    ("POST", "/mediation/cases"): ("mediation", "cases"),
    ("POST", "/app-keys"): ("identity", "app_keys"),
    ("POST", "/care/services"): ("care", "services"),
    ("POST", "/care/elders"): ("care", "elders"),
    ("POST", "/incubation/organisations"): ("incubation", "organisations"),
}


def _token(platform, role: str, where: str = "A") -> str:
    tenancy = platform.tenancy()
    user: dict[str, Any] = {"id": f"u-fuzz-{role}-{where}", "role": role,
                            "district_id": tenancy.district["id"]}
    if role == "street_admin":
        user["street_id"] = tenancy.streets[where]["id"]
    elif role not in ("district_admin", "ops"):
        user |= {"community_id": tenancy.communities[where]["id"],
                 "street_id": tenancy.streets[where]["id"]}
    user |= {"grid_worker": {"grid_id": f"g-root-{tenancy.communities[where]['id']}"},
             "department": {"department_id": "department-A-1"},
             "merchant": {"merchant_id": "merchant-A-1"}}.get(role, {})
    return tokens.issue(user, platform.settings.jwt_secret, 3600)


def _real_objects(platform, client, admin: dict) -> dict[str, list[str]]:
    """Ids of real objects for path parameters, so generated bodies reach the services."""
    community_id = platform.community_id("A")
    resident = {"Authorization": f"Bearer {_token(platform, 'resident')}"}
    issue = client.post("/issues", headers=resident, json=issue_body(platform)).json()
    order = client.post("/orders", headers=admin, json={"category": "road_damage", "summary": "坑"})
    responder = client.post("/responders", headers=admin,
                            json={"kind": "department", "name": "城管",
                                  "department_id": "department-A-1"}).json()
    users = client.get(f"/users?community_id={community_id}", headers=admin).json()
    volunteers = _volunteer_objects(platform, client)
    case = client.post("/mediation/cases", headers=admin, json={
        "kind": "neighbour", "summary": "漏水纠纷", "parties": [{"name": "甲"}, {"name": "乙"}]})
    volunteers |= {"case_id": [case.json()["id"]], "party_id": ["p1", "p2"],
                   "meeting_id": [f"{case.json()['id']}-mt1"]}
    volunteers |= _care_objects(platform, client, admin)
    return volunteers | {"community_id": [community_id, platform.community_id("B")],
            "issue_id": [issue["id"]], "order_id": [order.json()["id"]],
            "responder_id": [responder["id"]], "user_id": [u["id"] for u in users][:2],
            "code": ["street_lighting", "lift_fault"], "fmt": ["json", "xml"],
            "request_id": [issue["id"]], "unit_id": [community_id], "month": ["2026-11"],
            "notification_id": ["n-0123456789abcdef01234567"]}


def _volunteer_objects(platform, client) -> dict[str, list[str]]:
    """A profile with a certification, a wish, an activity and a match of the volunteers."""
    volunteer = {"Authorization": f"Bearer {_token(platform, 'volunteer')}"}
    resident = {"Authorization": f"Bearer {_token(platform, 'resident')}"}
    operator = {"Authorization": f"Bearer {_token(platform, 'operator')}"}
    client.put("/volunteers/profile", headers=volunteer, json={
        "display_name": "志愿者", "kinds": ["volunteer"], "skills": ["plumbing"], "consent": True})
    profile = client.post("/volunteers/profile/certifications", headers=volunteer,
                          json={"skill": "plumbing", "title": "水暖工证"}).json()
    wish = client.post("/wishes", headers=resident, json={"title": "修水管",
                                                          "detail": "厨房漏水"}).json()
    now = time.time()
    activity = client.post("/activities", headers=operator, json={
        "title": "义修", "detail": "修家电", "capacity": 3, "starts_ts": now + 3600,
        "ends_ts": now + 7200}).json()
    match = client.post("/matches", headers=resident, json={
        "need_kind": "wish", "need_id": wish["id"], "k": 3}).json()
    admin = {"Authorization": f"Bearer {_token(platform, 'community_admin')}"}
    need, room = (client.post("/lists", headers=admin, json=body).json() for body in (
        {"list": "need", "title": "加装电梯", "detail": "3 号楼"},
        {"list": "resource", "title": "活动室", "detail": "周六", "resource_kind": "space"}))
    project = client.post("/projects", headers=admin, json={
        "need_id": need["id"], "resource_ids": [room["id"]], "owner_unit_id": "property-co",
        "title": "电梯", "milestones": [{"title": "征询", "due_ts": now + 86400}]}).json()
    return {"account_id": [profile["account_id"]], "project_id": [project["id"]],
            "certification_id": [profile["certifications"][0]["id"]],
            "wish_id": [wish["id"]], "activity_id": [activity["id"]], "match_id": [match["id"]]}


def _care_objects(platform, client, admin: dict) -> dict[str, list[str]]:
    """A 一老一小 service with a session open now, a resident's booking, an elder."""
    resident = {"Authorization": f"Bearer {_token(platform, 'resident')}"}
    service = client.post("/care/services", headers=admin, json={
        "kind": "meal_aid", "title": "助餐", "detail": "午餐", "provider_kind": "social_org",
        "provider_name": "食堂", "capacity": 50}).json()
    now = time.time()
    session = client.post(f"/care/services/{service['id']}/sessions", headers=admin,
                          json={"starts_ts": now - 60, "ends_ts": now + 3600}).json()
    booking = client.post(f"/care/sessions/{session['id']}/bookings", headers=resident,
                          json={"beneficiary": {"name": "母亲", "age": 80}}).json()
    elder = client.post("/care/elders", headers=admin, json={
        "name": "老人", "age": 85, "address": "1 号楼"}).json()
    return {"service_id": [service["id"]], "session_id": [session["id"]],
            "booking_id": [booking["id"]], "elder_id": [elder["id"]]}


def _count(platform, service: str, collection: str) -> int:
    mongo = platform.client.app.state.mongo
    return mongo[platform.settings.db_name(service)][collection].count_documents({})


def _httpx_kwargs(case) -> dict[str, Any]:
    kwargs = case.as_transport_kwargs(base_url="http://testserver")
    kwargs.pop("cookies", None)
    data = kwargs.pop("data", None)
    if isinstance(data, bytes | str):
        kwargs["content"] = data
    elif data is not None:
        kwargs["data"] = {k: _text(v) for k, v in dict(data).items()}
    if files := kwargs.pop("files", None):  # requests accepts any value; httpx wants bytes
        items = files.items() if isinstance(files, dict) else files
        kwargs["files"] = [(name, (value[0], _bytes(value[1]), *value[2:])
                           if isinstance(value, tuple) else ("upload", _bytes(value)))
                           for name, value in items]
    return kwargs


def _text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)


def _bytes(value: Any) -> bytes:
    if isinstance(value, bytes):
        return value
    return _text(value).encode("utf-8", "surrogatepass")


def _check_refusal(path: str, response, problems: list[str], label: str) -> None:
    try:
        body = response.json()
    except ValueError:
        if response.headers.get("content-type", "").startswith("text/xml"):
            return  # Open311 XML errors: <errors><error>...
        problems.append(f"{label}: {response.status_code} not JSON: {response.text[:200]}")
        return
    if path.startswith("/open311/"):
        ok = isinstance(body, list) and bool(body) and all(
            {"code", "description", "field"} <= set(e)
            and str(e["description"]).startswith(f"{e['field']}: ") for e in body)
    else:
        error = body.get("error") if isinstance(body, dict) else None
        ok = (set(body) == {"error"} and isinstance(error, dict)
              and {"code", "message", "fields"} <= set(error)
              and (response.status_code != 422 or bool(error["fields"])))
    if not ok:
        problems.append(f"{label}: {response.status_code} {response.text[:200]}")


@pytest.mark.timeout(900)
def test_every_route_answers_generated_input_without_5xx(platform, tmp_path):
    client = platform.start(IntakeService, DispatchService, PointsService, VolunteersService,
                            EvaluationService, DeliberationService, MediationService,
                            NotifyService, AuditService, CareService, IncubationService)
    admin = {"Authorization": f"Bearer {_token(platform, 'community_admin')}"}
    real = _real_objects(platform, client, admin)
    auth = {role: {"Authorization": f"Bearer {_token(platform, role)}"} for role in ROLES}
    auth["anonymous"] = {}
    auth["forged"] = {"Authorization": "Bearer " + _token(platform, "resident")[:-6] + "AAAAAA"}
    schema = schemathesis.openapi.from_dict(client.app.openapi())
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 50
    if only := os.environ.get("LINLI_FUZZ_ONLY"):  # a substring of "METHOD /path", to debug
        operations = [o for o in operations if only in f"{o.method.upper()} {o.path}"]
    counts: dict[str, Counter] = {}
    problems: list[str] = []

    def fuzz(operation, mode: GenerationMode, label: str, tally: Counter) -> None:
        creates = CREATES.get((operation.method.upper(), operation.path))

        @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
                  suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy(generation_mode=mode),
               role=st.sampled_from(sorted(auth)), use_real=st.booleans(),
               pick=st.integers(min_value=0, max_value=3))
        def run(case, role, use_real, pick):
            if use_real:  # real ids in the path and the body, so the services are reached
                for name in list(case.path_parameters or {}):
                    if real.get(name):
                        case.path_parameters[name] = real[name][pick % len(real[name])]
                if isinstance(case.body, dict) and mode is GenerationMode.POSITIVE:
                    for name, values in (("community_id", real["community_id"]),
                                         ("category", real["code"])):
                        if name in case.body:
                            case.body[name] = values[pick % len(values)]
            kwargs = _httpx_kwargs(case)
            key = uuid.uuid4().hex
            kwargs["headers"] = {k: v for k, v in (kwargs.get("headers") or {}).items()
                                 if k.lower() != "authorization"} | auth[role] | {
                                     "Idempotency-Key": key}
            before = _count(platform, *creates) if creates else None
            sent = time.perf_counter()
            response = client.request(**kwargs)
            tally["request_ms"] += round((time.perf_counter() - sent) * 1000)
            tally[mode.value] += 1
            tally[str(response.status_code)[0] + "xx"] += 1
            if response.status_code >= 500:
                problems.append(f"{label} [{mode.value}, {role}]: {response.status_code} "
                                f"{response.text[:300]} <- {kwargs}")
            elif response.status_code >= 400:
                _check_refusal(operation.path, response, problems, f"{label} [{role}]")
                record = hashlib.sha256(f"u-fuzz-{role}-A\0{key}".encode()).hexdigest()
                if client.app.state.idempotency.find_one({"_id": record}) is not None:
                    problems.append(f"{label}: refused request kept its key")
                if creates and _count(platform, *creates) != before:
                    problems.append(f"{label} [{role}]: refused with "
                                    f"{response.status_code} but stored in {creates[1]}")

        try:
            run()
        except Unsatisfiable:  # nothing to break: no parameters and no body (GET /healthz)
            tally[f"{mode.value}_impossible"] += 1

    for operation in operations:
        label = f"{operation.method.upper()} {operation.path}"
        tally = counts.setdefault(label, Counter())
        began = time.perf_counter()
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            fuzz(operation, mode, label, tally)
        tally["ms"] = round((time.perf_counter() - began) * 1000)

    report = {label: dict(tally) for label, tally in sorted(counts.items())}
    total = sum(sum(v for k, v in t.items() if k in ("positive", "negative"))
                for t in counts.values())
    path = os.environ.get("LINLI_FUZZ_REPORT") or str(tmp_path / "schemathesis-counts.json")
    with open(path, "w", encoding="utf-8") as out:
        json.dump({"cases": total, "failures": len(problems), "routes": report}, out, indent=1)
    print(f"\nschemathesis: {total} cases over {len(report)} operations, "
          f"{len(problems)} failures (report: {path})")
    for label, tally in report.items():
        print(f"  {label}: {tally}")
    assert not problems, "\n".join(problems[:30])
