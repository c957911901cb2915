"""Services for the old and the young (一老一小, seed 002): a community's catalogue of care
services (meal aid, day care, health checks, after-school care, summer classes...) offered by
providers of six kinds, their sessions with a capacity, residents' bookings, and a visit rota
for elderly people living alone (独居老人) whose missed visits escalate.

The events here are published by the `care` service (`@handles("care", ...)`): points pays
its `care_delivered` rule on `care.delivered`; notify tells the visitors and the community
admin of `care.visit_missed`. No event carries an elderly person's details: ids only.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator

from services.common.contracts.envelope import event_payload
from services.common.contracts.types import Id, Name, Note, Summary, Text

EpochTs = Annotated[float, Field(ge=0, le=7_258_118_400, allow_inf_nan=False)]
Phone = Annotated[str, Field(pattern=r"^\+?[0-9][0-9 -]{4,19}$")]
Age = Annotated[int, Field(ge=0, le=130)]
MAX_CAPACITY = 500
MAX_VISITORS = 10
MAX_SESSION_HOURS = 12


class ServiceKind(StrEnum):
    meal_aid = "meal_aid"  # 助餐
    day_care = "day_care"  # 日间照料
    health_check = "health_check"  # 健康体检
    home_care = "home_care"  # 居家照护
    companionship = "companionship"  # 陪伴
    after_school = "after_school"  # 课后托管 (四点半课堂)
    summer_class = "summer_class"  # 暑期班
    other = "other"


class ProviderKind(StrEnum):
    """Seed 002's six kinds of provider."""

    government = "government"  # 政府
    community = "community"  # 社区
    social_org = "social_org"  # 社会组织
    merchant = "merchant"  # 商家
    volunteer = "volunteer"  # 志愿者
    family = "family"  # 家庭


class BookingState(StrEnum):
    booked = "booked"  # a seat is held
    confirmed = "confirmed"  # the provider confirmed it
    delivered = "delivered"  # the provider recorded the service given: hours and points follow
    cancelled = "cancelled"  # the resident gave it up: the seat was freed


class Eligibility(BaseModel):
    """Who may be served: an age band ("elderly 60+": min_age 60; "child 3-12": 3 and 12)
    and, for some services, only people living alone."""

    model_config = ConfigDict(extra="forbid")
    min_age: Age | None = None
    max_age: Age | None = None
    living_alone: bool = False

    @model_validator(mode="after")
    def _band(self) -> Eligibility:
        if self.min_age is not None and self.max_age is not None and self.max_age < self.min_age:
            raise ValueError("max_age: must not be below min_age")
        return self


# --- RPC bodies -------------------------------------------------------------------------


class ServiceIn(BaseModel):
    """A community admin adds a service to the catalogue."""

    model_config = ConfigDict(extra="forbid")
    community_id: Id | None = None
    kind: ServiceKind
    title: Name
    detail: Summary
    provider_kind: ProviderKind
    provider_name: Name
    provider_account_id: Id | None = None  # the provider's account: confirms and delivers
    eligibility: Eligibility = Field(default_factory=Eligibility)
    capacity: int = Field(ge=1, le=MAX_CAPACITY)  # seats per session
    price_points: int = Field(0, ge=0, le=100_000)
    price_money_cents: int = Field(0, ge=0, le=10_000_000)  # in fen (分)
    hours: float | None = Field(None, gt=0, le=24, allow_inf_nan=False)  # per delivery


class SessionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    starts_ts: EpochTs
    ends_ts: EpochTs
    capacity: int | None = Field(None, ge=1, le=MAX_CAPACITY)  # the service's if absent

    @model_validator(mode="after")
    def _window(self) -> SessionIn:
        if self.ends_ts <= self.starts_ts:
            raise ValueError("ends_ts: must be after starts_ts")
        if self.ends_ts - self.starts_ts > MAX_SESSION_HOURS * 3600:
            raise ValueError(f"ends_ts: a session lasts at most {MAX_SESSION_HOURS} hours")
        return self


