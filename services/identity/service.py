"""Identity service (身份与租户): the tenancy registry and accounts."""

from __future__ import annotations

from mongoengine.errors import NotUniqueError
from nameko.rpc import rpc

from services.common.caller import ADMIN_ROLES, Caller, Role
from services.common.contracts import new_event
from services.common.contracts.identity import (
    CommunityCreated,
    CommunityIn,
    Credentials,
    DistrictIn,
    StreetIn,
    Unit,
    UserCreated,
    UserIn,
    UserOut,
)
from services.common.errors import AlreadyExists, InvalidInput, NotFound
from services.common.metrics import Instrumentation
from services.common.outbox import OutboxRelay
from services.common.rpc import as_caller, dump, parse
from services.common.store import Store
from services.identity import domain
from services.identity.models import DOCUMENTS, Community, District, Street, User


def _unit(doc: District | Street | Community) -> dict:
    if isinstance(doc, District):
        return dump(Unit(id=doc.id, name=doc.name, level="district", district_id=doc.id))
    if isinstance(doc, Street):
        return dump(Unit(id=doc.id, name=doc.name, level="street", district_id=doc.district_id,
                         street_id=doc.id))
    return dump(Unit(id=doc.id, name=doc.name, level="community", district_id=doc.district_id,
                     street_id=doc.street_id))


def _visible_community(who: Caller, community_id: str) -> Community:
    community = Community.objects(id=community_id).first()
    if community is None or not who.sees(community.scope):
        raise NotFound("no such community", {"community_id": "unknown"})
    return community


def _sees_street(who: Caller, street: Street) -> bool:
    """A street is visible to its district's admins and the accounts placed in it."""
    return who.role is Role.system or (
        who.role is not Role.ops and who.district_id == street.district_id
        and (who.role is Role.district_admin or who.street_id == street.id))


def _user(user: User) -> dict:
    return dump(UserOut.model_validate(user.to_mongo().to_dict() | {"id": user.id}))


