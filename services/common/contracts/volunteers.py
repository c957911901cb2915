"""Volunteers contracts (志愿者 · 社区运营官 · 微心愿 · 活动 · 四张清单).

The events here are published by the `volunteers` service (consumers subscribe with
`@handles("volunteers", "<type>")`). Points pays for `volunteer.hours_logged` and
`wish.fulfilled`; evaluation rates what `match.accepted` and `project.completed` name.
Every time is an epoch float (seconds, UTC), as the store keeps it.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from services.common.contracts.envelope import event_payload
from services.common.contracts.skills import SKILLS
from services.common.contracts.types import Code, Hours, Id, Name, Note, Summary, Text
from services.common.paging import Page

# An instant as epoch seconds: finite and within 1970..2200 (the calendar types.py keeps).
EpochTs = Annotated[float, Field(ge=0, le=7_258_118_400, allow_inf_nan=False)]

SourceKind = Literal["activity", "wish", "order", "care"]  # care: a 一老一小 service given
NeedKind = Literal["wish", "activity", "order", "need", "mediation"]  # mediation: a case


@event_payload("volunteer.hours_logged")
class VolunteerHoursLogged(BaseModel):
    """Volunteer hours (志愿时长) counted once per person per source: `log_id` is unique
    (`h-<source kind>-<source id>-<account id>`), so a consumer keys its posting on it."""

    log_id: str
    community_id: str
    account_id: str
    hours: Hours
    source_kind: SourceKind
    source_id: str
    logged_ts: EpochTs


@event_payload("wish.fulfilled")
class WishFulfilled(BaseModel):
    """The resident who posted a micro-wish (微心愿) confirmed the volunteer fulfilled it."""

    wish_id: str
    community_id: str
    resident_account_id: str
    volunteer_account_id: str
    fulfilled_ts: EpochTs


@event_payload("activity.checked_in")
class ActivityCheckedIn(BaseModel):
    """A participant checked in at an activity's door (once per person per activity)."""

    activity_id: str
    community_id: str
    account_id: str
    checked_in_ts: EpochTs
    organisation_id: str | None = None  # an activity of an incubated organisation (孵化)


@event_payload("match.accepted")
class MatchAccepted(BaseModel):
    """A volunteer or operator accepted the offer of a need (a wish, an activity slot, an
    order of the small-matters route or a need of the four lists); `score` is the rank
    score the offer was made with, `rank` its place among the candidates (1 = best)."""

    match_id: str
    community_id: str
    need_kind: NeedKind
    need_id: str
    volunteer_account_id: str
    skill: str | None = None
    rank: int = Field(ge=1)
    score: float = Field(allow_inf_nan=False)
    accepted_ts: EpochTs


@event_payload("project.completed")
class ProjectCompleted(BaseModel):
    """A project of the four lists (项目清单) reached its last milestone: evaluation opens
    its rating (三评议), points may pay its participants."""

    project_id: str
    community_id: str
    need_id: str | None = None
    owner_unit_id: str
    title: str
    participant_account_ids: list[str] = Field(default_factory=list, max_length=200)
    completed_ts: EpochTs


@event_payload("project.started")
class ProjectStarted(BaseModel):
    """A need and its resources became a project of the four lists (项目清单): incubation
    keeps it in its read model, so an organisation links it without asking volunteers."""

    project_id: str
    community_id: str
    need_id: str
    owner_unit_id: str
    title: str
    started_ts: EpochTs


@event_payload("match.offered")
class MatchOffered(BaseModel):
    """A need was offered to the next candidate, who must answer by `due_ts`."""

    match_id: str
    community_id: str
    need_kind: NeedKind
    need_id: str
    volunteer_account_id: str
    rank: int = Field(ge=1)
    due_ts: EpochTs


@event_payload("match.exhausted")
class MatchExhausted(BaseModel):
    """Every candidate declined or let the offer lapse: the need is back with its admin."""

    match_id: str
    community_id: str
    need_kind: NeedKind
    need_id: str
    offered: int = Field(ge=0)


