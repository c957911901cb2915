"""The offer sequence (派单): candidates are offered the need one at a time, best first.

Each offer has a deadline kept on the match (`next_due_ts`); accept ends the sequence with
`match.accepted`; a decline or no answer by the deadline moves on to the next candidate;
past the last one the match is exhausted. The deadline is data, fired once by the
PollTimer through a version-conditioned commit (`services/volunteers/matching.py`).
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from services.common.aggregate import Decision
from services.common.contracts.volunteers import MatchAccepted, MatchExhausted, MatchOffered
from services.common.errors import Conflict, NotFound

OFFERING, ACCEPTED, EXHAUSTED, CANCELLED = "offering", "accepted", "exhausted", "cancelled"


def _ref(match: Any) -> dict:
    return {"match_id": match.id, "community_id": match.community_id,
            "need_kind": match.need_kind, "need_id": match.need_id}


def _offer_next(match: Any, offers: list[dict], at: int, now: float,
                ttl: float) -> Decision:
    """Offer to candidate `at`, or exhaust the match if none is left."""
    if at >= len(match.candidates):
        return Decision(changes={"state": EXHAUSTED, "offers": offers, "cursor": at,
                                 "next_due_ts": None},
                        events=[MatchExhausted(**_ref(match), offered=len(offers))])
    who = match.candidates[at]["account_id"]
    due = now + ttl
    offers = [*offers, {"account_id": who, "outcome": "pending", "offered_ts": now,
                        "answered_ts": None}]
    return Decision(changes={"state": OFFERING, "offers": offers, "cursor": at,
                             "next_due_ts": due, "offered_to": who},
                    events=[MatchOffered(**_ref(match), volunteer_account_id=who,
                                         rank=at + 1, due_ts=due)])


def start(match: Any, now: float, ttl: float) -> Decision:
    """The first offer (a match with no candidates is exhausted at once)."""
    return _offer_next(match, [], 0, now, ttl)


def restart(match: Any, candidates: list[dict], now: float, ttl: float,
            **changes: Any) -> Decision:
    """A fresh offer sequence over `candidates` (the need changed, or the volunteer who had
    it gave it back): the first of them is offered, whatever the match's state was; the
    previous sequence's offers are left behind and `round` counts the sequences."""
    fresh = SimpleNamespace(id=match.id, community_id=match.community_id,
                            need_kind=match.need_kind, need_id=match.need_id,
                            candidates=candidates)
    first = _offer_next(fresh, [], 0, now, ttl)
    return Decision(changes={**changes, "candidates": candidates, "accepted_by": None,
                             "accepted_ts": None, "offered_to": None,
                             "round": (match.round or 0) + 1, **first.changes},
                    events=first.events)


def _close_current(match: Any, outcome: str, now: float) -> list[dict]:
    offers = [dict(o) for o in match.offers]
    offers[-1] = {**offers[-1], "outcome": outcome, "answered_ts": now}
    return offers


def answer(match: Any, account_id: str, accept: bool, now: float, ttl: float) -> Decision:
    """The offered candidate accepts or declines; anyone else's answer is not found."""
    if match.state != OFFERING or match.offered_to != account_id:
        if any(o["account_id"] == account_id for o in match.offers):
            raise Conflict("this offer is no longer open", {"match_id": f"match is {match.state}"})
        raise NotFound("no such offer", {"match_id": "unknown"})
    if not accept:
        return _offer_next(match, _close_current(match, "declined", now), match.cursor + 1,
                           now, ttl)
    current = match.candidates[match.cursor]
    return Decision(
        changes={"state": ACCEPTED, "offers": _close_current(match, "accepted", now),
                 "next_due_ts": None, "accepted_by": account_id, "accepted_ts": now},
        events=[MatchAccepted(**_ref(match), volunteer_account_id=account_id,
                              skill=match.skill, rank=match.cursor + 1,
                              score=current["score"], accepted_ts=now)])


def lapse(match: Any, now: float, ttl: float) -> Decision | None:
    """No answer by the deadline: the next candidate (None: not due, or already moved on)."""
    if match.state != OFFERING or match.next_due_ts is None or match.next_due_ts > now:
        return None
    return _offer_next(match, _close_current(match, "timed_out", now), match.cursor + 1,
                       now, ttl)


def taken(match: Any, responder: str, now: float) -> Decision | None:
    """The need went to `responder` another way (an order claimed from the pool, or assigned
    by its maker): an open offer is withdrawn, an acceptance that lost the race is void.
    None: the match's own volunteer took it, or it is over already."""
    if match.state == OFFERING:
        return cancel(match, now)
    if match.state == ACCEPTED and match.accepted_by != responder:
        return Decision(changes={"state": CANCELLED, "next_due_ts": None})
    return None


def cancel(match: Any, now: float) -> Decision:
    if match.state != OFFERING:
        raise Conflict("only an open match can be cancelled", {"match_id": match.state})
    return Decision(changes={"state": CANCELLED, "next_due_ts": None,
                             "offers": _close_current(match, "cancelled", now)})
