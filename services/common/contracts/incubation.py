"""Incubation contracts (社会组织孵化): organisations (residents' teams, volunteer groups,
interest clubs) walked through the stages and steps of their community's process as a
checklist, with their members, resources, activities and projects.

The events here are published by the `incubation` service (`@handles("incubation", ...)`):
points and notify may consume `organisation.stage_reached` and `organisation.graduated`.
Incubation consumes volunteers' `activity.checked_in` (an activity of an organisation:
`organisation_id`) and `project.started` / `project.completed` (its read model of the
four lists' projects). No event carries a member's details: only ids, kinds and counts.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from services.common.contracts.envelope import event_payload
from services.common.contracts.types import Code, Id, Name, Note, Summary, Text
from services.common.paging import Page

EpochTs = Annotated[float, Field(ge=0, le=7_258_118_400, allow_inf_nan=False)]
Phone = Annotated[str, Field(pattern=r"^\+?[0-9][0-9 -]{4,19}$")]
Charter = Text(5000, min_length=1)
MAX_MEMBERS = 300  # a residents' team, not a federation: the list lives in the document
MAX_RESOURCES = 50
MAX_PROJECTS = 50
MAX_STAGES = 6
MAX_STEPS = 6  # per stage


class OrganisationKind(StrEnum):
    governance = "governance"  # 治理类 (居民议事会, 楼门长团队)
    mutual_aid = "mutual_aid"  # 互助类 (邻里互助队)
    volunteer = "volunteer"  # 志愿类 (志愿服务队)
    interest = "interest"  # 兴趣类 (合唱团, 书法社)


class RequirementKind(StrEnum):
    """What a step needs, each checked from recorded facts (domain.py `unmet`)."""

    founder = "founder"  # a founder account (set at registration)
    purpose = "purpose"  # a stated purpose
    members = "members"  # at least `min` members
    activities = "activities"  # at least `min` activities held (volunteers' check-ins)
    resources = "resources"  # at least `min` resources (space, funds, equipment)
    projects = "projects"  # at least `min` projects of the four lists it owns
    evidence = "evidence"  # the step's evidence submitted (a training record, the charter)
    signoff = "signoff"  # the community admin's sign-off of the step


class Requirement(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: RequirementKind
    min: int = Field(1, ge=1, le=1000)


class StepSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    key: Code
    name: Name
    requires: list[Requirement] = Field(default_factory=list, max_length=8)


class StageSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    key: Code
    name: Name
    steps: list[StepSpec] = Field(min_length=1, max_length=MAX_STEPS)


class ProcessIn(BaseModel):
    """A community's process: its stages in order, each with its steps in order."""

    model_config = ConfigDict(extra="forbid")
    stages: list[StageSpec] = Field(min_length=1, max_length=MAX_STAGES)

    @model_validator(mode="after")
    def _unique(self) -> ProcessIn:
        keys = [s.key for stage in self.stages for s in stage.steps]
        if len(set(keys)) != len(keys):
            raise ValueError("stages: every step has its own key")
        if len({s.key for s in self.stages}) != len(self.stages):
            raise ValueError("stages: every stage has its own key")
        return self


class ProcessOut(BaseModel):
    community_id: str
    version: int
    stages: list[StageSpec]


class OrganisationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    community_id: Id | None = None
    kind: OrganisationKind
    name: Name
    purpose: Summary
    founder_account_id: Id | None = None  # the admin names one; a resident founds their own
    founder_name: Name | None = None


class MemberIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    account_id: Id
    name: Name
    phone: Phone | None = None


class MemberOut(BaseModel):
    account_id: str
    name: str
    phone: str | None = None
    role: Literal["founder", "member"]
    joined_ts: float


class ResourceKind(StrEnum):
    space = "space"  # 场地
    fund = "fund"  # 资金
    equipment = "equipment"  # 设备
    skill = "skill"
    other = "other"


class ResourceIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: ResourceKind
    title: Name
    detail: Note = ""
    state: Literal["offered", "assigned"] = "offered"


class ResourceOut(BaseModel):
    resource_id: str
    kind: ResourceKind
    title: str
    detail: str
    state: Literal["offered", "assigned"]
    added_ts: float


class EvidenceIn(BaseModel):
    """A step's evidence: the training given, the charter adopted (its text)."""

    model_config = ConfigDict(extra="forbid")
    text: Charter


class SignOffIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    note: Note = ""


class ProjectLinkIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    project_id: Id


class RequirementOut(BaseModel):
    kind: RequirementKind
    need: int
    have: int
    met: bool
    text: str  # "members: 2 of 3"


class StepOut(BaseModel):
    stage: str
    key: str
    name: str
    done_ts: float | None = None
    done_by: str | None = None
    requirements: list[RequirementOut]


class OrganisationOut(BaseModel):
    id: str
    community_id: str
    kind: OrganisationKind
    name: str
    purpose: str
    founder_account_id: str
    stage: str  # the current stage's key, or "graduated"
    step: str | None = None  # the next step to complete (None once graduated)
    lacks: list[str]  # the current step's unmet requirements
    process_version: int
    steps: list[StepOut]
    members: int
    activities_held: int
    resources: list[ResourceOut] = Field(default_factory=list)
    project_ids: list[str] = Field(default_factory=list)
    evidence: dict[str, str] = Field(default_factory=dict)  # step → text (staff and founder)
    created_ts: float
    graduated_ts: float | None = None
    version: int


class OrganisationSummary(BaseModel):
    """The community's list: where each organisation stands and what it lacks."""

    id: str
    kind: OrganisationKind
    name: str
    purpose: str
    stage: str
    step: str | None = None
    lacks: list[str]
    members: int
    activities_held: int


class FiguresOut(BaseModel):
    community_id: str
    organisations: int
    by_stage: dict[str, int]
    by_kind: dict[str, int]
    graduated: int


OrganisationPage = Page[OrganisationSummary]
MemberPage = Page[MemberOut]


# --- events ---------------------------------------------------------------------------

@event_payload("organisation.registered")
class OrganisationRegistered(BaseModel):
    organisation_id: str
    community_id: str
    kind: OrganisationKind
    founder_account_id: str
    process_version: int
    registered_ts: EpochTs


@event_payload("organisation.step_completed")
class OrganisationStepCompleted(BaseModel):
    organisation_id: str
    community_id: str
    stage: str
    step: str
    completed_by: str
    completed_ts: EpochTs


@event_payload("organisation.stage_reached")
class OrganisationStageReached(BaseModel):
    """The organisation finished a stage's last step and entered the next stage."""

    organisation_id: str
    community_id: str
    kind: OrganisationKind
    founder_account_id: str
    stage: str
    previous_stage: str
    reached_ts: EpochTs


@event_payload("organisation.graduated")
class OrganisationGraduated(BaseModel):
    """出壳: the last step of the last stage is done; the organisation runs on its own."""

    organisation_id: str
    community_id: str
    kind: OrganisationKind
    founder_account_id: str
    member_account_ids: list[str] = Field(default_factory=list, max_length=MAX_MEMBERS)
    graduated_ts: EpochTs
