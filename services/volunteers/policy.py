"""A community's volunteers settings (`VolunteerPolicy`): the offer window, order hours.

A community without a row has the defaults; a read is one lookup by `_id`. Only the
community's own admins write them (one upsert of the fields given; no events)."""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass

from nameko.rpc import rpc

from services.common import access, audit
from services.common.aggregate import Decision, change
from services.common.caller import Caller, Role
from services.common.contracts.volunteers import VolunteerPolicyIn, VolunteerPolicyOut
from services.common.errors import InvalidInput
from services.common.rpc import as_caller, dump, parse, replies
from services.volunteers.models import VolunteerPolicy

DEFAULT_OFFER_MINUTES = 30  # each candidate's time to answer an offer
DEFAULT_ORDER_HOURS = 1.0  # an order's hours when its resolution time is not usable
DEFAULT_ORDER_HOURS_MAX = 8.0  # a longer resolution time is not taken as work done


@dataclass(frozen=True)
class Settings:
    offer_minutes: int = DEFAULT_OFFER_MINUTES
    order_hours: float = DEFAULT_ORDER_HOURS
    order_hours_max: float = DEFAULT_ORDER_HOURS_MAX
    changed_by: str | None = None
    changed_ts: float | None = None


def of(community_id: str) -> Settings:
    row = VolunteerPolicy.objects(id=community_id).first()
    if row is None:
        return Settings()
    return Settings(offer_minutes=row.offer_minutes or DEFAULT_OFFER_MINUTES,
                    order_hours=row.order_hours or DEFAULT_ORDER_HOURS,
                    order_hours_max=row.order_hours_max or DEFAULT_ORDER_HOURS_MAX,
                    changed_by=row.changed_by, changed_ts=row.changed_ts)


def _admin_home(who: Caller, community_id: str | None) -> str:
    """The community whose settings the caller keeps: their own, as its admin (naming
    another community is a 404, as for one that does not exist)."""
    who.require_role(Role.community_admin)
    return access.home(who, community_id).community_id


def _out(community_id: str, settings: Settings) -> dict:
    return dump(VolunteerPolicyOut(community_id=community_id, **asdict(settings)))


class PolicyEntrypoints:
    @rpc
    @replies(VolunteerPolicyOut)
    def get_policy(self, caller: dict, community_id: str | None = None) -> dict:
        """The caller's community's settings (the defaults until its admins set them)."""
        community_id = _admin_home(as_caller(caller), community_id)
        return _out(community_id, of(community_id))

    @rpc
    @replies(VolunteerPolicyOut)
    def set_policy(self, caller: dict, community_id: str | None, data: dict) -> dict:
        """Set the offer window and order hours of the caller's community (its admins)."""
        who = as_caller(caller)
        community_id = _admin_home(who, community_id)
        spec = parse(VolunteerPolicyIn, data)
        given = spec.model_dump(exclude_none=True)
        if not given:
            raise InvalidInput("nothing to set", {"offer_minutes": "required"})
        merged = asdict(of(community_id)) | given
        if merged["order_hours"] > merged["order_hours_max"]:
            field = "order_hours" if "order_hours" in given else "order_hours_max"
            raise InvalidInput("order_hours must not exceed order_hours_max",
                               {field: "order_hours above order_hours_max"})
        coll = VolunteerPolicy._get_collection()  # a row to change, versioned for the frame
        coll.update_one({"_id": community_id}, {"$setOnInsert": {"version": 0}}, upsert=True)
        coll.update_one({"_id": community_id, "version": {"$exists": False}},
                        {"$set": {"version": 0}})
        change(lambda: VolunteerPolicy.objects.get(id=community_id), audit.audited(
            lambda p, _at: Decision(changes={**given, "changed_by": who.user_id,
                                             "changed_ts": time.time()}),
            who, "volunteer_policy.set", "volunteer_policy", community_id=community_id,
            before={k: v for k, v in asdict(of(community_id)).items() if k in given},
            after=given), who)
        return _out(community_id, of(community_id))
