"""Points (积分): the ledger, earning rules, partner merchants (社区合伙人), offers, redemption
(兑换), settlement and publication (公示). RPC bodies, replies and events of `points`."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator

from services.common.contracts.envelope import event_payload
from services.common.contracts.types import Id, Instant, Name, Note, Text
from services.common.paging import Page

MAX_POINTS = 1_000_000  # one posting, one price, one award: beyond this is a typo
Points = Annotated[int, Field(gt=0, le=MAX_POINTS)]
Cap = Annotated[int, Field(ge=0, le=MAX_POINTS)]  # 0: no cap
Reason = Text(200, min_length=1, line=True)
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # no 0/O, 1/I/L: typed at a counter
CODE_LENGTH = 8
RedemptionCode = Annotated[str, Field(pattern=rf"^[{CODE_ALPHABET}]{{{CODE_LENGTH}}}$")]


class AccountKind(StrEnum):
    resident = "resident"  # active points (可用)
    hold = "hold"  # a resident's points locked by open redemptions (冻结)
    pool = "pool"  # the community's issuing pool: goes negative by what it issued
    merchant = "merchant"  # what a partner merchant collected
    expiry = "expiry"  # the sink expired points go to


class PostingState(StrEnum):
    new = "new"  # recorded, being applied: verify counts each side it finds applied
    posted = "posted"  # both sides applied
    refused = "refused"  # the debit side had too little: nothing moved
    void = "void"  # a tombstone: the step it stood for was abandoned before it ran


class PostingReason(StrEnum):
    earn = "earn"  # an earning rule paid for a contribution
    award = "award"  # a manual award by a community admin (maker/checker above a threshold)
    lock = "lock"  # a redemption locked the price
    release = "release"  # a cancelled, expired or failed redemption gave it back
    redeem = "redeem"  # the merchant confirmed at the counter: spent
    expire = "expire"  # points past the community's expiry policy
    reversal = "reversal"  # a mistake undone by a new posting (never an edit)
    care = "care"  # a care service (一老一小) priced in points, spent once delivered


class EarnKind(StrEnum):
    """What earns points (the event types of the rules)."""

    issue_verified = "issue_verified"  # an issue reported and resolved (not rejected)
    order_resolved_by_member = "order_resolved_by_member"  # 党员抢单, confirmed
    volunteer_hour = "volunteer_hour"  # points per hour logged
    wish_fulfilled = "wish_fulfilled"  # 微心愿, to the volunteer
    activity_attended = "activity_attended"
    meeting_attended = "meeting_attended"  # deliberation's meeting.attended
    vote_cast = "vote_cast"  # deliberation's vote.cast
    care_delivered = "care_delivered"  # care's 一老一小 service given, to its provider
    organisation_stage = "organisation_stage"  # 孵化: the founder's organisation moved on
    organisation_graduated = "organisation_graduated"  # 出壳, to its founder


class CooperationMode(StrEnum):
    """Seed 003's ways a partner merchant works with the community."""

    points_exchange = "points_exchange"  # 积分兑换
    public_good_for_service = "public_good_for_service"  # 公益换服务
    space_for_service = "space_for_service"  # 空间换服务
    honorary_naming = "honorary_naming"  # 荣誉冠名
    donation = "donation"  # 爱心捐赠
    resident_self_funding = "resident_self_funding"  # 居民自筹
    trial = "trial"  # 试用体验


class RedemptionState(StrEnum):
    pending = "pending"  # points being locked and stock reserved
    issued = "issued"  # the code is valid until `expires_at`
    confirmed = "confirmed"  # the merchant confirmed at the counter: spent
    cancelled = "cancelled"  # the resident gave it up: released
    expired = "expired"  # nobody confirmed in time: released
    failed = "failed"  # a guard refused (points, stock, limit): whatever was taken released


class Mask(StrEnum):
    """How a resident appears in the published ranking (公示)."""

    full = "full"  # the display name
    initial = "initial"  # 王* (first character)
    anonymous = "anonymous"  # 居民 + a stable number


