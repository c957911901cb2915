"""Order entrypoints: make, list, claim (抢单), acknowledge (响应), hand back, escalate.

Each loads, lets a rule of `domain/` decide, commits through `commit.change` and
returns a contract model's dump.
"""

from __future__ import annotations

from nameko.rpc import rpc

from services.common.caller import ADMIN_ROLES, Caller, Role
from services.common.contracts.dispatch import (
    OrderFilter,
    OrderIn,
    OrderOut,
    OrderPage,
    OrderSkillIn,
)
from services.common.contracts.workflow import ReasonIn
from services.common.errors import NotFound
from services.common.paging import PageQuery
from services.common.rpc import as_caller, dump, parse, replies
from services.dispatch import catalogue, commit, grids, making, orders
from services.dispatch.domain import scope, volunteering, work
from services.dispatch.domain.order import scope_of


class OrderEntrypoints:
    @rpc
    @replies(OrderOut)
    def make_order(self, caller: dict, data: dict) -> dict:
        """制单: a work order with its leader, units, person and deadlines."""
        who = as_caller(caller)
        who.require_role(*ADMIN_ROLES)
        spec = parse(OrderIn, data)
        policy = grids.policy_for(who, spec.community_id)
        catalogue.check(policy.id, spec.category)
        outcome = making.decide(who, policy, spec, commit.now())
        return dump(orders.view(making.commit_new(who, outcome)))

    @rpc
    @replies(OrderOut)
    def get_order(self, caller: dict, order_id: str) -> dict:
        """One order with its history, if the caller may see it."""
        return dump(orders.view(orders.load(as_caller(caller), order_id)))

    @rpc
    @replies(OrderPage)
    def list_orders(self, caller: dict, community_id: str | None = None,
                    state: str | None = None, pool: bool | None = None,
                    reached: str | None = None, mine: bool = False, limit: int | None = None,
                    cursor: str | None = None, by_deadline: bool = False) -> dict:
        """A page of the orders the caller may see, newest first (a department: those it is
        on; a member: the pool and their own; `mine`: what the caller holds); `reached`: those
        that reached a level (what was escalated to a street, say); `by_deadline`: a
        community's active orders, the nearest resolution deadline first."""
        who = as_caller(caller)
        want = parse(OrderFilter, {"community_id": community_id, "state": state, "pool": pool,
                                   "reached": reached, "mine": mine,
                                   "by_deadline": by_deadline})
        query = PageQuery.of(limit, cursor)
        return dump(orders.page(who, want, query))

    @rpc
    @replies(OrderOut)
    def claim_order(self, caller: dict, order_id: str) -> dict:
        """抢单: the first valid claim wins; the rest get 409 already claimed."""
        who = as_caller(caller)
        who.require_role(*scope.CLAIM_ROLES)
        order = orders.load(who, order_id)
        scope.check_may_claim(who, scope_of(commit.facts(order)))
        cap = grids.policy_for(Caller.system(), order.community_id).claim_cap
        commit.take_claim_slot(who.user_id, cap)  # before the commit: the cap holds in a race
        try:
            done, _ = commit.change(who, orders.loader(who, order_id),
                                    lambda o, at: work.claim(o, who, at))
        except Exception:
            commit.release_claim_slot(who.user_id)
            raise
        return dump(orders.view(done))

    @rpc
    @replies(OrderOut)
    def acknowledge_order(self, caller: dict, order_id: str) -> dict:
        """响应: the claimer answers before the response deadline; work is in progress."""
        who = as_caller(caller)
        done, _ = commit.change(who, orders.loader(who, order_id),
                                lambda o, at: work.acknowledge(o, who, at))
        return dump(orders.view(done))

    @rpc
    @replies(OrderOut)
    def hand_back_order(self, caller: dict, order_id: str, data: dict) -> dict:
        """Hand a claimed order back to the pool, with a reason."""
        who = as_caller(caller)
        reason = parse(ReasonIn, data).reason
        done, _ = commit.change(who, orders.loader(who, order_id),
                                lambda o, at: work.hand_back(o, who, at, reason), "hand_back")
        return dump(orders.view(done))

    @rpc
    @replies(OrderOut)
    def escalate_order(self, caller: dict, order_id: str, data: dict) -> dict:
        """上报 "cannot solve here": the order moves one level up with the reason."""
        who = as_caller(caller)
        reason = parse(ReasonIn, data).reason
        done, _ = commit.change(who, orders.loader(who, order_id),
                                lambda o, at: work.escalate(o, who, at, reason), "escalate")
        return dump(orders.view(done))


    @rpc
    @replies(OrderOut)
    def set_order_skill(self, caller: dict, order_id: str, data: dict) -> dict:
        """The skill an open order asks for (the community's admins): volunteers offers it to
        volunteers who fit (`order.skill_set`)."""
        who = as_caller(caller)
        who.require_role(Role.community_admin)
        skill = parse(OrderSkillIn, data).skill
        order = orders.load(who, order_id)
        if order.community_id != who.community_id:  # a street's order seen from below: theirs
            raise NotFound("no such order", {"order_id": "unknown"})
        done, _ = commit.change(who, orders.loader(who, order_id),
                                lambda o, at: volunteering.set_skill(o, who, at, skill),
                                "set_skill")
        return dump(orders.view(done))
