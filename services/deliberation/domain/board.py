"""A topic's and a meeting's share of the community's 五微 figures (微治理), from state.

Milestones, all time: each share only ever grows along a topic's or meeting's life, so the
counters (the commit's `after - before`, services/common/counters.py) count what happened,
not what is in a state now. A topic leaves `proposed` only by being listed (a closed one was
listed and voted down); a meeting's minutes are its plan, kept if it is called off later;
a vote's result is written when it closes (a runoff round's result while still voting).
"""

from __future__ import annotations

from services.common.contracts.deliberation import MeetingState, TopicState

SETTLED = frozenset({MeetingState.approved.value, MeetingState.rejected.value})


def scope(community_id: str) -> str:
    return f"c:{community_id}"


def topic(state: str) -> dict[str, int]:
    return {"topics_listed": int(state != TopicState.proposed.value)}


def meeting(state: str, minuted: bool, vote_result: bool) -> dict[str, int]:
    return {"meetings_held": int(minuted),
            "decisions_approved": int(state == MeetingState.approved.value),
            "votes_closed": int(state in SETTLED and vote_result)}
