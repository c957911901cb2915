"""Who may see and change what: the community of a record, checked against the caller."""

from __future__ import annotations

from services.common.caller import Caller, Role, Scope
from services.common.errors import InvalidInput, NotFound
from services.points.models import CommunityScope


def scope_of(community_id: str) -> Scope | None:
    row = CommunityScope._get_collection().find_one({"_id": community_id})
    if row is None:
        return None
    return Scope(district_id=row["district_id"], street_id=row["street_id"],
                 community_id=community_id)


def remember(caller: Caller) -> None:
    """The caller's own community, from its verified context (the read model may lag)."""
    if caller.community_id and caller.street_id:
        CommunityScope._get_collection().update_one({"_id": caller.community_id}, {
            "$setOnInsert": {"street_id": caller.street_id, "district_id": caller.district_id}},
            upsert=True)


def community_for(caller: Caller, given: str | None) -> str:
    """The community an act is about: the one named, or the caller's own."""
    community_id = given or caller.community_id
    if not community_id:
        raise InvalidInput("name the community", {"community_id": "required"})
    return community_id


def require_sees(caller: Caller, community_id: str) -> Scope:
    """The community's scope if the caller sees it; a 404 otherwise (no existence leak)."""
    remember(caller)
    scope = scope_of(community_id)
    if scope is None or not caller.sees(scope):
        raise NotFound("no such community", {"community_id": "unknown"})
    return scope


def require_own(caller: Caller, community_id: str) -> None:
    """Acting in a community (awards, rules, onboarding): its own admin, or the system."""
    if caller.role is Role.system:
        return
    if caller.community_id != community_id:
        raise NotFound("no such community", {"community_id": "unknown"})
    require_sees(caller, community_id)
