"""Deliberation contracts (议事协商 · 集议办督评): halls, topics, "4 + N" meetings, review, votes.

The events here are published by the `deliberation` service (consumers subscribe with
`@handles("deliberation", "<type>")`). Dispatch makes work orders from `decision.approved`;
points pays `meeting.attended` and `vote.cast`; evaluation rates the decision through
`evaluation_item.opened` (evaluation's contract). Every time is an epoch float (seconds, UTC).

A secret ballot's choice is in no reply, event or log line: `vote.cast` names who took
part (points pay for it), never what they chose; only the tally is published.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from services.common.contracts.envelope import event_payload
from services.common.contracts.types import Code, Id, Name, Note, Summary, Text
from services.common.contracts.workflow import Level
from services.common.paging import Page

# An instant as epoch seconds: finite and within 1970..2200 (the calendar types.py keeps).
EpochTs = Annotated[float, Field(ge=0, le=7_258_118_400, allow_inf_nan=False)]
Label = Text(80, line=True)
Reason = Text(500, min_length=1)
Theme = Text(200)
ConventionText = Text(5000, min_length=1)
Ids = Field(default_factory=list, max_length=20)


class Colour(StrEnum):
    """Seed 000's seven topic colours (七色花开 红橙黄绿青蓝紫); `domain/topics.CATEGORIES`
    gives each its theme and default deliberating parties."""

    red = "red"
    orange = "orange"
    yellow = "yellow"
    green = "green"
    cyan = "cyan"
    blue = "blue"
    purple = "purple"


class Party(StrEnum):
    """Who sits at a meeting: the fixed "4" and the topic's "N"."""

    community_committee = "community_committee"  # 社区两委
    mediation_committee = "mediation_committee"  # 人民调解委员会
    police = "police"  # 社区民警
    residents_representative = "residents_representative"  # 居民代表
    stakeholder = "stakeholder"  # 利益相关方 (the "N")
    expert = "expert"  # invited expert / lawyer
    property_company = "property_company"  # 物业
    party_member = "party_member"
    building_head = "building_head"  # 楼栋长
    youth_representative = "youth_representative"
    volunteer = "volunteer"


FIXED_PARTIES = (Party.community_committee, Party.mediation_committee, Party.police,
                 Party.residents_representative)


class HallKind(StrEnum):
    building = "building"
    compound = "compound"
    community = "community"
    street = "street"
    online = "online"
    workshop = "workshop"  # 调解工作室 and other workrooms (mediation books them)


class TopicSource(StrEnum):
    proposal = "proposal"  # 居民提案 / 金点子, listed once it has enough supporters
    issue = "issue"  # intake's issue triaged as a deliberation topic
    admin = "admin"  # an admin's pick
    warning = "warning"  # evaluation's early warning (研判预警): a rising cluster of issues
    grid_meeting = "grid_meeting"  # the grid joint meeting (网格联席会), entered by an admin


class TopicKind(StrEnum):
    matter = "matter"  # a matter to decide (a plan and its work orders)
    convention = "convention"  # 居民公约: a text drafted, discussed, voted and published
    renewal = "renewal"  # 微更新: a shared space renewed; approved, a project of the four lists


class TopicState(StrEnum):
    proposed = "proposed"  # gathering supporters
    listed = "listed"  # on the topic list (议题清单), open for comment
    scheduled = "scheduled"  # a meeting is booked for it
    decided = "decided"  # its decision was approved
    closed = "closed"  # rejected or withdrawn


class MeetingState(StrEnum):
    scheduled = "scheduled"
    held = "held"  # minutes and a proposed decision recorded
    returned = "returned"  # the party committee sent the plan back (minutes may be redone)
    reviewed = "reviewed"  # approved by the party committee; a vote may open
    voting = "voting"
    approved = "approved"  # decision approved (by review alone or by the vote)
    rejected = "rejected"  # the vote failed
    cancelled = "cancelled"


class StepKind(StrEnum):
    """The debate as recorded steps: motion → second → opposition → debate → expert opinion."""

    motion = "motion"
    second = "second"
    opposition = "opposition"
    debate = "debate"
    expert_opinion = "expert_opinion"


# --- halls -------------------------------------------------------------------------------

class HallIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    community_id: Id | None = None
    kind: HallKind
    name: Name
    address: Label = ""
    opening_hours: Label = ""
    capacity: int = Field(ge=1, le=5000)
    contact: Label = ""