class IdentityService:
    name = "identity"
    store = Store("identity", DOCUMENTS)
    relay = OutboxRelay()
    instrumentation = Instrumentation()

    @rpc
    def authenticate(self, credentials: dict) -> dict:
        """Check a username and password; return the account (the gateway signs the token)."""
        creds = parse(Credentials, credentials)
        user = User.objects(username=creds.username, active=True).first()
        if not domain.password_matches(user.password_hash if user else None, creds.password):
            return {}
        return _user(user)

    @rpc
    def create_district(self, caller: dict, data: dict) -> dict:
        """Create a district (system only: districts come with a deployment)."""
        who = as_caller(caller)
        who.require_role(Role.system)
        district_in = parse(DistrictIn, data)
        try:
            district = District(code=district_in.code, name=district_in.name)
            district.save(force_insert=True)
        except NotUniqueError as exc:
            raise AlreadyExists("district code taken", {"code": "already exists"}) from exc
        return _unit(district)

    @rpc
    def find_district(self, caller: dict, code: str) -> dict | None:
        """The district with `code`, if any."""
        as_caller(caller)
        district = District.objects(code=code).first()
        return _unit(district) if district else None

    @rpc
    def create_street(self, caller: dict, data: dict) -> dict:
        """Add a street (街道) to a district."""
        who = as_caller(caller)
        street_in = parse(StreetIn, data)
        district_id = street_in.district_id or who.district_id
        if not District.objects(id=district_id).first() or not (
                who.role is Role.system or who.district_id == district_id):
            raise NotFound("no such district", {"district_id": "unknown"})
        domain.check_may_create_street(who, district_id)
        try:
            street = Street(district_id=district_id, name=street_in.name).save(force_insert=True)
        except NotUniqueError as exc:
            raise AlreadyExists("street name taken", {"name": "already exists"}) from exc
        return _unit(street)

    @rpc
    def create_community(self, caller: dict, data: dict) -> dict:
        """Add a community (社区, the tenant) to a street."""
        who = as_caller(caller)
        community_in = parse(CommunityIn, data)
        street = Street.objects(id=community_in.street_id).first()
        if street is None or not _sees_street(who, street):
            raise NotFound("no such street", {"street_id": "unknown"})
        domain.check_may_create_community(who, street.district_id, street.id)
        community = Community(district_id=street.district_id, street_id=street.id,
                              name=community_in.name)
        community.record(new_event(CommunityCreated(
            community_id=community.id, name=community.name, street_id=street.id,
            district_id=street.district_id), who, community.id))
        try:
            community.commit()
        except NotUniqueError as exc:
            raise AlreadyExists("community name taken in this street",
                                {"name": "already exists"}) from exc
        return _unit(community)

    @rpc
    def list_units(self, caller: dict) -> list[dict]:
        """The streets and communities the caller may see."""
        who = as_caller(caller)
        if who.role in (Role.district_admin, Role.ops, Role.system):
            reach = {"district_id": who.district_id}
        elif who.role is Role.street_admin:
            reach = {"street_id": who.street_id}
        else:
            reach = {"id": who.community_id}
        communities = list(Community.objects(**reach)) if all(reach.values()) else []
        if "district_id" in reach:
            streets = Street.objects(district_id=who.district_id)
        else:
            streets = Street.objects(id__in=[who.street_id] if who.street_id else [])
        return [_unit(s) for s in streets] + [_unit(c) for c in communities]

    @rpc
    def get_community(self, caller: dict, community_id: str) -> dict:
        """One community, if the caller may see it (404 otherwise: no existence leak)."""
        return _unit(_visible_community(as_caller(caller), community_id))

    @rpc
    def create_user(self, caller: dict, data: dict) -> dict:
        """Create an account with a role placed in the tenancy tree."""
        who = as_caller(caller)
        user_in = parse(UserIn, data)
        district_id, street_id = user_in.district_id or who.district_id, user_in.street_id
        if user_in.community_id:
            community = Community.objects(id=user_in.community_id).first()
            if community is None or not who.sees(community.scope):  # no existence leak
                raise InvalidInput("unknown community", {"community_id": "unknown"})
            district_id, street_id = community.district_id, community.street_id
        elif street_id:
            street = Street.objects(id=street_id).first()
            if street is None or not _sees_street(who, street):
                raise InvalidInput("unknown street", {"street_id": "unknown"})
            district_id = street.district_id
        if not District.objects(id=district_id).first():
            raise InvalidInput("unknown district", {"district_id": "unknown"})
        domain.check_may_create_user(who, user_in.role, district_id, street_id,
                                     user_in.community_id)
        user = User(username=user_in.username, password_hash=domain.hash_password(user_in.password),
                    role=user_in.role.value, display_name=user_in.display_name,
                    phone=user_in.phone, district_id=district_id, street_id=street_id,
                    community_id=user_in.community_id, grid_id=user_in.grid_id,
                    department_id=user_in.department_id, merchant_id=user_in.merchant_id)
        user.record(new_event(UserCreated(
            user_id=user.id, role=user_in.role, community_id=user.community_id,
            grid_id=user.grid_id, department_id=user.department_id), who, user.community_id))
        try:
            user.commit()
        except NotUniqueError as exc:
            raise AlreadyExists("username taken", {"username": "already exists"}) from exc
        return _user(user)

    @rpc
    def get_user(self, caller: dict, user_id: str) -> dict:
        """One account, if the caller may see it."""
        who = as_caller(caller)
        user = User.objects(id=user_id).first()
        if user is None or (user.id != who.user_id and not (
                who.role in ADMIN_ROLES | {Role.system} and who.sees(user.scope))):
            raise NotFound("no such user", {"user_id": "unknown"})
        return _user(user)

    @rpc
    def list_users(self, caller: dict, community_id: str, role: str | None = None) -> list[dict]:
        """Accounts of a community (staff only)."""
        who = as_caller(caller)
        who.require_role(*ADMIN_ROLES)
        _visible_community(who, community_id)
        query = User.objects(community_id=community_id)
        if role:
            query = query.filter(role=role)
        return [_user(u) for u in query.order_by("username")]

