"""An election tied at its last seat goes to a new round among the tied (pure rules)."""

from __future__ import annotations

from types import SimpleNamespace

from services.common.contracts.deliberation import VoteClosed, VoteOpened
from services.deliberation.domain.meetings import MAX_ROUNDS, close_vote, open_vote
from services.deliberation.domain.votes import Ballot, Policy, tally


def voting(policy: dict) -> SimpleNamespace:
    meeting = SimpleNamespace(id="m-1", decision_id="d-m-1", topic_id="t-1",
                              community_id="c-1", street_id="s-1", district_id="d-1",
                              state="reviewed",
                              eligible=6, secret=False, topic_kind="affair", plan={
                                  "summary": "选楼长", "leader": "u-1", "deadline_ts": 90000.0,
                                  "tasks": [{"category": "other", "summary": "公示"}]})
    opened = open_vote(meeting, policy, 6, 1000.0 + 3600, False, None, now=1000.0)
    meeting.__dict__.update(opened.changes)
    return meeting


def ballots(*picks: tuple[str, ...]) -> list[Ballot]:
    return [Ballot(f"h{i}", None, p) for i, p in enumerate(picks)]


def test_a_tie_at_the_last_seat_opens_a_round_among_the_tied_for_the_seats_left():
    meeting = voting({"candidates": ["a", "b", "c"], "seats": 2, "quorum": "none"})
    # a 6 of 8 is elected; b and c 5 of 8 each share the second seat
    first = tally(Policy(candidates=("a", "b", "c"), seats=2, quorum="none"), 8, ballots(
        *[("a", "b")] * 3, *[("a", "c")] * 3, ("b", "c"), ("b", "c")))
    assert first.elected == ["a"] and first.runoff == ["b", "c"]

    decision = close_vote(meeting, first, now=5000.0)
    [reopened] = decision.events
    assert isinstance(reopened, VoteOpened)
    assert (reopened.round, reopened.closes_ts, reopened.election) == (2, 5000.0 + 3600, True)
    policy = decision.changes["vote_policy"]
    assert (policy["candidates"], policy["seats"], policy["round"]) == (["b", "c"], 1, 2)
    assert decision.changes["result"]["elected"] == ["a"]
    assert "state" not in decision.changes  # still voting

    meeting.__dict__.update(decision.changes)
    second = tally(Policy(candidates=("b", "c"), seats=1, quorum="none"), 6, ballots(
        ("b",), ("b",), ("b",), ("b",), ("c",), ("c",)))
    final = close_vote(meeting, second, now=9000.0)
    assert final.changes["state"] == "approved"
    assert final.changes["result"]["elected"] == ["a", "b"]
    assert final.changes["result"]["round"] == 2
    closed = [e for e in final.events if isinstance(e, VoteClosed)]
    assert closed[0].elected == ["a", "b"] and closed[0].passed


def test_the_last_round_leaves_a_tie_to_the_community_with_who_was_elected():
    meeting = voting({"candidates": ["b", "c"], "seats": 1, "quorum": "none"})
    meeting.vote_policy = {**meeting.vote_policy, "round": MAX_ROUNDS,
                           "elected_before": ["a"]}
    tied = tally(Policy(candidates=("b", "c"), seats=1, quorum="none"), 6, ballots(
        ("b",), ("b",), ("b",), ("c",), ("c",), ("c",), ("b", )))
    # 4 of 7 against 3 of 7: no tie, b is elected
    assert tied.elected == ["b"]
    even = tally(Policy(candidates=("b", "c"), seats=1, quorum="none"), 4, [
        Ballot("h1", None, ("b", "c")), Ballot("h2", None, ("b", "c")),
        Ballot("h3", None, ("b", "c"))])
    assert even.runoff == ["b", "c"]
    decision = close_vote(meeting, even, now=9000.0)
    assert decision.changes["state"] == "approved"  # a was elected in an earlier round
    assert decision.changes["result"]["elected"] == ["a"]
    assert decision.changes["result"]["runoff"] == ["b", "c"]
    assert not [e for e in decision.events if isinstance(e, VoteOpened)]
