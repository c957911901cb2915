"""Opening a vote commits `vote.opened` with the state change (notify tells the residents)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from services.common.contracts.deliberation import VoteOpened
from services.common.errors import Conflict
from services.deliberation.domain.meetings import open_vote


def reviewed(state: str = "reviewed") -> SimpleNamespace:
    return SimpleNamespace(id="m-1", decision_id="d-m-1", topic_id="t-1", community_id="c-1",
                           state=state)


def test_opening_a_vote_writes_vote_opened_in_the_same_decision():
    decision = open_vote(reviewed(), {"roll": "r1", "candidates": []}, 12, 2000.0, True,
                         "salt", now=1000.0)
    assert decision.changes["state"] == "voting"
    [event] = decision.events
    assert isinstance(event, VoteOpened)
    assert (event.meeting_id, event.decision_id, event.community_id) == ("m-1", "d-m-1", "c-1")
    assert (event.eligible, event.closes_ts, event.election) == (12, 2000.0, False)


def test_an_election_is_marked_and_a_meeting_not_reviewed_opens_nothing():
    decision = open_vote(reviewed(), {"candidates": ["a", "b"], "seats": 1}, 3, 2000.0, True,
                         None, now=1000.0)
    assert decision.events[0].election is True
    with pytest.raises(Conflict):
        open_vote(reviewed("held"), {}, 3, 2000.0, True, None, now=1000.0)
