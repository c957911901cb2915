"""Volunteers (志愿者): profiles, micro-wishes (微心愿), activities and workshops, matching,
the four lists (四张清单) and their projects.

Routes only translate HTTP to the volunteers service's RPCs over its contracts; the
service checks role and community again. Every list is a keyset page.
"""

from __future__ import annotations

import base64
from typing import Annotated

from fastapi import APIRouter, File, Path, Query, Response, UploadFile, status

from services.common.caller import ADMIN_ROLES, MEMBER_ROLES, Role
from services.common.contracts.volunteers import (
    ActivityIn,
    ActivityOut,
    ActivityPage,
    AnswerIn,
    CertificationIn,
    CheckIn,
    CheckInOut,
    FulfilIn,
    ListEntryIn,
    ListEntryOut,
    ListEntryPage,
    ListKind,
    MatchIn,
    MatchOut,
    MatchPage,
    NeedIn,
    PhotoPhase,
    PledgeIn,
    PledgePage,
    ProfileIn,
    ProfileOut,
    ProfilePage,
    ProjectIn,
    ProjectOut,
    ProjectPage,
    RankOut,
    RosterPage,
    SkillOut,
    VolunteerPolicyIn,
    VolunteerPolicyOut,
    WishIn,
    WishOut,
    WishPage,
)
from services.common.paging import DEFAULT_PAGE, MAX_PAGE
from services.gateway import media
from services.gateway.deps import (
    CallerDep,
    PathId,
    QueryId,
    RpcDep,
    SettingsDep,
    caller_args,
    require,
)

router = APIRouter(tags=["volunteers"])

Limit = Annotated[int, Query(ge=1, le=MAX_PAGE)]
Cursor = Annotated[str | None, Query(max_length=512)]
PEOPLE = (Role.resident, Role.volunteer, Role.operator, Role.grid_worker, Role.community_admin)
MEMBERS = tuple(MEMBER_ROLES)
ORGANISERS = (Role.operator, Role.community_admin, Role.volunteer)
READERS = (*PEOPLE, Role.street_admin, Role.district_admin)


def _call(rpc: RpcDep, method: str, caller: CallerDep, *args: object) -> object:
    return rpc.call("volunteers", method, caller_args(caller), *args)


# --- profiles --------------------------------------------------------------------------

@router.get("/volunteers/skills", response_model=list[SkillOut])
def list_skills(caller: CallerDep, rpc: RpcDep) -> object:
    """The skill taxonomy (legal, medical, repair → plumbing / electrical / appliances...)."""
    return _call(rpc, "list_skills", caller)


@router.put("/volunteers/profile", response_model=ProfileOut)
def save_profile(body: ProfileIn, caller: CallerDep, rpc: RpcDep) -> object:
    """Write one's profile: kinds, skills, availability, home grid, consent, contact."""
    require(caller, *PEOPLE)
    return _call(rpc, "save_profile", caller, body.model_dump(mode="json"))


@router.post("/volunteers/profile/certifications", response_model=ProfileOut)
def add_certification(body: CertificationIn, caller: CallerDep, rpc: RpcDep) -> object:
    """Add a certification of one's own, pending an admin's verification."""
    require(caller, *PEOPLE)
    return _call(rpc, "add_certification", caller, body.model_dump(mode="json"))


@router.get("/volunteers", response_model=ProfilePage)
def list_profiles(caller: CallerDep, rpc: RpcDep, community_id: QueryId = None,
                  limit: Limit = DEFAULT_PAGE, cursor: Cursor = None) -> object:
    """A page of the community's volunteer profiles, newest first."""
    require(caller, *ADMIN_ROLES, Role.grid_worker, *MEMBERS)
    return _call(rpc, "list_profiles", caller, community_id, limit, cursor)


