"""Volunteers contracts (志愿者 · 社区运营官 · 微心愿 · 活动 · 四张清单).

The events here are published by the `volunteers` service (consumers subscribe with
`@handles("volunteers", "<type>")`). Points pays for `volunteer.hours_logged` and
`wish.fulfilled`; evaluation rates what `match.accepted` and `project.completed` name.
Every time is an epoch float (seconds, UTC), as the store keeps it.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, Field

from services.common.contracts.envelope import event_payload
from services.common.contracts.types import Hours

# An instant as epoch seconds: finite and within 1970..2200 (the calendar types.py keeps).
EpochTs = Annotated[float, Field(ge=0, le=7_258_118_400, allow_inf_nan=False)]

SourceKind = Literal["activity", "wish", "order"]
NeedKind = Literal["wish", "activity", "order", "need"]


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
