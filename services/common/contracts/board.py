"""五微 (seed 000: 微心愿 · 微志愿 · 微治理 · 微积分 · 微更新): a community's public board.

Each service answers its figures in one small RPC (`board_figures`), read from counters its
own commits move (never counted at read time). Figures only: no person's name, account or
contact travels here. The gateway assembles the five sections (`FiveMicroOut`).
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from services.common.contracts.types import Id


class BoardQuery(BaseModel):
    """What every `board_figures` RPC is asked: the community, validated once here."""

    community_id: Id


class PublicCommunity(BaseModel):
    """A community as anyone may name it (identity's `public_community`)."""

    id: str
    name: str


class VolunteersFigures(BaseModel):
    """微心愿, 微志愿 and 微更新 from the volunteers service's tally (`c:<community>`)."""

    community_id: str
    open_wishes: int = 0
    fulfilled_wishes: int = 0
    hours: float = 0.0  # volunteer hours logged in the community, all time
    activities_held: int = 0  # activities someone checked in to
    renewal_projects: int = 0  # 微更新 projects (0 until that feature counts them)
    renewal_published: int = 0


class DeliberationFigures(BaseModel):
    """微治理 from deliberation's counters (`c:<community>`): milestones, all time."""

    community_id: str
    topics_listed: int = 0  # put on the topic list (议题清单), however it got there
    meetings_held: int = 0  # minutes recorded (a meeting called off later still was held)
    decisions_approved: int = 0
    votes_closed: int = 0


class PointsFigures(BaseModel):
    """微积分 from the community's books: issued by its pool, collected by its merchants."""

    community_id: str
    earned: int = 0  # points earned and awarded in the community (the pool's issue)
    redeemed: int = 0  # points spent at its partner merchants (confirmed at the counter)
    complete: bool = True  # False: more merchant accounts than one bounded read sums


Section = Literal["micro_wish", "micro_volunteering", "micro_governance", "micro_points",
                  "micro_renewal"]


class BoardLink(BaseModel):
    """A list the figures come from: the JSON API's route and the console's page."""

    rel: str  # what it lists: "wishes", "activities", "topics", ...
    href: str
    console: str | None = None
    sign_in: bool = True  # the list itself is for the community's signed-in people


class BoardFigure(BaseModel):
    key: str  # "open_wishes", "hours", ... (the console's label key is "five_micro.<key>")
    value: int | float


class BoardSection(BaseModel):
    """One of the five: its figures, or `available: false` and why (its service is down or
    slow: the rest of the page answers all the same)."""

    key: Section
    name: str  # 微心愿, 微志愿, ...
    service: str
    available: bool
    reason: str | None = None
    figures: list[BoardFigure] = Field(default_factory=list)
    links: list[BoardLink] = Field(default_factory=list)


class FiveMicroOut(BaseModel):
    """五微服务群众法: the community's public board, five sections in the seed's order."""

    community: PublicCommunity
    sections: list[BoardSection]
    links: list[BoardLink]  # the community's other public lists (公示)
    generated_at: float  # epoch seconds: the answer may be a few seconds old (cached)
