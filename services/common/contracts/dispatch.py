"""Events dispatch publishes (吹哨报到). Dispatch's engineer extends this module.

Every order event carries `issue_id` (None for orders from deliberation or made
by hand) so intake can move the issue along.
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from services.common.contracts.envelope import event_payload
from services.common.contracts.types import Code, Hours, Id, Minutes, Name, Note, Summary, Text
from services.common.contracts.volunteers import Skill as TaxonomySkill
from services.common.contracts.workflow import Level, Location, Route, Urgency
from services.common.paging import Page


class OrderState(StrEnum):
    """A work order's state (工单状态); the transitions are dispatch's domain rules."""

    open = "open"  # in the pool or with its owning level, nobody has it yet
    claimed = "claimed"  # a responder took it (抢单 or assigned) and must answer (响应)
    in_progress = "in_progress"  # the responder answered; work is under way
    resolved = "resolved"  # a result was submitted; the owning level has to confirm it
    confirmed = "confirmed"  # the owning level (or the whistler) accepted the result
    merged = "merged"  # its issue was merged into another: the original's order does the work


def _utc(value: datetime) -> datetime:
    """The store may hand sub-document datetimes back naive (or as text): they are UTC."""
    return value if value.tzinfo else value.replace(tzinfo=UTC)


Utc = Annotated[datetime, AfterValidator(_utc)]


class ReportInState(StrEnum):
    """A summoned unit's 报到: due, done (perhaps late), or missed its deadline."""

    pending = "pending"
    reported = "reported"
    missed = "missed"


class TimelineKind(StrEnum):
    """What happened to an order, as its history names it."""

    created = "created"
    assigned = "assigned"
    claimed = "claimed"
    acknowledged = "acknowledged"
    handed_back = "handed_back"
    skill_set = "skill_set"
    claim_lapsed = "claim_lapsed"
    escalated = "escalated"
    whistled = "whistled"
    reported_in = "reported_in"
    report_in_missed = "report_in_missed"
    resolved = "resolved"
    confirmed = "confirmed"
    returned = "returned"
    reopened = "reopened"
    merged = "merged"


class OrderRef(BaseModel):
    order_id: str
    issue_id: str | None = None
    community_id: str
    level: Level


@event_payload("order.created")
class OrderCreated(OrderRef):
    grid_id: str | None = None
    response_due_at: datetime
    resolution_due_at: datetime
    # The small-matters route (小事党群办) and the skill asked for: volunteers matches such
    # orders to volunteers (None on events from before they were carried).
    route: Route | None = None
    skill: str | None = None
    district_id: str | None = None
    street_id: str | None = None
    # The responsible unit (责任部门) and what the order is about: notify tells the unit
    # (None on events from before they were carried).
    department_id: str | None = None
    summary: str | None = None


@event_payload("order.skill_set")
class OrderSkillSet(OrderRef):
    """A community admin set (or cleared) the skill an open order asks for: volunteers
    offers it afresh."""

    skill: str | None = None
    route: Route | None = None
    district_id: str | None = None
    street_id: str | None = None
    grid_id: str | None = None


@event_payload("order.claimed")
class OrderClaimed(OrderRef):
    responder_id: str


@event_payload("order.acknowledged")
class OrderAcknowledged(OrderRef):
    """The responder answered (响应) before the response deadline: work is in progress."""

    responder_id: str


@event_payload("order.escalated")
class OrderEscalated(OrderRef):
    from_level: Level
    reason: str


@event_payload("order.resolved")
class OrderResolved(OrderRef):
    """The responder submitted a result; the owning level has yet to confirm it."""

    responder_id: str
    result: str


@event_payload("order.confirmed")
class OrderConfirmed(OrderRef):
    """The owning level accepted the result: the issue is resolved (事不完、人不撤 ends here)."""

    result: str


@event_payload("order.returned")
class OrderReturned(OrderRef):
    """The owning level rejected the result; work continues."""

    reason: str


@event_payload("order.returned_to_pool")
class OrderReturnedToPool(OrderRef):
    """A claim lapsed (no 响应 before the response deadline) or was handed back."""

    responder_id: str
    reason: str


@event_payload("order.whistled")
class OrderWhistled(OrderRef):
    """吹哨: departments and members are summoned and must report in by `report_in_due_at`."""

    whistle_id: str
    whistler_id: str
    departments: list[str]
    members: list[str]
    report_in_due_at: datetime


@event_payload("report_in.recorded")
class ReportInRecorded(OrderRef):
    """报到: a summoned department or member joined the order (late if after the deadline)."""

    whistle_id: str
    target: str  # "department:<id>" or "member:<user id>"
    late: bool
    latency_seconds: float


