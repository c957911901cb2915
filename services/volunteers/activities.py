"""Activity and workshop entrypoints (活动 / 工坊): create, sign up, cancel, the roster,
door codes (QR) and check-in / check-out."""

from __future__ import annotations

import base64
import io
import secrets
import time
from dataclasses import replace
from typing import Any

import segno
from nameko.rpc import rpc

from services.common import access
from services.common.aggregate import Decision, change
from services.common.caller import Caller, Role
from services.common.contracts.volunteers import (
    ActivityIn,
    ActivityOut,
    ActivityPage,
    CheckIn,
    CheckInOut,
    RosterPage,
)
from services.common.errors import InvalidInput, NotFound
from services.common.paging import PageQuery, decode_cursor, encode_cursor, fetch, page_key
from services.common.rpc import as_caller, dump, parse, replies
from services.volunteers import metrics
from services.volunteers.domain import activities as rules
from services.volunteers.domain import service_items
from services.volunteers.models import Activity, Profile
from services.volunteers.profiles import check_grid, credit

ORGANISERS = (Role.operator, Role.community_admin, Role.volunteer)
JOINERS = (Role.resident, Role.volunteer, Role.operator, Role.grid_worker, Role.community_admin)


def new_code() -> str:
    return secrets.token_urlsafe(12)  # 16 characters of [A-Za-z0-9_-]


def view(caller: Caller, act: Activity) -> dict[str, Any]:
    status = rules.status_of(act, caller.user_id)
    mine = next((p for p in act.participants if p["account_id"] == caller.user_id), None)
    return dump(ActivityOut(
        id=act.id, community_id=act.community_id, kind=act.kind, title=act.title,
        detail=act.detail, workshop=act.workshop, skill=act.skill, grid_id=act.grid_id,
        capacity=act.capacity, starts_ts=act.starts_ts, ends_ts=act.ends_ts, hours=act.hours,
        state=act.state, participants=len(act.participants), waitlisted=len(act.waitlist),
        checked_in=sum(1 for p in act.participants if p.get("checked_in_ts")),
        my_status=status, my_code=mine["code"] if mine else None,
        organiser_account_id=act.organiser_account_id))


def may_run(caller: Caller, act: Activity) -> bool:
    """The organiser and the community's admins check people in and read the roster."""
    return caller.user_id == act.organiser_account_id or access.is_admin_of(caller, act)


