"""Mediation's cases (矛盾纠纷调解) matched to mediators, by events.

`mediator.requested` opens one match per request (`m-md-<request id>`: a redelivery finds
it by `_id`) for the skill it names ("mediation"), offered to the ranked candidates in turn
like any match (`domain/offers.py`, the PollTimer of `matching.py`); the mediator accepts
or declines with `answer_offer`, and the acceptance's `match.accepted` (`need_kind`
"mediation", `need_id` the case) is what the case takes its mediator from. `case.closed`
gives the mediator's load back (`matching.release_load`, once).
"""

from __future__ import annotations

import time

from services.common.aggregate import change
from services.common.caller import Caller
from services.common.contracts.mediation import MediatorRequested
from services.common.paging import page_key
from services.volunteers import matching, policy
from services.volunteers.domain import offers
from services.volunteers.index import LiveIndex
from services.volunteers.models import Match
from services.volunteers.orders import K, candidates


def match_id(request_id: str) -> str:
    return f"m-md-{request_id}"


def open_match(live: LiveIndex, event: MediatorRequested, caller: Caller) -> Match | None:
    """The request's match, offered to its first candidate (None: it exists already)."""
    mid = match_id(event.request_id)
    if Match.objects(id=mid).only("id").first() is not None:
        return None
    live.require_ready()  # 503 until loaded: the event is requeued, not lost
    now = time.time()
    match = Match(id=mid, district_id=event.district_id, street_id=event.street_id,
                  community_id=event.community_id, requested_by=caller.user_id,
                  need_kind="mediation", need_id=event.case_id, skill=event.skill,
                  grid_id=event.grid_id, at_ts=now,
                  ttl=policy.of(event.community_id).offer_minutes * 60, state="new",
                  created_ts=now)
    match.candidates = candidates(live, match, event.skill, now, [])[:K]
    match.page_key = page_key(f"c:{event.community_id}", now, mid)
    done = change(lambda: Match.objects(id=mid).first() or match,
                  lambda m, at: offers.start(m, time.time(), m.ttl) if m._created else None,
                  caller, derive=matching.derive)
    if done.decision is None:
        return None
    matching.observe(done.decision)
    return done.doc