class HallOut(BaseModel):
    id: str
    community_id: str
    kind: HallKind
    name: str
    address: str
    opening_hours: str
    capacity: int
    contact: str


HallPage = Page[HallOut]


class HallBookingIn(BaseModel):
    """Another service books a hall's slots for its own meeting (mediation's meetings in a
    hall or the 调解工作室): `holder_id` names that meeting; a repeat returns the booking."""

    model_config = ConfigDict(extra="forbid")
    hall_id: Id
    community_id: Id
    starts_ts: EpochTs
    ends_ts: EpochTs
    holder_id: Id

    @model_validator(mode="after")
    def _window(self) -> HallBookingIn:
        if self.ends_ts <= self.starts_ts:
            raise ValueError("ends_ts must be after starts_ts")
        if self.ends_ts - self.starts_ts > 12 * 3600:
            raise ValueError("a booking lasts at most 12 hours")
        return self


class HallBookingOut(BaseModel):
    booking_id: str
    hall_id: str
    starts_ts: float
    ends_ts: float
    slots: int


class UtilisationOut(BaseModel):
    """场地使用率 of one hall in one month: booked half-hour slots over the slots its opening
    hours offer ("HH:MM-HH:MM" every day); `open_slots` and `rate` are None when the hours
    are not in that form."""

    hall_id: str
    period: str  # "YYYY-MM", Beijing time
    booked_slots: int
    open_slots: int | None
    rate: float | None


# --- representatives roster ------------------------------------------------------------

class RepresentativeKind(StrEnum):
    """Who deliberates (seed 001's roster of 议事代表), by type."""

    party_representative = "party_representative"  # 党代表
    residents_representative = "residents_representative"  # 居民代表
    peoples_congress_deputy = "peoples_congress_deputy"  # 人大代表
    cppcc_member = "cppcc_member"  # 政协委员
    police = "police"  # 社区民警
    lawyer = "lawyer"  # 律师
    social_organisation = "social_organisation"  # 社会组织
    building_head = "building_head"  # 楼栋长
    mediator = "mediator"  # 调解员
    community_committee = "community_committee"  # 社区两委成员


# Who may sit for each of the fixed "4" parties: a person on the community's roster as one
# of these kinds (a meeting's roster is checked against it).
ROSTER_KINDS: dict[Party, tuple[RepresentativeKind, ...]] = {
    Party.community_committee: (RepresentativeKind.community_committee,
                                RepresentativeKind.party_representative),
    Party.mediation_committee: (RepresentativeKind.mediator,),
    Party.police: (RepresentativeKind.police,),
    Party.residents_representative: (RepresentativeKind.residents_representative,),
}


class RepresentativeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    community_id: Id | None = None
    account_id: Id
    display_name: Name
    kind: RepresentativeKind
    hall_id: Id | None = None  # the hall they sit in, if one


class RepresentativeOut(BaseModel):
    id: str
    community_id: str
    account_id: str
    display_name: str
    kind: RepresentativeKind
    hall_id: str | None


RepresentativePage = Page[RepresentativeOut]


class RemovalIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: Note = ""


# --- topics ------------------------------------------------------------------------------

MAX_RENEWAL_BUDGET_YUAN = 10_000_000  # a micro-renewal is a corner, not a rebuild


class RenewalIn(BaseModel):
    """微更新: the place renewed (a corner, a garden, a stairwell) and its estimated budget,
    whole yuan (0: volunteers' labour and in-kind gifts only)."""

    model_config = ConfigDict(extra="forbid")
    place: Text(80, min_length=1, line=True)
    building: Label | None = None
    grid_id: Id | None = None
    budget_yuan: int = Field(ge=0, le=MAX_RENEWAL_BUDGET_YUAN)


class RenewalOut(BaseModel):
    place: str
    building: str | None = None
    grid_id: str | None = None
    budget_yuan: int


