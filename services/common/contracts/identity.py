"""Identity contracts: the tenancy registry (district → street → community) and accounts."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, model_validator

from services.common.caller import Placement, Role
from services.common.contracts.envelope import event_payload
from services.common.contracts.types import Id, Name, Text

Username = Text(40, min_length=1, line=True)


class DistrictIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: Name
    code: str = Field(pattern=r"^[a-z0-9-]{2,32}$")


class StreetIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    district_id: Id | None = None  # defaults to the caller's district
    name: Name


class CommunityIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    street_id: Id
    name: Name


class Unit(BaseModel):
    """A node of the tenancy tree as returned to callers."""

    id: str
    name: str
    level: str  # district | street | community
    district_id: str
    street_id: str | None = None


COMMUNITY_ROLES = frozenset({Role.resident, Role.grid_worker, Role.volunteer, Role.operator,
                             Role.department, Role.community_admin, Role.merchant})


class UserIn(Placement):
    model_config = ConfigDict(extra="forbid")
    district_id: Id | None = None
    street_id: Id | None = None
    community_id: Id | None = None
    grid_id: Id | None = None
    department_id: Id | None = None
    merchant_id: Id | None = None
    username: str = Field(pattern=r"^[A-Za-z0-9_.-]{3,40}$")
    password: str = Field(min_length=8, max_length=128)
    role: Role
    display_name: Name
    phone: str | None = Field(default=None, pattern=r"^\+?[0-9-]{5,20}$")

    @model_validator(mode="after")
    def _scope_fits_role(self) -> UserIn:
        if self.role is Role.system:
            raise ValueError("role: system is reserved")
        if self.role in COMMUNITY_ROLES and not self.community_id:
            raise ValueError(f"community_id: required for role {self.role.value}")
        if self.role is Role.street_admin and not self.street_id:
            raise ValueError("street_id: required for role street_admin")
        if self.role is Role.grid_worker and not self.grid_id:
            raise ValueError("grid_id: required for role grid_worker")
        if self.role is Role.department and not self.department_id:
            raise ValueError("department_id: required for role department")
        if self.role is Role.merchant and not self.merchant_id:
            raise ValueError("merchant_id: required for role merchant")
        return self


class UserOut(Placement):
    id: str
    username: str
    role: Role
    display_name: str
    district_id: str


class Credentials(BaseModel):
    model_config = ConfigDict(extra="forbid")
    username: Username
    password: str = Field(min_length=1, max_length=128)


@event_payload("community.created")
class CommunityCreated(BaseModel):
    community_id: str
    name: str
    street_id: str
    district_id: str


@event_payload("user.created")
class UserCreated(BaseModel):
    user_id: str
    role: Role
    community_id: str | None = None
    grid_id: str | None = None
    department_id: str | None = None
    display_name: str | None = None  # intake removes account names from published text


class AccountName(BaseModel):
    """An account's display name where it lives (intake's read model of names, for 公示)."""

    user_id: str
    community_id: str | None = None
    display_name: str
    version: int
    role: Role | None = None  # points awards only the community's earners (None: older)
