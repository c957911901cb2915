"""Rating a resolved issue (满意度): the one owner of ratings.

The people served rate: the reporter and the reporters of duplicates merged into the issue.
A community's staff may record a rating on someone's behalf (回访: the callback of a hotline
case), as themselves. Anyone else, and anyone outside the issue's scope, gets the 404 a
made-up id gets. The rating is one input of the case: its counters, its log entry and the
`rating.given` event intake follows are one commit.
"""

from __future__ import annotations

import time
import uuid
from datetime import datetime, timedelta

from services.common.caller import ADMIN_ROLES, Caller, Role, Scope
from services.common.contracts.evaluation import (
    MAX_ITEM_RATERS,
    ItemKind,
    ItemRatingIn,
    ItemRatingOut,
    RatingGiven,
    RatingIn,
    RatingOut,
    RatingWindowOut,
)
from services.common.errors import Conflict, NotFound
from services.evaluation import cases, figures
from services.evaluation.domain import LOCAL, Input


def rate(caller: Caller, issue_id: str, spec: RatingIn, now: float | None = None) -> RatingOut:
    state = cases.state_of(issue_id)
    if state is None or state.merged_into or not state.community_id:
        raise NotFound("no such issue", {"issue_id": "unknown"})
    rater = caller.user_id in state.raters
    on_behalf = False
    if not rater:
        scope = Scope(district_id=state.district_id or "-", street_id=state.street_id,
                      community_id=state.community_id)
        if caller.role not in ADMIN_ROLES or not state.district_id or not caller.sees(scope):
            raise NotFound("no such issue", {"issue_id": "unknown"})
        on_behalf = True
    at = time.time() if now is None else now
    source = f"rpc:{caller.request_id or uuid.uuid4().hex}:{caller.user_id}"
    applied = cases.apply(issue_id, Input("rating", at, {
        "rater_id": caller.user_id, "level": spec.level.value, "comment": spec.comment,
        "on_behalf": on_behalf}), source, caller)
    if applied.step is None:  # the same request again: answer what it did
        raise Conflict("already rated", {"state": "already rated"}, detail={"state": "rated"})
    event: RatingGiven = applied.step.events[0]
    return RatingOut(issue_id=issue_id, community_id=event.community_id,
                     rater_id=event.rater_id, level=event.level, comment=event.comment,
                     round=event.round, outcome=event.outcome, rated_at=at)


def rate_item(caller: Caller, item_id: str, spec: ItemRatingIn,
              now: float | None = None) -> ItemRatingOut:
    """A resident rates an item another service sent (a project, a decision, a service)."""
    case_id = f"it-{item_id}"
    state = cases.state_of(case_id)
    scope = None if state is None or not state.district_id else Scope(
        district_id=state.district_id, street_id=state.street_id,
        community_id=state.community_id)
    if state is None or scope is None or caller.role not in (Role.resident, Role.volunteer,
                                                               Role.operator):
        raise NotFound("no such item", {"item_id": "unknown"})
    if not state.raters and not caller.sees(scope):  # open to its community's residents
        raise NotFound("no such item", {"item_id": "unknown"})
    at = time.time() if now is None else now
    source = f"rpc:{caller.request_id or uuid.uuid4().hex}:{caller.user_id}"
    applied = cases.apply(case_id, Input("item_rating", at, {
        "rater_id": caller.user_id, "score": spec.score, "comment": spec.comment,
        "max_raters": MAX_ITEM_RATERS}), source, caller)
    if applied.step is None:
        raise Conflict("already rated", {"state": "already rated"}, detail={"state": "rated"})
    count = len(applied.doc.state.get("rated_by", []))
    return ItemRatingOut(item_id=item_id, kind=ItemKind(state.category), rater_id=caller.user_id,
                         score=spec.score, ratings=count,
                         mean_score=_mean(item_id, at))


def _mean(item_id: str, at: float) -> float:
    """The item's mean score over the year before `at` (one bounded range of its days)."""
    day = datetime.fromtimestamp(at, LOCAL).date()
    rates = figures.figures(f"item:{item_id}", day - timedelta(days=365), day)
    return rates.item_mean_score or 0.0


def window(caller: Caller, issue_id: str) -> RatingWindowOut:
    """Whether the issue awaits a rating: its raters and its scope's admins may ask."""
    state = cases.state_of(issue_id)
    if state is None or state.merged_into or not state.community_id:
        raise NotFound("no such issue", {"issue_id": "unknown"})
    scope = Scope(district_id=state.district_id or "-", street_id=state.street_id,
                  community_id=state.community_id)
    if caller.user_id not in state.raters and not (
            caller.role in (*ADMIN_ROLES, Role.system) and caller.sees(scope)):
        raise NotFound("no such issue", {"issue_id": "unknown"})
    return RatingWindowOut(issue_id=issue_id, round=state.round,
                           open=bool(state.resolved and state.window_due is not None),
                           closes_at=state.window_due)
