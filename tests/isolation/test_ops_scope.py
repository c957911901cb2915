"""Ops reads health, metrics and aggregate figures of its district, never residents' records
(#9: the code granted ops every record, across districts)."""

from __future__ import annotations

import pytest

from services.common.caller import Caller, Role, Scope
from services.common.errors import NotFound
from services.dispatch.domain.scope import OrderScope, can_see
from services.dispatch.service import DispatchService
from services.intake.service import IntakeService
from tests.dispatch.helpers import admin_caller
from tests.intake.helpers import file_issue

HOME = Scope(district_id="d1", street_id="s1", community_id="c1")
ELSEWHERE = Scope(district_id="d2", street_id="s9", community_id="c9")


def test_ops_sees_no_record_and_only_its_districts_figures():
    ops = Caller(user_id="u-ops", role=Role.ops, district_id="d1")
    assert not ops.sees(HOME) and not ops.sees(ELSEWHERE)
    assert ops.sees_figures(HOME) and not ops.sees_figures(ELSEWHERE)
    order = OrderScope(district_id="d1", street_id="s1", community_id="c1", level="community")
    assert not can_see(ops, order)


def _ops(platform, district_id: str | None = None) -> dict:
    return {"user_id": "u-ops", "role": "ops",
            "district_id": district_id or platform.tenancy().district["id"]}


def test_ops_reads_no_issue_and_no_order_but_the_districts_figures(platform):
    client = platform.start(IntakeService, DispatchService)
    issue = file_issue(platform)
    community_id = platform.community_id("A")
    with platform.rpc() as rpc:
        made = rpc.dispatch.make_order(admin_caller(platform, "A"), {
            "community_id": community_id, "category": "road_damage", "summary": "路面塌陷",
            "leader": "王书记"})
        with pytest.raises(NotFound):
            rpc.intake.get_issue(_ops(platform), issue["id"])
        with pytest.raises(NotFound):
            rpc.intake.get_timeline(_ops(platform), issue["id"])
        assert rpc.intake.list_issues(_ops(platform), community_id)["items"] == []
        with pytest.raises(NotFound):
            rpc.dispatch.get_order(_ops(platform), made["id"])
        assert rpc.dispatch.list_orders(_ops(platform), community_id)["items"] == []
        assert rpc.dispatch.order_stats(_ops(platform), community_id)["community_id"] == \
            community_id
        assert community_id in {c["community_id"] for c in
                                rpc.dispatch.whistle_counts(_ops(platform))}
        with pytest.raises(NotFound):  # another district's ops
            rpc.dispatch.order_stats(_ops(platform, "d-elsewhere"), community_id)
        assert rpc.dispatch.whistle_counts(_ops(platform, "d-elsewhere")) == []
    ops = platform.headers("ops")
    assert client.get(f"/issues/{issue['id']}", headers=ops).status_code == 404
    assert client.get(f"/orders/{made['id']}", headers=ops).status_code == 403
    assert client.get("/orders/stats", headers=ops,
                      params={"community_id": community_id}).status_code == 200