class ActivityEntrypoints:
    @rpc
    @replies(ActivityOut)
    def create_activity(self, caller: dict, data: dict) -> dict:
        """An operator or admin opens an activity or workshop with a capacity."""
        who = as_caller(caller)
        who.require_role(*ORGANISERS)
        spec = parse(ActivityIn, data)
        place = access.home(who, spec.community_id)
        check_grid(place.community_id, spec.grid_id)
        now = time.time()
        hours = spec.hours or round(min(24.0, (spec.ends_ts - spec.starts_ts) / 3600), 2)
        act = Activity(district_id=place.district_id, street_id=place.street_id,
                       community_id=place.community_id, organiser_account_id=who.user_id,
                       created_ts=now, **spec.model_dump(mode="json",
                                                         exclude={"community_id", "hours"}),
                       hours=max(hours, 0.01))
        act.page_key = page_key(f"c:{place.community_id}", spec.starts_ts, act.id)
        done = change(lambda: act, lambda a, at: Decision(), who)
        return view(who, done.doc)

    @rpc
    @replies(ActivityOut)
    def get_activity(self, caller: dict, activity_id: str) -> dict:
        """One activity, with the caller's place and door code if they have one."""
        who = as_caller(caller)
        return view(who, self._activity(who, activity_id))

    @rpc
    @replies(ActivityPage)
    def list_activities(self, caller: dict, community_id: str | None = None,
                        limit: int | None = None, cursor: str | None = None) -> dict:
        """The community's activities, latest start first."""
        who = as_caller(caller)
        place = access.home(who, community_id)
        query = PageQuery.of(limit, cursor)
        docs, nxt = fetch(Activity.objects, "page_key", f"c:{place.community_id}", query)
        return {"items": [view(who, d) for d in docs], "next_cursor": nxt}

    @rpc
    @replies(ActivityOut)
    def sign_up(self, caller: dict, activity_id: str) -> dict:
        """Take a place, or join the end of the waitlist when the activity is full."""
        who = as_caller(caller)
        who.require_role(*JOINERS)
        act = self._activity(who, activity_id)
        code = new_code()
        done = change(lambda: Activity.objects.get(id=act.id),
                      lambda a, at: rules.sign_up(a, who.user_id, time.time(), code), who)
        return view(who, done.doc)

    @rpc
    @replies(ActivityOut)
    def cancel_sign_up(self, caller: dict, activity_id: str) -> dict:
        """Give up a place (the first on the waitlist takes it) or leave the waitlist."""
        who = as_caller(caller)
        act = self._activity(who, activity_id)
        code = new_code()
        done = change(lambda: Activity.objects.get(id=act.id),
                      lambda a, at: rules.cancel(a, who.user_id, code), who)
        return view(who, done.doc)

    @rpc
    @replies(RosterPage)
    def roster(self, caller: dict, activity_id: str, limit: int | None = None,
               cursor: str | None = None) -> dict:
        """Participants then the waitlist, in order (the organiser and the admins)."""
        who = as_caller(caller)
        act = self._activity(who, activity_id)
        if not may_run(who, act):
            raise NotFound("no such activity", {"activity_id": "unknown"})
        query = PageQuery.of(limit, cursor)
        rows = [{"status": "participant", **p} for p in act.participants] + [
            {"status": "waitlisted", **w} for w in act.waitlist]
        start = _offset(query.cursor, act.id)
        page = rows[start:start + query.limit]
        nxt = (encode_cursor(f"roster:{act.id}|{start + query.limit}")
               if start + query.limit < len(rows) else None)
        keep = ("account_id", "status", "position", "checked_in_ts", "checked_out_ts", "hours")
        return {"items": [{k: r.get(k) for k in keep} for r in page], "next_cursor": nxt}

    @rpc
    @replies(CheckInOut)
    def check_in(self, caller: dict, activity_id: str, data: dict) -> dict:
        """The organiser checks a participant in by their door code (a second use: once)."""
        return self._door(caller, activity_id, data, rules.check_in, "checked_in")

    @rpc
    @replies(CheckInOut)
    def check_out(self, caller: dict, activity_id: str, data: dict) -> dict:
        """The organiser checks a participant out: their hours are logged, once."""
        return self._door(caller, activity_id, data, rules.check_out, "checked_out")

    @rpc
    @replies(str)
    def door_qr(self, caller: dict, activity_id: str) -> str:
        """The caller's door code as an SVG QR (a data URI), to show at the door."""
        who = as_caller(caller)
        act = self._activity(who, activity_id)
        mine = next((p for p in act.participants if p["account_id"] == who.user_id), None)
        if mine is None:
            raise NotFound("you hold no place here", {"activity_id": "no place"})
        out = io.BytesIO()
        segno.make(f"linli:activity:{act.id}:{mine['code']}", error="m").save(
            out, kind="svg", scale=4)
        return "data:image/svg+xml;base64," + base64.b64encode(out.getvalue()).decode()

    def _door(self, caller: dict, activity_id: str, data: dict, rule: Any, action: str) -> dict:
        who = as_caller(caller)
        spec = parse(CheckIn, data)
        act = self._activity(who, activity_id)
        if not may_run(who, act):
            raise NotFound("no such activity", {"activity_id": "unknown"})
        result: dict[str, Any] = {}
        organiser = (Profile.objects(id=act.organiser_account_id).only("kinds").first()
                     if action == "checked_out" else None)

        def decide(a: Activity, _at: Any) -> Decision | None:
            now = time.time()
            decision, seat = rule(a, spec.code, now)
            result.update(seat=seat, first=decision is not None)
            if decision is None or organiser is None or a.rating_item_opened:
                return decision
            # The first check-out ends the organiser's service for the participants: they
            # may rate it in evaluation (one item per activity, in this same commit).
            item = service_items.opened(
                "activity", a.id, a.community_id, a.title, a.organiser_account_id,
                organiser.kinds or (), [p["account_id"] for p in a.participants], now)
            return replace(decision, changes={**decision.changes, "rating_item_opened": True},
                           events=[*decision.events, item])

        done = change(lambda: Activity.objects.get(id=act.id), decide, who)
        seat = result["seat"]
        if result["first"] and action == "checked_in":
            metrics.CHECK_INS.inc()
        if result["first"] and action == "checked_out":
            metrics.HOURS_LOGGED.labels("activity").inc(done.doc.hours)
            credit(seat["account_id"], who, activities_attended=1, hours_total=done.doc.hours)
        return {"activity_id": act.id, "account_id": seat["account_id"],
                "action": action if result["first"] else f"already_{action}",
                "checked_in_ts": seat.get("checked_in_ts"),
                "checked_out_ts": seat.get("checked_out_ts"), "hours": seat.get("hours")}

    def _activity(self, who: Caller, activity_id: str) -> Activity:
        act = access.found(who, Activity.objects(id=str(activity_id)).first(), "activity",
                           "activity_id")
        if who.role in (Role.merchant, Role.department):
            raise NotFound("no such activity", {"activity_id": "unknown"})
        return act


def _offset(cursor: str | None, activity_id: str) -> int:
    """The roster's cursor: a position in the document's own bounded list."""
    if not cursor:
        return 0
    key = decode_cursor(cursor, f"roster:{activity_id}")
    try:
        return max(0, int(key.rsplit("|", 1)[1]))
    except ValueError as exc:
        raise InvalidInput("malformed cursor", {"cursor": "malformed"}) from exc
