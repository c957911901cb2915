"""Whistle entrypoints (吹哨报到): summon units and members; each reports in by a deadline;
and the figures read from the tallies each commit keeps."""

from __future__ import annotations

from nameko.rpc import rpc

from services.common.caller import Role, Scope
from services.common.contracts.dispatch import OrderOut, OrderStats, WhistleCount, WhistleIn
from services.common.rpc import as_caller, dump, parse, replies
from services.dispatch import commit, grids, models, orders
from services.dispatch.domain import whistle
from services.dispatch.domain.keys import ORDERS

FIGURE_ROLES = (Role.community_admin, Role.street_admin, Role.district_admin, Role.ops)


class WhistleEntrypoints:
    @rpc
    @replies(OrderOut)
    def whistle_order(self, caller: dict, order_id: str, data: dict) -> dict:
        """吹哨: summon departments and members to the order; each must report in (报到)."""
        who = as_caller(caller)
        spec = parse(WhistleIn, data)
        whistle.check_spec(who, spec)
        doc = orders.load(who, order_id)
        minutes = spec.report_in_minutes or grids.policy_for(
            who, doc.community_id).report_in_minutes
        whistle_id = models.new_id("w")
        done, _ = commit.change(who, orders.loader(who, order_id), lambda o, at: whistle.whistle(
            o, who, at, spec, minutes, whistle_id), "whistle")
        return dump(orders.view(done))

    @rpc
    @replies(OrderOut)
    def report_in(self, caller: dict, order_id: str) -> dict:
        """报到: a summoned department or member joins; after the deadline it is recorded late."""
        who = as_caller(caller)
        done, _ = commit.change(who, orders.loader(who, order_id),
                                lambda o, at: whistle.report_in(o, who, at))
        return dump(orders.view(done))

    @rpc
    @replies(list[WhistleCount])
    def whistle_counts(self, caller: dict) -> list[dict]:
        """Whistles per community in the caller's scope, zeros included (both ends are signals)."""
        who = as_caller(caller)
        who.require_role(*FIGURE_ROLES)
        return [dump(WhistleCount(community_id=p.id, street_id=p.street_id,
                                  whistles=_tally(p.id).get("whistles", 0)))
                for p in models.CommunityPolicy.objects(district_id=who.district_id).order_by("id")
                if who.sees_figures(Scope(district_id=p.district_id, street_id=p.street_id,
                                          community_id=p.id))]

    @rpc
    @replies(OrderStats)
    def order_stats(self, caller: dict, community_id: str | None = None) -> dict:
        """Per community: orders by level and state, overdue, whistles, misses, escalations."""
        who = as_caller(caller)
        who.require_role(*FIGURE_ROLES)
        policy = grids.policy_for(who, community_id, figures=True)
        tally = _tally(policy.id)
        figures = {name: tally.get(name, 0) for name in OrderStats.model_fields
                   if name not in ("community_id", "orders")}
        return dump(OrderStats(community_id=policy.id, orders={
            k.removeprefix(ORDERS): n for k, n in tally.items() if k.startswith(ORDERS) and n},
            **figures))


def _tally(community_id: str) -> dict[str, int]:
    return models.OrderTally.figures(f"c:{community_id}")
