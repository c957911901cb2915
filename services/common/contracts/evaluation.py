"""Evaluation contracts (评 · 三率): ratings of the person served, the three rates, the
rating window per community, and the events intake follows to close or reopen an issue."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from services.common.contracts.envelope import event_payload
from services.common.contracts.types import Id, Note

MAX_RANGE_DAYS = 366  # a figures query reads at most one bucket per day of its range
DEFAULT_WINDOW_DAYS = 7


class RatingLevel(StrEnum):
    """满意 / 基本满意 / 不满意."""

    satisfied = "satisfied"
    basically_satisfied = "basically_satisfied"
    unsatisfied = "unsatisfied"


class Outcome(StrEnum):
    """What the rating does to the issue (intake follows it)."""

    close = "close"  # satisfied, or unsatisfied once the one reopen is spent
    reopen = "reopen"  # the first unsatisfied rating of the issue: back to work, once
    none = "none"  # a later rating of the same round (a merged duplicate's reporter)


class UnitKind(StrEnum):
    grid = "grid"
    community = "community"
    street = "street"
    district = "district"
    department = "department"
    responder = "responder"
    item = "item"  # a project, decision or service rated by residents
    volunteer = "volunteer"
    operator = "operator"


class Period(StrEnum):
    day = "day"
    week = "week"
    month = "month"


# --- RPC bodies and replies -------------------------------------------------------------


class RatingIn(BaseModel):
    """The reporter's (or a merged duplicate's reporter's) verdict on a resolved issue."""

    model_config = ConfigDict(extra="forbid")
    level: RatingLevel
    comment: Note = ""


class RatingOut(BaseModel):
    issue_id: str
    community_id: str
    rater_id: str
    level: RatingLevel
    comment: str = ""
    round: int
    outcome: Outcome
    rated_at: float  # epoch seconds


class RatingWindowOut(BaseModel):
    """Whether an issue awaits a rating now (its round, and when the window closes)."""

    issue_id: str
    round: int
    open: bool
    closes_at: float | None = None


class WindowIn(BaseModel):
    """How long after resolution the people served may rate (per community)."""

    model_config = ConfigDict(extra="forbid")
    window_days: int = Field(ge=1, le=60)


class PolicyOut(BaseModel):
    """A community's evaluation settings (the defaults until an admin or the seed sets them)."""

    community_id: str
    window_days: int
    three_route_weights: dict[RouteName, float] = Field(
        default_factory=lambda: dict(DEFAULT_WEIGHTS))


class FiguresQuery(BaseModel):
    """One unit's figures over an inclusive range of local (UTC+8) days."""

    model_config = ConfigDict(extra="forbid")
    unit: UnitKind
    unit_id: Id
    start: date
    end: date

    @field_validator("end")
    @classmethod
    def _bounded(cls, end: date, info: ValidationInfo) -> date:
        start = info.data.get("start")
        if start is not None and end < start:
            raise ValueError("end is before start")
        if start is not None and (end - start).days + 1 > MAX_RANGE_DAYS:
            raise ValueError(f"at most {MAX_RANGE_DAYS} days after start")
        return end


class SeriesQuery(FiguresQuery):
    period: Period = Period.day


class Rates(BaseModel):
    """The three rates and what they are made of (None: nothing was due / rated)."""

    response_rate: float | None = None  # 响应率: answered within the response deadline / due
    resolution_rate: float | None = None  # 解决率: resolved within the deadline / due
    satisfaction_rate: float | None = None  # 满意率: (satisfied + basically) / rated
    response_due: int = 0
    response_on_time: int = 0
    response_overdue: int = 0  # missed the deadline, answered late or not yet
    response_open_overdue: int = 0  # of which still unanswered
    resolution_due: int = 0
    resolution_on_time: int = 0
    resolution_overdue: int = 0
    resolution_open_overdue: int = 0
    rated: int = 0
    satisfied: int = 0
    basically_satisfied: int = 0
    unsatisfied: int = 0
    not_rated: int = 0  # the window ended with no rating: never counted as satisfied
    reopened: int = 0
    received: int = 0
    # Quantiles in seconds, read from log-spaced histograms (the bin's upper edge: at most
    # 5 % above the exact value; see services/evaluation/domain.py).
    respond_median_s: float | None = None
    respond_p90_s: float | None = None
    resolve_median_s: float | None = None
    resolve_p90_s: float | None = None
    whistles: int = 0
    report_ins: int = 0
    report_ins_late: int = 0
    report_ins_missed: int = 0
    report_in_median_s: float | None = None
    report_in_p90_s: float | None = None
    item_ratings: int = 0  # ratings of projects, decisions, volunteers' services (1-5)
    item_mean_score: float | None = None


