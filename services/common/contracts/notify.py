"""The notifications service's contracts (消息): the in-app inbox, the unread count, the
preferences (which channel for which kind). Notify publishes no events: it only listens."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from services.common.paging import Page, PageQuery


class NotificationKind(StrEnum):
    issue_status = "issue_status"  # an issue's step, to its reporter and merged reporters
    order_assigned = "order_assigned"  # a new order, to its unit and its grid's workers
    whistled = "whistled"  # 吹哨: a summoned unit or member must report in
    report_in_due = "report_in_due"  # the report-in deadline is near (notify's own timer)
    report_in_missed = "report_in_missed"  # it passed without a 报到
    redemption_confirmed = "redemption_confirmed"  # a merchant confirmed the resident's code
    vote_opened = "vote_opened"  # 决议: the community's residents may vote
    visit_missed = "visit_missed"  # 独居老人: a rota visit passed its deadline (care)
    visit_escalated = "visit_escalated"  # 独居老人: a missed visit went up to street/district
    organisation_stage = "organisation_stage"  # 孵化: the founder's organisation moved on
    organisation_graduated = "organisation_graduated"  # 出壳: to its founder and members


class ChannelName(StrEnum):
    in_app = "in_app"  # always on: the inbox
    webhook = "webhook"  # the district's own gateway, plain
    sms = "sms"  # the district's gateway, as an SMS
    wechat = "wechat"  # the district's gateway, as a WeChat template message


OUTBOUND = (ChannelName.webhook, ChannelName.sms, ChannelName.wechat)
Audience = Literal["personal", "community", "unit", "grid", "street", "district"]


class NotificationOut(BaseModel):
    id: str
    kind: NotificationKind
    audience: Audience  # to the caller alone, or to their community / unit / grid
    ref: str  # what it is about: "issue:<id>", "order:<id>", "redemption:<id>", "meeting:<id>"
    title: str
    body: str = ""
    community_id: str | None = None
    created_at: datetime
    read: bool


NotificationPage = Page[NotificationOut]


class NotificationQuery(PageQuery):
    unread: bool = False  # only the unread ones


class UnreadCount(BaseModel):
    unread: int


class PreferencesIn(BaseModel):
    """Per kind, the outbound channels besides the inbox (in_app is always on)."""

    model_config = ConfigDict(extra="forbid")
    channels: dict[NotificationKind, list[ChannelName]] = Field(default_factory=dict,
                                                               max_length=20)

    @field_validator("channels")
    @classmethod
    def _no_repeats(cls, value: dict) -> dict:
        for kind, names in value.items():
            if len(names) > len(ChannelName) or len(set(names)) != len(names):
                raise ValueError(f"{kind}: each channel once")
        return value


class PreferencesOut(BaseModel):
    user_id: str
    channels: dict[NotificationKind, list[ChannelName]]  # every kind, in_app first
