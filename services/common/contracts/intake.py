"""Intake contracts (接诉即办): the category catalogue, issues, their lifecycle and events.

Categories follow Open311 GeoReport v2 service definitions (code, typed extra
attributes) so the Open311 endpoints are a translation, not a second model.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from services.common.caller import Role
from services.common.contracts.envelope import event_payload
from services.common.contracts.types import (
    Code,
    FreeDict,
    Hours,
    Id,
    Instant,
    Name,
    Note,
    RadiusM,
    Summary,
    Text,
)
from services.common.contracts.workflow import IssueClass, Location, ReasonIn, Route, Urgency
from services.common.paging import MAX_PAGE, PageQuery

MAX_DESCRIPTION = 2000
Description = Text(MAX_DESCRIPTION, min_length=1)
ShortName = Text(40, min_length=1, line=True)
Keyword = Text(40, min_length=1, line=True)
ContactName = Text(40, line=True)


# The photo formats intake accepts (Pillow format → media type); the gateway checks the
# upload's declared type against the same table before reading the body.
PHOTO_FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}


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
    model_config = ConfigDict(extra="forbid")
    key: ShortName
    name: Name


class AttributeDef(BaseModel):
    model_config = ConfigDict(extra="forbid")
    code: Code
    name: Name  # zh
    name_en: Name
    datatype: AttributeType
    required: bool = False
    values: list[AttributeValue] = Field(default=[], max_length=50)  # for the list types
    description: Note = ""

    @model_validator(mode="after")
    def _value_keys_unique(self) -> AttributeDef:
        keys = [v.key for v in self.values]
        if len(keys) != len(set(keys)):
            raise ValueError("values: each key once")
        return self


class TriageRule(BaseModel):
    """A category's default triage (三事分流, 四类事, urgency)."""

    model_config = ConfigDict(extra="forbid")
    route: Route
    issue_class: IssueClass
    urgency: Urgency = Urgency.normal


class CategoryDef(BaseModel):
    """One entry of a community's catalogue (an Open311 service definition)."""

    model_config = ConfigDict(extra="forbid")

    code: str = Field(pattern=r"^[a-z][a-z0-9_]{1,39}$")
    name: ShortName  # zh
    name_en: Name
    group: ShortName
    keywords: list[Keyword] = Field(default=[], max_length=30)
    attributes: list[AttributeDef] = Field(default=[], max_length=30)
    triage: TriageRule
    auto_triage: bool = False  # urgent hazards skip the admin's triage step
    response_hours: Hours | None = None
    resolution_hours: Hours | None = None
    duplicate_radius_m: RadiusM = 200.0
    duplicate_window_hours: Hours = 72.0

    @model_validator(mode="after")
    def _attribute_codes_unique(self) -> CategoryDef:
        codes = [a.code for a in self.attributes]
        if duplicated := sorted({c for c in codes if codes.count(c) > 1}):
            raise ValueError(f"attributes: code {', '.join(duplicated)} given twice")
        return self


class Contact(BaseModel):
    """How to reach a hotline caller who stays anonymous to everyone but staff."""

    model_config = ConfigDict(extra="forbid")
    name: ContactName | None = None
    phone: str = Field(pattern=r"^\+?[0-9-]{5,20}$")


class IssueIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    community_id: Id
    category: Code
    description: Description
    location: Location
    channel: Channel = Channel.app
    attributes: FreeDict = {}
    anonymous: bool = False
    contact: Contact | None = None  # hotline: the caller's contact
    # Open311's media_url: the gateway fetched it into a photo if it could; kept as a link.
    media_url: str | None = Field(default=None, max_length=2000, pattern=r"^https?://\S+$")


class TriageIn(BaseModel):
    """Confirm the category's triage, or override it (a reason is then required)."""

    model_config = ConfigDict(extra="forbid")
    route: Route | None = None
    issue_class: IssueClass | None = None
    urgency: Urgency | None = None
    reason: Note | None = None


class RejectIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: RejectReason
    note: Note = ""


class NoteIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    note: Note = ""


ReopenIn = ReasonIn  # staff send it back to work (supervision), and say why
# A resident's dissatisfaction is a rating (evaluation owns ratings, and the first
# unsatisfied one reopens the issue): the direct reopen is the community's staff's.
REOPEN_BY_RATING = ("a resident reopens an issue by rating it unsatisfied: "
                    "POST /issues/{issue_id}/rate with level unsatisfied")


class MergeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    original_id: Id


class Triage(TriageRule):
    model_config = ConfigDict(extra="ignore")  # an issue's triage as stored, not an input
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
    media_url: str | None = None
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
    media_url: str | None = None  # the link an Open311 client sent (none for private matters)
    created_at: datetime
    updated_at: datetime


class PublicQuery(PageQuery):
    """Filters of the public list (those of Open311 GET requests.json) and its page: a
    keyset page of at most MAX_PAGE, which the filters may leave short (follow the cursor)."""

    model_config = ConfigDict(extra="forbid")
    ids: list[Id] | None = Field(default=None, max_length=100)
    category: Code | None = None
    start: Instant | None = None
    end: Instant | None = None
    status: Literal["open", "closed"] | None = None
    limit: int = Field(default=MAX_PAGE, ge=1, le=MAX_PAGE)


class IssueQuery(PageQuery):
    """Which listing of issues, and the page of it: a community's (staff), one state of a
    community's, the caller's own, or a street's or district's (their admins)."""

    model_config = ConfigDict(extra="forbid")
    community_id: str | None = Field(default=None, max_length=64)
    state: IssueState | None = None
    category: str | None = Field(default=None, max_length=40)  # no key serves it: refused


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
    reporter_id: str | None = None  # None for an anonymous report (mediation names its party)


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


class CategoryState(BaseModel):
    """What a catalogue entry is, as far as another service's check goes (dispatch refuses an
    order whose category its community's catalogue lacks).

    `version` grows with every change of the entry: a reader keeps the highest it saw, so a
    late or redelivered event never undoes a newer one.
    """

    community_id: str
    code: str
    name: str
    removed: bool = False
    version: int


@event_payload("category.changed")
class CategoryChanged(CategoryState):
    """A catalogue entry was added or changed (its whole state: applying it twice is harmless)."""


@event_payload("category.removed")
class CategoryRemoved(BaseModel):
    community_id: str
    code: str
    version: int


class PhotoOut(BaseModel):
    """A photo's bytes (base64) and type, for the gateway to answer as an image."""

    content_type: str
    data: str  # base64


# --- abuse handling: revealing an anonymous reporter (district only, audited) ---------------


class RevealIn(BaseModel):
    """Why the district needs to know who filed an issue (kept in the audit record)."""

    model_config = ConfigDict(extra="forbid")
    reason: Summary


class ReporterIdentity(BaseModel):
    """Who filed an issue, as revealed to the district; `audit_id` is the record it left."""

    issue_id: str
    anonymous: bool
    reporter_id: str | None = None
    submitted_by: str
    contact: Contact | None = None
    audit_id: str
