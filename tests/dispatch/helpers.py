"""Shared steps for the dispatch tests: a grid tree, orders, and feeding intake's events."""

from __future__ import annotations

import uuid
from typing import Any

from nameko.standalone.events import event_dispatcher
from nameko.testing.services import entrypoint_waiter

from services.common.caller import Caller
from services.common.contracts import new_event
from services.common.contracts.intake import IssueTriaged
from tests.platform import SYSTEM

SQUARE = [[116.0, 39.0], [116.1, 39.0], [116.1, 39.1], [116.0, 39.1]]
WEST = [[116.0, 39.0], [116.05, 39.0], [116.05, 39.1], [116.0, 39.1]]
EAST = [[116.05, 39.0], [116.1, 39.0], [116.1, 39.1], [116.05, 39.1]]

TREE = [
    {"code": "L1", "name": "一级网格", "level": "1", "polygon": SQUARE},
    {"code": "W", "name": "西区", "level": "2", "parent_code": "L1", "polygon": WEST},
    {"code": "E", "name": "东区", "level": "2", "parent_code": "L1", "polygon": EAST},
    {"code": "W1", "name": "西一网格", "level": "3", "parent_code": "W",
     "polygon": [[116.0, 39.0], [116.05, 39.0], [116.05, 39.05], [116.0, 39.05]]},
    {"code": "W2", "name": "西二网格", "level": "3", "parent_code": "W",
     "polygon": [[116.0, 39.05], [116.05, 39.05], [116.05, 39.1], [116.0, 39.1]]},
    {"code": "C1", "name": "阳光小区", "level": "compound", "parent_code": "W1",
     "addresses": ["阳光小区"]},
    {"code": "B1", "name": "阳光小区1号楼", "level": "building", "parent_code": "C1",
     "addresses": ["阳光小区1号楼"]},
]


def grid_tree(platform: Any, where: str = "A") -> dict[str, str]:
    """Import TREE into the community; return code → grid id."""
    community_id = platform.community_id(where)
    with platform.rpc() as rpc:
        admin = admin_caller(platform, where)
        report = rpc.dispatch.import_grids(admin, community_id, TREE, False)
        assert report["valid"], report
        return {g["code"]: g["id"] for g in rpc.dispatch.list_grids(admin, community_id)}


def admin_caller(platform: Any, where: str) -> dict:
    user = platform.user("community_admin", where)
    return {"user_id": user["id"], "role": "community_admin",
            "district_id": user["district_id"], "street_id": user["street_id"],
            "community_id": user["community_id"]}


def triage(platform: Any, where: str = "A", route: str = "community",
           grid_id: str | None = None, issue_id: str | None = None, **extra: Any) -> str:
    """Publish intake's issue.triaged as intake would (a new event each time, for a new
    issue unless `issue_id` is given); wait for dispatch to apply it."""
    tenancy = platform.tenancy()
    community = tenancy.communities[where]
    issue_id = issue_id or f"i-{uuid.uuid4().hex[:10]}"
    payload = IssueTriaged(
        issue_id=issue_id, community_id=community["id"], street_id=community["street_id"],
        district_id=tenancy.district["id"], grid_id=grid_id, category=extra.pop("category",
                                                                              "road"),
        route=route, issue_class="public", urgency=extra.pop("urgency", "normal"),
        summary="路灯不亮", **extra)
    event = new_event(payload, Caller.system(), community["id"])
    with entrypoint_waiter(platform.containers["dispatch"], "on_issue_triaged", timeout=10):
        event_dispatcher(platform.config)("intake", "issue.triaged", event.to_message())
    return issue_id


__all__ = ["SYSTEM", "admin_caller", "grid_tree", "triage"]


def token_headers(platform: Any, role: str, user_id: str, where: str = "A",
                  **scope: str) -> dict:
    """A signed token for a member who need not exist in identity (dispatch trusts the
    gateway's caller context): many claimers without many sign-ins."""
    from services.gateway import tokens

    tenancy = platform.tenancy()
    community = tenancy.communities[where]
    user = {"id": user_id, "role": role, "district_id": tenancy.district["id"],
            "street_id": community["street_id"], "community_id": community["id"], **scope}
    token = tokens.issue(user, platform.settings.jwt_secret, 600)
    return {"Authorization": f"Bearer {token}"}