@router.get("/volunteers/talents", response_model=ProfilePage)
def talent_archive(caller: CallerDep, rpc: RpcDep, community_id: QueryId = None,
                   limit: Limit = DEFAULT_PAGE, cursor: Cursor = None) -> object:
    """达人档案: profiles by their four looks (participation, cooperation, execution,
    recognition), best first, for committee nominations (community admins)."""
    require(caller, Role.community_admin)
    return _call(rpc, "talent_archive", caller, community_id, limit, cursor)


@router.get("/volunteers/policy", response_model=VolunteerPolicyOut)
def get_volunteers_policy(caller: CallerDep, rpc: RpcDep,
                          community_id: QueryId = None) -> object:
    """The caller's community's offer window and order hours (its admins)."""
    require(caller, Role.community_admin)
    return _call(rpc, "get_policy", caller, community_id)


@router.put("/volunteers/policy", response_model=VolunteerPolicyOut)
def set_volunteers_policy(body: VolunteerPolicyIn, caller: CallerDep, rpc: RpcDep,
                          community_id: QueryId = None) -> object:
    """Set the community's offer window (minutes each candidate has) and order hours."""
    require(caller, Role.community_admin)
    return _call(rpc, "set_policy", caller, community_id, body.model_dump(mode="json"))


@router.get("/volunteers/{account_id}", response_model=ProfileOut)
def get_profile(account_id: PathId, caller: CallerDep, rpc: RpcDep) -> object:
    """One profile (contact details only to its community's admins and the person)."""
    require(caller, *READERS)
    return _call(rpc, "get_profile", caller, account_id)


@router.post("/volunteers/{account_id}/certifications/{certification_id}/verify",
             response_model=ProfileOut)
def verify_certification(account_id: PathId, certification_id: PathId, caller: CallerDep,
                         rpc: RpcDep) -> object:
    """A community admin verifies a certification."""
    require(caller, Role.community_admin)
    return _call(rpc, "verify_certification", caller, account_id, certification_id)


# --- micro-wishes ----------------------------------------------------------------------

@router.post("/wishes", status_code=status.HTTP_201_CREATED, response_model=WishOut)
def post_wish(body: WishIn, caller: CallerDep, rpc: RpcDep) -> object:
    """微心愿: post a small need for a volunteer to fulfil."""
    require(caller, Role.resident, *MEMBERS, Role.community_admin)
    return _call(rpc, "post_wish", caller, body.model_dump(mode="json"))


@router.get("/wishes", response_model=WishPage)
def wish_board(caller: CallerDep, rpc: RpcDep, community_id: QueryId = None,
               limit: Limit = DEFAULT_PAGE, cursor: Cursor = None) -> object:
    """The community board: unclaimed wishes, newest first."""
    require(caller, *PEOPLE)
    return _call(rpc, "wish_board", caller, community_id, limit, cursor)


@router.get("/wishes/mine", response_model=WishPage)
def my_wishes(caller: CallerDep, rpc: RpcDep, claimed: bool = False,
              limit: Limit = DEFAULT_PAGE, cursor: Cursor = None) -> object:
    """The wishes one posted, or (`claimed=true`) the ones one claimed as a volunteer."""
    require(caller, *PEOPLE)
    return _call(rpc, "my_wishes", caller, claimed, limit, cursor)


@router.get("/wishes/{wish_id}", response_model=WishOut)
def get_wish(wish_id: PathId, caller: CallerDep, rpc: RpcDep) -> object:
    """One wish (its resident sees the claiming volunteer's contact details)."""
    require(caller, *READERS)
    return _call(rpc, "get_wish", caller, wish_id)


@router.post("/wishes/{wish_id}/claim", response_model=WishOut)
def claim_wish(wish_id: PathId, caller: CallerDep, rpc: RpcDep) -> object:
    """抢单: the first claim wins; later ones get 409."""
    require(caller, *MEMBERS)
    return _call(rpc, "claim_wish", caller, wish_id)