class TopicIn(BaseModel):
    """A resident's proposal (居民提案), or an admin's pick (listed at once). `category`:
    a key of the community's category set (`/deliberation/categories`; seeded with the
    seven colours), checked by the service."""

    model_config = ConfigDict(extra="forbid")
    community_id: Id | None = None
    title: Name
    detail: Summary
    category: Code
    urgent: bool = False  # 急事急办: ahead of the rest of the list
    kind: TopicKind = TopicKind.matter
    text: ConventionText | None = None  # a convention's draft (公约草案), its kind only
    # An admin entering a topic of the grid joint meeting (网格联席会) names it and its grid.
    source: Literal["grid_meeting"] | None = None
    grid_id: Id | None = None
    renewal: RenewalIn | None = None  # a renewal's place and budget, its kind only

    @model_validator(mode="after")
    def _draft(self) -> TopicIn:
        if (self.kind is TopicKind.convention) != (self.text is not None):
            raise ValueError("text: a convention has its draft text, and only a convention")
        if (self.kind is TopicKind.renewal) != (self.renewal is not None):
            raise ValueError("renewal: a renewal names its place and budget, and only a "
                             "renewal")
        if (self.source is None) != (self.grid_id is None):
            raise ValueError("grid_id: a topic of the grid joint meeting names its grid, "
                             "and only such a topic")
        return self


class CategoryIn(BaseModel):
    """One category of the community's set (added or changed by its admin): its name,
    theme and the default parties it brings to the fixed "4"; `retired`: no new topic
    may name it (topics already filed under it keep it)."""

    model_config = ConfigDict(extra="forbid")
    community_id: Id | None = None
    name: Name
    theme: Theme = ""
    parties: list[Party] = Field(default_factory=list, max_length=11)
    retired: bool = False


class CategoryOut(BaseModel):
    colour: str  # the category's key (the seven colours' names for the seeded set)
    name: str
    theme: str
    parties: list[Party]
    retired: bool = False


class TopicOut(BaseModel):
    id: str
    community_id: str
    title: str
    detail: str
    category: str
    urgent: bool
    source: TopicSource
    state: TopicState
    proposer_id: str | None
    issue_id: str | None
    supporters: int
    support_threshold: int
    parties: list[Party]
    created_ts: float
    kind: TopicKind = TopicKind.matter
    grid_id: str | None = None  # a topic of the grid joint meeting: its grid
    text: str | None = None  # a convention's text: the draft, then the published text
    published_ts: float | None = None  # a convention in force since (its vote passed)
    renewal: RenewalOut | None = None  # a renewal's place and budget


TopicPage = Page[TopicOut]


class CommentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: Reason


class CommentOut(BaseModel):
    id: str
    topic_id: str
    author_id: str
    text: str
    created_ts: float


CommentPage = Page[CommentOut]


@event_payload("topic.proposed")
class TopicProposed(BaseModel):
    topic_id: str
    community_id: str
    category: str
    source: TopicSource


@event_payload("topic.listed")
class TopicListed(BaseModel):
    """On the topic list (议题清单), published for comment before the meeting."""

    topic_id: str
    community_id: str
    category: str
    urgent: bool
    source: TopicSource


@event_payload("convention.published")
class ConventionPublished(BaseModel):
    """A residents' convention (居民公约) was voted and is published to the community."""

    topic_id: str
    community_id: str
    title: str
    published_ts: EpochTs


# --- meetings ----------------------------------------------------------------------------

class Participant(BaseModel):
    model_config = ConfigDict(extra="forbid")
    account_id: Id
    party: Party


class MeetingIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    topic_id: Id
    hall_id: Id
    starts_ts: EpochTs
    ends_ts: EpochTs
    participants: list[Participant] = Field(min_length=1, max_length=200)

    @model_validator(mode="after")
    def _window(self) -> MeetingIn:
        if self.ends_ts <= self.starts_ts:
            raise ValueError("ends_ts must be after starts_ts")
        if self.ends_ts - self.starts_ts > 12 * 3600:
            raise ValueError("a meeting lasts at most 12 hours")
        return self


class AttendanceIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    account_ids: list[Id] = Field(min_length=1, max_length=200)