# --- RPC payloads (the gateway's request bodies are these models) ---------------------

class ProfileKind(StrEnum):
    volunteer = "volunteer"  # 志愿者
    party_member = "party_member"  # 党员 (双报到: the same person as dispatch's member)
    operator = "operator"  # 社区运营官 / 社区能人
    building_head = "building_head"  # 楼栋长


def _known_skill(code: str) -> str:
    if code not in SKILLS:
        raise ValueError(f"unknown skill {code!r}")
    return code


Skill = Annotated[Code, AfterValidator(_known_skill)]
Skills = Annotated[list[Skill], Field(default_factory=list, max_length=20)]
Language = Annotated[str, StringConstraints(pattern=r"^[a-z]{2,3}(-[A-Za-z]{2,4})?$")]
Phone = Annotated[str, StringConstraints(pattern=r"^\+?[0-9][0-9 -]{4,19}$")]
Email = Annotated[str, StringConstraints(pattern=r"^[^@\s]{1,64}@[^@\s]{1,190}$",
                                         max_length=254)]
Title = Text(80, min_length=1, line=True)


class Contact(BaseModel):
    """Private contact details (联系方式): shown only to the community's admins and to the
    resident the person is matched with."""

    model_config = ConfigDict(extra="forbid")
    phone: Phone | None = None
    email: Email | None = None


class Window(BaseModel):
    """A weekly window in local time: weekday 0 = Monday, minutes from midnight."""

    model_config = ConfigDict(extra="forbid")
    weekday: int = Field(ge=0, le=6)
    start_minute: int = Field(ge=0, le=1439)
    end_minute: int = Field(ge=1, le=1440)

    @model_validator(mode="after")
    def _ordered(self) -> Window:
        if self.end_minute <= self.start_minute:
            raise ValueError("end_minute: must be after start_minute")
        return self


class AvailabilityException(BaseModel):
    """A dated override of the weekly pattern: away (`available` false) or an extra window."""

    model_config = ConfigDict(extra="forbid")
    start_ts: EpochTs
    end_ts: EpochTs
    available: bool = False

    @model_validator(mode="after")
    def _ordered(self) -> AvailabilityException:
        if self.end_ts <= self.start_ts:
            raise ValueError("end_ts: must be after start_ts")
        return self


class ProfileIn(BaseModel):
    """A volunteer's own profile (admins may write one for an account of their community)."""

    model_config = ConfigDict(extra="forbid")
    community_id: Id | None = None  # defaults to the caller's
    account_id: Id | None = None  # defaults to the caller; another account: admins only
    display_name: Name
    kinds: list[ProfileKind] = Field(min_length=1, max_length=4)
    skills: Skills
    languages: list[Language] = Field(default_factory=list, max_length=10)
    grid_id: Id | None = None
    windows: list[Window] = Field(default_factory=list, max_length=28)
    exceptions: list[AvailabilityException] = Field(default_factory=list, max_length=20)
    consent: bool = False  # to be contacted with offers
    contact: Contact | None = None
    bio: Note | None = None


class CertificationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    skill: Skill
    title: Title
    issuer: Title | None = None


class CertificationOut(BaseModel):
    id: str
    skill: str
    title: str
    issuer: str | None = None
    verified: bool = False
    verified_by: str | None = None
    verified_ts: float | None = None


class ProfileOut(BaseModel):
    account_id: str
    community_id: str
    display_name: str
    kinds: list[str]
    skills: list[str]
    certifications: list[CertificationOut] = []
    languages: list[str] = []
    grid_id: str | None = None
    windows: list[Window] = []
    exceptions: list[AvailabilityException] = []
    consent: bool
    contact: Contact | None = None  # null unless the reader may see it
    bio: str | None = None
    hours_total: float = 0.0
    rating: float | None = None
    load: int = 0
    looks: dict[str, float] = {}  # the talent archive's four looks (四看), 0-100 each
    talent_score: float = 0.0
    version: int


class SkillOut(BaseModel):
    code: str
    parent: str | None = None
    label: str


