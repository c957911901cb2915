"""Mediation contracts (矛盾纠纷调解): cases, parties and their consent, the matched mediator,
meetings in a hall or the 调解工作室, and the outcome (agreement with a follow-up, referral,
or closed without agreement).

The events here are published by the `mediation` service (`@handles("mediation", ...)`):
volunteers answers `mediator.requested` with a match for the skill "mediation"
(`match.accepted` names the case as its `need_id`, `need_kind` "mediation"); evaluation
opens the parties' rating from `evaluation_item.opened`. No event carries a party's
details: only ids, kinds and counts leave the service.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator

from services.common.contracts.envelope import event_payload
from services.common.contracts.types import Id, Name, Note, Summary, Text

EpochTs = Annotated[float, Field(ge=0, le=7_258_118_400, allow_inf_nan=False)]
Phone = Annotated[str, Field(pattern=r"^\+?[0-9][0-9 -]{4,19}$")]
MAX_PARTIES = 10
MAX_MEETINGS = 20


class CaseKind(StrEnum):
    neighbour = "neighbour"  # 邻里纠纷
    family = "family"  # 家庭纠纷
    property = "property"  # 物业纠纷
    other = "other"


class CaseSource(StrEnum):
    issue = "issue"  # intake's mediation categories (triaged)
    patrol = "patrol"  # a grid worker's patrol (排查走访)
    walk_in = "walk_in"  # 来访: filed by a grid worker or the community admin


class CaseState(StrEnum):
    open = "open"  # consent and a mediator awaited
    mediating = "mediating"  # a mediator and every party's consent: meetings may be held
    agreement_pending = "agreement_pending"  # an agreement drafted, awaiting signatures
    agreed = "agreed"  # signed by every party; its follow-up is a deadline
    follow_up_due = "follow_up_due"  # the follow-up date came: the mediator checks it
    referred = "referred"  # handed to the police, the court's mediation or legal aid
    closed = "closed"  # without agreement, or after the follow-up was recorded


class Outcome(StrEnum):
    agreement = "agreement"
    referral = "referral"
    no_agreement = "no_agreement"


class ReferralTarget(StrEnum):
    police = "police"  # 派出所
    court = "court"  # 法院诉前调解
    legal_aid = "legal_aid"  # 法律援助


class Placement(StrEnum):
    pending = "pending"  # the hall is being booked
    placed = "placed"  # deliberation booked the hall's slots
    unplaced = "unplaced"  # no hall, or the booking failed: the meeting stands, unplaced


# --- RPC bodies -------------------------------------------------------------------------


class PartyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: Name
    account_id: Id | None = None  # a resident's account: they consent, sign and rate
    phone: Phone | None = None
    address: Text(120, line=True) | None = None  # type: ignore[valid-type]


class PartyUpdateIn(PartyIn):
    """The mediator or admin completes a party (a case from an issue knows its reporter
    only); a changed account answers consent again."""


class CaseIn(BaseModel):
    """A dispute filed by a grid worker (patrol, walk-in) or the community admin."""

    model_config = ConfigDict(extra="forbid")
    community_id: Id | None = None
    kind: CaseKind
    source: CaseSource = CaseSource.walk_in
    summary: Summary
    grid_id: Id | None = None
    parties: list[PartyIn] = Field(min_length=2, max_length=MAX_PARTIES)

    @model_validator(mode="after")
    def _not_from_an_issue(self) -> CaseIn:
        if self.source is CaseSource.issue:
            raise ValueError("source: cases from issues come from intake's triage")
        return self


class ConsentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    party_id: Id
    consent: bool


class MeetingIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    hall_id: Id | None = None  # a hall or the 调解工作室 (deliberation's); none: unplaced
    starts_ts: EpochTs
    ends_ts: EpochTs
    place_note: Text(120, line=True) = ""  # type: ignore[valid-type]

    @model_validator(mode="after")
    def _window(self) -> MeetingIn:
        if self.ends_ts <= self.starts_ts:
            raise ValueError("ends_ts: must be after starts_ts")
        if self.ends_ts - self.starts_ts > 8 * 3600:
            raise ValueError("ends_ts: a meeting lasts at most 8 hours")
        return self


class MeetingRecordIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    summary: Summary
    attended: list[Id] = Field(default_factory=list, max_length=MAX_PARTIES)  # party ids


class AgreementIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: Text(4000, min_length=1)  # type: ignore[valid-type]
    follow_up_ts: EpochTs  # when the mediator checks the agreement is kept (回访)


class SignIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    party_id: Id


class ReferralIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    to: ReferralTarget
    note: Note = ""


class CloseIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    note: Note = ""


class FollowUpIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kept: bool
    note: Note = ""


# --- replies ----------------------------------------------------------------------------


class PartyOut(BaseModel):
    party_id: str
    name: str | None = None  # null unless the reader is the mediator, the admin or the party
    account_id: str | None = None
    phone: str | None = None
    address: str | None = None
    consent: bool | None = None  # None: not answered yet
    signed: bool = False


class MeetingOut(BaseModel):
    meeting_id: str
    starts_ts: float
    ends_ts: float
    hall_id: str | None = None
    placement: Placement
    place_note: str = ""
    booking_error: str | None = None
    held: bool = False
    summary: str | None = None  # the record of the meeting (mediator and admin only)
    attended: list[str] = []


class CaseOut(BaseModel):
    id: str
    community_id: str
    kind: CaseKind
    source: CaseSource
    state: CaseState
    outcome: Outcome | None = None
    summary: str | None = None  # null for a party's or the filer's limited view
    issue_id: str | None = None
    parties: list[PartyOut]
    mediator_id: str | None = None
    mediator_search: str | None = None  # requested, offered, exhausted, accepted
    meetings: list[MeetingOut] = []
    agreement_text: str | None = None
    follow_up_ts: float | None = None
    follow_up_fired_ts: float | None = None
    follow_up_kept: bool | None = None
    referral_to: ReferralTarget | None = None
    ratings: int = 0
    mean_rating: float | None = None
    created_ts: float
    agreed_ts: float | None = None
    closed_ts: float | None = None
    version: int


class CasePage(BaseModel):
    items: list[CaseOut]
    next_cursor: str | None = None


class FiguresOut(BaseModel):
    """Counters of a community, street or district (never a count of documents)."""

    unit: str
    unit_id: str
    cases: int = 0
    by_kind: dict[str, int] = {}
    by_outcome: dict[str, int] = {}
    agreements: int = 0
    mean_days_to_agreement: float | None = None
    follow_ups_due: int = 0
    follow_ups_kept: int = 0
    follow_ups_broken: int = 0


# --- events -----------------------------------------------------------------------------


@event_payload("mediator.requested")
class MediatorRequested(BaseModel):
    """A case wants a mediator: volunteers offers it to the ranked holders of `skill`.
    `request_id` (`<case id>-<n>`) is unique per request; a repeated request is a new n."""

    request_id: str
    case_id: str
    community_id: str
    district_id: str
    street_id: str | None = None
    grid_id: str | None = None
    skill: str = "mediation"


@event_payload("case.opened")
class CaseOpened(BaseModel):
    case_id: str
    community_id: str
    kind: CaseKind
    source: CaseSource
    opened_ts: EpochTs


@event_payload("case.agreed")
class CaseAgreed(BaseModel):
    case_id: str
    community_id: str
    kind: CaseKind
    mediator_id: str
    seconds_to_agreement: float
    follow_up_ts: EpochTs


@event_payload("case.follow_up_due")
class CaseFollowUpDue(BaseModel):
    """The agreement's follow-up date came (fired once by the PollTimer)."""

    case_id: str
    community_id: str
    mediator_id: str | None = None
    follow_up_ts: EpochTs


@event_payload("case.closed")
class CaseClosed(BaseModel):
    """The case ended: `outcome`, and for an agreement whether its follow-up was kept.
    Evaluation may fold these into its reports (kinds and counts only)."""

    case_id: str
    community_id: str
    kind: CaseKind
    outcome: Outcome
    mediator_id: str | None = None
    match_id: str | None = None
    follow_up_kept: bool | None = None
    closed_ts: EpochTs
