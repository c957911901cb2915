"""Deadlines (时限) per urgency: defaults seeded for every community, each one configurable."""

from __future__ import annotations

from datetime import datetime, timedelta

from services.common.contracts.workflow import Urgency

# (response hours, resolution hours): urgent danger 2 h, water/power/gas/heating 24 h,
# ordinary 7 days, complex matters needing several units 15 days.
DEFAULT_SLA: dict[str, tuple[float, float]] = {
    Urgency.urgent: (0.5, 2.0),
    Urgency.high: (2.0, 24.0),
    Urgency.normal: (24.0, 7 * 24.0),
    Urgency.complex: (48.0, 15 * 24.0),
}
DEFAULT_CLAIM_CAP = 3  # open claims one member may hold at once
DEFAULT_REPORT_IN_MINUTES = 30.0  # 报到 within half an hour of the whistle


def hours_for(policy: dict[str, list[float]] | None, urgency: str,
              response_hours: float | None = None,
              resolution_hours: float | None = None) -> tuple[float, float]:
    """Explicit hours win, then the community's policy, then the defaults."""
    default = (policy or {}).get(urgency) or DEFAULT_SLA[Urgency(urgency)]
    response = response_hours if response_hours is not None else float(default[0])
    resolution = resolution_hours if resolution_hours is not None else float(default[1])
    if response <= 0 or resolution <= 0:
        raise ValueError("deadlines must be in the future")
    return response, max(resolution, response)


def due(start: datetime, hours: float) -> datetime:
    return start + timedelta(hours=hours)
