"""Who acts where: the caller's community for writes, the record's scope for reads (the
rules of every service whose records carry a district, street and community).

A record carries its district, street and community; someone else's record, or one of
another community, is a 404 exactly like a missing one (never a 403 that confirms it).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from services.common.caller import ADMIN_ROLES, Caller, Role, Scope
from services.common.errors import Forbidden, NotFound


@dataclass(frozen=True)
class Home:
    district_id: str
    street_id: str | None
    community_id: str


def home(caller: Caller, community_id: str | None) -> Home:
    """The community a write happens in: the caller's own (naming another is a 404).

    Street and district admins read across communities but write through a community's
    own staff; the system caller (seed, handlers) names the community it acts in."""
    if caller.role is Role.system:
        if not community_id:
            raise Forbidden("the system caller names the community", {"community_id": "required"})
        return Home(caller.district_id, caller.street_id, community_id)
    if caller.community_id is None:
        raise Forbidden("this needs a community's account", {"role": caller.role.value})
    if community_id is not None and community_id != caller.community_id:
        raise NotFound("no such community", {"community_id": "unknown"})
    return Home(caller.district_id, caller.street_id, caller.community_id)


def scope_of(doc: Any) -> Scope:
    return Scope(district_id=doc.district_id, street_id=doc.street_id,
                 community_id=doc.community_id)


def sees(caller: Caller, doc: Any) -> bool:
    return caller.sees(scope_of(doc))


def found(caller: Caller, doc: Any, what: str, field: str) -> Any:
    """The record if the caller may see it, else NotFound (missing or not theirs alike)."""
    if doc is None or not sees(caller, doc):
        raise NotFound(f"no such {what}", {field: "unknown"})
    return doc


def is_admin_of(caller: Caller, doc: Any) -> bool:
    """An admin whose own community the record is in (community admins only, and system)."""
    if caller.role is Role.system:
        return True
    return caller.role is Role.community_admin and caller.community_id == doc.community_id


def is_staff_over(caller: Caller, doc: Any) -> bool:
    """Admins of the record's community, street or district."""
    return caller.role is Role.system or (caller.role in ADMIN_ROLES and sees(caller, doc))
