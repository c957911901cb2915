"""Who acts where in deliberation: the shared rules (`services.common.access`), and the
community whose list street and district staff read (`reader_home`)."""

from __future__ import annotations

from services.common.access import Home, found, home, is_admin_of, is_staff_over, scope_of, sees
from services.common.caller import Caller, Role, Scope
from services.common.errors import InvalidInput, NotFound
from services.deliberation.models import CommunityPlace

__all__ = ["Home", "found", "home", "is_admin_of", "is_staff_over", "reader_home", "scope_of",
           "sees"]

NOT_READERS = (Role.merchant, Role.department, Role.ops)


def reader_home(caller: Caller, community_id: str | None) -> str:
    """The community whose list is read: the caller's own, or (street and district staff,
    the system) one they see, known from identity's `community.created` (CommunityPlace).
    Departments, merchants and ops read no deliberation (as `find` answers their record
    reads): the same 404 as a community they may not see."""
    if caller.role in NOT_READERS:
        raise NotFound("no such community", {"community_id": "unknown"})
    if caller.community_id is not None and caller.role is not Role.system:
        if community_id is not None and community_id != caller.community_id:
            raise NotFound("no such community", {"community_id": "unknown"})
        return caller.community_id
    if not community_id:
        raise InvalidInput("name the community", {"community_id": "required"})
    row = CommunityPlace.objects(id=community_id).first()
    if row is None or not caller.sees(Scope(district_id=row.district_id, street_id=row.street_id,
                                            community_id=community_id)):
        raise NotFound("no such community", {"community_id": "unknown"})
    return community_id