@router.post("/wishes/{wish_id}/release", response_model=WishOut)
def release_wish(wish_id: PathId, caller: CallerDep, rpc: RpcDep) -> object:
    """Give a claimed wish back to the board."""
    require(caller, *MEMBERS)
    return _call(rpc, "release_wish", caller, wish_id)


@router.post("/wishes/{wish_id}/fulfil", response_model=WishOut)
def fulfil_wish(wish_id: PathId, body: FulfilIn, caller: CallerDep, rpc: RpcDep) -> object:
    """The resident confirms fulfilment (and may rate): hours and points follow by event."""
    require(caller, *PEOPLE)
    return _call(rpc, "fulfil_wish", caller, wish_id, body.model_dump(mode="json"))


@router.post("/wishes/{wish_id}/withdraw", response_model=WishOut)
def withdraw_wish(wish_id: PathId, caller: CallerDep, rpc: RpcDep) -> object:
    """Withdraw a wish nobody claimed yet."""
    require(caller, *PEOPLE)
    return _call(rpc, "withdraw_wish", caller, wish_id)


# --- activities and workshops ----------------------------------------------------------

@router.post("/activities", status_code=status.HTTP_201_CREATED, response_model=ActivityOut)
def create_activity(body: ActivityIn, caller: CallerDep, rpc: RpcDep) -> object:
    """活动 / 工坊 with a capacity; sign-ups past it wait in order."""
    require(caller, *ORGANISERS)
    return _call(rpc, "create_activity", caller, body.model_dump(mode="json"))


@router.get("/activities", response_model=ActivityPage)
def list_activities(caller: CallerDep, rpc: RpcDep, community_id: QueryId = None,
                    limit: Limit = DEFAULT_PAGE, cursor: Cursor = None) -> object:
    """The community's activities, latest start first."""
    require(caller, *PEOPLE)
    return _call(rpc, "list_activities", caller, community_id, limit, cursor)


@router.get("/activities/{activity_id}", response_model=ActivityOut)
def get_activity(activity_id: PathId, caller: CallerDep, rpc: RpcDep) -> object:
    """One activity, with the caller's place and door code."""
    require(caller, *READERS)
    return _call(rpc, "get_activity", caller, activity_id)


@router.post("/activities/{activity_id}/sign-up", response_model=ActivityOut)
def sign_up(activity_id: PathId, caller: CallerDep, rpc: RpcDep) -> object:
    """Take a place, or the end of the waitlist."""
    require(caller, *PEOPLE)
    return _call(rpc, "sign_up", caller, activity_id)


@router.post("/activities/{activity_id}/cancel", response_model=ActivityOut)
def cancel_sign_up(activity_id: PathId, caller: CallerDep, rpc: RpcDep) -> object:
    """Give up one's place (the first waiting takes it) or leave the waitlist."""
    require(caller, *PEOPLE)
    return _call(rpc, "cancel_sign_up", caller, activity_id)


@router.get("/activities/{activity_id}/roster", response_model=RosterPage)
def roster(activity_id: PathId, caller: CallerDep, rpc: RpcDep, limit: Limit = DEFAULT_PAGE,
           cursor: Cursor = None) -> object:
    """Participants then the waitlist, in order (the organiser and the admins)."""
    require(caller, *ORGANISERS)
    return _call(rpc, "roster", caller, activity_id, limit, cursor)


@router.get("/activities/{activity_id}/qr", response_model=str)
def door_qr(activity_id: PathId, caller: CallerDep, rpc: RpcDep) -> object:
    """One's door code as an SVG QR code (a data URI)."""
    require(caller, *PEOPLE)
    return _call(rpc, "door_qr", caller, activity_id)


@router.post("/activities/{activity_id}/check-in", response_model=CheckInOut)
def check_in(activity_id: PathId, body: CheckIn, caller: CallerDep, rpc: RpcDep) -> object:
    """The organiser checks a participant in by their one-time code (twice counts once)."""
    require(caller, *ORGANISERS)
    return _call(rpc, "check_in", caller, activity_id, body.model_dump())


