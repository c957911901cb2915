"""A topic's and a meeting's share of the 五微 figures: milestones that only ever grow."""

from __future__ import annotations

from services.deliberation.domain import board


def test_a_topic_counts_as_listed_from_its_listing_on_whatever_comes_after():
    assert board.topic("proposed") == {"topics_listed": 0}
    for state in ("listed", "scheduled", "decided", "closed"):
        assert board.topic(state) == {"topics_listed": 1}


def test_a_meeting_counts_held_from_its_minutes_even_if_called_off_after():
    assert board.meeting("scheduled", False, False) == {
        "meetings_held": 0, "decisions_approved": 0, "votes_closed": 0}
    assert board.meeting("cancelled", True, False)["meetings_held"] == 1
    assert board.meeting("held", True, False)["meetings_held"] == 1


def test_an_approval_counts_a_decision_and_a_vote_only_once_it_closed():
    assert board.meeting("approved", True, False) == {  # approved at review, no vote
        "meetings_held": 1, "decisions_approved": 1, "votes_closed": 0}
    assert board.meeting("voting", True, True)["votes_closed"] == 0  # a runoff's first round
    assert board.meeting("approved", True, True)["votes_closed"] == 1
    assert board.meeting("rejected", True, True) == {
        "meetings_held": 1, "decisions_approved": 0, "votes_closed": 1}