class WishIn(BaseModel):
    """微心愿: a small need a resident posts for a volunteer to fulfil."""

    model_config = ConfigDict(extra="forbid")
    community_id: Id | None = None
    title: Title
    detail: Summary
    skill: Skill | None = None
    grid_id: Id | None = None
    hours: Annotated[float, Field(gt=0, le=24, allow_inf_nan=False)] = 1.0


class FulfilIn(BaseModel):
    """The resident confirms the wish was fulfilled, and may rate the volunteer (1-5)."""

    model_config = ConfigDict(extra="forbid")
    rating: int | None = Field(None, ge=1, le=5)
    note: Note | None = None


class WishState(StrEnum):
    open = "open"
    claimed = "claimed"
    fulfilled = "fulfilled"
    cancelled = "cancelled"


class WishOut(BaseModel):
    id: str
    community_id: str
    resident_account_id: str
    title: str
    detail: str
    skill: str | None = None
    grid_id: str | None = None
    hours: float
    state: WishState
    volunteer_account_id: str | None = None
    volunteer_contact: Contact | None = None  # the resident's matched volunteer only
    created_ts: float
    claimed_ts: float | None = None
    fulfilled_ts: float | None = None
    rating: int | None = None


class ActivityKind(StrEnum):
    activity = "activity"  # 活动
    workshop = "workshop"  # 工坊 (调解工作室, 义修小屋, 健康小屋...)


class ActivityIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    community_id: Id | None = None
    kind: ActivityKind = ActivityKind.activity
    title: Title
    detail: Summary
    workshop: Title | None = None
    skill: Skill | None = None
    grid_id: Id | None = None
    capacity: int = Field(ge=1, le=500)
    starts_ts: EpochTs
    ends_ts: EpochTs
    hours: Annotated[float, Field(gt=0, le=24, allow_inf_nan=False)] | None = None
    organisation_id: Id | None = None  # held by an incubated organisation (孵化)

    @model_validator(mode="after")
    def _ordered(self) -> ActivityIn:
        if self.ends_ts <= self.starts_ts:
            raise ValueError("ends_ts: must be after starts_ts")
        if self.ends_ts - self.starts_ts > 7 * 86400:
            raise ValueError("ends_ts: an activity lasts at most 7 days")
        return self


class ActivityOut(BaseModel):
    id: str
    community_id: str
    kind: ActivityKind
    title: str
    detail: str
    workshop: str | None = None
    skill: str | None = None
    grid_id: str | None = None
    capacity: int
    starts_ts: float
    ends_ts: float
    hours: float
    state: str
    participants: int
    waitlisted: int
    checked_in: int
    my_status: Literal["participant", "waitlisted", "none"] = "none"
    my_code: str | None = None  # the caller's one-time door code (as text; the QR is /qr)
    organiser_account_id: str
    organisation_id: str | None = None


class RosterEntry(BaseModel):
    account_id: str
    status: Literal["participant", "waitlisted"]
    position: int
    checked_in_ts: float | None = None
    checked_out_ts: float | None = None
    hours: float | None = None


class CheckIn(BaseModel):
    """The one-time code a participant shows at the door (typed or scanned from the QR)."""

    model_config = ConfigDict(extra="forbid")
    code: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{8,64}$")]


class CheckInOut(BaseModel):
    activity_id: str
    account_id: str
    action: Literal["checked_in", "checked_out", "already_checked_in", "already_checked_out"]
    checked_in_ts: float | None = None
    checked_out_ts: float | None = None
    hours: float | None = None


class Reach(StrEnum):
    community = "community"
    street = "street"  # the need's street too (street and district admins)


class NeedIn(BaseModel):
    """What to match: a skill, where (a grid) and when (an instant), for a need."""

    model_config = ConfigDict(extra="forbid")
    community_id: Id | None = None
    need_kind: NeedKind = "need"
    need_id: Id | None = None
    skill: Skill | None = None
    grid_id: Id | None = None
    at_ts: EpochTs | None = None
    k: int = Field(10, ge=1, le=50)
    reach: Reach = Reach.community


