"""Whistle entrypoints (吹哨报到): summon units and members; each reports in by a deadline."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta

from nameko.rpc import rpc

from services.common.caller import Role, Scope
from services.common.contracts.dispatch import OrderWhistled, ReportInRecorded, WhistleIn
from services.common.contracts.workflow import Level
from services.common.errors import Conflict, Forbidden, InvalidInput
from services.common.rpc import as_caller, parse
from services.common.store import as_utc
from services.dispatch import grids, metrics, models, orders
from services.dispatch.domain import scope, timers
from services.dispatch.domain.states import ACTIVE

CALLER_LEVEL = {Role.community_admin: Level.community, Role.street_admin: Level.street,
                Role.district_admin: Level.district}


class WhistleEntrypoints:
    @rpc
    def whistle_order(self, caller: dict, order_id: str, data: dict) -> dict:
        """吹哨: summon departments and members to the order; each must report in (报到)."""
        who = as_caller(caller)
        who.require_role(*CALLER_LEVEL)
        spec = parse(WhistleIn, data)
        if not spec.departments and not spec.members:
            raise InvalidInput("whistle someone", {"departments": "or members: at least one"})

        def whistle(order: models.Order, at: datetime) -> None:
            if not scope.is_owner(who, orders.scope_of(order)):
                raise Forbidden("only the owning level whistles", {"order_id": "not yours"})
            if order.state not in ACTIVE:
                raise Conflict(f"the order is {order.state}", {"state": order.state})
            minutes = spec.report_in_minutes or grids.policy_for(
                who, order.community_id).report_in_minutes
            due_at = at + timedelta(minutes=minutes)
            whistle_id = models.new_id("w")
            level = CALLER_LEVEL.get(who.role, Level(order.level))
            targets = [f"department:{d}" for d in spec.departments] + [
                f"member:{m}" for m in spec.members]
            order.report_ins = list(order.report_ins) + [
                {"whistle_id": whistle_id, "target": t, "level": level.value, "whistled_at": at,
                 "due_at": due_at, "state": "pending", "reported_at": None, "late": None}
                for t in targets]
            order.whistles = list(order.whistles) + [
                {"id": whistle_id, "whistler_id": who.user_id, "level": level.value, "at": at,
                 "due_at": due_at, "targets": targets, "note": spec.note}]
            order.whistle_count = (order.whistle_count or 0) + 1
            order.departments = list(dict.fromkeys([*order.departments, *spec.departments]))
            order.members = list(dict.fromkeys([*order.members, *spec.members]))
            orders.note(order, who, "whistled", at, whistle_id=whistle_id, targets=targets)
            orders.emit(order, who, OrderWhistled, whistle_id=whistle_id, whistler_id=who.user_id,
                        departments=spec.departments, members=spec.members,
                        report_in_due_at=due_at)

        order = orders.change(who, order_id, whistle)
        metrics.WHISTLES.inc()
        return orders.view(order)

    @rpc
    def report_in(self, caller: dict, order_id: str) -> dict:
        """报到: a summoned department or member joins; after the deadline it is recorded late."""
        who = as_caller(caller)
        target = (f"department:{who.department_id}" if who.role is Role.department
                  else f"member:{who.user_id}")
        latencies: list[float] = []

        def report(order: models.Order, at: datetime) -> None:
            nonlocal latencies
            items, latencies = [], []
            for item in orders.report_ins(order):
                if item["target"] == target and item["state"] in ("pending", "missed"):
                    late = timers.report_in_late(item["due_at"], at)
                    item = dict(item, state="reported", reported_at=at, late=late)
                    latency = (at - as_utc(item["whistled_at"])).total_seconds()
                    latencies.append(latency)
                    orders.emit(order, who, ReportInRecorded, whistle_id=item["whistle_id"],
                                target=target, late=late, latency_seconds=latency)
                    orders.note(order, who, "reported_in", at, target=target, late=late)
                items.append(item)
            if not latencies:
                raise Conflict("nothing to report in to", {"order_id": "not summoned or done"})
            order.report_ins = items

        order = orders.change(who, order_id, report)
        for latency in latencies:
            metrics.REPORT_IN_LATENCY.observe(latency)
        return orders.view(order)

    @rpc
    def whistle_counts(self, caller: dict) -> list[dict]:
        """Whistles per community in the caller's scope, zeros included (both ends are signals)."""
        who = as_caller(caller)
        who.require_role(Role.community_admin, Role.street_admin, Role.district_admin, Role.ops)
        rows = models.Order.objects(district_id=who.district_id).aggregate([
            {"$match": {"district_id": who.district_id}},
            {"$group": {"_id": "$community_id", "n": {"$sum": "$whistle_count"}}}])
        counts = {row["_id"]: row["n"] or 0 for row in rows}
        return [{"community_id": p.id, "street_id": p.street_id, "whistles": counts.get(p.id, 0)}
                for p in models.CommunityPolicy.objects(district_id=who.district_id).order_by("id")
                if who.sees_figures(Scope(district_id=p.district_id, street_id=p.street_id,
                                          community_id=p.id))]

    @rpc
    def order_stats(self, caller: dict, community_id: str | None = None) -> dict:
        """Per community: orders by level and state, overdue, whistles, misses, escalations."""
        who = as_caller(caller)
        who.require_role(Role.community_admin, Role.street_admin, Role.district_admin, Role.ops)
        policy = grids.policy_for(who, community_id, figures=True)
        by = Counter()
        overdue = whistles = escalations = late = missed = 0
        now = orders.now()
        for order in models.Order.objects(community_id=policy.id):
            by[f"{order.level}/{order.state}"] += 1
            overdue += orders.overdue(order, now)
            whistles += len(order.whistles)
            escalations += sum(1 for t in order.timeline if t.get("kind") == "escalated")
            late += sum(1 for r in order.report_ins if r.get("late"))
            missed += sum(1 for t in order.timeline if t.get("kind") == "report_in_missed")
        return {"community_id": policy.id, "orders": dict(by), "overdue": overdue,
                "whistles": whistles, "escalations": escalations, "late_report_ins": late,
                "missed_report_ins": missed}