class Beneficiary(BaseModel):
    """Who is served: the booker themselves (`ref` "self") or a dependent (a child, a
    parent), as the booker declares them; eligibility is checked on what is declared."""

    model_config = ConfigDict(extra="forbid")
    ref: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,23}$")] = "self"
    name: Name
    age: Age
    living_alone: bool = False


class BookingIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    beneficiary: Beneficiary


class DeliveryIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    note: Note = ""
    hours: float | None = Field(None, gt=0, le=24, allow_inf_nan=False)  # the service's


class ElderIn(BaseModel):
    """独居老人: registered by the community admin; private to them and the visitors."""

    model_config = ConfigDict(extra="forbid")
    community_id: Id | None = None
    name: Name
    age: int = Field(ge=50, le=130)
    address: Text(120, min_length=1, line=True)  # type: ignore[valid-type]
    phone: Phone | None = None
    emergency_contact: Text(120, line=True) = ""  # type: ignore[valid-type]
    grid_id: Id | None = None
    note: Note = ""


class RotaIn(BaseModel):
    """The visit rota: the grid worker and volunteers, every N days, from `first_due_ts`."""

    model_config = ConfigDict(extra="forbid")
    grid_worker_id: Id
    volunteer_ids: list[Id] = Field(default_factory=list, max_length=MAX_VISITORS - 1)
    every_days: int = Field(ge=1, le=90)
    first_due_ts: EpochTs | None = None  # default: now + every_days
    grace_hours: float = Field(24, ge=0, le=72, allow_inf_nan=False)  # due → missed
    # a missed visit still not made this long after: up a level (community → street → district)
    escalate_hours: float = Field(24, gt=0, le=72, allow_inf_nan=False)

    @model_validator(mode="after")
    def _distinct(self) -> RotaIn:
        people = [self.grid_worker_id, *self.volunteer_ids]
        if len(set(people)) != len(people):
            raise ValueError("volunteer_ids: each visitor once (the grid worker included)")
        return self


class VisitIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    well: bool = True  # 安好
    note: Note = ""


# --- replies ----------------------------------------------------------------------------


class ServiceOut(BaseModel):
    id: str
    community_id: str
    kind: ServiceKind
    title: str
    detail: str
    provider_kind: ProviderKind
    provider_name: str
    provider_account_id: str | None = None
    eligibility: Eligibility
    capacity: int
    price_points: int
    price_money_cents: int
    hours: float | None = None
    active: bool = True
    created_ts: float


class ServicePage(BaseModel):
    items: list[ServiceOut]
    next_cursor: str | None = None


class SessionOut(BaseModel):
    id: str
    service_id: str
    community_id: str
    starts_ts: float
    ends_ts: float
    capacity: int
    booked: int
    free: int


class SessionPage(BaseModel):
    items: list[SessionOut]
    next_cursor: str | None = None


class BookingOut(BaseModel):
    id: str
    service_id: str
    session_id: str
    community_id: str
    account_id: str
    beneficiary_ref: str
    beneficiary_name: str | None = None  # the booker, the provider and the admin only
    state: BookingState
    round: int  # a booking cancelled and made again is the same id, the next round
    booked_ts: float
    confirmed_ts: float | None = None
    delivered_ts: float | None = None
    cancelled_ts: float | None = None
    cancel_reason: str | None = None  # the system's: "insufficient_points"
    price_points: int = 0  # locked at booking, spent at delivery, given back on a cancel
    hours: float | None = None
    version: int


class BookingPage(BaseModel):
    items: list[BookingOut]
    next_cursor: str | None = None


class VisitOut(BaseModel):
    id: str
    elder_id: str
    visitor_id: str
    cycle: int
    visited_ts: float
    well: bool
    note: str = ""
    late: bool = False  # recorded after the visit was missed


