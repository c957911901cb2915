"""Accounts: created by those above them in their scope, seen by themselves and their admins."""

from __future__ import annotations

import time

from mongoengine.errors import NotUniqueError

from services.common import audit, paging
from services.common.aggregate import change
from services.common.caller import ADMIN_ROLES, Caller
from services.common.contracts.identity import AccountName, Credentials, UserIn, UserOut
from services.common.errors import AlreadyExists, InvalidInput, NotFound
from services.identity import domain, grids
from services.identity.models import Community, District, Street, User
from services.identity.tenancy import visible_community

CREATED_FIELDS = ("username", "role", "display_name", "community_id", "grid_id",
                  "department_id", "merchant_id", "street_id")
USER_LIST = "users"  # the one listing of every account (the read models' backfill)


def user_out(user: User) -> UserOut:
    return UserOut.model_validate(user.to_mongo().to_dict() | {"id": user.id})


def authenticate(credentials: Credentials) -> User | None:
    """The active account with these credentials (the same cost whether or not it exists)."""
    user = User.objects(username=credentials.username, active=True).first()
    if not domain.password_matches(user.password_hash if user else None, credentials.password):
        return None
    return user


def _placement(caller: Caller, data: UserIn) -> tuple[str, str | None]:
    """(district, street) of the new account, from the unit it is placed in (422 if unknown)."""
    district_id, street_id = data.district_id or caller.district_id, data.street_id
    if data.community_id:
        community = Community.objects(id=data.community_id).first()
        if community is None or not caller.sees(community.scope):  # no existence leak
            raise InvalidInput("unknown community", {"community_id": "unknown"})
        district_id, street_id = community.district_id, community.street_id
    elif street_id:
        street = Street.objects(id=street_id).first()
        if street is None or not domain.sees_street(caller, street.district_id, street.id):
            raise InvalidInput("unknown street", {"street_id": "unknown"})
        district_id = street.district_id
    if District.objects(id=district_id).first() is None:
        raise InvalidInput("unknown district", {"district_id": "unknown"})
    return district_id, street_id


def create_user(caller: Caller, data: UserIn) -> User:
    district_id, street_id = _placement(caller, data)
    domain.check_may_create_user(caller, data.role, district_id, street_id, data.community_id)
    grids.check(data.community_id, data.grid_id)
    user = User(username=data.username, password_hash=domain.hash_password(data.password),
                role=data.role.value, display_name=data.display_name, phone=data.phone,
                district_id=district_id, street_id=street_id, community_id=data.community_id,
                grid_id=data.grid_id, department_id=data.department_id,
                merchant_id=data.merchant_id)
    user.page_key = paging.page_key(USER_LIST, time.time(), user.id)
    try:
        return change(lambda: user, lambda u, _now: audit.attach(
            domain.user_created(u), caller, u, "user.create", "user", before={},
            after=audit.fields_of(u, CREATED_FIELDS)), caller).doc
    except NotUniqueError as exc:
        raise AlreadyExists("username taken", {"username": "already exists"}) from exc


def names_page(query: paging.PageQuery) -> paging.Page[AccountName]:
    """One page of every account's display name, newest first (keyset on `page_key`)."""
    docs, cursor = paging.fetch(User.objects(), "page_key", USER_LIST, query)
    return paging.Page[AccountName](items=[
        AccountName(user_id=u.id, community_id=u.community_id, display_name=u.display_name,
                    version=u.version, role=u.role) for u in docs], next_cursor=cursor)


def visible_user(caller: Caller, user_id: str) -> User:
    user = User.objects(id=user_id).first()
    if user is None or not domain.may_see_user(caller, user.id, user.scope):
        raise NotFound("no such user", {"user_id": "unknown"})
    return user


def community_users(caller: Caller, community_id: str, role: str | None) -> list[User]:
    """A community's accounts, for its admins (staff lists stay small: one community)."""
    caller.require_role(*ADMIN_ROLES)
    visible_community(caller, community_id)
    query = User.objects(community_id=community_id)
    if role:
        query = query.filter(role=role)
    return list(query.order_by("username"))