@router.post("/activities/{activity_id}/check-out", response_model=CheckInOut)
def check_out(activity_id: PathId, body: CheckIn, caller: CallerDep, rpc: RpcDep) -> object:
    """Check a participant out: the activity's hours are logged once."""
    require(caller, *ORGANISERS)
    return _call(rpc, "check_out", caller, activity_id, body.model_dump())


# --- matching ----------------------------------------------------------------------------

@router.post("/matches/rank", response_model=list[RankOut])
def rank_candidates(body: NeedIn, caller: CallerDep, rpc: RpcDep) -> object:
    """The top k candidates for a need, each score's parts shown (nothing is offered)."""
    require(caller, *ADMIN_ROLES, Role.resident, *MEMBERS)
    return _call(rpc, "rank_candidates", caller, body.model_dump(mode="json"))


@router.post("/matches", status_code=status.HTTP_201_CREATED, response_model=MatchOut)
def start_match(body: MatchIn, caller: CallerDep, rpc: RpcDep) -> object:
    """Offer a need to the ranked candidates in turn, each with a deadline to answer."""
    require(caller, *ADMIN_ROLES, Role.resident, *MEMBERS)
    return _call(rpc, "start_match", caller, body.model_dump(mode="json"))


@router.get("/matches", response_model=MatchPage)
def list_matches(caller: CallerDep, rpc: RpcDep, offered: bool = False,
                 community_id: QueryId = None, limit: Limit = DEFAULT_PAGE,
                 cursor: Cursor = None) -> object:
    """The community's matches (admins), or (`offered=true`) one's open offers."""
    require(caller, *PEOPLE)
    return _call(rpc, "list_matches", caller, offered, community_id, limit, cursor)


@router.get("/matches/{match_id}", response_model=MatchOut)
def get_match(match_id: PathId, caller: CallerDep, rpc: RpcDep) -> object:
    """A match: staff see every candidate; a candidate sees their own offer."""
    require(caller, *READERS)
    return _call(rpc, "get_match", caller, match_id)


@router.post("/matches/{match_id}/answer", response_model=MatchOut)
def answer_offer(match_id: PathId, body: AnswerIn, caller: CallerDep, rpc: RpcDep) -> object:
    """Accept or decline an offer (declining offers it to the next candidate)."""
    require(caller, *MEMBERS, Role.resident)
    return _call(rpc, "answer_offer", caller, match_id, body.model_dump())


# --- the four lists and projects ---------------------------------------------------------

LIST_READERS = (Role.community_admin, Role.resident, *MEMBERS, Role.grid_worker)


@router.post("/lists", status_code=status.HTTP_201_CREATED, response_model=ListEntryOut)
def add_list_entry(body: ListEntryIn, caller: CallerDep, rpc: RpcDep) -> object:
    """A problem, need or resource on the community's four lists (四张清单)."""
    require(caller, Role.community_admin)
    return _call(rpc, "add_list_entry", caller, body.model_dump(mode="json"))


@router.get("/lists/{kind}", response_model=ListEntryPage)
def list_entries(kind: ListKind, caller: CallerDep, rpc: RpcDep, community_id: QueryId = None,
                 limit: Limit = DEFAULT_PAGE, cursor: Cursor = None) -> object:
    """One list (problem, need or resource), newest first."""
    require(caller, *LIST_READERS)
    return _call(rpc, "list_entries", caller, kind.value, community_id, limit, cursor)


@router.post("/projects", status_code=status.HTTP_201_CREATED, response_model=ProjectOut)
def start_project(body: ProjectIn, caller: CallerDep, rpc: RpcDep) -> object:
    """A need matched to resources becomes a project with an owner unit and milestones."""
    require(caller, Role.community_admin)
    return _call(rpc, "start_project", caller, body.model_dump(mode="json"))


