"""The tenancy registry: districts, streets and communities (the tenants)."""

from __future__ import annotations

from mongoengine.errors import NotUniqueError

from services.common import audit
from services.common.aggregate import Decision, change
from services.common.caller import Caller, Role
from services.common.contracts.board import BoardQuery, PublicCommunity
from services.common.contracts.identity import CommunityIn, DistrictIn, StreetIn, Unit
from services.common.errors import AlreadyExists, NotFound
from services.common.rpc import parse
from services.identity import domain
from services.identity.models import Community, District, Street


def unit_of(doc: District | Street | Community) -> Unit:
    if isinstance(doc, District):
        return Unit(id=doc.id, name=doc.name, level="district", district_id=doc.id)
    if isinstance(doc, Street):
        return Unit(id=doc.id, name=doc.name, level="street", district_id=doc.district_id,
                    street_id=doc.id)
    return Unit(id=doc.id, name=doc.name, level="community", district_id=doc.district_id,
                street_id=doc.street_id)


def create_district(caller: Caller, body: dict) -> District:
    caller.require_role(Role.system)  # districts come with a deployment; checked before input
    data = parse(DistrictIn, body)
    try:
        return District(code=data.code, name=data.name).save(force_insert=True)
    except NotUniqueError as exc:
        raise AlreadyExists("district code taken", {"code": "already exists"}) from exc


def create_street(caller: Caller, data: StreetIn) -> Street:
    district_id = data.district_id or caller.district_id
    # Another district is refused exactly as a made-up id: no existence leak.
    if (District.objects(id=district_id).first() is None
            or not domain.sees_district(caller, district_id)):
        raise NotFound("no such district", {"district_id": "unknown"})
    domain.check_may_create_street(caller, district_id)
    try:
        street = Street(district_id=district_id, name=data.name)
        return change(lambda: street, lambda s, _now: audit.attach(
            Decision(), caller, s, "street.create", "street", before={},
            after={"name": s.name}, street_id=s.id), caller).doc
    except NotUniqueError as exc:
        raise AlreadyExists("street name taken", {"name": "already exists"}) from exc


def create_community(caller: Caller, data: CommunityIn) -> Community:
    street = Street.objects(id=data.street_id).first()
    if street is None or not domain.sees_street(caller, street.district_id, street.id):
        raise NotFound("no such street", {"street_id": "unknown"})
    domain.check_may_create_community(caller, street.district_id, street.id)
    community = Community(district_id=street.district_id, street_id=street.id, name=data.name)
    try:
        return change(lambda: community, lambda c, _now: audit.attach(
            domain.community_created(c), caller, c, "community.create", "community",
            before={}, after={"name": c.name, "street_id": c.street_id},
            community_id=c.id), caller).doc
    except NotUniqueError as exc:
        raise AlreadyExists("community name taken in this street",
                            {"name": "already exists"}) from exc


def visible_community(caller: Caller, community_id: str) -> Community:
    """The community, if the caller may see it (404 otherwise: no existence leak)."""
    community = Community.objects(id=community_id).first()
    if community is None or not caller.sees(community.scope):
        raise NotFound("no such community", {"community_id": "unknown"})
    return community


def public_community(community_id: str) -> PublicCommunity:
    """A community's id and name, as its public board names it (anyone; 404 if unknown)."""
    community = Community.objects(id=parse(BoardQuery, {"community_id": community_id})
                                  .community_id).only("id", "name").first()
    if community is None:
        raise NotFound("no such community", {"community_id": "unknown"})
    return PublicCommunity(id=community.id, name=community.name)


def units(caller: Caller) -> list[Unit]:
    """The streets and communities within the caller's reach (equality queries only)."""
    where = domain.reach(caller)
    if where.district_id:
        streets = list(Street.objects(district_id=where.district_id))
        communities = list(Community.objects(district_id=where.district_id))
    elif where.street_id:
        streets = list(Street.objects(id=where.street_id))
        communities = (list(Community.objects(id=where.community_id)) if where.community_id
                       else list(Community.objects(street_id=where.street_id)))
    else:
        streets = []
        communities = (list(Community.objects(id=where.community_id))
                       if where.community_id else [])
    return [unit_of(s) for s in streets] + [unit_of(c) for c in communities]
