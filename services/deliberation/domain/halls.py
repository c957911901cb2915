"""A hall's utilisation (场地使用率), pure: booked half-hour slots over the slots its opening
hours offer, per calendar month in the district's time (UTC+8, no daylight saving).

The booked side is counted by the meetings' own commits (`Meeting.tally`: a scheduled
meeting adds its slots to "hall:<hall>:<YYYY-MM>", its cancellation takes them back);
nothing counts bookings on request.
"""

from __future__ import annotations

import calendar
import re
from collections import Counter
from datetime import UTC, datetime, timedelta

from services.deliberation.models import SLOT_SECONDS

LOCAL = timedelta(hours=8)  # Beijing time: opening hours and months are local
HOURS = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*[-–~至]\s*(\d{1,2}):(\d{2})\s*$")
# The days in front of the hours: "周一至周五 9:00-17:00", "Mon-Fri 9:00-17:00", "工作日 …".
DAY_NAMES = {**{f"周{c}": i for i, c in enumerate("一二三四五六日")}, "周天": 6,
             **{f"星期{c}": i for i, c in enumerate("一二三四五六日")}, "星期天": 6,
             **{n: i for i, n in enumerate(("mon", "tue", "wed", "thu", "fri", "sat", "sun"))},
             **{n: i for i, n in enumerate(("mo", "tu", "we", "th", "fr", "sa", "su"))}}
DAY_WORDS = {"每天": range(7), "每日": range(7), "daily": range(7), "工作日": range(5),
             "周末": range(5, 7), "weekends": range(5, 7), "weekdays": range(5)}
DAY = "|".join(sorted(map(re.escape, DAY_NAMES), key=len, reverse=True))
DAYS = re.compile(rf"^\s*(?:(?P<word>{'|'.join(DAY_WORDS)})|(?P<first>{DAY})"
                  rf"(?:\s*[-–~至到]\s*(?P<last>{DAY}))?)\s*(?P<rest>\d.*)$", re.IGNORECASE)
PERIOD = r"^\d{4}-(0[1-9]|1[0-2])$"


def scope(hall_id: str, period: str) -> str:
    return f"hall:{hall_id}:{period}"


def period_of_slot(n: int) -> str:
    """The month ("YYYY-MM", local) a slot number (epoch / 1800) starts in."""
    return (datetime.fromtimestamp(n * SLOT_SECONDS, UTC) + LOCAL).strftime("%Y-%m")


def booked_by_period(slot_ids: list[str]) -> dict[str, int]:
    """A meeting's slots ("<hall>:<n>") per month: a booking across midnight at a month's
    end counts in both."""
    return dict(Counter(period_of_slot(int(s.rpartition(":")[2])) for s in slot_ids))


def days(opening_hours: str) -> frozenset[int]:
    """The weekdays (Monday 0) a hall opens: those its hours name in front ("周一至周五",
    "工作日", "Sat-Sun"; a range may wrap, "周五至周一"), else every day."""
    found = DAYS.match(opening_hours or "")
    if not found:
        return frozenset(range(7))
    if found["word"]:
        return frozenset(DAY_WORDS[found["word"].lower()])
    first = DAY_NAMES[found["first"].lower()]
    last = DAY_NAMES[(found["last"] or found["first"]).lower()]
    return frozenset((first + i) % 7 for i in range((last - first) % 7 + 1))


def hours(opening_hours: str) -> tuple[int, int] | None:
    """Opening and closing minute of the day in "HH:MM-HH:MM", after the days if it names
    them (None: hours not in that form, such as "随时" or "周一至周五": such a hall is
    bookable at any time)."""
    text = opening_hours or ""
    on_days = DAYS.match(text)
    found = HOURS.match(on_days["rest"] if on_days else text)
    if not found:
        return None
    h1, m1, h2, m2 = (int(g) for g in found.groups())
    if h1 > 24 or h2 > 24 or m1 > 59 or m2 > 59:
        return None
    start, end = h1 * 60 + m1, h2 * 60 + m2
    return (start, end) if start < end <= 24 * 60 else None


def slots_a_day(opening_hours: str) -> int | None:
    """Half-hour slots a day in "HH:MM-HH:MM" (None: hours not in that form)."""
    span = hours(opening_hours)
    if span is None:
        return None
    start, end = span
    first = -(-start // 30)  # the first slot starting at or after opening
    return max(0, end // 30 - first)


def outside_hours(opening_hours: str, starts_ts: float, ends_ts: float) -> bool:
    """True when a booking starts on a day the hall is closed, before it opens or ends
    after it closes on the local day it starts (so it may not run past midnight either)."""
    span = hours(opening_hours)
    if span is None:
        return False
    local = starts_ts + LOCAL.total_seconds()
    if datetime.fromtimestamp(local, UTC).weekday() not in days(opening_hours):
        return True
    if span == (0, 24 * 60):  # open round the clock: across midnight too
        return False
    midnight = local - local % 86400
    start_min = (local - midnight) / 60
    end_min = (ends_ts + LOCAL.total_seconds() - midnight) / 60
    return start_min < span[0] or end_min > span[1]


def open_slots(opening_hours: str, period: str) -> int | None:
    per_day = slots_a_day(opening_hours)
    if per_day is None:
        return None
    year, month = (int(x) for x in period.split("-"))
    open_days = days(opening_hours)
    in_month = calendar.monthrange(year, month)[1]
    return per_day * sum(1 for d in range(1, in_month + 1)
                         if calendar.weekday(year, month, d) in open_days)


def rate(booked: int, open_: int | None) -> float | None:
    """booked / open (None when the hours give no open slot). A hall whose hours are in the
    "HH:MM-HH:MM" form refuses bookings outside them, so its rate stays at most 1.0."""
    return round(booked / open_, 4) if open_ else None


def current_period(now: float) -> str:
    return (datetime.fromtimestamp(now, UTC) + LOCAL).strftime("%Y-%m")