@router.get("/projects", response_model=ProjectPage)
def list_projects(caller: CallerDep, rpc: RpcDep, community_id: QueryId = None,
                  limit: Limit = DEFAULT_PAGE, cursor: Cursor = None) -> object:
    """The community's projects (residents: the published ones)."""
    require(caller, *LIST_READERS)
    return _call(rpc, "list_projects", caller, community_id, limit, cursor)


@router.get("/projects/{project_id}", response_model=ProjectOut)
def get_project(project_id: PathId, caller: CallerDep, rpc: RpcDep) -> object:
    """One project (residents: once published)."""
    require(caller, *LIST_READERS, Role.street_admin, Role.district_admin)
    return _call(rpc, "get_project", caller, project_id)


@router.post("/projects/{project_id}/publish", response_model=ProjectOut)
def publish_project(project_id: PathId, caller: CallerDep, rpc: RpcDep) -> object:
    """公示: publish the project to the residents."""
    require(caller, Role.community_admin)
    return _call(rpc, "publish_project", caller, project_id)


@router.post("/projects/{project_id}/milestones/{index}/done", response_model=ProjectOut)
def complete_milestone(project_id: PathId, index: Annotated[int, Path(ge=0, le=19)],
                       caller: CallerDep, rpc: RpcDep) -> object:
    """A milestone done; the last one completes the project (project.completed)."""
    require(caller, Role.community_admin)
    return _call(rpc, "complete_milestone", caller, project_id, index)


# --- micro-renewal (微更新): pledges and photos ---------------------------------------------

@router.post("/projects/{project_id}/pledges", status_code=status.HTTP_201_CREATED,
             response_model=ProjectOut)
def pledge_project(project_id: PathId, body: PledgeIn, caller: CallerDep,
                   rpc: RpcDep) -> object:
    """A pledge to a published renewal: a partner merchant's (公益) or a resident's
    (居民自筹), recorded by the community admin; a resident pledges for themselves."""
    require(caller, *LIST_READERS)
    return _call(rpc, "pledge_project", caller, project_id, body.model_dump(mode="json"))


@router.get("/projects/{project_id}/pledges", response_model=PledgePage)
def project_pledges(project_id: PathId, caller: CallerDep, rpc: RpcDep,
                    limit: Limit = DEFAULT_PAGE, cursor: Cursor = None) -> object:
    """A renewal's donors, newest first (a resident's name masked unless they show it)."""
    require(caller, *LIST_READERS, Role.street_admin, Role.district_admin)
    return _call(rpc, "project_pledges", caller, project_id, limit, cursor)


@router.post("/projects/{project_id}/photos/{phase}", status_code=status.HTTP_201_CREATED,
             response_model=ProjectOut)
def add_project_photo(project_id: PathId, phase: PhotoPhase,
                      file: Annotated[UploadFile, File()], caller: CallerDep, rpc: RpcDep,
                      settings: SettingsDep) -> object:
    """A before or after photo of a renewal (JPEG, PNG or WebP; at most
    LINLI_MAX_PHOTO_BYTES); what is shown is a copy without EXIF."""
    require(caller, Role.community_admin)
    data = media.uploaded_photo(file, settings.max_photo_bytes)
    return _call(rpc, "add_project_photo", caller, project_id, phase.value,
                 base64.b64encode(data).decode())


@router.get("/projects/{project_id}/photos/{photo_id}", response_class=Response)
def project_photo(project_id: PathId, photo_id: PathId, caller: CallerDep,
                  rpc: RpcDep) -> Response:
    """A renewal's photo, re-encoded without EXIF (no GPS position, no camera)."""
    require(caller, *LIST_READERS, Role.street_admin, Role.district_admin)
    photo = _call(rpc, "project_photo", caller, project_id, photo_id)
    return Response(base64.b64decode(photo["data"]), media_type=photo["content_type"],
                    headers={"Cache-Control": "private, no-store"})
