"""Communities as evaluation knows them (tenancy from identity's events, the rating window)
and where each unit sits, for the scope checks on its figures."""

from __future__ import annotations

from collections import OrderedDict

from services.common import audit
from services.common.aggregate import Decision, change
from services.common.caller import ADMIN_ROLES, Caller, Role, Scope
from services.common.contracts.evaluation import (
    DEFAULT_WEIGHTS,
    DEFAULT_WINDOW_DAYS,
    PolicyOut,
    RouteName,
    UnitKind,
)
from services.common.errors import NotFound
from services.evaluation import domain
from services.evaluation.models import RatingPolicy, UnitScope

# Units whose scope this process has written, per database (tests run several in one process).
_KNOWN: OrderedDict[tuple[str, str], None] = OrderedDict()
KNOWN_MAX = 50_000


# Communities' street and district as this process wrote or read them, per database: every
# issue names its community's, and a community does not move between streets, so one write
# (and one read) per community and process instead of one per event.
_TENANCY: OrderedDict[tuple[str, str], tuple[str, str]] = OrderedDict()


def _tenancy_key(community_id: str) -> tuple[str, str]:
    return RatingPolicy._get_collection().database.name, community_id


def _keep(community_id: str, street_id: str, district_id: str) -> None:
    _TENANCY[_tenancy_key(community_id)] = (street_id, district_id)
    if len(_TENANCY) > KNOWN_MAX:
        _TENANCY.popitem(last=False)


def remember(community_id: str, street_id: str | None, district_id: str | None) -> None:
    if street_id and district_id and _TENANCY.get(_tenancy_key(community_id)) == (
            street_id, district_id):
        return  # written by this process already, units placed
    RatingPolicy._get_collection().update_one(
        {"_id": community_id},
        {"$set": {k: v for k, v in (("street_id", street_id), ("district_id", district_id))
                  if v}, "$setOnInsert": {"window_days": DEFAULT_WINDOW_DAYS}}, upsert=True)
    if street_id and district_id:
        place_units(domain.Case(id="-", community_id=community_id, street_id=street_id,
                                district_id=district_id))
        _keep(community_id, street_id, district_id)


def tenancy(community_id: str) -> dict[str, str | None]:
    if (known := _TENANCY.get(_tenancy_key(community_id))) is not None:
        return {"street_id": known[0], "district_id": known[1]}
    doc = RatingPolicy.objects(id=community_id).only("street_id", "district_id").first()
    if doc is not None and doc.street_id and doc.district_id:
        _keep(community_id, doc.street_id, doc.district_id)
    return {"street_id": doc.street_id if doc else None,
            "district_id": doc.district_id if doc else None}


def window_days(community_id: str) -> int:
    doc = RatingPolicy.objects(id=community_id).only("window_days").first()
    return doc.window_days if doc is not None and doc.window_days else DEFAULT_WINDOW_DAYS


def _weights_of(doc: RatingPolicy | None) -> dict[str, float]:
    stored = doc.three_route_weights if doc is not None else None
    return dict(stored) if stored else {k.value: v for k, v in DEFAULT_WEIGHTS.items()}


def weights(community_id: str) -> dict[str, float]:
    """The community's 三评议 weights (the defaults until someone sets them)."""
    return _weights_of(RatingPolicy.objects(id=community_id).only("three_route_weights").first())


def community_scope(community_id: str) -> Scope | None:
    doc = RatingPolicy.objects(id=community_id).first()
    if doc is None or not doc.district_id:
        return None
    return Scope(district_id=doc.district_id, street_id=doc.street_id, community_id=doc.id)


def require_admin_of(caller: Caller, community_id: str) -> None:
    """The community's own admins, its street's and district's (and the system): a 403 for
    another role, and for anyone else the 404 a made-up community gets.

    A community evaluation has not heard of yet (identity's `community.created` still on
    its way) is known to its own admins by their placement, which the token carries."""
    caller.require_role(*ADMIN_ROLES)
    if caller.role is Role.system:
        return
    scope = community_scope(community_id)
    if scope is None:
        if caller.role is Role.community_admin and caller.community_id == community_id:
            return
        raise NotFound("no such community", {"community_id": "unknown"})
    if not caller.sees(scope):
        raise NotFound("no such community", {"community_id": "unknown"})


def read(caller: Caller, community_id: str) -> PolicyOut:
    """The community's settings, the defaults where it has none (a read writes nothing)."""
    require_admin_of(caller, community_id)
    doc = RatingPolicy.objects(id=community_id).first()
    return PolicyOut(community_id=community_id,
                     window_days=doc.window_days if doc is not None and doc.window_days
                     else DEFAULT_WINDOW_DAYS,
                     three_route_weights={RouteName(k): v
                                          for k, v in _weights_of(doc).items()})


