"""Intake's rules (接诉即办): the lifecycle state machine, triage, duplicates. No I/O."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from services.common.caller import ADMIN_ROLES, Caller, Role
from services.common.contracts.intake import (
    CategoryDef,
    Channel,
    IssueState,
    RejectReason,
    Triage,
    TriageIn,
)
from services.common.errors import Conflict, Forbidden, InvalidInput

S = IssueState


class Action(StrEnum):
    triage = "triage"
    dispatch = "dispatch"  # a work order was made (order.created)
    start = "start"  # a responder took it (order.claimed / order.acknowledged)
    resolve = "resolve"  # order.confirmed, or guidance given by the community
    rate = "rate"  # the reporter is satisfied
    reopen = "reopen"  # the reporter is not satisfied
    close = "close"
    reject = "reject"
    merge = "merge"


# The whole lifecycle: (state, action) → next state. Anything else is a 409.
TRANSITIONS: dict[tuple[IssueState, Action], IssueState] = {
    (S.received, Action.triage): S.triaged,
    (S.received, Action.reject): S.rejected,
    (S.received, Action.merge): S.merged,
    (S.triaged, Action.dispatch): S.dispatched,
    (S.triaged, Action.resolve): S.resolved,  # 私事居民办: guidance back to the residents
    (S.triaged, Action.reject): S.rejected,
    (S.triaged, Action.merge): S.merged,
    (S.dispatched, Action.start): S.in_progress,
    (S.dispatched, Action.resolve): S.resolved,
    (S.in_progress, Action.resolve): S.resolved,
    (S.resolved, Action.rate): S.rated,
    (S.resolved, Action.reopen): S.reopened,
    (S.resolved, Action.close): S.closed,
    (S.rated, Action.close): S.closed,
    (S.reopened, Action.triage): S.triaged,
    (S.reopened, Action.dispatch): S.dispatched,
    (S.reopened, Action.start): S.in_progress,
    (S.reopened, Action.resolve): S.resolved,
    (S.reopened, Action.reject): S.rejected,
}

TERMINAL_STATES = frozenset({S.closed, S.rejected, S.merged})
GROUP_COMPLAINT_SUPPORTERS = 3  # 群体诉: three or more households on one matter


def next_state(state: IssueState, action: Action) -> IssueState:
    """The state after `action`, or a 409 carrying the current state."""
    try:
        return TRANSITIONS[(state, action)]
    except KeyError:
        raise Conflict(f"cannot {action.value} an issue that is {state.value}",
                       {"state": state.value}, detail={"state": state.value}) from None


# Who may use which channel: residents file for themselves; staff enter the rest.
CHANNEL_ROLES: dict[Channel, frozenset[Role]] = {
    Channel.app: frozenset({Role.resident, Role.volunteer, Role.operator, Role.grid_worker,
                            Role.community_admin, Role.app}),
    Channel.online_hall: frozenset({Role.resident, Role.volunteer, Role.operator,
                                    Role.community_admin}),
    Channel.hotline: frozenset({Role.community_admin, Role.street_admin, Role.district_admin}),
    Channel.grid_patrol: frozenset({Role.grid_worker}),
    Channel.visit: frozenset({Role.community_admin, Role.grid_worker}),
    Channel.door_knocking: frozenset({Role.grid_worker, Role.volunteer, Role.community_admin}),
}

# Staff enter these on someone else's behalf: the issue has no reporter account.
ON_BEHALF_CHANNELS = frozenset({Channel.hotline, Channel.visit, Channel.door_knocking})


def check_channel(caller: Caller, channel: Channel, has_contact: bool) -> None:
    if caller.role is not Role.system and caller.role not in CHANNEL_ROLES[channel]:
        raise Forbidden(f"a {caller.role.value} may not file through {channel.value}",
                        {"channel": "not allowed for your role"})
    if channel is Channel.hotline and not has_contact:
        raise InvalidInput("a hotline case needs the caller's contact",
                           {"contact": "required for hotline cases"})


def reporter_of(caller: Caller, channel: Channel) -> str | None:
    """The account that follows the issue (None: staff entered it for someone else).

    An anonymous reporter still follows their issue; `anonymous` only hides them in views.
    """
    if channel in ON_BEHALF_CHANNELS and caller.role is not Role.resident:
        return None
    if caller.role is Role.app:  # an Open311 app's key: no account follows it here
        return None
    return caller.user_id


def default_triage(category: CategoryDef) -> Triage:
    return Triage(**category.triage.model_dump(), source="category")


def decide_triage(proposed: Triage, override: TriageIn) -> Triage:
    """The category's triage, with the admin's changes; a change needs a reason."""
    changed = {k: v for k, v in override.model_dump(exclude={"reason"}).items()
               if v is not None and v != getattr(proposed, k)}
    if not changed:
        return proposed.model_copy(update={"reason": override.reason or proposed.reason})
    if not (override.reason or "").strip():
        raise InvalidInput("overriding the category's triage needs a reason",
                           {"reason": "required when the triage changes"})
    return proposed.model_copy(update={**changed, "source": "admin", "reason": override.reason})


def check_may_reject(caller: Caller, reason: RejectReason, reporter_id: str | None) -> None:
    """Staff reject; the reporter may only withdraw."""
    if caller.role is Role.system or caller.role in ADMIN_ROLES:
        return
    if reason is RejectReason.withdrawn and reporter_id == caller.user_id:
        return
    raise Forbidden("only the community or the reporter (withdrawing) may reject",
                    {"reason": "not allowed for your role"})


def is_group_complaint(supporters: int) -> bool:
    return supporters >= GROUP_COMPLAINT_SUPPORTERS


# --- duplicates (群体诉) ------------------------------------------------------------------

EARTH_RADIUS_M = 6_371_000.0


def haversine_m(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(a))


@dataclass(frozen=True)
class Box:
    """A lat/lng box around a point holding every point within `radius_m` (a query prefilter)."""

    min_lat: float
    max_lat: float
    min_lng: float
    max_lng: float


def bounding_box(lat: float, lng: float, radius_m: float) -> Box:
    dlat = math.degrees(radius_m / EARTH_RADIUS_M)
    cos_lat = max(math.cos(math.radians(lat)), 1e-6)
    dlng = min(math.degrees(radius_m / (EARTH_RADIUS_M * cos_lat)), 180.0)
    return Box(lat - dlat, lat + dlat, lng - dlng, lng + dlng)


@dataclass(frozen=True)
class Candidate:
    issue_id: str
    lat: float
    lng: float
    created_at: datetime


def window_start(now: datetime, hours: float) -> datetime:
    return now - timedelta(hours=hours)


def nearby(lat: float, lng: float, radius_m: float,
           candidates: Iterable[Candidate]) -> list[tuple[Candidate, float]]:
    """Candidates within `radius_m`, nearest first."""
    found = [(c, haversine_m(lat, lng, c.lat, c.lng)) for c in candidates]
    return sorted([(c, d) for c, d in found if d <= radius_m], key=lambda cd: cd[1])
