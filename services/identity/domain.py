"""Who may shape the tenancy tree and create which accounts; password hashing."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from services.common.caller import Caller, Role
from services.common.contracts.identity import COMMUNITY_ROLES
from services.common.errors import Forbidden

_hasher = PasswordHasher()
# Verified against when the username is unknown, so both paths cost the same.
_DUMMY_HASH = _hasher.hash("linli-no-such-user")

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
