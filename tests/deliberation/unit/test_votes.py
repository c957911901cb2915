"""Quorum and majority by hand: exactly two thirds, ties, abstentions, blanks, elections."""

from __future__ import annotations

from services.deliberation.domain.votes import Ballot, Policy, check_ballot, quorum_met, tally


def motion(*choices: str) -> list[Ballot]:
    return [Ballot(f"h{i}", choice=c) for i, c in enumerate(choices)]


def test_exactly_two_thirds_of_households_is_a_quorum_one_less_is_not():
    policy = Policy()
    assert quorum_met(policy, eligible=9, turnout=6)
    assert not quorum_met(policy, eligible=9, turnout=5)
    assert quorum_met(policy, eligible=3, turnout=2)
    assert not quorum_met(policy, eligible=10, turnout=6)  # 6/10 < 2/3, 7/10 passes
    assert quorum_met(policy, eligible=10, turnout=7)


def test_a_motion_passes_with_more_than_half_of_the_votes_cast():
    result = tally(Policy(), 6, motion("yes", "yes", "yes", "no"))
    assert (result.turnout, result.quorum_met, result.passed) == (4, True, True)
    assert result.counts == {"yes": 3, "no": 1, "abstain": 0, "blank": 0}


def test_a_tie_is_not_a_majority():
    result = tally(Policy(), 4, motion("yes", "yes", "no", "no"))
    assert result.quorum_met and not result.passed


def test_abstentions_and_blanks_weigh_like_no_unless_the_policy_leaves_them_out():
    ballots = motion("yes", "yes", "abstain", "blank", "no")
    assert not tally(Policy(), 6, ballots).passed  # 2 of 5 cast
    left_out = tally(Policy(blanks_count=False), 6, ballots)
    assert left_out.passed and left_out.turnout == 5  # 2 of 3 yes/no; all 5 make the quorum


def test_without_a_quorum_even_unanimity_fails():
    result = tally(Policy(), 9, motion("yes", "yes", "yes", "yes", "yes"))
    assert not result.quorum_met and not result.passed
    assert tally(Policy(quorum="none"), 9, motion("yes")).passed


def test_a_household_voting_twice_through_two_members_counts_once():
    ballots = [Ballot("h1", "yes"), Ballot("h1", "yes"), Ballot("h2", "no"), Ballot("h3", "no")]
    result = tally(Policy(), 4, ballots)
    assert result.turnout == 3 and result.counts["yes"] == 1 and not result.passed


def test_an_election_elects_the_best_placed_majority_winners_up_to_the_seats():
    policy = Policy(candidates=("a", "b", "c", "d"), seats=2)
    ballots = [Ballot("h1", candidates=("a", "b")), Ballot("h2", candidates=("a", "c")),
               Ballot("h3", candidates=("a", "b")), Ballot("h4", candidates=("b", "c")),
               Ballot("h5", candidates=())]
    result = tally(policy, 6, ballots)
    # a 3, b 3, c 2, d 0 of 5 cast: a and b have more than half (> 2.5), c does not.
    assert result.counts == {"a": 3, "b": 3, "c": 2, "d": 0, "blank": 1}
    assert result.elected == ["a", "b"] and result.runoff == [] and result.passed


def test_candidates_tied_across_the_last_seat_go_to_a_runoff():
    policy = Policy(candidates=("a", "b", "c"), seats=2, quorum="none")
    picks = [("a", "b"), ("b", "c"), ("a", "c"), ("a", "b"), ("b", "c"), ("a", "c")]
    result = tally(policy, 6, [Ballot(f"h{i}", candidates=p) for i, p in enumerate(picks)])
    # 4 of 6 each: all three have a majority and share the two seats: a new round decides.
    assert result.counts == {"a": 4, "b": 4, "c": 4, "blank": 0}
    assert result.elected == [] and result.runoff == ["a", "b", "c"] and not result.passed


def test_a_tie_below_the_cut_elects_the_one_above_it():
    policy = Policy(candidates=("a", "b", "c"), seats=2, quorum="none")
    picks = [("a", "b"), ("a", "c"), ("a", "b"), ("a", "c")]
    result = tally(policy, 4, [Ballot(f"h{i}", candidates=p) for i, p in enumerate(picks)])
    # a 4 of 4 is elected; b and c have 2 of 4 each, not more than half: no runoff either.
    assert result.elected == ["a"] and result.runoff == [] and result.passed


def test_a_tie_without_a_majority_elects_nobody():
    policy = Policy(candidates=("a", "b", "c"), seats=1, quorum="none")
    tied = [Ballot("h1", candidates=("a",)), Ballot("h2", candidates=("b",))]
    assert check_ballot(policy, Ballot("h3", candidates=("a", "b"))) == "at most 1 candidates"
    result = tally(policy, 2, tied)
    assert result.elected == [] and result.runoff == [] and not result.passed


def test_ballots_are_checked_against_the_vote():
    election = Policy(candidates=("a", "b"), seats=1)
    assert check_ballot(election, Ballot("h", candidates=("z",))) is not None
    assert check_ballot(election, Ballot("h", choice="yes")) is not None
    assert check_ballot(election, Ballot("h", candidates=("a", "a"))) is not None
    assert check_ballot(election, Ballot("h", candidates=("a",))) is None
    assert check_ballot(Policy(), Ballot("h", choice="maybe")) is not None
    assert check_ballot(Policy(), Ballot("h", choice="blank")) is None