def _admin_sets(caller: Caller, community_id: str, values: dict, action: str) -> None:
    """A change of the settings, with an admin's audit event, in one write. A community
    without a row yet (the seed runs before the events arrive) gets one first; `remember`
    later adds its tenancy and keeps what was set. Rows written raw get the frame's version."""
    coll = RatingPolicy._get_collection()
    coll.update_one({"_id": community_id}, {"$setOnInsert": {"version": 0}}, upsert=True)
    coll.update_one({"_id": community_id, "version": {"$exists": False}},
                    {"$set": {"version": 0}})
    change(lambda: RatingPolicy.objects.get(id=community_id),
           lambda p, _at: audit.attach(Decision(changes=values), caller, p, action,
                                       "rating_policy", community_id=community_id), caller)


def set_window(caller: Caller, community_id: str, days: int) -> PolicyOut:
    require_admin_of(caller, community_id)
    _admin_sets(caller, community_id, {"window_days": days}, "rating_policy.set_window")
    return read(caller, community_id)


def set_weights(caller: Caller, community_id: str, chosen: dict[RouteName, float]) -> PolicyOut:
    require_admin_of(caller, community_id)
    _admin_sets(caller, community_id,
                {"three_route_weights": {k.value: v for k, v in chosen.items()}},
                "rating_policy.set_weights")
    return read(caller, community_id)


def place_units(case: domain.Case) -> None:
    """Write the scope of the case's units the first time this process meets them."""
    if not case.district_id:
        return
    d, s, c = case.district_id, case.street_id, case.community_id
    rows = {f"community:{c}": (s, c, f"community|{s}" if s else None, f"community|{d}")}
    if s:
        rows[f"street:{s}"] = (s, None, f"street|{d}", None)
    rows[f"district:{d}"] = (None, None, None, None)
    if case.grid_id:
        rows[f"grid:{case.grid_id}"] = (s, c, f"grid|{c}", None)
    if case.responder_id:
        rows[f"responder:{case.responder_id}"] = (s, c, f"responder|{c}", None)
    if case.id.startswith("it-"):  # an item residents rate, and the person it rates
        rows[f"item:{case.id[3:]}"] = (s, c, f"item|{c}", None)
        if case.reporter_id and case.category in ("volunteer_service", "operator_service"):
            kind = case.category.removesuffix("_service")
            rows[f"{kind}:{case.reporter_id}"] = (s, c, f"{kind}|{c}", None)
    coll = UnitScope._get_collection()
    for unit, (street, community, parent_key, district_key) in rows.items():
        known = (coll.database.name, unit)
        if known in _KNOWN:
            continue
        coll.update_one({"_id": unit}, {"$setOnInsert": {
            "district_id": d, "street_id": street, "community_id": community,
            "parent_key": parent_key, "district_key": district_key}}, upsert=True)
        _KNOWN[known] = None
        if len(_KNOWN) > KNOWN_MAX:
            _KNOWN.popitem(last=False)


def place_department(case: domain.Case, department_id: str) -> None:
    """A department's figures belong to its community (its id is a name within it)."""
    coll = UnitScope._get_collection()
    unit = domain.department_unit(case, department_id)
    known = (coll.database.name, unit)
    if case.district_id and known not in _KNOWN:
        coll.update_one({"_id": unit}, {"$setOnInsert": {
            "district_id": case.district_id, "street_id": case.street_id,
            "community_id": case.community_id,
            "parent_key": f"department|{case.community_id}",
            "district_key": f"department|{case.district_id}"}}, upsert=True)
        _KNOWN[known] = None


def require_figures(caller: Caller, kind: UnitKind, unit_id: str) -> str:
    """The unit key if the caller may read its figures; a 404 for anything else (unknown,
    or someone else's: the same answer)."""
    caller.require_role(*ADMIN_ROLES, Role.ops, Role.department)
    unit = f"{kind.value}:{unit_id}"
    if caller.role is Role.department:
        own = f"{caller.community_id}.{caller.department_id}"
        if kind is UnitKind.department and unit_id == own:
            return unit
        raise NotFound("no such unit", {"unit_id": "unknown"})
    doc = UnitScope.objects(id=unit).first()
    if doc is None or not doc.district_id:
        raise NotFound("no such unit", {"unit_id": "unknown"})
    scope = Scope(district_id=doc.district_id, street_id=doc.street_id,
                  community_id=doc.community_id)
    if not caller.sees_figures(scope):
        raise NotFound("no such unit", {"unit_id": "unknown"})
    return unit