# --- ledger --------------------------------------------------------------------------------


class BalanceOut(BaseModel):
    """A resident's points by state."""

    community_id: str
    user_id: str
    active: int
    locked: int
    spent: int
    expired: int


class PostingOut(BaseModel):
    id: str
    community_id: str
    debit: str
    credit: str
    amount: int
    reason: PostingReason
    source: str
    state: PostingState
    created_at: datetime
    direction: str | None = None  # in an account's statement: "in" or "out"


PostingPage = Page[PostingOut]


class AccountCheck(BaseModel):
    """One account whose balance is not the sum of its postings."""

    account_id: str
    balance: int
    expected: int


class VerifyReport(BaseModel):
    """Per community: every balance = the sum of its postings; the books sum to zero."""

    community_id: str
    accounts: int
    postings: int
    drift: int  # Σ |balance − expected| over the accounts checked
    mismatched: list[AccountCheck] = []
    balance_sum: int  # Σ balances: −in_transit when the books are whole
    in_transit: int  # debited and not yet credited
    zero_sum: bool
    busy: int = 0  # accounts that kept changing while summed (not compared: not drift)
    complete: bool  # False: busy accounts, or stopped at the page bound (`next_cursor`)
    next_cursor: str | None = None


# --- earning rules and awards --------------------------------------------------------------


class RuleIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    points: Points
    daily_cap: Cap = 0
    weekly_cap: Cap = 0
    active: bool = True


class RuleKindIn(BaseModel):
    kind: EarnKind


class RuleOut(RuleIn):
    community_id: str
    kind: EarnKind


class AwardIn(BaseModel):
    """A manual award (a community admin); above the community's threshold a second admin
    approves it (maker/checker)."""

    model_config = ConfigDict(extra="forbid")
    community_id: Id | None = None
    user_id: Id
    points: Points
    reason: Reason


class AwardOut(BaseModel):
    id: str
    community_id: str
    user_id: str
    points: int
    reason: str
    state: str  # awaiting_approval | posted
    made_by: str
    approved_by: str | None = None
    posting_id: str | None = None
    created_at: datetime


# --- merchants and offers ------------------------------------------------------------------


class MerchantIn(BaseModel):
    """Onboard a partner merchant (its merchant accounts carry `merchant_id`) to a community."""

    model_config = ConfigDict(extra="forbid")
    community_id: Id | None = None
    merchant_id: Id
    name: Name
    modes: list[CooperationMode] = Field(min_length=1, max_length=len(CooperationMode))


class MerchantOut(BaseModel):
    merchant_id: str
    community_id: str
    name: str
    modes: list[CooperationMode]
    onboarded_by: str
    created_at: datetime


Stock = Annotated[int, Field(ge=0, le=10_000)]


class OfferIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    community_id: Id | None = None
    merchant_id: Id | None = None  # an admin names it; a merchant offers as itself
    title: Name
    description: Note = ""
    price: Points
    stock: Stock  # `holds` lists the reserved ones
    valid_from: Instant
    valid_until: Instant
    per_resident_limit: Annotated[int, Field(ge=1, le=1000)] = 1

    @model_validator(mode="after")
    def _window(self) -> OfferIn:
        if self.valid_until <= self.valid_from:
            raise ValueError("valid_until: must be after valid_from")
        return self


class OfferUpdate(BaseModel):
    """What a merchant (or its admin) changes of an offer; the stock by compare-and-set: the
    units left to reserve go from `stock_was` (what the merchant saw) to `stock`, so a
    reservation meanwhile is a 409, never a unit lost (a resend of a change that went
    through is a 409 too, naming the stock it set)."""

    model_config = ConfigDict(extra="forbid")
    title: Name | None = None
    description: Note | None = None
    price: Points | None = None  # redemptions already made keep the price they locked
    valid_until: Instant | None = None
    per_resident_limit: Annotated[int, Field(ge=1, le=1000)] | None = None
    stock: Stock | None = None
    stock_was: Stock | None = None

    @model_validator(mode="after")
    def _something(self) -> OfferUpdate:
        if (self.stock is None) != (self.stock_was is None):
            raise ValueError("stock_was: give the stock you saw with the stock you set")
        if all(getattr(self, name) is None for name in type(self).model_fields):
            raise ValueError("body: nothing to change")
        return self


