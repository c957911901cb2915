"""The durable close of votes: `vote_closes_ts` is data on the meeting, the PollTimer claims
each due vote with a version-conditioned commit (once across replicas and restarts).

A vote is closed `GRACE_SECONDS` after its deadline: a ballot accepted just before the
deadline has its insert in by then, so the tally read at the close has every ballot.
"""

from __future__ import annotations

import logging
import secrets
from datetime import datetime

from services.common.aggregate import change
from services.common.caller import Caller
from services.deliberation import metrics
from services.deliberation.domain import meetings as rules
from services.deliberation.domain import votes
from services.deliberation.models import Ballot, Meeting

log = logging.getLogger(__name__)
GRACE_SECONDS = 1.0
BATCH = 20


def ballots_of(meeting: Meeting) -> list[votes.Ballot]:
    """Every ballot of the vote's open round (one per household by key: at most `eligible`
    a round). Read by the indexed meeting id alone and the round picked here: the embedded
    store answers a two-field query by a scan."""
    this_round = policy_of(meeting).round
    rows = Ballot.objects(meeting_id=meeting.id).limit(
        max(1, meeting.eligible) * this_round + 1)
    return [votes.Ballot(r.id, r.choice, tuple(r.candidates or ())) for r in rows
            if (r.round or 1) == this_round]


def policy_of(meeting: Meeting) -> votes.Policy:
    raw = meeting.vote_policy or {}
    return votes.Policy(quorum=raw.get("quorum", "two_thirds"),
                        blanks_count=bool(raw.get("blanks_count", True)),
                        candidates=tuple(raw.get("candidates") or ()),
                        seats=int(raw.get("seats") or 0), round=int(raw.get("round", 1)))


def close(meeting_id: str) -> None:
    def decide(m: Meeting, at: datetime):  # noqa: ANN202
        if m.state != "voting":
            return None
        return rules.close_vote(m, votes.tally(policy_of(m), m.eligible, ballots_of(m)),
                                at.timestamp(), secrets.token_hex(16) if m.secret else None)

    done = change(lambda: Meeting.objects.get(id=meeting_id), decide, Caller.system())
    if done.decision is not None and done.doc.state != "voting":
        result = done.doc.result
        if result.get("eligible"):
            metrics.TURNOUT.observe(result["turnout"] / result["eligible"])
        metrics.DECISIONS.labels("approved" if result["passed"] else "rejected").inc()


def run_due(now: float) -> int:
    due = list(Meeting.objects(vote_closes_ts__lte=now - GRACE_SECONDS).only("id").limit(BATCH))
    for doc in due:
        try:
            close(doc.id)
        except Exception:  # one bad vote must not stop the others; the next poll retries
            log.exception("closing the vote of %s failed", doc.id)
    return len(due)
