"""The issue state machine: every (state, action) pair, legal or not."""

from __future__ import annotations

import itertools

import pytest

from services.common.contracts.intake import OPEN_STATES
from services.common.contracts.intake import IssueState as S
from services.common.errors import Conflict
from services.intake.domain import TERMINAL_STATES, Action, next_state

A = Action
LEGAL = {
    (S.received, A.triage): S.triaged,
    (S.received, A.reject): S.rejected,
    (S.received, A.merge): S.merged,
    (S.triaged, A.dispatch): S.dispatched,
    (S.triaged, A.resolve): S.resolved,
    (S.triaged, A.reject): S.rejected,
    (S.triaged, A.merge): S.merged,
    (S.dispatched, A.start): S.in_progress,
    (S.dispatched, A.resolve): S.resolved,
    (S.in_progress, A.resolve): S.resolved,
    (S.resolved, A.rate): S.rated,
    (S.resolved, A.reopen): S.reopened,
    (S.resolved, A.close): S.closed,
    (S.rated, A.close): S.closed,
    (S.reopened, A.triage): S.triaged,
    (S.reopened, A.dispatch): S.dispatched,
    (S.reopened, A.start): S.in_progress,
    (S.reopened, A.resolve): S.resolved,
    (S.reopened, A.reject): S.rejected,
}
ILLEGAL = [pair for pair in itertools.product(S, A) if pair not in LEGAL]


@pytest.mark.parametrize(("state", "action"), list(LEGAL))
def test_a_legal_step_moves_the_issue(state, action):
    assert next_state(state, action) is LEGAL[(state, action)]


@pytest.mark.parametrize(("state", "action"), ILLEGAL)
def test_an_illegal_step_is_a_conflict_naming_the_current_state(state, action):
    with pytest.raises(Conflict) as raised:
        next_state(state, action)
    assert raised.value.status == 409
    assert raised.value.detail == {"state": state.value}
    assert raised.value.fields == {"state": state.value}


def test_the_table_covers_every_pair():
    assert len(LEGAL) + len(ILLEGAL) == len(S) * len(A)


def test_terminal_states_have_no_way_out():
    for state in TERMINAL_STATES:
        assert not [a for a in A if (state, a) in LEGAL]


def test_every_open_state_can_still_reach_resolved():
    for state in OPEN_STATES:
        seen, frontier = {state}, [state]
        while frontier:
            current = frontier.pop()
            for (src, _), dst in LEGAL.items():
                if src is current and dst not in seen:
                    seen.add(dst)
                    frontier.append(dst)
        assert S.resolved in seen, state
