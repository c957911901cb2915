"""Shared steps for the incubation tests: an event probe, an organisation registered,
members recruited, activities held through volunteers, a project started for it."""

from __future__ import annotations

import time
import uuid
from typing import Any

from deploy.waits import wait_until
from tests.probes import event_probe, payloads

WATCHED = ("organisation.registered", "organisation.step_completed",
           "organisation.stage_reached", "organisation.graduated", "audit.recorded")

EventProbe = event_probe("incubation_probe", [("incubation", t) for t in WATCHED],
                         "Keeps every incubation event it hears (as an outside consumer).")


def events(kind: str, **match: Any) -> list[dict]:
    return payloads(EventProbe, kind, **match)


def tag() -> str:
    return uuid.uuid4().hex[:8]


def register(platform: Any, founder: dict, **extra: Any) -> dict:
    made = platform.client.post("/incubation/organisations",
                                headers=platform.headers("community_admin"), json={
                                    "kind": "volunteer", "name": f"邻里互助队 {tag()}",
                                    "purpose": "帮独居老人买菜、陪诊",
                                    "founder_account_id": founder["id"],
                                    "founder_name": "王阿姨"} | extra)
    assert made.status_code == 201, made.text
    return made.json()


def recruit(platform: Any, headers: dict, org_id: str, n: int) -> dict:
    got: dict = {}
    for i in range(n):
        added = platform.client.post(f"/incubation/organisations/{org_id}/members",
                                     headers=headers, json={"account_id": f"u-m{i}-{tag()}",
                                                            "name": f"成员{i}",
                                                            "phone": "+86 138 0000 0000"})
        assert added.status_code == 200, added.text
        got = added.json()
    return got


def hold_activity(platform: Any, org_id: str, who: str) -> str:
    """An activity of the organisation with one participant checked in at the door."""
    client, now = platform.client, time.time()
    admin = platform.headers("community_admin")
    made = client.post("/activities", headers=admin, json={
        "title": "便民理发", "detail": "楼下义剪", "capacity": 5, "starts_ts": now - 600,
        "ends_ts": now + 3600, "organisation_id": org_id})
    assert made.status_code == 201, made.text
    act = made.json()
    joined = client.post(f"/activities/{act['id']}/sign-up",
                         headers=platform.headers("resident", "A", who))
    assert joined.status_code == 200, joined.text
    checked = client.post(f"/activities/{act['id']}/check-in", headers=admin,
                          json={"code": joined.json()["my_code"]})
    assert checked.status_code == 200, checked.text
    return act["id"]


def start_project(platform: Any, owner_unit_id: str) -> str:
    client, admin = platform.client, platform.headers("community_admin")
    need = client.post("/lists", headers=admin, json={"list": "need", "title": "楼道照明",
                                                     "detail": "老楼楼道没有灯"})
    res = client.post("/lists", headers=admin, json={
        "list": "resource", "title": "电工志愿者", "detail": "每周六", "resource_kind": "skill"})
    assert need.status_code == 201 and res.status_code == 201, (need.text, res.text)
    made = client.post("/projects", headers=admin, json={
        "need_id": need.json()["id"], "resource_ids": [res.json()["id"]],
        "owner_unit_id": owner_unit_id, "title": "点亮楼道",
        "milestones": [{"title": "装灯", "due_ts": time.time() + 86400}]})
    assert made.status_code == 201, made.text
    return made.json()["id"]


def wait_org(client: Any, headers: dict, org_id: str, test, timeout: float = 15) -> dict:  # noqa: ANN001
    seen: list[dict] = []

    def probe() -> bool:
        got = client.get(f"/incubation/organisations/{org_id}", headers=headers)
        if got.status_code == 200:
            seen.append(got.json())
            return bool(test(seen[-1]))
        return False

    assert wait_until(probe, timeout=timeout, every=0.1), (org_id, seen[-1:])
    return seen[-1]
