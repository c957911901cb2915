"""Mediation (矛盾纠纷调解): cases, consent, meetings, the outcome, the figures.

Routes only translate HTTP to the mediation service's RPCs over its contracts. Each checks
the role; the service checks again that the caller is the case's mediator, its community's
admin or one of its parties (anyone else: the 404 of a missing case). There is no public
list of cases: the figures are counters.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, status

from services.common.caller import Role
from services.common.contracts.mediation import (
    AgreementIn,
    CaseIn,
    CaseOut,
    CasePage,
    CloseIn,
    ConsentIn,
    FiguresOut,
    FollowUpIn,
    MeetingIn,
    MeetingRecordIn,
    PartyUpdateIn,
    ReferralIn,
    SignIn,
)
from services.common.paging import DEFAULT_PAGE, MAX_PAGE
from services.gateway.deps import (
    CallerDep,
    PathId,
    QueryId,
    RequiredQueryId,
    RpcDep,
    caller_args,
    require,
)
from services.gateway.routes.deliberation import own_community

router = APIRouter(tags=["mediation"])

Limit = Annotated[int, Query(ge=1, le=MAX_PAGE)]
Cursor = Annotated[str | None, Query(max_length=512)]
Unit = Annotated[Literal["community", "street", "district"], Query()]
ADMIN = (Role.community_admin,)
OPENERS = (Role.community_admin, Role.grid_worker)
# who may be a party (a resident), a mediator (a volunteer, an operator, a grid worker...)
IN_A_CASE = (Role.resident, Role.volunteer, Role.operator, Role.grid_worker,
             Role.community_admin)
MEDIATORS = (Role.volunteer, Role.operator, Role.grid_worker, Role.resident,
             Role.community_admin)
FIGURE_READERS = (Role.community_admin, Role.street_admin, Role.district_admin, Role.ops)


def _call(rpc: RpcDep, method: str, caller: CallerDep, *args: object) -> object:
    return rpc.call("mediation", method, caller_args(caller), *args)


@router.post("/mediation/cases", status_code=status.HTTP_201_CREATED, response_model=CaseOut)
def open_case(body: CaseIn, caller: CallerDep, rpc: RpcDep) -> object:
    """A grid worker (patrol, walk-in) or the community admin files a dispute with its
    parties; a mediator is asked for at once."""
    require(caller, *OPENERS)
    own_community(caller, body.community_id)
    return _call(rpc, "open_case", caller, body.model_dump(mode="json"))


@router.get("/mediation/cases", response_model=CasePage)
def list_cases(caller: CallerDep, rpc: RpcDep, community_id: QueryId = None,
               mine: bool = False, limit: Limit = DEFAULT_PAGE,
               cursor: Cursor = None) -> object:
    """The community admin's cases, or (`mine=true`) the cases the caller mediates."""
    require(caller, *(MEDIATORS if mine else ADMIN))
    return _call(rpc, "list_cases", caller, own_community(caller, community_id), mine,
                 limit, cursor)


@router.get("/mediation/figures", response_model=FiguresOut)
def case_figures(caller: CallerDep, rpc: RpcDep, unit: Unit,
                 unit_id: RequiredQueryId) -> object:
    """Cases by kind and outcome, time to agreement, follow-ups kept (counters only)."""
    require(caller, *FIGURE_READERS)
    return _call(rpc, "case_figures", caller, unit, unit_id)


@router.get("/mediation/cases/{case_id}", response_model=CaseOut)
def get_case(case_id: PathId, caller: CallerDep, rpc: RpcDep) -> object:
    """A case as the reader may see it: the parties' details for its mediator and admin."""
    require(caller, *IN_A_CASE)
    return _call(rpc, "get_case", caller, case_id)