class ElderOut(BaseModel):
    id: str
    community_id: str
    name: str
    age: int
    address: str
    phone: str | None = None
    emergency_contact: str = ""
    grid_id: str | None = None
    note: str = ""
    grid_worker_id: str | None = None
    volunteer_ids: list[str] = []
    every_days: int | None = None
    grace_hours: float | None = None
    cycle: int = 0  # the visit now awaited (1, 2, ...)
    visit_due_ts: float | None = None
    missed: int = 0  # visits missed, each escalated once
    overdue: bool = False  # the awaited visit was missed and is still not made
    escalate_hours: float | None = None
    escalated_to: str | None = None  # the level the missed visit has reached, while overdue
    visits: int = 0
    last_visit_ts: float | None = None
    created_ts: float
    version: int


class EscalationOut(BaseModel):
    """An elder whose missed visit went up to the street (or the district): where, since
    when, and how far; never who (the details stay with the community and the visitors)."""

    elder_id: str
    community_id: str
    grid_id: str | None = None
    cycle: int
    escalated_to: str
    missed_since_ts: float
    escalated_ts: float
    missed: int


class EscalationPage(BaseModel):
    items: list[EscalationOut]
    next_cursor: str | None = None


class ElderPage(BaseModel):
    items: list[ElderOut]
    next_cursor: str | None = None


class VisitPage(BaseModel):
    items: list[VisitOut]
    next_cursor: str | None = None


# --- events -----------------------------------------------------------------------------


@event_payload("care.booked")
class CareBooked(BaseModel):
    """A seat booked: points locks the service's price from the booker (`price_points`),
    and answers `care_charge.refused` when they have too little (the booking is undone)."""

    booking_id: str
    service_id: str
    session_id: str
    community_id: str
    account_id: str
    round: int
    price_points: int = 0


@event_payload("care.booking_cancelled")
class CareBookingCancelled(BaseModel):
    booking_id: str
    session_id: str
    community_id: str
    account_id: str
    round: int
    price_points: int = 0  # what points locked at booking, given back now


@event_payload("care.delivered")
class CareDelivered(BaseModel):
    """The provider recorded the service given (once per booking round): points pays its
    `care_delivered` rule to the provider's account (a volunteer, a family, an
    organisation's member), per hour for volunteers."""

    booking_id: str
    service_id: str
    session_id: str
    community_id: str
    kind: ServiceKind
    resident_account_id: str
    provider_kind: ProviderKind
    provider_account_id: str | None = None
    delivered_by: str
    hours: float
    price_points: int = 0
    round: int
    delivered_ts: EpochTs


@event_payload("care.visited")
class CareVisited(BaseModel):
    elder_id: str
    community_id: str
    visitor_id: str
    cycle: int
    late: bool
    visited_ts: EpochTs


class ElderOnTheLadder(BaseModel):
    """Where a missed visit stands: the elder (ids only), the cycle missed, the level it
    reached and who must hear."""

    elder_id: str
    community_id: str
    street_id: str | None = None
    district_id: str | None = None
    grid_id: str | None = None
    cycle: int
    escalated_to: str
    notify: list[str] = []


@event_payload("care.visit_missed")
class CareVisitMissed(ElderOnTheLadder):
    """An awaited visit passed its deadline (fired once per elder and cycle by the
    PollTimer): escalated to the community admin; `notify` names who must hear."""

    due_ts: EpochTs
    escalated_to: str = "community"  # or higher: the previous cycle was not visited either


@event_payload("care.visit_escalated")
class CareVisitEscalated(ElderOnTheLadder):
    """A missed visit still not made `escalate_hours` after it was escalated: up one level
    of the ladder (community → street → district), like an overdue order. Ids only."""

    district_id: str
    escalated_to: str  # street | district
    missed_since_ts: EpochTs  # the awaited visit's due time plus the grace
