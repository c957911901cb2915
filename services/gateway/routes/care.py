"""Care (一老一小): the public catalogue, sessions and bookings, delivery, and the visit rota
of elderly people living alone.

Routes only translate HTTP to the care service's RPCs over its contracts. Each checks the
role; the service checks again the community, the provider and the visitors (anyone else:
the 404 of a missing record). The catalogue and its sessions are public (no sign-in).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status

from services.common.caller import Role
from services.common.contracts.care import (
    BookingIn,
    BookingOut,
    BookingPage,
    DeliveryIn,
    ElderIn,
    ElderOut,
    ElderPage,
    EscalationPage,
    RotaIn,
    ServiceIn,
    ServiceOut,
    ServicePage,
    SessionIn,
    SessionOut,
    SessionPage,
    VisitIn,
    VisitOut,
    VisitPage,
)
from services.common.errors import NotFound
from services.common.paging import DEFAULT_PAGE, MAX_PAGE
from services.gateway.deps import (
    CallerDep,
    PathId,
    QueryId,
    RpcDep,
    caller_args,
    require,
)
from services.gateway.routes.deliberation import own_community

router = APIRouter(tags=["care"])

Limit = Annotated[int, Query(ge=1, le=MAX_PAGE)]
Cursor = Annotated[str | None, Query(max_length=512)]
ADMIN = (Role.community_admin,)
BOOKERS = (Role.resident, Role.volunteer, Role.operator, Role.grid_worker,
           Role.community_admin)
# a provider's account may be any of these (a volunteer, a merchant, an operator...)
PROVIDERS = (Role.community_admin, Role.volunteer, Role.operator, Role.merchant,
             Role.grid_worker, Role.resident)
VISITORS = (Role.community_admin, Role.grid_worker, Role.volunteer, Role.operator,
            Role.resident)


def _call(rpc: RpcDep, method: str, caller: CallerDep | None, *args: object) -> object:
    return rpc.call("care", method, caller_args(caller) if caller else None, *args)


# --- the catalogue (public reads) --------------------------------------------------------


@router.get("/care/communities/{community_id}/services", response_model=ServicePage)
def list_services(community_id: PathId, rpc: RpcDep, limit: Limit = DEFAULT_PAGE,
                  cursor: Cursor = None) -> object:
    """A community's catalogue of services for the old and the young (public)."""
    return _call(rpc, "list_services", None, community_id, limit, cursor)


@router.get("/care/services/{service_id}", response_model=ServiceOut)
def get_service(service_id: PathId, rpc: RpcDep) -> object:
    """One service: provider, eligibility, capacity and price (public)."""
    return _call(rpc, "get_service", None, service_id)


@router.get("/care/services/{service_id}/sessions", response_model=SessionPage)
def list_sessions(service_id: PathId, rpc: RpcDep, limit: Limit = DEFAULT_PAGE,
                  cursor: Cursor = None) -> object:
    """A service's sessions and their free seats (public)."""
    return _call(rpc, "list_sessions", None, service_id, limit, cursor)


@router.post("/care/services", status_code=status.HTTP_201_CREATED, response_model=ServiceOut)
def add_service(body: ServiceIn, caller: CallerDep, rpc: RpcDep) -> object:
    """The community admin adds a service (provider kind, eligibility, capacity, price)."""
    require(caller, *ADMIN)
    own_community(caller, body.community_id)
    return _call(rpc, "add_service", caller, body.model_dump(mode="json"))


@router.post("/care/services/{service_id}/sessions", status_code=status.HTTP_201_CREATED,
             response_model=SessionOut)
def add_session(service_id: PathId, body: SessionIn, caller: CallerDep,
                rpc: RpcDep) -> object:
    """The community admin opens a session with its seats."""
    require(caller, *ADMIN)
    return _call(rpc, "add_session", caller, service_id, body.model_dump(mode="json"))


# --- bookings ----------------------------------------------------------------------------


@router.post("/care/sessions/{session_id}/bookings", status_code=status.HTTP_201_CREATED,
             response_model=BookingOut)
def book_session(session_id: PathId, body: BookingIn, caller: CallerDep,
                 rpc: RpcDep) -> object:
    """Book a seat for oneself or a dependent: once per person served, within capacity."""
    require(caller, *BOOKERS)
    return _call(rpc, "book_session", caller, session_id, body.model_dump(mode="json"))


@router.get("/care/bookings", response_model=BookingPage)
def list_bookings(caller: CallerDep, rpc: RpcDep, session_id: QueryId = None,
                  provided: bool = False, limit: Limit = DEFAULT_PAGE,
                  cursor: Cursor = None) -> object:
    """The caller's bookings; (`provided=true`) those of the services the caller provides;
    (`session_id`) a session's roster for its provider and the community admin."""
    require(caller, *PROVIDERS)
    return _call(rpc, "list_bookings", caller, session_id, limit, cursor, provided)


