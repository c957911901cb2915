"""Identity contracts: the tenancy registry (district → street → community) and accounts."""

from __future__ import annotations

from typing import Annotated

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
    active: bool = True  # False: deactivated (no sign-in, every token refused)


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


# --- account lifecycle and sessions (docs/accounts.md) -----------------------------------

Password = Annotated[str, Field(min_length=8, max_length=128)]
# "<id>.<secret>": the id finds the stored hash, the secret is compared to it.
OpaqueToken = Annotated[str, Field(min_length=20, max_length=200, pattern=r"^[A-Za-z0-9_.-]+$")]


class SignIn(BaseModel):
    """A sign-in attempt: the credentials and who sent them (the login limit's key)."""

    model_config = ConfigDict(extra="forbid")
    credentials: Credentials
    client: str = Field(min_length=1, max_length=64)


class Session(BaseModel):
    """A signed-in account and its refresh token (shown once; identity keeps its hash)."""

    user: UserOut
    refresh_token: str
    refresh_expires_ts: float


class RefreshIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    refresh_token: OpaqueToken


class PasswordChangeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    current_password: str = Field(min_length=1, max_length=128)
    new_password: Password


class PasswordResetIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reset_token: OpaqueToken
    new_password: Password


class Done(BaseModel):
    """The reply of a step that returns nothing else."""

    done: bool = True


class ResetTicket(BaseModel):
    """An admin-issued one-time password reset (the token is shown once)."""

    user_id: str
    reset_token: str
    expires_ts: float


class Revocation(BaseModel):
    """Tokens of `user_id` issued before `not_before` (epoch seconds) are refused."""

    user_id: str
    not_before: float


class RevocationPage(BaseModel):
    items: list[Revocation]
    next_cursor: str | None = None


@event_payload("user.deactivated")
class UserDeactivated(BaseModel):
    user_id: str
    community_id: str | None = None
    not_before: float


@event_payload("user.reactivated")
class UserReactivated(BaseModel):
    user_id: str
    community_id: str | None = None


@event_payload("user.revoked")
class UserRevoked(BaseModel):
    """Every token of the account issued before `not_before` is void (revocation, a new
    password)."""

    user_id: str
    community_id: str | None = None
    not_before: float
    reason: str  # revoked | password_changed | password_reset


# --- app keys for Open311 ------------------------------------------------------------------

class AppKeyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: Name
    community_ids: list[Id] = Field(min_length=1, max_length=50)
    rate_limit_per_minute: int = Field(default=60, ge=1, le=6000)


class AppKeyOut(BaseModel):
    id: str
    name: str
    district_id: str
    community_ids: list[str]
    rate_limit_per_minute: int
    active: bool
    issued_by: str
    created_ts: float
    revoked_ts: float | None = None


class NewAppKey(AppKeyOut):
    api_key: str  # shown once: identity keeps only its hash


class AppKeyUse(BaseModel):
    model_config = ConfigDict(extra="forbid")
    api_key: str = Field(min_length=1, max_length=200)
    community_id: Id


@event_payload("app_key.issued")
class AppKeyIssued(BaseModel):
    key_id: str
    name: str
    district_id: str
    community_ids: list[str]
    issued_by: str


@event_payload("app_key.revoked")
class AppKeyRevoked(BaseModel):
    key_id: str
    district_id: str
    community_ids: list[str]
