"""Dispatch's orders that volunteers serve (小事党群办), matched by events.

An order of the small-matters route, or one asking for a skill, gets one match
(`m-o-<order id>`: a redelivered `order.created` finds it by `_id`), offered to the ranked
candidates in turn like any match (`domain/offers.py`, the PollTimer of `matching.py`);
the acceptance's `match.accepted` is what dispatch assigns the order by. A changed skill
(`order.skill_set`) offers it afresh: a new sequence over the candidates for the new skill
(`offers.restart`); so does the order coming back to the pool (`order.returned_to_pool`:
handed back, or its 响应 lapsed), never again to the one who gave it back (`excluded`).
Each event re-matches once (`Match.applied`).
"""

from __future__ import annotations

import logging
import time

from services.common.aggregate import Decision, change
from services.common.caller import Caller
from services.common.contracts.dispatch import OrderConfirmed, OrderCreated, OrderSkillSet
from services.common.contracts.volunteers import VolunteerHoursLogged
from services.common.contracts.workflow import Route
from services.common.paging import page_key
from services.volunteers import matching, metrics, policy
from services.volunteers.domain import offers, order_hours, service_items
from services.volunteers.domain.scoring import Need
from services.volunteers.index import LiveIndex
from services.volunteers.models import Match
from services.volunteers.profiles import credit, profile_kinds

log = logging.getLogger(__name__)
K = 10  # candidates an order is offered to, in turn
APPLIED_KEPT = 20  # event ids kept on a match: redeliveries come soon, not after 20 more


def match_id(order_id: str) -> str:
    return f"m-o-{order_id}"


def served_by_volunteers(route: Route | None, skill: str | None) -> bool:
    return route is Route.party_volunteer or skill is not None


def candidates(live: LiveIndex, match: Match, skill: str | None, now: float,
               exclude: list[str]) -> list[dict]:
    """The ranked candidates for the order as it is now, without those it must not go to."""
    need = Need(community_id=match.community_id, skill=skill, grid_id=match.grid_id,
                at_ts=now)
    return [{"account_id": r.account_id, "score": r.score, "parts": r.parts}
            for r in live.index.top(need, K, exclude=exclude)]


def open_match(live: LiveIndex, order_id: str, community_id: str, district_id: str | None,
               street_id: str | None, grid_id: str | None, skill: str | None,
               caller: Caller) -> Match | None:
    """The order's match, offered to its first candidate (None: it exists already)."""
    mid = match_id(order_id)
    if Match.objects(id=mid).only("id").first() is not None:
        return None  # redelivered, or opened by an earlier event of the order
    if not district_id:  # an event from before orders carried their place
        log.warning("order %s: no district on the event, not matched", order_id)
        return None
    live.require_ready()  # 503 until loaded: the event is requeued, not lost
    now = time.time()
    match = Match(id=mid, district_id=district_id, street_id=street_id,
                  community_id=community_id, requested_by=caller.user_id, need_kind="order",
                  need_id=order_id, skill=skill, grid_id=grid_id, at_ts=now,
                  ttl=policy.of(community_id).offer_minutes * 60, state="new", created_ts=now)
    match.candidates = candidates(live, match, skill, now, [])
    match.page_key = page_key(f"c:{community_id}", now, mid)
    # A concurrent delivery that made it first: the commit is stale, the retry loads theirs.
    done = change(lambda: Match.objects(id=mid).first() or match,
                  lambda m, at: offers.start(m, time.time(), m.ttl) if m._created else None,
                  caller, derive=matching.derive)
    if done.decision is None:
        return None
    matching.observe(done.decision)
    return done.doc


def rematch(live: LiveIndex, order_id: str, event_id: str, event_ts: float, caller: Caller,
            *, skill: str | None = None, keep_skill: bool = True,
            exclude: str | None = None) -> Match | None:
    """A fresh offer sequence for the order's match (the skill changed, or `exclude` gave it
    back), once per event. None: no match, or this event re-matched it already."""
    if Match.objects(id=match_id(order_id)).only("id").first() is None:
        return None
    live.require_ready()
    seen: dict[str, str | None] = {}

    def decide(m: Match, _at: object) -> Decision | None:
        if event_id in (m.applied or []):
            return None  # a redelivery: this event re-matched it already
        seen["accepted_by"] = (m.accepted_by if m.state == offers.ACCEPTED
                               and not m.load_released else None)
        now = time.time()
        excluded = list(dict.fromkeys([*(m.excluded or []), *([exclude] if exclude else [])]))
        want = m.skill if keep_skill else skill
        return offers.restart(m, candidates(live, m, want, now, excluded), now, m.ttl,
                              skill=want, excluded=excluded,
                              applied=[*(m.applied or []), event_id][-APPLIED_KEPT:],
                              rematched_at=max(event_ts, m.rematched_at or 0.0),
                              load_released=False)

    done = change(lambda: Match.objects.get(id=match_id(order_id)), decide, caller,
                  derive=matching.derive)
    if done.decision is None:
        return None
    if seen.get("accepted_by"):  # the volunteer who accepted it no longer has it
        credit(seen["accepted_by"], caller, load=-1)
    matching.observe(done.decision)
    return done.doc


