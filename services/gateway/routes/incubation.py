"""Incubation (社会组织孵化): organisations walked through the community's stages and steps,
their members, resources and projects, the process and the figures by stage.

Routes only translate HTTP to the incubation service's RPCs over its contracts. Each checks
the role; the service checks again the community, the admin and the founder (anyone of
another community: the 404 of a missing organisation).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status

from services.common.caller import Role
from services.common.contracts.incubation import (
    EvidenceIn,
    FiguresOut,
    MemberIn,
    MemberPage,
    OrganisationIn,
    OrganisationOut,
    OrganisationPage,
    ProcessIn,
    ProcessOut,
    ProjectLinkIn,
    ResourceIn,
    SignOffIn,
)
from services.common.paging import DEFAULT_PAGE, MAX_PAGE
from services.gateway.deps import (
    CallerDep,
    PathCode,
    PathId,
    QueryId,
    RpcDep,
    caller_args,
    require,
)
from services.gateway.routes.deliberation import own_community

router = APIRouter(tags=["incubation"])

Limit = Annotated[int, Query(ge=1, le=MAX_PAGE)]
Cursor = Annotated[str | None, Query(max_length=512)]
ADMIN = (Role.community_admin,)
# the community's people: they read its organisations, found one, or run one (its founder)
PEOPLE = (Role.resident, Role.volunteer, Role.operator, Role.grid_worker,
          Role.community_admin)
READERS = (*PEOPLE, Role.street_admin, Role.district_admin)


def _call(rpc: RpcDep, method: str, caller: CallerDep, *args: object) -> object:
    return rpc.call("incubation", method, caller_args(caller), *args)


@router.post("/incubation/organisations", status_code=status.HTTP_201_CREATED,
             response_model=OrganisationOut)
def register_organisation(body: OrganisationIn, caller: CallerDep, rpc: RpcDep) -> object:
    """Register an organisation (the admin names its founder; a resident founds their own):
    it starts at the first step of the community's process."""
    require(caller, *PEOPLE)
    own_community(caller, body.community_id)
    return _call(rpc, "register_organisation", caller, body.model_dump(mode="json"))


@router.get("/incubation/organisations", response_model=OrganisationPage)
def list_organisations(caller: CallerDep, rpc: RpcDep, community_id: QueryId = None,
                       limit: Limit = DEFAULT_PAGE, cursor: Cursor = None) -> object:
    """The community's organisations: name, kind, purpose, stage, step and what each lacks."""
    require(caller, *PEOPLE)
    return _call(rpc, "list_organisations", caller, own_community(caller, community_id),
                 limit, cursor)


@router.get("/incubation/organisations/{organisation_id}", response_model=OrganisationOut)
def get_organisation(organisation_id: PathId, caller: CallerDep, rpc: RpcDep) -> object:
    """An organisation's checklist: every step, its requirements, what the next one lacks."""
    require(caller, *READERS)
    return _call(rpc, "get_organisation", caller, organisation_id)


@router.post("/incubation/organisations/{organisation_id}/steps/{step}/complete",
             response_model=OrganisationOut)
def complete_step(organisation_id: PathId, step: PathCode, caller: CallerDep,
                  rpc: RpcDep) -> object:
    """The admin completes the next step (409 naming the step and what it lacks)."""
    require(caller, *ADMIN)
    return _call(rpc, "complete_step", caller, organisation_id, step)


@router.post("/incubation/organisations/{organisation_id}/steps/{step}/sign-off",
             response_model=OrganisationOut)
def sign_off_step(organisation_id: PathId, step: PathCode, body: SignOffIn,
                  caller: CallerDep, rpc: RpcDep) -> object:
    """The admin's sign-off a step requires (备案, 评估, 出壳)."""
    require(caller, *ADMIN)
    return _call(rpc, "sign_off_step", caller, organisation_id, step,
                 body.model_dump(mode="json"))


@router.put("/incubation/organisations/{organisation_id}/steps/{step}/evidence",
            response_model=OrganisationOut)
def submit_evidence(organisation_id: PathId, step: PathCode, body: EvidenceIn,
                    caller: CallerDep, rpc: RpcDep) -> object:
    """The founder (or admin) records a step's evidence: the training, the charter."""
    require(caller, *PEOPLE)
    return _call(rpc, "submit_evidence", caller, organisation_id, step,
                 body.model_dump(mode="json"))


@router.post("/incubation/organisations/{organisation_id}/members",
             response_model=OrganisationOut)
def add_member(organisation_id: PathId, body: MemberIn, caller: CallerDep,
               rpc: RpcDep) -> object:
    """The founder or the admin adds a member (招募)."""
    require(caller, *PEOPLE)
    return _call(rpc, "add_member", caller, organisation_id, body.model_dump(mode="json"))


@router.delete("/incubation/organisations/{organisation_id}/members/{account_id}",
               response_model=OrganisationOut)
def remove_member(organisation_id: PathId, account_id: PathId, caller: CallerDep,
                  rpc: RpcDep) -> object:
    """A member leaves the organisation (the founder stays)."""
    require(caller, *PEOPLE)
    return _call(rpc, "remove_member", caller, organisation_id, account_id)


@router.get("/incubation/organisations/{organisation_id}/members", response_model=MemberPage)
def list_members(organisation_id: PathId, caller: CallerDep, rpc: RpcDep,
                 limit: Limit = DEFAULT_PAGE, cursor: Cursor = None) -> object:
    """The members with their contacts (the founder and the admin)."""
    require(caller, *PEOPLE)
    return _call(rpc, "list_members", caller, organisation_id, limit, cursor)


@router.post("/incubation/organisations/{organisation_id}/resources",
             response_model=OrganisationOut)
def add_resource(organisation_id: PathId, body: ResourceIn, caller: CallerDep,
                 rpc: RpcDep) -> object:
    """A space, funds or equipment offered or assigned to the organisation."""
    require(caller, *PEOPLE)
    return _call(rpc, "add_resource", caller, organisation_id, body.model_dump(mode="json"))


@router.post("/incubation/organisations/{organisation_id}/projects",
             response_model=OrganisationOut)
def link_project(organisation_id: PathId, body: ProjectLinkIn, caller: CallerDep,
                 rpc: RpcDep) -> object:
    """A project of the four lists the organisation owns."""
    require(caller, *PEOPLE)
    return _call(rpc, "link_project", caller, organisation_id, body.model_dump(mode="json"))


@router.get("/incubation/process", response_model=ProcessOut)
def get_process(caller: CallerDep, rpc: RpcDep, community_id: QueryId = None) -> object:
    """The stages and steps a new organisation of the community follows."""
    require(caller, *PEOPLE)
    return _call(rpc, "get_process", caller, own_community(caller, community_id))


@router.put("/incubation/process", response_model=ProcessOut)
def configure_process(body: ProcessIn, caller: CallerDep, rpc: RpcDep,
                      community_id: QueryId = None) -> object:
    """The admin's own process: a new version (organisations keep the one they started)."""
    require(caller, *ADMIN)
    return _call(rpc, "configure_process", caller, body.model_dump(mode="json"),
                 own_community(caller, community_id))


@router.get("/incubation/figures", response_model=FiguresOut)
def incubation_figures(caller: CallerDep, rpc: RpcDep, community_id: QueryId = None) -> object:
    """Organisations by stage and kind (counters)."""
    require(caller, *ADMIN)
    return _call(rpc, "incubation_figures", caller, own_community(caller, community_id))