@event_payload("report_in.missed")
class ReportInMissed(OrderRef):
    """The report-in deadline passed with no 报到; the miss is escalated above the whistler."""

    whistle_id: str
    target: str
    escalated_to: Level


@event_payload("order.reopened")
class OrderReopened(OrderRef):
    """An unsatisfied rating re-opened the order; its history is kept."""

    reason: str


@event_payload("order.merged")
class OrderMerged(OrderRef):
    """Its issue was merged into another (intake's issue.merged): the order is closed,
    the work goes on in the original issue's order."""

    original_issue_id: str


# --- grid events: the registry's changes, for the services that keep a read model of it ---


class GridState(BaseModel):
    """What a grid is, as far as placing a location goes (intake places issues with it).

    `version` grows with every change of the grid: a reader keeps the highest it saw, so
    a late or redelivered event never undoes a newer one.
    """

    grid_id: str
    community_id: str
    code: str
    name: str
    depth: int  # 1, 2, 3 grids; 4 compound; 5 building
    parent_id: str | None = None
    is_root: bool = False  # the community's level-1 grid: its polygon is the boundary
    polygon: list[list[float]] | None = None  # [[lng, lat], ...]
    addresses: list[str] = []
    version: int


@event_payload("grid.changed")
class GridChanged(GridState):
    """A grid was created or changed (its whole state: applying it twice is harmless)."""


@event_payload("grid.removed")
class GridRemoved(BaseModel):
    grid_id: str
    community_id: str
    version: int


# RPC payloads (the gateway's request bodies are these models).

Ids = Field(default_factory=list, max_length=20)
Label = Text(80, line=True)
Skill = Text(40, min_length=1, line=True)
Evidence = Text(500, min_length=1, line=True)
ResultText = Text(2000, min_length=1)


class OrderIn(BaseModel):
    """制单: a work order from an issue, a deliberation decision or by hand."""

    model_config = ConfigDict(extra="forbid")
    community_id: Id | None = None  # defaults to the caller's community
    category: Code
    urgency: Urgency = Urgency.normal
    summary: Summary
    route: Route = Route.community
    grid_id: Id | None = None
    location: Location | None = None
    level: Level | None = None
    leader: Label | None = None
    department_id: Id | None = None
    person_id: Id | None = None
    cooperating: list[Id] = Ids
    response_hours: Hours | None = None
    resolution_hours: Hours | None = None
    source: Literal["manual", "deliberation"] = "manual"
    source_ref: Label | None = None
    skill: TaxonomySkill | None = None  # volunteers matches on it (小事党群办)


class OrderSkillIn(BaseModel):
    """PUT /orders/{id}/skill: the skill an open order asks for (null clears it)."""

    model_config = ConfigDict(extra="forbid")
    skill: TaxonomySkill | None


class WhistleIn(BaseModel):
    """吹哨: the units and members to summon; each must report in within the minutes."""

    model_config = ConfigDict(extra="forbid")
    departments: list[Id] = Ids
    members: list[Id] = Ids
    report_in_minutes: Minutes | None = None
    note: Note | None = None


class ResultIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    result: ResultText
    evidence: list[Evidence] = Field(default_factory=list, max_length=20)


class ResponderIn(BaseModel):
    """A responder: a department / co-building unit, an operator, or a member (双报到)."""

    model_config = ConfigDict(extra="forbid")
    community_id: Id | None = None
    kind: Literal["grid_worker", "party_member", "volunteer", "operator", "department"]
    name: Name
    user_id: Id | None = None
    department_id: Id | None = None
    home_grid_id: Id | None = None
    categories: list[Code] = Field(default_factory=list, max_length=40)
    jurisdiction: list[Id] = Field(default_factory=list, max_length=200)
    skills: list[Skill] = Field(default_factory=list, max_length=20)
    on_duty: bool = True
    contact: Label | None = None


class ResponderOut(ResponderIn):
    """A registered responder: what was registered, with its id and community."""

    model_config = ConfigDict(from_attributes=True)
    id: str
    community_id: str
    consent: Literal["given", "pending"] = "given"  # pending: the person has not accepted


class PolicyIn(BaseModel):
    """A community's deadlines by urgency ([response h, resolution h]), claim cap, report-in."""

    model_config = ConfigDict(extra="forbid")
    sla: dict[Urgency, tuple[Hours, Hours]] | None = None
    claim_cap: int | None = Field(default=None, ge=1, le=50)
    report_in_minutes: Minutes | None = None


class WhistleOut(BaseModel):
    """One 吹哨 on an order: who blew it at which level, whom it summoned, by when."""

    model_config = ConfigDict(frozen=True)
    id: str
    whistler_id: str
    level: Level
    at: Utc
    due_at: Utc
    targets: list[str]  # "department:<id>" / "member:<user id>"
    note: str | None = None


