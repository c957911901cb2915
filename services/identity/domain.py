"""Identity's rules, pure: who may shape the tenancy tree, create and see which accounts;
what a creation announces; password hashing."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError

from services.common.aggregate import Decision
from services.common.caller import ADMIN_ROLES, Caller, Role, Scope
from services.common.contracts.identity import COMMUNITY_ROLES, CommunityCreated, UserCreated
from services.common.errors import Forbidden

if TYPE_CHECKING:
    from services.identity.models import Community, User

# LINLI_PASSWORD_HASHING: RFC 9106's second choice (64 MiB, 3 passes) everywhere but the
# test suite, whose thousands of accounts would otherwise spend most of its CPU hashing.
HASHINGS = {"rfc9106_low_memory": profiles.RFC_9106_LOW_MEMORY,
            "cheapest_for_tests": profiles.CHEAPEST}
_hashing = "rfc9106_low_memory"
_hasher = PasswordHasher.from_parameters(HASHINGS[_hashing])
# Verified against when the username is unknown, so both paths cost the same.
_DUMMY_HASH = _hasher.hash("linli-no-such-user")


def use_hashing(name: str) -> str:
    """Hash new passwords of this process with `name`'s parameters (a hash names its own, so
    one made with another set still verifies); the name in use before."""
    global _hashing, _hasher, _DUMMY_HASH
    before = _hashing
    if name != _hashing:
        hasher = PasswordHasher.from_parameters(HASHINGS[name])
        _hashing, _hasher, _DUMMY_HASH = name, hasher, hasher.hash("linli-no-such-user")
    return before

COMMUNITY_ADMIN_MAY_CREATE = COMMUNITY_ROLES - {Role.community_admin}
STREET_ADMIN_MAY_CREATE = COMMUNITY_ROLES


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def password_matches(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and bool(password_hash)
    except (VerificationError, InvalidHashError):
        return False


def check_may_create_street(caller: Caller, district_id: str) -> None:
    if caller.role is Role.system:
        return
    if caller.role is Role.district_admin and caller.district_id == district_id:
        return
    raise Forbidden("only the district admin may add streets", {"district_id": "not yours"})


def check_may_create_community(caller: Caller, district_id: str, street_id: str) -> None:
    if caller.role is Role.system:
        return
    if caller.role is Role.district_admin and caller.district_id == district_id:
        return
    if caller.role is Role.street_admin and caller.street_id == street_id:
        return
    raise Forbidden("only the district or this street's admin may add communities",
                    {"street_id": "not in your scope"})


def check_may_create_user(caller: Caller, role: Role, district_id: str,
                          street_id: str | None, community_id: str | None) -> None:
    if caller.role is Role.system:
        return
    in_district = caller.district_id == district_id
    if caller.role is Role.district_admin and in_district:
        return
    if (caller.role is Role.street_admin and in_district and role in STREET_ADMIN_MAY_CREATE
            and street_id == caller.street_id):
        return
    if (caller.role is Role.community_admin and in_district and role in COMMUNITY_ADMIN_MAY_CREATE
            and community_id == caller.community_id):
        return
    raise Forbidden(f"{caller.role.value} may not create a {role.value} here",
                    {"role": "not allowed for your role and scope"})


def community_created(community: Community) -> Decision:
    """A new community (the tenant) announces itself: intake and dispatch set it up."""
    return Decision(events=[CommunityCreated(
        community_id=community.id, name=community.name, street_id=community.street_id,
        district_id=community.district_id)])


def user_created(user: User) -> Decision:
    return Decision(events=[UserCreated(
        user_id=user.id, role=Role(user.role), community_id=user.community_id,
        grid_id=user.grid_id, department_id=user.department_id,
        display_name=user.display_name)])


def may_see_user(caller: Caller, user_id: str, scope: Scope) -> bool:
    """An account is visible to itself and to the admins whose scope holds it."""
    return user_id == caller.user_id or (
        caller.role in ADMIN_ROLES | {Role.system} and caller.sees(scope))


def sees_street(caller: Caller, district_id: str, street_id: str) -> bool:
    """A street is visible to its district's admins and the accounts placed in it."""
    return caller.role is Role.system or (
        caller.role is not Role.ops and caller.district_id == district_id
        and (caller.role is Role.district_admin or caller.street_id == street_id))


def sees_district(caller: Caller, district_id: str) -> bool:
    return caller.role is Role.system or caller.district_id == district_id


def reach(caller: Caller) -> Reach:
    """Which streets and communities `caller` may list: the district for district-wide
    roles, a street for its admin, otherwise the caller's own community (and street)."""
    if caller.role in (Role.district_admin, Role.ops, Role.system):
        return Reach(district_id=caller.district_id)
    if caller.role is Role.street_admin:
        return Reach(street_id=caller.street_id)
    return Reach(street_id=caller.street_id, community_id=caller.community_id)


@dataclass(frozen=True)
class Reach:
    district_id: str | None = None  # the whole district
    street_id: str | None = None
    community_id: str | None = None  # None with a street_id: every community of the street
