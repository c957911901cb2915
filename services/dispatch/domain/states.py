"""The work-order state machine (工单): (state, action) → next state, as intake's issues do."""

from __future__ import annotations

from enum import StrEnum

from services.common.contracts.dispatch import OrderState
from services.common.errors import Conflict

S = OrderState
ACTIVE = frozenset({S.open, S.claimed, S.in_progress})  # deadlines run in these
OPEN_CLAIM = frozenset({S.claimed, S.in_progress, S.resolved})  # counts against a member's cap


class Action(StrEnum):
    claim = "claim"  # 抢单, or assigned by the maker
    acknowledge = "acknowledge"  # 响应
    hand_back = "hand_back"
    lapse = "lapse"  # no 响应 before the response deadline
    submit_result = "submit_result"
    submit_open = "submit_open"  # whistled units may work an order nobody claimed
    confirm = "confirm"
    return_result = "return"
    reopen = "reopen"
    release = "release"  # escalated: the level above takes it as a whole
    fold = "fold"  # its issue was merged into another: closed, the original's order goes on


# The whole lifecycle. Anything else is a 409.
TRANSITIONS: dict[tuple[OrderState, Action], OrderState] = {
    (S.open, Action.claim): S.claimed,
    (S.claimed, Action.acknowledge): S.in_progress,
    (S.claimed, Action.hand_back): S.open,
    (S.in_progress, Action.hand_back): S.open,
    (S.claimed, Action.lapse): S.open,
    (S.claimed, Action.submit_result): S.resolved,
    (S.in_progress, Action.submit_result): S.resolved,
    (S.open, Action.submit_open): S.resolved,
    (S.resolved, Action.confirm): S.confirmed,
    (S.resolved, Action.return_result): S.in_progress,
    (S.resolved, Action.reopen): S.open,
    (S.confirmed, Action.reopen): S.open,
    (S.open, Action.release): S.open,
    (S.claimed, Action.release): S.open,
    (S.in_progress, Action.release): S.open,
    # A confirmed order's work is done: a later merge of its issue leaves it as it is.
    (S.open, Action.fold): S.merged,
    (S.claimed, Action.fold): S.merged,
    (S.in_progress, Action.fold): S.merged,
    (S.resolved, Action.fold): S.merged,
}


def transition(state: OrderState, action: Action) -> OrderState:
    """The state after `action`, or Conflict naming why it is not allowed now."""
    try:
        return TRANSITIONS[(OrderState(state), action)]
    except KeyError:
        state = OrderState(state)
        raise Conflict(f"cannot {action.value.replace('_', ' ')} an order that is {state.value}",
                       {"state": state.value}) from None