class OfferOut(BaseModel):
    id: str
    community_id: str
    merchant_id: str
    title: str
    description: str
    price: int
    stock: int  # left to reserve
    taken: int
    valid_from: datetime
    valid_until: datetime
    per_resident_limit: int


OfferPage = Page[OfferOut]


# --- redemption ----------------------------------------------------------------------------


class RedemptionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    offer_id: Id


class ConfirmIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    code: RedemptionCode


class RedemptionOut(BaseModel):
    id: str
    community_id: str
    offer_id: str
    merchant_id: str
    resident_id: str
    price: int
    state: RedemptionState
    code: str | None = None  # the resident's own view only
    reason: str | None = None  # why it failed
    created_at: datetime
    expires_at: datetime | None = None
    confirmed_at: datetime | None = None


RedemptionPage = Page[RedemptionOut]


class CodeCheckOut(BaseModel):
    """What a code at the counter is for, read before it is confirmed (its merchant only):
    never whose it is, and never the code of another merchant's offer."""

    redemption_id: str
    offer_id: str
    offer_title: str | None  # None if the offer was removed meanwhile
    price: int
    state: RedemptionState
    expires_at: datetime | None = None
    confirmable: bool
    refusal: str | None = None  # why confirming it now would be refused


class QrOut(BaseModel):
    content_type: str
    data: str  # base64 of the image (PNG) or the SVG text


# --- settlement and publication -------------------------------------------------------------


class SettlementQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")
    merchant_id: Id | None = None
    community_id: Id | None = None
    start: Instant
    end: Instant

    @model_validator(mode="after")
    def _period(self) -> SettlementQuery:
        if self.end <= self.start:
            raise ValueError("end: must be after start")
        if (self.end - self.start).days > 366:
            raise ValueError("end: a period is at most a year")
        return self


class SettlementLine(BaseModel):
    redemption_id: str
    offer_id: str
    price: int
    confirmed_at: datetime


class SettlementOut(BaseModel):
    merchant_id: str
    community_id: str
    start: datetime
    end: datetime
    redemptions: int
    points: int
    lines: list[SettlementLine]
    complete: bool  # False: more than the statement's bound in the period


class PublicationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    mask: Mask
    display_name: Name | None = None


class RankingEntry(BaseModel):
    rank: int
    name: str
    points: int


class RankingOut(BaseModel):
    community_id: str
    entries: list[RankingEntry]


# --- events --------------------------------------------------------------------------------


@event_payload("points.awarded")
class PointsAwarded(BaseModel):
    community_id: str
    user_id: str
    points: int
    reason: PostingReason
    source: str
    posting_id: str


@event_payload("redemption.issued")
class RedemptionIssued(BaseModel):
    redemption_id: str
    community_id: str
    offer_id: str
    merchant_id: str
    resident_id: str
    price: int
    expires_at: datetime


@event_payload("redemption.confirmed")
class RedemptionConfirmed(BaseModel):
    redemption_id: str
    community_id: str
    merchant_id: str
    resident_id: str
    price: int
    latency_seconds: float


@event_payload("redemption.released")
class RedemptionReleased(BaseModel):
    """Cancelled, expired or failed: the locked points and the stock went back."""

    redemption_id: str
    community_id: str
    merchant_id: str
    resident_id: str
    state: RedemptionState


@event_payload("care_charge.refused")
class CareChargeRefused(BaseModel):
    """A care booking's price could not be locked (the booker has too few points): care
    cancels that round of the booking and frees its seat."""

    booking_id: str
    round: int
    community_id: str
    account_id: str
    price_points: int
    reason: str = "insufficient_points"
