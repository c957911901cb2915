"""Availability (可服务时间): a weekly pattern of windows plus dated exceptions.

Windows are in the district's local time (UTC+8 by default: the seeds' districts), as
minutes from midnight; exceptions are epoch ranges that override the pattern either way
(away on holiday; an extra afternoon). Matching indexes the pattern as a 168-bit mask of
the hours of the week a window touches, an upper bound the exact check then confirms.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

LOCAL_OFFSET_SECONDS = 8 * 3600
WEEK_HOURS = 7 * 24


def local_week_minute(ts: float, offset: float = LOCAL_OFFSET_SECONDS) -> tuple[int, int]:
    """(weekday 0 = Monday, minute of the day) of an epoch instant in local time."""
    local = int(ts + offset)
    days, seconds = divmod(local, 86400)
    return (days + 3) % 7, seconds // 60  # 1970-01-01 was a Thursday (weekday 3)


def in_pattern(windows: Iterable[Mapping[str, Any]], ts: float,
               at: tuple[int, int] | None = None) -> bool:
    day, minute = at or local_week_minute(ts)
    for w in windows:
        if w["weekday"] == day and w["start_minute"] <= minute < w["end_minute"]:
            return True
    return False


def available_at(windows: Iterable[Mapping[str, Any]],
                 exceptions: Iterable[Mapping[str, Any]], ts: float,
                 at: tuple[int, int] | None = None) -> bool:
    """The last exception covering `ts` decides; otherwise the weekly pattern (`at`: the
    instant's (weekday, minute), when the caller computed it once for many)."""
    decided: bool | None = None
    for exc in exceptions:
        if exc["start_ts"] <= ts < exc["end_ts"]:
            decided = bool(exc["available"])
    return in_pattern(windows, ts, at) if decided is None else decided


def hour_mask(windows: Iterable[Mapping[str, Any]]) -> int:
    """Bit `weekday*24 + hour` set for every hour of the week a window touches."""
    mask = 0
    for w in windows:
        first = w["start_minute"] // 60
        last = (w["end_minute"] - 1) // 60
        for hour in range(first, last + 1):
            mask |= 1 << (w["weekday"] * 24 + hour)
    return mask


def hour_of_week(ts: float) -> int:
    day, minute = local_week_minute(ts)
    return day * 24 + minute // 60