@router.get("/care/bookings/{booking_id}", response_model=BookingOut)
def get_booking(booking_id: PathId, caller: CallerDep, rpc: RpcDep) -> object:
    """A booking, for its booker, the provider and the community admin."""
    require(caller, *PROVIDERS)
    return _call(rpc, "get_booking", caller, booking_id)


@router.post("/care/bookings/{booking_id}/cancel", response_model=BookingOut)
def cancel_booking(booking_id: PathId, caller: CallerDep, rpc: RpcDep) -> object:
    """Give up the seat (freed once)."""
    require(caller, *PROVIDERS)
    return _call(rpc, "cancel_booking", caller, booking_id)


@router.post("/care/bookings/{booking_id}/confirm", response_model=BookingOut)
def confirm_booking(booking_id: PathId, caller: CallerDep, rpc: RpcDep) -> object:
    """The provider confirms a booked seat."""
    require(caller, *PROVIDERS)
    return _call(rpc, "confirm_booking", caller, booking_id)


@router.post("/care/bookings/{booking_id}/delivery", response_model=BookingOut)
def record_delivery(booking_id: PathId, body: DeliveryIn, caller: CallerDep,
                    rpc: RpcDep) -> object:
    """The provider records the service given: hours and points follow by event."""
    require(caller, *PROVIDERS)
    return _call(rpc, "record_delivery", caller, booking_id, body.model_dump(mode="json"))


# --- 独居老人 and the visit rota -------------------------------------------------------------


@router.post("/care/elders", status_code=status.HTTP_201_CREATED, response_model=ElderOut)
def register_elder(body: ElderIn, caller: CallerDep, rpc: RpcDep) -> object:
    """The community admin registers an elderly person living alone (private)."""
    require(caller, *ADMIN)
    own_community(caller, body.community_id)
    return _call(rpc, "register_elder", caller, body.model_dump(mode="json"))


@router.get("/care/elders", response_model=ElderPage)
def list_elders(caller: CallerDep, rpc: RpcDep, community_id: QueryId = None,
                mine: bool = False, limit: Limit = DEFAULT_PAGE,
                cursor: Cursor = None) -> object:
    """The admin's register, or (`mine=true`) the elders the caller visits."""
    require(caller, *(VISITORS if mine else ADMIN))
    return _call(rpc, "list_elders", caller, own_community(caller, community_id), mine,
                 limit, cursor)


@router.get("/care/escalations", response_model=EscalationPage)
def list_escalations(caller: CallerDep, rpc: RpcDep, street_id: QueryId = None,
                     limit: Limit = DEFAULT_PAGE, cursor: Cursor = None) -> object:
    """Missed visits gone up to the street or the district, latest first: a street admin's
    own street, or the street a district admin names. Where and since when, never who."""
    require(caller, Role.street_admin, Role.district_admin)
    if caller.role is Role.street_admin and street_id not in (None, caller.street_id):
        raise NotFound("no such street", {"street_id": "unknown"})
    return _call(rpc, "list_escalations", caller, street_id, limit, cursor)


@router.get("/care/elders/{elder_id}", response_model=ElderOut)
def get_elder(elder_id: PathId, caller: CallerDep, rpc: RpcDep) -> object:
    """An elder's details and rota: the community admin and the assigned visitors."""
    require(caller, *VISITORS)
    return _call(rpc, "get_elder", caller, elder_id)


@router.put("/care/elders/{elder_id}/rota", response_model=ElderOut)
def assign_rota(elder_id: PathId, body: RotaIn, caller: CallerDep, rpc: RpcDep) -> object:
    """The admin assigns the grid worker and volunteers who visit every N days."""
    require(caller, *ADMIN)
    return _call(rpc, "assign_rota", caller, elder_id, body.model_dump(mode="json"))


@router.post("/care/elders/{elder_id}/visits", status_code=status.HTTP_201_CREATED,
             response_model=VisitOut)
def record_visit(elder_id: PathId, body: VisitIn, caller: CallerDep, rpc: RpcDep) -> object:
    """An assigned visitor records the awaited visit."""
    require(caller, *VISITORS)
    return _call(rpc, "record_visit", caller, elder_id, body.model_dump(mode="json"))


@router.get("/care/elders/{elder_id}/visits", response_model=VisitPage)
def list_visits(elder_id: PathId, caller: CallerDep, rpc: RpcDep, limit: Limit = DEFAULT_PAGE,
                cursor: Cursor = None) -> object:
    """An elder's visits, latest first (the admin and the visitors)."""
    require(caller, *VISITORS)
    return _call(rpc, "list_visits", caller, elder_id, limit, cursor)
