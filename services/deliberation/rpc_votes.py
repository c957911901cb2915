"""Vote entrypoints (决议): open a household vote on a reviewed decision, cast a ballot.

One ballot per household: the ballot's `_id` is "<meeting>:<household key>", so a second
member of a voted household (or a repeated request) loses the insert (409). A secret
vote's key is an HMAC of the household under the meeting's salt, no voter is stored, and
no reply, event or log line carries a choice.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time

from nameko.rpc import rpc
from pymongo import UpdateOne

from services.common.aggregate import Decision, change
from services.common.caller import Role
from services.common.contracts.deliberation import (
    BallotIn,
    BallotOut,
    MeetingOut,
    MeetingState,
    VoteCast,
    VoteIn,
)
from services.common.errors import Conflict, Forbidden, InvalidInput
from services.common.rpc import as_caller, parse, replies
from services.deliberation import metrics, views
from services.deliberation.closing import policy_of
from services.deliberation.domain import meetings as rules
from services.deliberation.domain import votes
from services.deliberation.models import Ballot, Elector, Meeting
from services.deliberation.rpc_meetings import ORGANISERS, find, own, update

VOTERS = (Role.resident, Role.volunteer, Role.operator, Role.grid_worker, Role.community_admin)


def ballot_id(meeting: Meeting, household_id: str) -> str:
    """One per household and round: a runoff round's key names the round."""
    this_round = policy_of(meeting).round
    at = f"{meeting.id}:" if this_round == 1 else f"{meeting.id}:r{this_round}:"
    if meeting.secret:
        digest = hmac.new(meeting.ballot_salt.encode(), household_id.encode(), hashlib.sha256)
        return f"{at}{digest.hexdigest()[:32]}"
    return f"{at}{household_id}"


def register(meeting_id: str, roll: str, spec: VoteIn) -> None:
    """The electorate: each member account → its household (an account in two households
    is refused), under this opening's `roll` key: rows of an opening whose commit failed
    are never read (the meeting names the roll that opened it)."""
    members: dict[str, str] = {}
    for household in spec.electorate:
        for account in household.members:
            if members.setdefault(account, household.household_id) != household.household_id:
                raise InvalidInput("an account is in two households", {"electorate": account})
    Elector._get_collection().bulk_write(
        [UpdateOne({"_id": f"{meeting_id}:{roll}:{a}"}, {"$set": {"household_id": h}},
                   upsert=True)
         for a, h in members.items()], ordered=False)


class VoteEntrypoints:
    @rpc
    @replies(MeetingOut)
    def open_vote(self, caller: dict, meeting_id: str, data: dict) -> MeetingOut:
        """Open the vote on a reviewed decision: electorate, quorum, ballot, window."""
        who = as_caller(caller)
        who.require_role(*ORGANISERS)
        spec = parse(VoteIn, data)
        doc = own(who, meeting_id)
        if doc.state != MeetingState.reviewed.value:
            raise Conflict(f"the meeting is {doc.state}", {"state": doc.state})
        roll = secrets.token_hex(6)
        register(doc.id, roll, spec)
        policy = {"quorum": spec.quorum, "blanks_count": spec.blanks_count,
                  "candidates": list(spec.candidates), "seats": spec.seats,
                  "names": dict(spec.candidate_names)}
        salt = secrets.token_hex(16) if spec.secret else None
        done = update(who, doc.id, lambda m: rules.open_vote(
            m, policy | {"roll": roll}, len(spec.electorate), spec.closes_ts, spec.secret, salt,
            time.time()), "open_vote")
        return views.meeting(done.doc)

    @rpc
    @replies(BallotOut)
    def cast_ballot(self, caller: dict, meeting_id: str, data: dict) -> BallotOut:
        """One ballot per household while the window is open; the receipt shows no choice."""
        who = as_caller(caller)
        who.require_role(*VOTERS)
        spec = parse(BallotIn, data)
        doc = find(who, meeting_id)
        now = time.time()
        if doc.state != MeetingState.voting.value or now >= (doc.vote_closes_ts or 0):
            metrics.BALLOTS_REFUSED.labels("closed").inc()
            raise Conflict("the vote is not open", {"meeting_id": "not open"})
        roll = (doc.vote_policy or {}).get("roll")
        elector = Elector.objects(id=f"{doc.id}:{roll}:{who.user_id}").first()
        if elector is None:
            metrics.BALLOTS_REFUSED.labels("not_eligible").inc()
            raise Forbidden("not on this vote's electorate", {"meeting_id": "not eligible"})
        why = votes.check_ballot(policy_of(doc), votes.Ballot(
            elector.household_id, spec.choice, tuple(spec.candidates)))
        if why is not None:
            raise InvalidInput(why, {"candidates" if spec.candidates else "choice": why})
        ballot = Ballot(id=ballot_id(doc, elector.household_id), meeting_id=doc.id,
                        community_id=doc.community_id,
                        choice=spec.choice, candidates=list(spec.candidates),
                        round=policy_of(doc).round,
                        voter_id=None if doc.secret else who.user_id)
        event = VoteCast(meeting_id=doc.id, community_id=doc.community_id,
                         account_id=who.user_id, cast_ts=now)
        # The insert is the household's one vote: a second one (another member, a repeat,
        # a concurrent request losing the unique key) loads the stored ballot and stops.
        done = change(lambda: Ballot.objects(id=ballot.id).first() or ballot,
                      lambda b, at: Decision(events=[event]) if b._created else None, who)
        if done.decision is None:
            metrics.BALLOTS_REFUSED.labels("household_voted").inc()
            raise Conflict("this household has voted", {"meeting_id": "already voted"})
        metrics.BALLOTS.inc()
        return BallotOut(meeting_id=doc.id, household_id=elector.household_id, accepted=True)
