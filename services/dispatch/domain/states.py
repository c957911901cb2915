"""The work-order state machine (工单): which action moves an order from which state to which."""

from __future__ import annotations

from services.common.contracts.dispatch import OrderState
from services.common.errors import Conflict

S = OrderState
ACTIVE = frozenset({S.open, S.claimed, S.in_progress})  # deadlines run in these
OPEN_CLAIM = frozenset({S.claimed, S.in_progress, S.resolved})  # counts against a member's cap

TRANSITIONS: dict[str, tuple[frozenset[OrderState], OrderState]] = {
    "claim": (frozenset({S.open}), S.claimed),
    "acknowledge": (frozenset({S.claimed}), S.in_progress),
    "hand_back": (frozenset({S.claimed, S.in_progress}), S.open),
    "lapse": (frozenset({S.claimed}), S.open),  # no 响应 before the response deadline
    "submit_result": (frozenset({S.claimed, S.in_progress}), S.resolved),
    # Whistled units may work an order nobody claimed (社区吹哨、部门报到).
    "submit_open": (frozenset({S.open}), S.resolved),
    "confirm": (frozenset({S.resolved}), S.confirmed),
    "return": (frozenset({S.resolved}), S.in_progress),
    "reopen": (frozenset({S.resolved, S.confirmed}), S.open),
}


def transition(state: str, action: str) -> OrderState:
    """The state after `action`, or Conflict naming why it is not allowed now."""
    sources, target = TRANSITIONS[action]
    if OrderState(state) not in sources:
        raise Conflict(f"cannot {action.replace('_', ' ')} an order that is {state}",
                       {"state": state})
    return target
