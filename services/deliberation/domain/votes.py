"""决议: quorum and majority rules of a vote, pure (no I/O).

The seeds' rules as a policy: a quorum of the eligible households (seed 002: at least two
thirds must vote), a majority of the votes cast (more than half), abstentions and blank
ballots counted among the votes cast or not, one ballot per household. An election (差额选举)
elects the candidates with more than half of the votes cast, best first, up to the seats;
candidates tied across the last seat are left to a new round (`runoff`).

Arithmetic is on integers (`turnout * 3 >= eligible * 2`), so "exactly two thirds" is
exact, never a float rounding.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

QUORUMS: dict[str, tuple[int, int]] = {"two_thirds": (2, 3), "half": (1, 2), "none": (0, 1)}
CHOICES = ("yes", "no", "abstain", "blank")


@dataclass(frozen=True)
class Policy:
    quorum: str = "two_thirds"
    blanks_count: bool = True  # abstentions and blanks are votes cast (they weigh like "no")
    candidates: tuple[str, ...] = ()
    seats: int = 0
    round: int = 1  # 2, 3: a runoff among those tied at the last seat

    @property
    def election(self) -> bool:
        return bool(self.candidates)


@dataclass(frozen=True)
class Ballot:
    household_id: str
    choice: str | None = None  # a motion's yes / no / abstain / blank
    candidates: tuple[str, ...] = ()  # an election's picks (none: blank)


@dataclass(frozen=True)
class Result:
    eligible: int
    turnout: int
    quorum_met: bool
    passed: bool
    counts: dict[str, int]
    elected: list[str] = field(default_factory=list)
    runoff: list[str] = field(default_factory=list)


def check_ballot(policy: Policy, ballot: Ballot) -> str | None:
    """Why the ballot is invalid for this vote (None: valid)."""
    if policy.election:
        if ballot.choice not in (None, "blank"):
            return "an election ballot names candidates, not yes/no"
        if len(set(ballot.candidates)) != len(ballot.candidates):
            return "a candidate named twice"
        if len(ballot.candidates) > policy.seats:
            return f"at most {policy.seats} candidates"
        if set(ballot.candidates) - set(policy.candidates):
            return "not a candidate of this election"
        return None
    if ballot.candidates:
        return "a motion is voted yes / no / abstain / blank"
    if ballot.choice not in CHOICES:
        return "choose yes, no, abstain or blank"
    return None


def one_per_household(ballots: Iterable[Ballot]) -> list[Ballot]:
    """The first ballot of each household (a second member's is not counted)."""
    seen: set[str] = set()
    out = []
    for ballot in ballots:
        if ballot.household_id not in seen:
            seen.add(ballot.household_id)
            out.append(ballot)
    return out


def quorum_met(policy: Policy, eligible: int, turnout: int) -> bool:
    num, den = QUORUMS[policy.quorum]
    return eligible > 0 and turnout * den >= eligible * num


def _majority(votes: int, cast: int) -> bool:
    return cast > 0 and votes * 2 > cast  # more than half: a tie is not a majority


def tally(policy: Policy, eligible: int, ballots: Sequence[Ballot]) -> Result:
    """The result of a closed vote from its ballots (deduplicated by household)."""
    counted = one_per_household(ballots)
    turnout = len(counted)
    met = quorum_met(policy, eligible, turnout)
    if policy.election:
        return _election(policy, eligible, counted, met)
    counts = {c: 0 for c in CHOICES}
    for ballot in counted:
        counts[ballot.choice or "blank"] += 1
    cast = turnout if policy.blanks_count else counts["yes"] + counts["no"]
    return Result(eligible, turnout, met, met and _majority(counts["yes"], cast), counts)


def _election(policy: Policy, eligible: int, counted: list[Ballot], met: bool) -> Result:
    counts = {c: 0 for c in policy.candidates}
    blank = 0
    for ballot in counted:
        if not ballot.candidates:
            blank += 1
        for name in ballot.candidates:
            counts[name] += 1
    cast = len(counted) if policy.blanks_count else len(counted) - blank
    winners = sorted((c for c in policy.candidates if met and _majority(counts[c], cast)),
                     key=lambda c: (-counts[c], policy.candidates.index(c)))
    elected, runoff = winners[:policy.seats], []
    if len(winners) > policy.seats:
        cut = counts[winners[policy.seats - 1]]
        tied = [c for c in winners if counts[c] == cut]
        if any(c not in elected for c in tied):  # the last seat is shared by a tie
            elected = [c for c in elected if counts[c] > cut]
            runoff = tied
    return Result(eligible, len(counted), met, bool(elected), {**counts, "blank": blank},
                  elected, runoff)