class MatchIn(NeedIn):
    """A match offered to the ranked candidates in turn, each with `offer_minutes` to answer."""

    # None: the community's offer window (`VolunteerPolicyOut.offer_minutes`, default 30).
    offer_minutes: Annotated[float, Field(gt=0, le=24 * 60, allow_inf_nan=False)] | None = None


OfferMinutes = Annotated[int, Field(ge=1, le=24 * 60)]
OrderHours = Annotated[float, Field(ge=0.25, le=24, allow_inf_nan=False)]


class VolunteerPolicyIn(BaseModel):
    """A community's volunteers settings (its admins'): what is left out keeps its value."""

    model_config = ConfigDict(extra="forbid")
    offer_minutes: OfferMinutes | None = None  # each candidate's time to answer an offer
    order_hours: OrderHours | None = None  # an order's hours when its resolution time is not
    order_hours_max: OrderHours | None = None  # longer resolution times count as the default


class VolunteerPolicyOut(BaseModel):
    community_id: str
    offer_minutes: int
    order_hours: float
    order_hours_max: float
    changed_by: str | None = None
    changed_ts: float | None = None


class RankOut(BaseModel):
    account_id: str
    display_name: str | None = None
    score: float
    parts: dict[str, float]


class OfferOut(BaseModel):
    account_id: str
    outcome: Literal["pending", "accepted", "declined", "timed_out", "cancelled"]
    offered_ts: float
    answered_ts: float | None = None


class MatchOut(BaseModel):
    id: str
    community_id: str
    need_kind: str
    need_id: str
    skill: str | None = None
    state: Literal["offering", "accepted", "exhausted", "cancelled"]
    candidates: list[RankOut]
    offers: list[OfferOut]
    offered_to: str | None = None
    next_due_ts: float | None = None
    accepted_by: str | None = None
    volunteer_contact: Contact | None = None  # for the resident whose need it is
    round: int = 0  # fresh offer sequences after the first (an order re-matched)


class AnswerIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    accept: bool


ProfilePage = Page[ProfileOut]
WishPage = Page[WishOut]
ActivityPage = Page[ActivityOut]
RosterPage = Page[RosterEntry]
MatchPage = Page[MatchOut]


# --- the four lists (四张清单) and projects -------------------------------------------

class ListKind(StrEnum):
    problem = "problem"  # 问题清单 (e.g. from an issue of intake)
    need = "need"  # 需求清单
    resource = "resource"  # 资源清单: spaces, funds, skills, equipment of units and merchants


class ResourceKind(StrEnum):
    space = "space"
    fund = "fund"
    skill = "skill"
    equipment = "equipment"


class ListEntryIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    community_id: Id | None = None
    list: ListKind
    title: Title
    detail: Summary
    issue_id: Id | None = None  # a problem from an issue
    resource_kind: ResourceKind | None = None  # resources only
    offered_by: Title | None = None  # the partner unit or merchant offering a resource

    @field_validator("list")
    @classmethod
    def _not_a_problem(cls, kind: ListKind) -> ListKind:
        # Problems are intake's public issues, put on the list by `issue.triaged`: one by hand
        # would be a problem nobody can follow in intake.
        if kind is ListKind.problem:
            raise ValueError("problems come from intake's public issues, not by hand")
        return kind

    @model_validator(mode="after")
    def _kind_fits(self) -> ListEntryIn:
        if self.list is ListKind.resource and self.resource_kind is None:
            raise ValueError("resource_kind: a resource names its kind")
        if self.list is not ListKind.resource and self.resource_kind is not None:
            raise ValueError("resource_kind: only resources have one")
        return self


class ListEntryOut(BaseModel):
    id: str
    community_id: str
    list: ListKind
    title: str
    detail: str
    issue_id: str | None = None
    resource_kind: ResourceKind | None = None
    offered_by: str | None = None
    state: Literal["open", "matched"]
    project_id: str | None = None
    created_ts: float


class MilestoneIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: Title
    due_ts: EpochTs


