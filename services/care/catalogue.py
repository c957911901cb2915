"""The catalogue (服务清单): a community admin adds services and their sessions; anyone
lists a community's services and a service's sessions (public: no sign-in, no person)."""

from __future__ import annotations

import time

from nameko.rpc import rpc

from services.care.models import CareOffering, CareSession, new_id
from services.common import access, audit
from services.common.aggregate import Decision, change
from services.common.caller import Caller, Role
from services.common.contracts.care import (
    ServiceIn,
    ServiceOut,
    ServicePage,
    SessionIn,
    SessionOut,
    SessionPage,
)
from services.common.errors import Forbidden, NotFound
from services.common.paging import PageQuery, fetch, page_key
from services.common.rpc import as_caller, parse, replies


def service_view(s: CareOffering) -> dict:
    return ServiceOut(
        id=s.id, community_id=s.community_id, kind=s.kind, title=s.title, detail=s.detail,
        provider_kind=s.provider_kind, provider_name=s.provider_name,
        provider_account_id=s.provider_account_id, eligibility=dict(s.eligibility or {}),
        capacity=s.capacity, price_points=s.price_points or 0,
        price_money_cents=s.price_money_cents or 0, hours=s.hours, active=bool(s.active),
        created_ts=s.created_ts).model_dump(mode="json")


def session_view(s: CareSession) -> dict:
    return SessionOut(id=s.id, service_id=s.service_id, community_id=s.community_id,
                      starts_ts=s.starts_ts, ends_ts=s.ends_ts, capacity=s.capacity,
                      booked=s.capacity - s.free, free=s.free).model_dump(mode="json")



def find_service(service_id: str) -> CareOffering:
    found = CareOffering.objects(id=str(service_id)).first()
    if found is None:
        raise NotFound("no such service", {"service_id": "unknown"})
    return found


def find_session(session_id: str) -> CareSession:
    found = CareSession.objects(id=str(session_id)).first()
    if found is None:
        raise NotFound("no such session", {"session_id": "unknown"})
    return found


def require_admin_of(who: Caller, doc: object) -> None:
    """The community admin of the record's own community (another's: the 404 of a missing
    record, never a 403 that confirms it)."""
    if who.role is not Role.system and who.role is not Role.community_admin:
        raise Forbidden("the community admin does this", {"role": who.role.value})
    if not access.is_admin_of(who, doc):
        raise NotFound("no such service", {"service_id": "unknown"})


class CatalogueEntrypoints:
    @rpc
    @replies(ServiceOut)
    def add_service(self, caller: dict, data: dict) -> dict:
        """A community admin adds a service of one of the six kinds of provider."""
        who = as_caller(caller)
        who.require_role(Role.community_admin)
        spec = parse(ServiceIn, data)
        place = access.home(who, spec.community_id)
        now = time.time()
        sid = new_id("cs")
        doc = CareOffering(id=sid, district_id=place.district_id, street_id=place.street_id,
                          community_id=place.community_id, added_by=who.user_id,
                          created_ts=now, page_key=page_key(f"c:{place.community_id}", now, sid),
                          **spec.model_dump(mode="json", exclude={"community_id"}))
        trail = audit.fields_of(doc, ("kind", "title", "provider_kind", "capacity",
                                      "price_points", "price_money_cents"))
        return service_view(change(lambda: doc, lambda d, at: audit.attach(
            Decision(), who, d, "care.service_add", "care_service", after=trail), who).doc)

    @rpc
    @replies(ServicePage)
    def list_services(self, caller: dict | None, community_id: str, limit: int | None = None,
                      cursor: str | None = None) -> dict:
        """A community's catalogue, newest first (public: anyone may read it)."""
        docs, nxt = fetch(CareOffering.objects, "page_key", f"c:{community_id}",
                          PageQuery.of(limit, cursor))
        return {"items": [service_view(d) for d in docs], "next_cursor": nxt}

    @rpc
    @replies(ServiceOut)
    def get_service(self, caller: dict | None, service_id: str) -> dict:
        """One service of a catalogue (public)."""
        return service_view(find_service(service_id))

    @rpc
    @replies(SessionOut)
    def add_session(self, caller: dict, service_id: str, data: dict) -> dict:
        """The community admin opens a session of a service, with its seats."""
        who = as_caller(caller)
        spec = parse(SessionIn, data)
        service = find_service(service_id)
        require_admin_of(who, service)
        capacity = spec.capacity or service.capacity
        now = time.time()
        sid = new_id("ss")
        session = CareSession(id=sid, service_id=service.id, district_id=service.district_id,
                              street_id=service.street_id, community_id=service.community_id,
                              starts_ts=spec.starts_ts, ends_ts=spec.ends_ts, capacity=capacity,
                              free=capacity, holders=[], created_ts=now,
                              page_key=page_key(f"s:{service.id}", spec.starts_ts, sid))
        trail = audit.fields_of(session, ("service_id", "starts_ts", "ends_ts", "capacity"))
        return session_view(change(lambda: session, lambda d, at: audit.attach(
            Decision(), who, d, "care.session_add", "care_session", after=trail), who).doc)

    @rpc
    @replies(SessionPage)
    def list_sessions(self, caller: dict | None, service_id: str, limit: int | None = None,
                      cursor: str | None = None) -> dict:
        """A service's sessions, latest start first, with their free seats (public)."""
        service = find_service(service_id)
        docs, nxt = fetch(CareSession.objects, "page_key", f"s:{service.id}",
                          PageQuery.of(limit, cursor))
        return {"items": [session_view(d) for d in docs], "next_cursor": nxt}
