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

from services.common.caller import ADMIN_ROLES, Caller, Scope
from services.common.contracts.evaluation import RatingGiven, RatingIn, RatingOut
from services.common.errors import Conflict, NotFound
from services.evaluation import cases
from services.evaluation.domain import Input


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