class ProjectIn(BaseModel):
    """A need matched to resources at the joint meeting (联席会议) becomes a project."""

    model_config = ConfigDict(extra="forbid")
    need_id: Id
    resource_ids: list[Id] = Field(min_length=1, max_length=20)
    owner_unit_id: Id
    title: Title
    milestones: list[MilestoneIn] = Field(min_length=1, max_length=20)
    participant_account_ids: list[Id] = Field(default_factory=list, max_length=200)


class MilestoneOut(BaseModel):
    title: str
    due_ts: float
    done_ts: float | None = None


class ProjectKind(StrEnum):
    project = "project"  # a need matched to resources at the joint meeting
    renewal = "renewal"  # 微更新: a deliberation's approved renewal topic, funded by pledges


class ProjectOut(BaseModel):
    """A project; a renewal's also its place, budget, pledges' total and photo links (公示:
    the after photos only once it is done, but to its admins)."""

    id: str
    community_id: str
    need_id: str | None = None  # a renewal comes from a decision, not a need
    resource_ids: list[str]
    owner_unit_id: str
    title: str
    milestones: list[MilestoneOut]
    state: Literal["planned", "published", "funded", "completed"]  # funded: renewals only
    published_ts: float | None = None
    completed_ts: float | None = None
    kind: ProjectKind = ProjectKind.project
    topic_id: str | None = None
    decision_id: str | None = None
    place: str | None = None
    building: str | None = None
    grid_id: str | None = None
    budget_yuan: int | None = None
    pledged_yuan: int = 0
    pledges: int = 0  # how many (the donors: `/projects/{id}/pledges`, a page)
    funded_ts: float | None = None
    photos_before: list[str] = []  # links to the EXIF-free copies
    photos_after: list[str] = []


ListEntryPage = Page[ListEntryOut]
ProjectPage = Page[ProjectOut]


# --- micro-renewal (微更新): pledges and photos ---------------------------------------------

MAX_PLEDGES = 100  # per project: a renewal of a corner has tens of donors, not thousands
MAX_PHOTOS_PER_PHASE = 6
MAX_PLEDGE_YUAN = 10_000_000


class DonorKind(StrEnum):
    merchant = "merchant"  # a partner merchant in the public-good mode (公益)
    resident = "resident"  # residents' self-funding (居民自筹)


class PhotoPhase(StrEnum):
    before = "before"
    after = "after"


class PledgeIn(BaseModel):
    """A pledge to a renewal: money (whole yuan) or something in kind, not both. A merchant's
    is recorded by the community admin, naming the partner (`merchant_id` as points
    onboarded it, and its name); a resident pledges for themselves, shown by name only if
    they choose (`show_name`), else masked."""

    model_config = ConfigDict(extra="forbid")
    donor_kind: DonorKind
    merchant_id: Id | None = None
    donor_name: Name | None = None
    amount_yuan: int | None = Field(None, ge=1, le=MAX_PLEDGE_YUAN)
    in_kind: Text(200, min_length=1) | None = None
    show_name: bool = False

    @model_validator(mode="after")
    def _what_and_who(self) -> PledgeIn:
        if (self.amount_yuan is None) == (self.in_kind is None):
            raise ValueError("amount_yuan: a pledge is an amount or in kind (in_kind), "
                             "one of them")
        if self.donor_kind is DonorKind.merchant and (self.merchant_id is None
                                                      or self.donor_name is None):
            raise ValueError("merchant_id: a merchant's pledge names the partner and its "
                             "donor_name")
        if self.donor_kind is DonorKind.resident and self.merchant_id is not None:
            raise ValueError("merchant_id: only a merchant's pledge names one")
        return self


class PledgeOut(BaseModel):
    id: str
    donor_kind: DonorKind
    donor: str  # the name as the reader may see it (a resident's masked unless shown)
    merchant_id: str | None = None
    account_id: str | None = None  # the resident's account: their admins and themselves
    amount_yuan: int | None = None
    in_kind: str | None = None
    pledged_ts: float


PledgePage = Page[PledgeOut]


class ProjectPhotoOut(BaseModel):
    content_type: str
    data: str  # base64