class FiguresOut(BaseModel):
    unit: UnitKind
    unit_id: str
    start: date
    end: date
    days: int
    rates: Rates


class SeriesPoint(BaseModel):
    start: date
    end: date
    rates: Rates


class SeriesOut(BaseModel):
    """The figures of a unit per day, week (Monday first) or month across a range."""

    unit: UnitKind
    unit_id: str
    period: Period
    points: list[SeriesPoint] = Field(max_length=MAX_RANGE_DAYS)


# --- events -----------------------------------------------------------------------------


@event_payload("rating.given")
class RatingGiven(BaseModel):
    """A person served rated a resolved issue; `outcome` is what intake does with it."""

    issue_id: str
    community_id: str
    rater_id: str
    level: RatingLevel
    comment: str = ""
    round: int
    outcome: Outcome


@event_payload("rating.lapsed")
class RatingLapsed(BaseModel):
    """The rating window ended with nobody rating: counted as not rated, never satisfied."""

    issue_id: str
    community_id: str
    round: int


# --- leagues (rankings), alerts, reports -------------------------------------------------

MAX_LEAGUE = 200  # units in one league (a district's communities, a community's grids)
MAX_LEAGUE_DAYS = 92


class RateName(StrEnum):
    response = "response"
    resolution = "resolution"
    satisfaction = "satisfaction"


class LeagueQuery(BaseModel):
    """Rank the `kind` units within `within` (a community's grids, a street's or district's
    communities, a district's streets or departments) on one rate over [start, end]."""

    model_config = ConfigDict(extra="forbid")
    kind: UnitKind
    within: Id
    rate: RateName = RateName.satisfaction
    start: date
    end: date
    min_sample: int = Field(default=20, ge=1, le=10_000)

    @field_validator("kind")
    @classmethod
    def _rankable(cls, kind: UnitKind) -> UnitKind:
        if kind not in (UnitKind.grid, UnitKind.community, UnitKind.street,
                        UnitKind.department):
            raise ValueError("rank grids, communities, streets or departments")
        return kind

    @field_validator("end")
    @classmethod
    def _bounded(cls, end: date, info: ValidationInfo) -> date:
        start = info.data.get("start")
        if start is not None and end < start:
            raise ValueError("end is before start")
        if start is not None and (end - start).days + 1 > MAX_LEAGUE_DAYS:
            raise ValueError(f"at most {MAX_LEAGUE_DAYS} days after start")
        return end


class LeagueRow(BaseModel):
    unit_id: str
    value: float | None
    sample: int
    rank: int | None  # None: unranked (under the minimum sample, or nothing due)
    movement: int | None  # the previous period's rank minus this one (positive: up)
    note: str


class League(BaseModel):
    kind: UnitKind
    within: str
    within_kind: UnitKind
    rate: RateName
    start: date
    end: date
    min_sample: int
    rows: list[LeagueRow] = Field(max_length=MAX_LEAGUE)
    published_at: float | None = None
    publication_id: str | None = None  # set on a published league (to withdraw it)
    withdrawn_at: float | None = None


@event_payload("ranking.published")
class RankingPublished(BaseModel):
    """The district published a league (公示): its community and street admins see it now."""

    publication_id: str
    district_id: str
    kind: UnitKind
    within: str
    rate: RateName
    start: date
    end: date


@event_payload("ranking.withdrawn")
class RankingWithdrawn(BaseModel):
    """The district withdrew a published league: nobody below it sees it any more."""

    publication_id: str
    district_id: str


class AlertOut(BaseModel):
    id: str
    community_id: str
    street_id: str | None = None
    grid_id: str
    category: str
    recent: int  # issues in the last 7 days
    baseline: float  # the mean of the 4 weeks before
    issue_ids: list[str] = Field(max_length=50)
    raised_at: float


@event_payload("warning.raised")
class WarningRaised(BaseModel):
    """A rising cluster (研判预警) for the community's and street's admins, with the issues."""

    alert_id: str
    community_id: str
    street_id: str | None = None
    grid_id: str
    category: str
    recent: int
    baseline: float
    issue_ids: list[str]


class ReportFormat(StrEnum):
    json = "json"
    csv = "csv"
    html = "html"


class ChartKind(StrEnum):
    trend = "trend"
    ranking = "ranking"
    heat = "heat"