@router.post("/mediation/cases/{case_id}/consent", response_model=CaseOut)
def record_consent(case_id: PathId, body: ConsentIn, caller: CallerDep, rpc: RpcDep) -> object:
    """A party consents to mediation or declines (no meeting without every consent)."""
    require(caller, *IN_A_CASE)
    return _call(rpc, "record_consent", caller, case_id, body.model_dump(mode="json"))


@router.put("/mediation/cases/{case_id}/parties/{party_id}", response_model=CaseOut)
def set_party(case_id: PathId, party_id: PathId, body: PartyUpdateIn, caller: CallerDep,
              rpc: RpcDep) -> object:
    """The mediator or admin completes a party (name, account, contact)."""
    require(caller, *MEDIATORS)
    return _call(rpc, "set_party", caller, case_id, party_id, body.model_dump(mode="json"))


@router.post("/mediation/cases/{case_id}/mediator-request", response_model=CaseOut)
def request_mediator(case_id: PathId, caller: CallerDep, rpc: RpcDep) -> object:
    """Ask the volunteers' matching again for a mediator."""
    require(caller, *ADMIN)
    return _call(rpc, "request_mediator", caller, case_id)


@router.post("/mediation/cases/{case_id}/meetings", response_model=CaseOut)
def schedule_meeting(case_id: PathId, body: MeetingIn, caller: CallerDep,
                     rpc: RpcDep) -> object:
    """A meeting in a hall or the 调解工作室 (unplaced if the hall cannot be booked)."""
    require(caller, *MEDIATORS)
    return _call(rpc, "schedule_meeting", caller, case_id, body.model_dump(mode="json"))


@router.post("/mediation/cases/{case_id}/meetings/{meeting_id}/record",
             response_model=CaseOut)
def record_meeting(case_id: PathId, meeting_id: PathId, body: MeetingRecordIn,
                   caller: CallerDep, rpc: RpcDep) -> object:
    """The record of a held meeting: who attended, what was said."""
    require(caller, *MEDIATORS)
    return _call(rpc, "record_meeting", caller, case_id, meeting_id,
                 body.model_dump(mode="json"))


@router.post("/mediation/cases/{case_id}/agreement", response_model=CaseOut)
def propose_agreement(case_id: PathId, body: AgreementIn, caller: CallerDep,
                      rpc: RpcDep) -> object:
    """The mediator drafts the agreement and its follow-up date."""
    require(caller, *MEDIATORS)
    return _call(rpc, "propose_agreement", caller, case_id, body.model_dump(mode="json"))


@router.post("/mediation/cases/{case_id}/agreement/sign", response_model=CaseOut)
def sign_agreement(case_id: PathId, body: SignIn, caller: CallerDep, rpc: RpcDep) -> object:
    """A party signs the agreement; the last signature makes it."""
    require(caller, *IN_A_CASE)
    return _call(rpc, "sign_agreement", caller, case_id, body.model_dump(mode="json"))


@router.post("/mediation/cases/{case_id}/referral", response_model=CaseOut)
def refer_case(case_id: PathId, body: ReferralIn, caller: CallerDep, rpc: RpcDep) -> object:
    """Refer the case to the police, the court's mediation or legal aid."""
    require(caller, *MEDIATORS)
    return _call(rpc, "refer_case", caller, case_id, body.model_dump(mode="json"))


@router.post("/mediation/cases/{case_id}/close", response_model=CaseOut)
def close_case(case_id: PathId, body: CloseIn, caller: CallerDep, rpc: RpcDep) -> object:
    """Close the case without agreement."""
    require(caller, *MEDIATORS)
    return _call(rpc, "close_case", caller, case_id, body.model_dump(mode="json"))


@router.post("/mediation/cases/{case_id}/follow-up", response_model=CaseOut)
def record_follow_up(case_id: PathId, body: FollowUpIn, caller: CallerDep,
                     rpc: RpcDep) -> object:
    """回访: whether the agreement was kept, once its follow-up date came."""
    require(caller, *MEDIATORS)
    return _call(rpc, "record_follow_up", caller, case_id, body.model_dump(mode="json"))