class ReportInOut(BaseModel):
    """One summoned target's 报到 for one whistle."""

    model_config = ConfigDict(frozen=True)
    whistle_id: str
    target: str
    level: Level  # the whistler's level: a miss escalates above it
    whistled_at: Utc
    due_at: Utc
    state: ReportInState = ReportInState.pending
    reported_at: Utc | None = None
    late: bool | None = None


class TimelineEntry(BaseModel):
    """One line of an order's history; the detail fields are set by the kinds that have them."""

    model_config = ConfigDict(frozen=True)
    at: Utc
    kind: TimelineKind
    by: str
    role: str
    level: Level
    source: str | None = None  # created
    ref: str | None = None  # created: the deliberation or request it came from
    responder: str | None = None  # assigned, claim_lapsed
    reason: str | None = None  # handed_back, escalated, returned, reopened
    from_level: Level | None = None  # escalated
    result: str | None = None  # resolved
    whistle_id: str | None = None  # whistled
    targets: list[str] | None = None  # whistled
    skill: str | None = None  # skill_set
    target: str | None = None  # reported_in, report_in_missed
    late: bool | None = None  # reported_in
    escalated_to: Level | None = None  # report_in_missed


class OrderOut(BaseModel):
    """A work order as its readers see it (the gateway's response model)."""

    id: str
    issue_id: str | None = None
    source: str  # issue | deliberation | manual
    district_id: str
    street_id: str
    community_id: str
    level: Level
    grid_id: str | None = None
    grid_chain: list[str] = []
    reached_grids: list[str] = []
    reached_levels: list[str] = []
    pool: bool = False
    state: OrderState
    category: str
    urgency: str
    summary: str
    leader: str | None = None
    department_id: str | None = None
    person_id: str | None = None
    cooperating: list[str] = []
    departments: list[str] = []
    members: list[str] = []
    claimed_by: str | None = None
    claimed_at: datetime | None = None
    opened_at: datetime
    response_hours: float
    resolution_hours: float
    response_due_at: datetime | None = None
    resolution_due_at: datetime | None = None
    result: str | None = None
    evidence: list[str] = []
    whistles: list[WhistleOut] = []
    report_ins: list[ReportInOut] = []
    misses: int = 0
    whistle_count: int = 0
    timeline: list[TimelineEntry] = []  # on one order's read and a change's reply, not in pages
    created_at: datetime
    skill: str | None = None  # what volunteers matches on (小事党群办)
    overdue: bool = False


class OrderStats(BaseModel):
    """One community's order figures, kept as counters by every commit (no scan)."""

    community_id: str
    orders: dict[str, int]  # "<level>/<state>" → how many (zeros left out)
    overdue: int
    whistles: int
    escalations: int
    late_report_ins: int
    missed_report_ins: int


class WhistleCount(BaseModel):
    """Whistles blown in one community (too few and too many are both signals)."""

    community_id: str
    street_id: str
    whistles: int


class PolicyOut(BaseModel):
    """A community's deadlines by urgency, claim cap and report-in minutes."""

    community_id: str
    root_grid_id: str
    sla: dict[str, tuple[float, float]]
    claim_cap: int
    report_in_minutes: float


class GridOut(BaseModel):
    """A grid, compound or building of the registry, as staff read the tree."""

    id: str
    community_id: str
    code: str
    name: str
    level: Literal["1", "2", "3", "compound", "building"]
    parent_id: str | None = None
    worker_id: str | None = None  # 网格员
    party_branch: str | None = None  # 网格党支部
    polygon: list[list[float]] | None = None  # [[lng, lat], ...]
    addresses: list[str] = []


class GridPlace(BaseModel):
    """The grid a location falls in; `inside`: within the community's boundary at all."""

    grid_id: str | None = None
    inside: bool


class GridRowError(BaseModel):
    """One bad field of an import row (row 1 is the first data row)."""

    row: int
    field: str
    reason: str


class GridImportReport(BaseModel):
    """What an import found: any bad row imports nothing, a dry run imports nothing."""

    dry_run: bool
    rows: int
    valid: bool
    imported: int
    errors: list[GridRowError] = []


class OrderFilter(BaseModel):
    """What a listing of orders may be narrowed to (`mine`: what the caller holds)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    community_id: Id | None = None
    state: OrderState | None = None
    pool: bool | None = None
    reached: Level | None = None
    mine: bool = False
    # a community's active orders, the nearest resolution deadline first (the board)
    by_deadline: bool = False


class OrderPage(Page[OrderOut]):
    """A page of orders, newest first, and the cursor of the next page."""