class Step(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: StepKind
    speaker_id: Id
    text: Summary


class Task(BaseModel):
    """One piece of the implementation plan: a work order in dispatch once approved."""

    model_config = ConfigDict(extra="forbid")
    category: Code
    summary: Summary


class Plan(BaseModel):
    """The proposed decision's implementation plan: leader, department, co-operating units,
    deadline and the tasks that become work orders."""

    model_config = ConfigDict(extra="forbid")
    summary: Summary
    leader: Label
    department_id: Id | None = None
    cooperating: list[Id] = Ids
    deadline_ts: EpochTs
    tasks: list[Task] = Field(min_length=1, max_length=10)


class MinutesIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    steps: list[Step] = Field(min_length=1, max_length=100)
    plan: Plan
    text: ConventionText | None = None  # a convention's text as the meeting amended it

    @model_validator(mode="after")
    def _motion_first(self) -> MinutesIn:
        if self.steps[0].kind is not StepKind.motion:
            raise ValueError("the debate opens with a motion")
        return self


class ReviewIn(BaseModel):
    """审议 by the community party committee: approve, or return with reasons."""

    model_config = ConfigDict(extra="forbid")
    approve: bool
    reason: Note = ""
    vote_required: bool = True  # approved plans go to a vote (决议) unless this is False

    @model_validator(mode="after")
    def _reason_to_return(self) -> ReviewIn:
        if not self.approve and not self.reason.strip():
            raise ValueError("a returned plan needs a reason")
        return self


class AttendeeOut(BaseModel):
    account_id: str
    party: Party
    attended: bool


class VoteResultOut(BaseModel):
    eligible: int
    turnout: int
    quorum_met: bool
    passed: bool
    counts: dict[str, int]
    elected: list[str] = []  # every round's so far
    runoff: list[str] = []  # tied at the last seat: a new round decides
    round: int = 1  # the round this tally closed (a runoff round is 2, 3)


class MeetingOut(BaseModel):
    id: str
    decision_id: str
    community_id: str
    topic_id: str
    hall_id: str
    starts_ts: float
    ends_ts: float
    state: MeetingState
    participants: list[AttendeeOut]
    steps: list[Step]
    plan: Plan | None
    review_reason: str
    vote_closes_ts: float | None
    secret: bool | None
    result: VoteResultOut | None  # during a runoff round: the round before, naming the tied
    vote_round: int = 1
    candidates: list[str] = []  # an election's candidates of the open round
    candidate_names: dict[str, str] = {}  # the ballot's names of them (the id where none)
    seats: int = 0  # the seats the open round fills
    tasks_total: int = 0  # the approved plan's work orders
    tasks_done: int = 0  # of them confirmed in dispatch
    executed_ts: float | None = None
    overdue: bool = False


MeetingPage = Page[MeetingOut]


@event_payload("meeting.scheduled")
class MeetingScheduled(BaseModel):
    meeting_id: str
    community_id: str
    topic_id: str
    hall_id: str
    starts_ts: EpochTs
    ends_ts: EpochTs


@event_payload("meeting.cancelled")
class MeetingCancelled(BaseModel):
    """Called off before its vote: the hall's slots are free again, the topic back on the list."""

    meeting_id: str
    community_id: str
    topic_id: str
    reason: str


class CancelIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: Reason


@event_payload("meeting.attended")
class MeetingAttended(BaseModel):
    """One participant attended (once per person per meeting; points pay for it)."""

    meeting_id: str
    community_id: str
    account_id: str
    attended_ts: EpochTs


@event_payload("meeting.held")
class MeetingHeld(BaseModel):
    meeting_id: str
    community_id: str
    topic_id: str
    steps: int


@event_payload("decision.reviewed")
class DecisionReviewed(BaseModel):
    """审议: the street sees it for the record (`street_id`)."""

    decision_id: str
    meeting_id: str
    community_id: str
    street_id: str | None
    approved: bool
    reason: str


class ApprovedTask(BaseModel):
    n: int  # the task's place in the plan: dispatch keys its order `o-<decision>-<n>`
    category: str
    summary: str


@event_payload("decision.approved")
class DecisionApproved(BaseModel):
    """An approved decision: dispatch makes one work order per task (办), by event."""

    decision_id: str
    meeting_id: str
    topic_id: str
    community_id: str
    district_id: str
    street_id: str | None
    summary: str
    leader: str
    department_id: str | None
    cooperating: list[str]
    deadline_ts: EpochTs
    tasks: list[ApprovedTask]
    # Added for the renewal (微更新): events written before carry none and read as a matter.
    topic_kind: str = TopicKind.matter.value
    title: str = ""  # the topic's title
    renewal: RenewalOut | None = None  # a renewal topic's place and budget: volunteers' project


# --- votes -------------------------------------------------------------------------------

class Household(BaseModel):
    model_config = ConfigDict(extra="forbid")
    household_id: Id
    members: list[Id] = Field(min_length=1, max_length=12)


class VoteIn(BaseModel):
    """决议: the electorate (households, or representatives as households of one), the rules
    and the window. An election (`candidates`, `seats`) elects up to `seats` of them."""

    model_config = ConfigDict(extra="forbid")
    electorate: list[Household] = Field(min_length=1, max_length=2000)
    quorum: Literal["two_thirds", "half", "none"] = "two_thirds"
    blanks_count: bool = True  # abstentions and blank ballots count among the votes cast
    secret: bool = True
    closes_ts: EpochTs
    candidates: list[Id] = Field(default_factory=list, max_length=50)
    seats: int = Field(0, ge=0, le=49)
    # what the ballot shows for each candidate (their display name): the admin's, as given
    candidate_names: dict[Id, Name] = Field(default_factory=dict, max_length=50)

    @model_validator(mode="after")
    def _election(self) -> VoteIn:
        if bool(self.candidates) != bool(self.seats):
            raise ValueError("an election names candidates and seats together")
        if set(self.candidate_names) - set(self.candidates):
            raise ValueError("candidate_names: names only the candidates")
        if any("." in c or c.startswith("$") for c in self.candidates):
            # kept as the keys of a stored map: a dot would read as a path
            raise ValueError("candidates: an id without '.' and not starting with '$'")
        if self.candidates and self.seats >= len(self.candidates):
            raise ValueError("an election has more candidates than seats (差额)")
        ids = [h.household_id for h in self.electorate]
        if len(set(ids)) != len(ids):
            raise ValueError("a household is listed twice")
        return self


class BallotIn(BaseModel):
    """A motion: yes / no / abstain / blank. An election: up to `seats` candidates (none:
    a blank ballot)."""

    model_config = ConfigDict(extra="forbid")
    choice: Literal["yes", "no", "abstain", "blank"] | None = None
    candidates: list[Id] = Field(default_factory=list, max_length=49)


class BallotOut(BaseModel):
    """The receipt: that the household's vote is in, never what it was."""

    meeting_id: str
    household_id: str
    accepted: bool


@event_payload("vote.opened")
class VoteOpened(BaseModel):
    """决议 opened: the community's residents may vote until `closes_ts` (notify tells them)."""

    meeting_id: str
    decision_id: str
    topic_id: str
    community_id: str
    eligible: int
    closes_ts: EpochTs
    election: bool = False
    round: int = 1  # 2, 3: a runoff among candidates tied at the last seat


@event_payload("vote.cast")
class VoteCast(BaseModel):
    """Someone voted (once per household per vote): no choice, ever."""

    meeting_id: str
    community_id: str
    account_id: str
    cast_ts: EpochTs


@event_payload("vote.closed")
class VoteClosed(BaseModel):
    """The window closed: the tally, published at once."""

    meeting_id: str
    decision_id: str
    community_id: str
    eligible: int
    turnout: int
    quorum_met: bool
    passed: bool
    counts: dict[str, int]
    elected: list[str] = []


# --- supervision (督) --------------------------------------------------------------------

@event_payload("decision.executed")
class DecisionExecuted(BaseModel):
    """Every work order of the decision was confirmed in dispatch."""

    decision_id: str
    meeting_id: str
    community_id: str
    executed_ts: EpochTs
    on_time: bool


@event_payload("decision.overdue")
class DecisionOverdue(BaseModel):
    """督: the plan's deadline passed with work still open; the street is told (`street_id`)."""

    decision_id: str
    meeting_id: str
    community_id: str
    street_id: str | None
    deadline_ts: EpochTs
    tasks_done: int
    tasks_total: int


@event_payload("decision.escalated")
class DecisionEscalated(BaseModel):
    """督: still open `ESCALATE_AFTER` past its deadline, the decision goes up to its street
    (once); the street's admins list it (`/deliberation/escalations`)."""

    decision_id: str
    meeting_id: str
    topic_id: str
    community_id: str
    district_id: str
    street_id: str | None
    deadline_ts: EpochTs
    escalated_ts: EpochTs
    tasks_done: int
    tasks_total: int
    # the rung reached: the street's, then (still open a grace later) the district's
    level: Level = Level.street


class EscalationOut(BaseModel):
    decision_id: str
    meeting_id: str
    topic_id: str
    community_id: str
    summary: str
    deadline_ts: float
    escalated_ts: float
    district_escalated_ts: float | None = None  # up to the district as well
    tasks_done: int
    tasks_total: int


EscalationPage = Page[EscalationOut]
