"""Activity rules (活动 / 工坊): capacity, sign-up, a waitlist promoted in order, door codes.

The roster lives in the activity document, so a sign-up, a cancellation and the promotion
it causes are one version-conditioned commit: two people never take the last place. Each
participant holds a one-time door code (shown as a QR); the organiser checks it in once
(`activity.checked_in`) and out once (`volunteer.hours_logged`, the activity's hours,
logged once per person per activity: `log_id` is h-activity-<activity>-<account>).
"""

from __future__ import annotations

from typing import Any

from services.common.aggregate import Decision
from services.common.contracts.volunteers import ActivityCheckedIn, VolunteerHoursLogged
from services.common.errors import Conflict, NotFound


def status_of(act: Any, account_id: str) -> str:
    if any(p["account_id"] == account_id for p in act.participants):
        return "participant"
    if any(w["account_id"] == account_id for w in act.waitlist):
        return "waitlisted"
    return "none"


def sign_up(act: Any, account_id: str, now: float, code: str) -> Decision | None:
    """A place if one is free, else the end of the waitlist; signed up already: nothing."""
    if act.state != "open":
        raise Conflict("sign-up is closed", {"activity_id": f"activity is {act.state}"})
    if status_of(act, account_id) != "none":
        return None
    entry = {"account_id": account_id, "position": act.joined + 1, "joined_ts": now}
    if len(act.participants) < act.capacity:
        seat = {**entry, "code": code, "checked_in_ts": None, "checked_out_ts": None,
                "hours": None}
        return Decision(changes={"participants": [*act.participants, seat],
                                 "joined": act.joined + 1})
    return Decision(changes={"waitlist": [*act.waitlist, entry], "joined": act.joined + 1})


def cancel(act: Any, account_id: str, code: str) -> Decision:
    """Leave the activity; a freed place goes to the first on the waitlist (with `code`)."""
    status = status_of(act, account_id)
    if status == "none":
        raise NotFound("you are not signed up", {"activity_id": "not signed up"})
    if status == "waitlisted":
        return Decision(changes={"waitlist": [w for w in act.waitlist
                                              if w["account_id"] != account_id]})
    seat = next(p for p in act.participants if p["account_id"] == account_id)
    if seat.get("checked_in_ts"):
        raise Conflict("already checked in", {"activity_id": "checked in"})
    participants = [p for p in act.participants if p["account_id"] != account_id]
    waitlist = list(act.waitlist)
    if waitlist and len(participants) < act.capacity:
        first = waitlist.pop(0)
        participants.append({**first, "code": code, "checked_in_ts": None,
                             "checked_out_ts": None, "hours": None})
    return Decision(changes={"participants": participants, "waitlist": waitlist})


def _seat(act: Any, code: str) -> tuple[int, dict]:
    for i, p in enumerate(act.participants):
        if p.get("code") == code:
            return i, p
    raise NotFound("no such code for this activity", {"code": "unknown"})


def check_in(act: Any, code: str, now: float) -> tuple[Decision | None, dict]:
    """The first use of the code checks its holder in; a second use changes nothing."""
    i, seat = _seat(act, code)
    if seat.get("checked_in_ts"):
        return None, seat
    seat = {**seat, "checked_in_ts": now}
    participants = [*act.participants[:i], seat, *act.participants[i + 1:]]
    return Decision(changes={"participants": participants},
                    events=[ActivityCheckedIn(activity_id=act.id, community_id=act.community_id,
                                              account_id=seat["account_id"],
                                              checked_in_ts=now,
                                              organisation_id=getattr(act, "organisation_id",
                                                                      None))]), seat


def check_out(act: Any, code: str, now: float) -> tuple[Decision | None, dict]:
    """Checking out logs the activity's hours, once; a repeat changes nothing."""
    i, seat = _seat(act, code)
    if not seat.get("checked_in_ts"):
        raise Conflict("check in first", {"code": "not checked in"})
    if seat.get("checked_out_ts"):
        return None, seat
    seat = {**seat, "checked_out_ts": now, "hours": act.hours}
    participants = [*act.participants[:i], seat, *act.participants[i + 1:]]
    return Decision(changes={"participants": participants},
                    events=[VolunteerHoursLogged(
                        log_id=f"h-activity-{act.id}-{seat['account_id']}",
                        community_id=act.community_id, account_id=seat["account_id"],
                        hours=act.hours, source_kind="activity", source_id=act.id,
                        logged_ts=now)]), seat
