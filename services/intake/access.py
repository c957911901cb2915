"""Who may see and change an issue: tenancy scope plus the reporter's own rights. No I/O."""

from __future__ import annotations

from services.common.caller import ADMIN_ROLES, STAFF_ROLES, Caller, Role, Scope
from services.common.errors import Forbidden, NotFound


def is_staff_for(caller: Caller, scope: Scope) -> bool:
    return caller.role is Role.system or (caller.role in STAFF_ROLES and caller.sees(scope))


def is_admin_for(caller: Caller, scope: Scope) -> bool:
    return caller.role is Role.system or (caller.role in ADMIN_ROLES and caller.sees(scope))


def may_read(caller: Caller, scope: Scope, reporter_id: str | None, submitted_by: str) -> bool:
    if is_staff_for(caller, scope):
        return True
    return caller.user_id in (reporter_id, submitted_by) and caller.sees(scope)


def require_read(caller: Caller, scope: Scope, reporter_id: str | None,
                 submitted_by: str) -> None:
    """404, not 403: another community's issues do not exist for the caller."""
    if not may_read(caller, scope, reporter_id, submitted_by):
        raise NotFound("no such issue", {"issue_id": "unknown"})


def require_admin(caller: Caller, scope: Scope) -> None:
    """403 for a role that may not, 404 where the caller sees nothing (as for a made-up id)."""
    if is_admin_for(caller, scope):
        return
    if not caller.sees(scope):
        raise NotFound("no such community", {"community_id": "unknown"})
    raise Forbidden("only the community's admins may do this",
                    {"role": "needs community_admin, street_admin or district_admin"})
