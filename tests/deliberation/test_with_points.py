"""Points pays for deliberation: a meeting attended and a vote cast, each once."""

from __future__ import annotations

import time
import uuid

from nameko.standalone.events import event_dispatcher

from deploy.waits import wait_until
from tests.deliberation.helpers import EventProbe, caller, held_meeting, wait_events


def active(rpc, who: dict) -> int:  # noqa: ANN001
    return rpc.points.get_balance(who)["active"]


def test_attending_and_voting_earn_the_default_rules_once(dplatform):
    admin = caller(dplatform, "community_admin", "A")
    voter = caller(dplatform, "resident", "A", "pts-voter")
    with dplatform.rpc() as rpc:
        meeting, people = held_meeting(rpc, dplatform)
        attendee = caller(dplatform, "resident", "A", "p4")  # the roster's stakeholder
        assert attendee["user_id"] == people[4]["account_id"]
        before = active(rpc, attendee)
        # Attendance is recorded before the minutes in real life; a held meeting still
        # takes late attendance.
        rpc.deliberation.record_attendance(admin, meeting["id"],
                                           {"account_ids": [attendee["user_id"]]})
        assert wait_until(lambda: active(rpc, attendee) == before + 3, timeout=15, every=0.3)

        rpc.deliberation.review_decision(admin, meeting["id"], {"approve": True})
        rpc.deliberation.open_vote(admin, meeting["id"], {
            "electorate": [{"household_id": "hp-1", "members": [voter["user_id"]]}],
            "closes_ts": time.time() + 60, "quorum": "none"})
        voted_before = active(rpc, voter)
        rpc.deliberation.cast_ballot(voter, meeting["id"], {"choice": "yes"})
        assert wait_until(lambda: active(rpc, voter) == voted_before + 1, timeout=15,
                          every=0.3)

        (cast,) = wait_events("vote.cast", meeting_id=meeting["id"])
        envelope = next(e for e in EventProbe.seen if e["type"] == "vote.cast"
                        and e["payload"]["meeting_id"] == meeting["id"])
        event_dispatcher(dplatform.config)("deliberation", "vote.cast",
                                           {**envelope, "id": uuid.uuid4().hex})  # announced again
        time.sleep(1.0)
        assert active(rpc, voter) == voted_before + 1
        assert active(rpc, attendee) == before + 3
