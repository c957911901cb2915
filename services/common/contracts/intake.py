"""Intake contracts (接诉即办): the category catalogue, issues, their lifecycle and events.

Categories follow Open311 GeoReport v2 service definitions (code, typed extra
attributes) so the Open311 endpoints are a translation, not a second model.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from services.common.caller import Role
from services.common.contracts.envelope import event_payload
from services.common.contracts.workflow import IssueClass, Location, ReasonIn, Route, Urgency

MAX_DESCRIPTION = 2000


class Channel(StrEnum):
    """渠道: where an issue came in."""

    app = "app"  # the residents' app (and Open311 clients)
    hotline = "hotline"  # 12345: an operator enters the caller's report
    grid_patrol = "grid_patrol"  # 综治手机: a grid worker on patrol
    visit = "visit"  # 来访: a resident at the community office
    online_hall = "online_hall"  # 网上议事厅
    door_knocking = "door_knocking"  # 敲门行动


class IssueState(StrEnum):
    received = "received"
    triaged = "triaged"
    dispatched = "dispatched"
    in_progress = "in_progress"
    resolved = "resolved"
    rated = "rated"
    closed = "closed"
    rejected = "rejected"
    merged = "merged"
    reopened = "reopened"


# Still being worked on (Open311 "open"); every other state is "closed".
OPEN_STATES = frozenset({IssueState.received, IssueState.triaged, IssueState.dispatched,
                         IssueState.in_progress, IssueState.reopened})


class RejectReason(StrEnum):
    not_responsible = "not_responsible"  # 非本社区职责
    invalid = "invalid"
    withdrawn = "withdrawn"  # the reporter withdrew it


class AttributeType(StrEnum):
    """Open311 attribute datatypes."""

    string = "string"
    text = "text"
    number = "number"
    datetime = "datetime"
    singlevaluelist = "singlevaluelist"
    multivaluelist = "multivaluelist"


class AttributeValue(BaseModel):
    key: str
    name: str


class AttributeDef(BaseModel):
    code: str = Field(pattern=r"^[a-z][a-z0-9_]{0,39}$")
    name: str  # zh
    name_en: str
    datatype: AttributeType
    required: bool = False
    values: list[AttributeValue] = []  # for the list types
    description: str = ""


class TriageRule(BaseModel):
    """A category's default triage (三事分流, 四类事, urgency)."""

    route: Route
    issue_class: IssueClass
    urgency: Urgency = Urgency.normal


class CategoryDef(BaseModel):
    """One entry of a community's catalogue (an Open311 service definition)."""

    model_config = ConfigDict(extra="forbid")

    code: str = Field(pattern=r"^[a-z][a-z0-9_]{1,39}$")
    name: str = Field(min_length=1, max_length=40)  # zh
    name_en: str = Field(min_length=1, max_length=80)
    group: str
    keywords: list[str] = []
    attributes: list[AttributeDef] = []
    triage: TriageRule
    auto_triage: bool = False  # urgent hazards skip the admin's triage step
    response_hours: float | None = None
    resolution_hours: float | None = None
    duplicate_radius_m: float = 200.0
    duplicate_window_hours: float = 72.0


class Contact(BaseModel):
    """How to reach a hotline caller who stays anonymous to everyone but staff."""

    model_config = ConfigDict(extra="forbid")
    name: str | None = Field(default=None, max_length=40)
    phone: str = Field(pattern=r"^\+?[0-9-]{5,20}$")


class IssueIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    community_id: str = Field(min_length=1, max_length=64)
    category: str = Field(min_length=1, max_length=40)
    description: str = Field(min_length=1, max_length=MAX_DESCRIPTION)
    location: Location
    channel: Channel = Channel.app
    attributes: dict[str, Any] = {}
    anonymous: bool = False
    contact: Contact | None = None  # hotline: the caller's contact


class TriageIn(BaseModel):
    """Confirm the category's triage, or override it (a reason is then required)."""

    model_config = ConfigDict(extra="forbid")
    route: Route | None = None
    issue_class: IssueClass | None = None
    urgency: Urgency | None = None
    reason: str | None = Field(default=None, max_length=500)


class RejectIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: RejectReason
    note: str = Field(default="", max_length=500)


class NoteIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    note: str = Field(default="", max_length=500)


class RateIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    score: int = Field(ge=1, le=5)
    comment: str = Field(default="", max_length=500)


ReopenIn = ReasonIn  # the reporter is not satisfied, and says why


class MergeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    original_id: str = Field(min_length=1, max_length=64)


class Triage(TriageRule):
    source: str  # "category" or "admin"
    reason: str | None = None


class DuplicateSuggestion(BaseModel):
    issue_id: str
    distance_m: float
    supporters: int
    created_at: datetime


class IssueOut(BaseModel):
    id: str
    community_id: str
    street_id: str
    district_id: str
    grid_id: str | None = None
    category: str
    description: str
    location: Location
    channel: Channel
    attributes: dict[str, Any] = {}
    state: IssueState
    triage: Triage
    reporter_id: str | None = None
    submitted_by: str | None = None  # the account that entered it (staff and itself only)
    anonymous: bool
    contact: Contact | None = None  # staff only
    supporters: int = 1
    group_complaint: bool = False  # 群体诉
    duplicate_of: str | None = None
    duplicates: list[str] = []
    original_state: IssueState | None = None  # a merged issue follows its original
    reject_reason: RejectReason | None = None
    rating: int | None = None
    photos: list[str] = []
    created_at: datetime
    updated_at: datetime
    suggested_duplicates: list[DuplicateSuggestion] = []


class TimelineEntryOut(BaseModel):
    issue_id: str
    at: datetime
    actor_role: Role
    actor_id: str | None = None  # hidden from residents unless it is themselves
    state: IssueState
    note: str = ""


class PublicIssue(BaseModel):
    """公示: what anyone may see; no names, phones, or exact places of private matters."""

    id: str
    community_id: str
    category: str
    category_name: str
    summary: str | None = None
    state: IssueState
    route: Route
    issue_class: IssueClass
    supporters: int
    lat: float | None = None
    lng: float | None = None
    address: str | None = None
    photos: list[str] = []  # ids of EXIF-free public copies (none for private matters)
    created_at: datetime
    updated_at: datetime


class PublicQuery(BaseModel):
    """Filters of the public list (those of Open311 GET requests.json)."""

    model_config = ConfigDict(extra="forbid")
    ids: list[str] | None = Field(default=None, max_length=100)
    category: str | None = None
    start: datetime | None = None
    end: datetime | None = None
    status: Literal["open", "closed"] | None = None
    limit: int = Field(default=200, ge=1, le=1000)


# --- events ------------------------------------------------------------------------------


@event_payload("issue.received")
class IssueReceived(BaseModel):
    issue_id: str
    community_id: str
    grid_id: str | None = None
    category: str
    channel: Channel
    reporter_id: str | None = None
    location: Location


@event_payload("issue.triaged")
class IssueTriaged(BaseModel):
    """Triage decided the route; dispatch makes a work order for community / party_volunteer."""

    issue_id: str
    community_id: str
    street_id: str
    district_id: str
    grid_id: str | None = None
    category: str
    route: Route
    issue_class: IssueClass
    urgency: Urgency
    summary: str
    location: Location | None = None
    response_hours: float | None = None  # the category's default deadlines, if it has them
    resolution_hours: float | None = None


@event_payload("issue.status_changed")
class IssueStatusChanged(BaseModel):
    """Every lifecycle step; `notify` lists the reporters to tell (merged issues' too)."""

    issue_id: str
    community_id: str
    from_state: IssueState
    to_state: IssueState
    note: str = ""
    notify: list[str] = []


@event_payload("issue.merged")
class IssueMerged(BaseModel):
    issue_id: str  # the duplicate
    original_id: str
    community_id: str
    supporters: int


@event_payload("issue.reopened")
class IssueReopened(BaseModel):
    """The reporter was not satisfied: the order goes back to work with its history."""

    issue_id: str
    community_id: str
    reason: str


@event_payload("issue.rated")
class IssueRated(BaseModel):
    """The reporter's satisfaction (满意率 counts it)."""

    issue_id: str
    community_id: str
    score: int
    comment: str = ""


# --- abuse handling: revealing an anonymous reporter (district only, audited) ---------------


class RevealIn(BaseModel):
    """Why the district needs to know who filed an issue (kept in the audit record)."""

    model_config = ConfigDict(extra="forbid")
    reason: str = Field(min_length=1, max_length=500)


class ReporterIdentity(BaseModel):
    """Who filed an issue, as revealed to the district; `audit_id` is the record it left."""

    issue_id: str
    anonymous: bool
    reporter_id: str | None = None
    submitted_by: str
    contact: Contact | None = None
    audit_id: str
