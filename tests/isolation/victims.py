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
            settle(lambda: _awaits_rating(rpc, issue))
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
    raise ValueError(f"no victim kind {kind!r}")


def _awaits_rating(rpc: Any, issue: str) -> bool:
    """Evaluation's rating window is open (a 404 until it has heard of the issue at all)."""
    try:
        return rpc.evaluation.rating_window(SYSTEM, issue)["open"]
    except NotFound:
        return False


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
