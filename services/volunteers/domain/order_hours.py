"""The hours a volunteer is credited for an order they served (小事党群办), pure.

The order's own resolution time — from the volunteer's acceptance to their result
(`order.resolved`) — when it is known and plausible as work done; otherwise the community's
default (an order left open for days was not days of work; a result that reached this
service after the confirmation is not known). Rounded to the quarter hour, never zero.
"""

from __future__ import annotations

QUARTER = 0.25


def credited(accepted_ts: float | None, resolved_ts: float | None, default: float,
             cap: float) -> float:
    """Hours for the order: the resolution time if within (0, cap], else `default`."""
    if accepted_ts is not None and resolved_ts is not None and resolved_ts > accepted_ts:
        spent = (resolved_ts - accepted_ts) / 3600
        if spent <= cap:
            return max(QUARTER, round(spent / QUARTER) * QUARTER)
    return max(QUARTER, round(default / QUARTER) * QUARTER)
