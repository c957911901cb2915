"""The caller context passed as the first argument of every RPC.

The gateway builds it from a verified token; services trust only what it carries
and check role and scope themselves before any state change.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from services.common.errors import Forbidden


class Role(StrEnum):
    resident = "resident"
    grid_worker = "grid_worker"
    volunteer = "volunteer"
    operator = "operator"
    department = "department"
    community_admin = "community_admin"
    street_admin = "street_admin"
    district_admin = "district_admin"
    merchant = "merchant"
    ops = "ops"
    system = "system"  # a service acting on its own (timers, event handlers)
    app = "app"  # a civic application filing through Open311 with an app key (never signs in)


STAFF_ROLES = frozenset(
    {Role.grid_worker, Role.community_admin, Role.street_admin, Role.district_admin}
)
ADMIN_ROLES = frozenset({Role.community_admin, Role.street_admin, Role.district_admin})
# Party members and volunteers who report in (双报到) and claim work orders (抢单).
MEMBER_ROLES = frozenset({Role.volunteer, Role.operator})
CLAIM_ROLES = frozenset({Role.grid_worker, *MEMBER_ROLES})


class Scope(BaseModel):
    """Where a record lives in the tenancy tree (district → street → community → grid)."""

    model_config = ConfigDict(frozen=True)

    district_id: str
    street_id: str | None = None
    community_id: str | None = None
    grid_id: str | None = None


class Placement(BaseModel):
    """Where an account sits in the tenancy tree, and the unit it acts for."""

    district_id: str | None = None
    street_id: str | None = None
    community_id: str | None = None
    grid_id: str | None = None
    department_id: str | None = None
    merchant_id: str | None = None


PLACEMENT_FIELDS = tuple(Placement.model_fields)


class Caller(Placement):
    model_config = ConfigDict(frozen=True)

    user_id: str
    role: Role
    district_id: str
    request_id: str | None = None
    idempotency_key: str | None = None

    @classmethod
    def system(cls, district_id: str = "*", request_id: str | None = None) -> Caller:
        return cls(user_id="system", role=Role.system, district_id=district_id,
                   request_id=request_id)

    def require_role(self, *roles: Role) -> None:
        if self.role is not Role.system and self.role not in roles:
            raise Forbidden(f"role {self.role.value} may not do this",
                            {"role": f"needs one of {', '.join(r.value for r in roles)}"})

    def sees(self, scope: Scope) -> bool:
        """Whether the caller may read a record living at `scope` (ops reads no record:
        its scope is health, metrics and aggregate figures, see `sees_figures`)."""
        if self.role is Role.system:
            return True
        if self.role is Role.ops or self.district_id != scope.district_id:
            return False
        if self.role is Role.district_admin:
            return True
        if self.role is Role.street_admin:
            return scope.street_id == self.street_id
        return scope.community_id is not None and scope.community_id == self.community_id

    def sees_figures(self, scope: Scope) -> bool:
        """Whether the caller may read aggregate figures (counts, rates) of `scope`."""
        if self.role is Role.ops:
            return self.district_id == scope.district_id
        return self.sees(scope)