class ReportQuery(BaseModel):
    """A unit's monthly report (a community or a street)."""

    model_config = ConfigDict(extra="forbid")
    unit: UnitKind
    unit_id: Id
    month: str = Field(pattern=r"^20[0-9]{2}-(0[1-9]|1[0-2])$")


class MonthReport(BaseModel):
    unit: UnitKind
    unit_id: str
    month: str
    rates: Rates
    days: list[SeriesPoint] = Field(max_length=31)
    league: League | None = None  # the unit's own grids (community) or communities (street)
    top_topics: list[tuple[str, int]] = Field(default_factory=list, max_length=10)


class FileOut(BaseModel):
    """A rendered file: its media type and its bytes (base64) or text."""

    content_type: str
    data: str
    base64: bool = False


# --- other evaluations: items other services send, 三评议 ----------------------------------

MAX_ITEM_RATERS = 5000  # a project's audience: its community's residents who rate it


class ItemKind(StrEnum):
    project = "project"  # a community project (deliberation)
    decision = "decision"  # a deliberated decision (deliberation)
    volunteer_service = "volunteer_service"  # a volunteer served someone (volunteers)
    operator_service = "operator_service"  # a community operator's service (volunteers)
    mediation = "mediation"  # a mediation case, rated by its parties (mediation)


@event_payload("evaluation_item.opened")
class EvaluationItemOpened(BaseModel):
    """Something residents may rate, sent by the service that owns it (deliberation: projects
    and decisions; volunteers: a volunteer's or operator's service). `raters` names who may
    rate (the person served); empty means any resident of the community, once each."""

    item_id: str
    kind: ItemKind
    community_id: str
    title: str = Field(max_length=200)
    subject_id: str | None = None  # the volunteer or operator rated, if any
    raters: list[str] = Field(default_factory=list, max_length=50)
    closes_at: datetime


@event_payload("item.rated")
class ItemRated(BaseModel):
    """A rating of an item, in the commit that counts it: the owner of what was rated folds
    it (volunteers: a volunteer's or operator's service into their profile's rating).
    Once per rater and item; `rating_id` (`<item id>:<rater id>`) names it for consumers."""

    rating_id: str
    item_id: str
    kind: ItemKind
    community_id: str
    subject_id: str | None = None  # the volunteer or operator rated, if any
    rater_id: str
    score: int = Field(ge=1, le=5)
    rated_ts: float


class ItemRatingIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    score: int = Field(ge=1, le=5)
    comment: Note = ""


class ItemRatingOut(BaseModel):
    item_id: str
    kind: ItemKind
    rater_id: str
    score: int
    ratings: int  # the item's ratings so far, this one included
    mean_score: float


class RouteName(StrEnum):
    """三评议: the three routes of a self-management committee's annual evaluation."""

    online = "online"  # 线上评议
    meeting = "meeting"  # 居民会议评议
    board = "board"  # 公示栏评议


Score = Annotated[float, Field(ge=0, le=100, allow_inf_nan=False)]
Weight = Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)]
DEFAULT_WEIGHTS = {RouteName.online: 0.4, RouteName.meeting: 0.4, RouteName.board: 0.2}


class ThreeRouteWeightsIn(BaseModel):
    """A community's weights of the three routes (each 0-1, adding up to 1)."""

    model_config = ConfigDict(extra="forbid")
    weights: dict[RouteName, Weight] = Field(min_length=1)

    @field_validator("weights")
    @classmethod
    def _sum_to_one(cls, weights: dict[RouteName, float]) -> dict[RouteName, float]:
        if abs(sum(weights.values()) - 1.0) > 1e-6:
            raise ValueError("the weights must add up to 1")
        return weights


class ThreeRoutesRecordIn(BaseModel):
    """A committee's year: each route's score (0-100); the community's weights combine them."""

    model_config = ConfigDict(extra="forbid")
    scores: dict[RouteName, Score] = Field(min_length=1)
    note: Note = ""


class CommitteeYear(BaseModel):
    """The year asked for (the path's), validated like any input."""

    model_config = ConfigDict(extra="forbid")
    year: int = Field(ge=2000, le=2100)


class ThreeRoutesOut(BaseModel):
    """三评议 of one community's committee for one year, as recorded."""

    community_id: str
    year: int
    combined: float  # 0-100
    weights: dict[RouteName, float]  # as used (a missing route's weight spread over the rest)
    scores: dict[RouteName, float]
    missing: list[RouteName] = []
    note: str = ""
    recorded_by: str
    recorded_at: float  # epoch seconds


PolicyOut.model_rebuild()  # its weights name RouteName, declared further down