def on_created(live: LiveIndex, created: OrderCreated, caller: Caller) -> Match | None:
    if not served_by_volunteers(created.route, created.skill):
        return None
    return open_match(live, created.order_id, created.community_id, created.district_id,
                      created.street_id, created.grid_id, created.skill, caller)


def on_skill_set(live: LiveIndex, event: OrderSkillSet, event_id: str, event_ts: float,
                 caller: Caller) -> Match | None:
    """The order asks for another skill: offered afresh to those who fit it (a match is
    opened if the order had none: a community order that now asks for a skill)."""
    if not served_by_volunteers(event.route, event.skill):
        return close(event.order_id, caller)  # a community order whose skill was cleared
    made = rematch(live, event.order_id, event_id, event_ts, caller, skill=event.skill,
                   keep_skill=False)
    if made is not None or not served_by_volunteers(event.route, event.skill):
        return made
    return open_match(live, event.order_id, event.community_id, event.district_id,
                      event.street_id, event.grid_id, event.skill, caller)


def close(order_id: str, caller: Caller) -> Match | None:
    """The order no longer wants volunteers: its open offer is withdrawn (once)."""
    if Match.objects(id=match_id(order_id)).only("id").first() is None:
        return None
    done = change(lambda: Match.objects.get(id=match_id(order_id)),
                  lambda m, at: offers.cancel(m, time.time()) if m.state == offers.OFFERING
                  else None, caller, derive=matching.derive)
    return done.doc if done.decision is not None else None


def taken(order_id: str, responder: str, event_ts: float, caller: Caller) -> Match | None:
    """`order.claimed` by someone the match did not find (a member from the pool, the
    maker's assignee): the match stops offering; an acceptance that lost the race gives the
    volunteer their load back. Its own assignment (the accepted volunteer) changes nothing,
    nor does a claim from before the last re-match (it arrived after the hand-back that
    ended it: each event type has its own queue)."""
    if Match.objects(id=match_id(order_id)).only("id").first() is None:
        return None
    seen: dict[str, str | None] = {}

    def decide(m: Match, _at: object) -> Decision | None:
        if event_ts <= (m.rematched_at or 0.0):
            return None
        seen["accepted_by"] = (m.accepted_by if m.state == offers.ACCEPTED
                               and not m.load_released else None)
        return offers.taken(m, responder, time.time())

    done = change(lambda: Match.objects.get(id=match_id(order_id)), decide, caller,
                  derive=matching.derive)
    if done.decision is None:
        return None
    if seen.get("accepted_by"):
        credit(seen["accepted_by"], caller, load=-1)
    return done.doc


def done(event: OrderConfirmed, caller: Caller) -> Match | None:
    """`order.confirmed`: the volunteer who accepted the order finished it, so it no longer
    counts in their load (once: the match's `load_released`, then the profile's counter,
    after the commit like every profile counter). The same commit opens their service for
    residents to rate in evaluation (the order's reporter is dispatch's and intake's, not
    known here: any resident of the community may rate it, once each)."""
    order_id = event.order_id
    match = Match.objects(id=match_id(order_id)).only("id", "accepted_by").first()
    if match is None:
        return None
    kinds = profile_kinds(match.accepted_by)
    settings = policy.of(event.community_id)

    def decide(m: Match, _at: object) -> Decision | None:
        if m.state != offers.ACCEPTED or m.load_released or not m.accepted_by:
            return None
        now = time.time()
        hours = order_hours.credited(m.accepted_ts, m.resolved_ts, settings.order_hours,
                                     settings.order_hours_max)
        logged = VolunteerHoursLogged(
            log_id=f"h-order-{order_id}-{m.accepted_by}", community_id=m.community_id,
            account_id=m.accepted_by, hours=hours, source_kind="order", source_id=order_id,
            logged_ts=now)
        item = service_items.opened("order", order_id, m.community_id, event.result,
                                    m.accepted_by, kinds, [], now)
        return Decision(changes={"load_released": True, "hours_logged": hours},
                        events=[logged, item])

    made = change(lambda: Match.objects.get(id=match_id(order_id)), decide, caller)
    if made.decision is None:
        return None
    metrics.HOURS_LOGGED.labels("order").inc(made.doc.hours_logged)
    credit(made.doc.accepted_by, caller, load=-1, hours_total=made.doc.hours_logged)
    return made.doc


def resolved(order_id: str, responder: str, event_ts: float, caller: Caller) -> Match | None:
    """`order.resolved` by the volunteer who accepted the order: when their result came is
    its resolution time (the hours logged at the confirmation). The latest result before
    the confirmation counts (a result sent back by dispatch is resolved again)."""
    if Match.objects(id=match_id(order_id)).only("id").first() is None:
        return None

    def decide(m: Match, _at: object) -> Decision | None:
        if (m.state != offers.ACCEPTED or m.accepted_by != responder or m.load_released
                or event_ts <= (m.resolved_ts or 0.0)):
            return None
        return Decision(changes={"resolved_ts": event_ts})

    made = change(lambda: Match.objects.get(id=match_id(order_id)), decide, caller)
    return made.doc if made.decision is not None else None
