"""The records the write matrix acts on (matrix.WRITES' `victim` kinds), made in a target
community over RPC by its own reporter and admin; and fresh callers for the probes expected
to succeed (a member's claim cap, a reporter's own issue)."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from typing import Any

from services.common.errors import NotFound

SYSTEM = {"user_id": "system", "role": "system", "district_id": "*"}
HERE = {"lat": 39.9042, "lng": 116.4074}


def _issue(rpc: Any, reporter: dict, community_id: str) -> str:
    return rpc.intake.submit_issue(reporter, {
        "community_id": community_id, "category": "street_lighting",
        "description": "路灯不亮", "location": HERE})["id"]


def _order(rpc: Any, admin: dict, community_id: str, **extra: Any) -> str:
    return rpc.dispatch.make_order(admin, {
        "community_id": community_id, "category": "road_damage", "summary": "路面塌陷",
        "department_id": "police", **extra})["id"]


def _window_open(rpc: Any, issue: str) -> bool:
    try:
        return rpc.evaluation.rating_window(SYSTEM, issue)["open"]
    except NotFound:  # evaluation has not heard of the issue yet (its events are on the way)
        return False


def make(rpc: Any, kind: str, community_id: str, admin: dict, reporter: dict,
         member: dict) -> dict[str, str]:
    """A fresh `kind` record in the community: the ids a route's path and body name.

    `reporter` files the issues; `member` claims the claimed orders."""
    if kind == "none":
        return {}
    if kind in ("received", "triaged", "resolved"):
        issue = _issue(rpc, reporter, community_id)
        if kind != "received":  # a matter for the residents: no work order made meanwhile
            rpc.intake.triage_issue(admin, issue, {"route": "residents",
                                                   "reason": "居民自行协商解决"})
        if kind == "resolved":
            rpc.intake.resolve_issue(admin, issue, {"note": "已修复"})
            # ratings are evaluation's: it must have heard the issue is resolved
            settle(lambda: _window_open(rpc, issue))
        return {"issue": issue}
    if kind == "pair":
        return {"original": _issue(rpc, reporter, community_id),
                "issue": _issue(rpc, reporter, community_id)}
    if kind in ("order", "whistled"):
        order = _order(rpc, admin, community_id)
        if kind == "whistled":
            rpc.dispatch.whistle_order(admin, order, {"departments": ["police"]})
        return {"order": order}
    if kind in ("pool", "claimed"):
        order = _order(rpc, admin, community_id, route="party_volunteer")
        if kind == "claimed":
            rpc.dispatch.claim_order(member, order)
        return {"order": order}
    if kind in ("wish", "claimed_wish"):  # the reporter's micro-wish (微心愿)
        wish = rpc.volunteers.post_wish(reporter, {
            "community_id": community_id, "title": "修水龙头", "detail": "厨房水龙头滴水",
            "hours": 1.0})["id"]
        if kind == "claimed_wish":
            rpc.volunteers.claim_wish(member, wish)
        return {"wish": wish}
    if kind == "activity":
        return {"activity": rpc.volunteers.create_activity(admin, {
            "community_id": community_id, "kind": "workshop", "title": "义修小屋",
            "detail": "修小家电", "capacity": 500, "starts_ts": 1900000000.0,
            "ends_ts": 1900003600.0})["id"]}
    if kind == "care_session":  # an admin's 一老一小 service with a session open now
        return {"session": care_session_of(rpc, admin)}
    if kind == "case":  # a mediation case with the reporter as its first party
        return {"case": case_of(rpc, admin, community_id, reporter["user_id"])}
    raise ValueError(f"no victim kind {kind!r}")


def case_of(rpc: Any, admin: dict, community_id: str, party_account: str) -> str:
    return rpc.mediation.open_case(admin, {
        "community_id": community_id, "kind": "neighbour", "summary": "楼上漏水",
        "parties": [{"name": "甲", "account_id": party_account}, {"name": "乙"}]})["id"]


def care_session_of(rpc: Any, admin: dict, capacity: int = 500) -> str:
    service = rpc.care.add_service(admin, {
        "kind": "meal_aid", "title": "长者助餐", "detail": "午餐", "capacity": capacity,
        "provider_kind": "social_org", "provider_name": "幸福食堂"})
    now = time.time()
    return rpc.care.add_session(admin, service["id"], {"starts_ts": now - 60,
                                                       "ends_ts": now + 3600})["id"]


def care_records(rpc: Any, admin: dict, reporter: dict, where: str) -> dict[str, str]:
    """The target's service, its reporter's booking and an elder with a rota whose visitors
    are the target's grid worker and volunteer (m-<role>-<where>)."""
    session = care_session_of(rpc, admin)
    booking = rpc.care.book_session(reporter, session, {"beneficiary": {"name": "母亲",
                                                                        "age": 80}})
    elder = rpc.care.register_elder(admin, {"name": "独居老人", "age": 85,
                                            "address": "3 号楼 101"})
    rpc.care.assign_rota(admin, elder["id"], {"grid_worker_id": f"m-grid_worker-{where}",
                                              "volunteer_ids": [f"m-volunteer-{where}"],
                                              "every_days": 7})
    return {"care_service": booking["service_id"], "care_booking": booking["id"],
            "elder": elder["id"]}


def fresh(who: dict) -> dict:
    """Another account of the same role and place (its own claims, its own reports)."""
    return dict(who, user_id=f"{who['user_id']}-{uuid.uuid4().hex[:6]}")


def uniq() -> str:
    return uuid.uuid4().hex[:10]


def settle(check: Callable[[], bool], timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "did not settle"
        time.sleep(0.05)
