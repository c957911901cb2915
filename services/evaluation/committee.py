"""三评议 as data: a community's self-management committee evaluated for a year by three
routes (online, residents' meeting, public board), combined by the community's weights
(`domain.combine_three_routes`, pure) and stored, one record per community and year.

Only the community's own admins, and its street's and district's, record or read it
(`policy.require_admin_of`); anyone else gets the 404 a made-up community gets. Recording
a year again replaces it (a corrected board count), through the one commit frame.
"""

from __future__ import annotations

import time
from datetime import datetime

from services.common.aggregate import Decision, change
from services.common.caller import Caller
from services.common.contracts.evaluation import RouteName, ThreeRoutesOut, ThreeRoutesRecordIn
from services.common.errors import NotFound
from services.evaluation import domain, policy
from services.evaluation.models import CommitteeEvaluation


def _id(community_id: str, year: int) -> str:
    return f"{community_id}:{year}"


def _out(doc: CommitteeEvaluation) -> ThreeRoutesOut:
    return ThreeRoutesOut(
        community_id=doc.community_id, year=doc.year, combined=doc.combined,
        weights={RouteName(k): v for k, v in doc.weights.items()},
        scores={RouteName(k): v for k, v in doc.scores.items()},
        missing=[RouteName(r) for r in doc.missing], note=doc.note or "",
        recorded_by=doc.recorded_by, recorded_at=doc.recorded_ts)


def record(caller: Caller, community_id: str, year: int, spec: ThreeRoutesRecordIn,
           now: float | None = None) -> ThreeRoutesOut:
    policy.require_admin_of(caller, community_id)
    scores = {k.value: v for k, v in spec.scores.items()}
    combined, used, missing = domain.combine_three_routes(scores, policy.weights(community_id))
    at = time.time() if now is None else now

    def load() -> CommitteeEvaluation:
        doc = CommitteeEvaluation.objects(id=_id(community_id, year)).first()
        return doc if doc is not None else CommitteeEvaluation(
            id=_id(community_id, year), community_id=community_id, year=year)

    def decide(_doc: CommitteeEvaluation, _now: datetime) -> Decision:
        return Decision(changes={"scores": scores, "weights": used, "missing": missing,
                                 "combined": combined, "note": spec.note,
                                 "recorded_by": caller.user_id, "recorded_ts": at})

    return _out(change(load, decide, caller).doc)


def read(caller: Caller, community_id: str, year: int) -> ThreeRoutesOut:
    policy.require_admin_of(caller, community_id)
    doc = CommitteeEvaluation.objects(id=_id(community_id, year)).first()
    if doc is None:
        raise NotFound("no evaluation recorded for that year", {"year": "unknown"})
    return _out(doc)
