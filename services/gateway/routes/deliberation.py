"""Deliberation (议事协商): halls, the topic list, "4 + N" meetings, review, household votes.

Routes only translate HTTP to the deliberation service's RPCs over its contracts. Each
checks the role, and a community-bound caller naming another community gets the same 404
as a made-up id; the service checks role and community again.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status

from services.common.caller import Caller, Role
from services.common.contracts.deliberation import (
    AttendanceIn,
    BallotIn,
    BallotOut,
    CancelIn,
    CategoryIn,
    CategoryOut,
    CommentIn,
    CommentOut,
    CommentPage,
    EscalationPage,
    HallIn,
    HallOut,
    HallPage,
    MeetingIn,
    MeetingOut,
    MeetingPage,
    MinutesIn,
    RemovalIn,
    RepresentativeIn,
    RepresentativeOut,
    RepresentativePage,
    ReviewIn,
    TopicIn,
    TopicOut,
    TopicPage,
    UtilisationOut,
    VoteIn,
)
from services.common.errors import NotFound
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

router = APIRouter(tags=["deliberation"])

Limit = Annotated[int, Query(ge=1, le=MAX_PAGE)]
Cursor = Annotated[str | None, Query(max_length=512)]
Period = Annotated[str | None, Query(pattern=r"^\d{4}-(0[1-9]|1[0-2])$")]
PEOPLE = (Role.resident, Role.volunteer, Role.operator, Role.grid_worker)
ADMIN = (Role.community_admin,)
READERS = (*PEOPLE, *ADMIN, Role.street_admin, Role.district_admin)


def _call(rpc: RpcDep, method: str, caller: CallerDep, *args: object) -> object:
    return rpc.call("deliberation", method, caller_args(caller), *args)


def own_community(caller: Caller, community_id: str | None) -> str | None:
    """A caller of one community names only it (another is a 404, like a made-up one)."""
    if community_id is not None and caller.community_id is not None \
            and community_id != caller.community_id:
        raise NotFound("no such community", {"community_id": "unknown"})
    return community_id


@router.get("/deliberation/categories", response_model=list[CategoryOut])
def topic_categories(caller: CallerDep, rpc: RpcDep, community_id: QueryId = None) -> object:
    """The community's topic categories (seeded with the seven colours, 七色花开) and the
    parties each brings to the fixed "4"."""
    require(caller, *READERS)
    return _call(rpc, "topic_categories", caller, own_community(caller, community_id))


@router.put("/deliberation/categories/{key}", response_model=list[CategoryOut])
def put_topic_category(key: PathCode, body: CategoryIn, caller: CallerDep,
                       rpc: RpcDep) -> object:
    """A community admin adds, changes or retires one category of the community's set."""
    require(caller, *ADMIN)
    own_community(caller, body.community_id)
    return _call(rpc, "put_topic_category", caller, key, body.model_dump(mode="json"))


# --- halls -----------------------------------------------------------------------------

@router.post("/halls", status_code=status.HTTP_201_CREATED, response_model=HallOut)
def create_hall(body: HallIn, caller: CallerDep, rpc: RpcDep) -> object:
    """Publish a hall (议事厅): kind, address, opening hours, capacity, contact."""
    require(caller, *ADMIN)
    own_community(caller, body.community_id)
    return _call(rpc, "create_hall", caller, body.model_dump(mode="json"))


@router.get("/halls", response_model=HallPage)
def list_halls(caller: CallerDep, rpc: RpcDep, community_id: QueryId = None,
               limit: Limit = DEFAULT_PAGE, cursor: Cursor = None) -> object:
    """The community's halls, newest first."""
    require(caller, *READERS)
    return _call(rpc, "list_halls", caller, own_community(caller, community_id), limit, cursor)


@router.get("/halls/{hall_id}/utilisation", response_model=UtilisationOut)
def hall_utilisation(hall_id: PathId, caller: CallerDep, rpc: RpcDep,
                     period: Period = None) -> object:
    """场地使用率: a hall's booked half-hour slots over its open slots in a month (YYYY-MM,
    default this one), for the admins over the hall."""
    require(caller, Role.community_admin, Role.street_admin, Role.district_admin)
    return _call(rpc, "hall_utilisation", caller, hall_id, period)


# --- representatives -------------------------------------------------------------------

@router.post("/representatives", response_model=RepresentativeOut)
def add_representative(body: RepresentativeIn, caller: CallerDep, rpc: RpcDep) -> object:
    """Put a person on the community's roster of representatives as one kind."""
    require(caller, *ADMIN)
    own_community(caller, body.community_id)
    return _call(rpc, "add_representative", caller, body.model_dump(mode="json"))


@router.get("/representatives", response_model=RepresentativePage)
def list_representatives(caller: CallerDep, rpc: RpcDep, community_id: QueryId = None,
                         hall_id: QueryId = None, limit: Limit = DEFAULT_PAGE,
                         cursor: Cursor = None) -> object:
    """The roster of the community (or of one of its halls), newest first."""
    require(caller, *READERS)
    return _call(rpc, "list_representatives", caller, own_community(caller, community_id),
                 hall_id, limit, cursor)


@router.post("/representatives/{rep_id}/remove", response_model=RepresentativeOut)
def remove_representative(rep_id: PathId, body: RemovalIn, caller: CallerDep,
                          rpc: RpcDep) -> object:
    """Take an entry off the community's roster (it no longer seats anyone for its party)."""
    require(caller, *ADMIN)
    return _call(rpc, "remove_representative", caller, rep_id, body.model_dump(mode="json"))


# --- topics ----------------------------------------------------------------------------

@router.post("/topics", status_code=status.HTTP_201_CREATED, response_model=TopicOut)
def propose_topic(body: TopicIn, caller: CallerDep, rpc: RpcDep) -> object:
    """居民提案: a proposal gathers supporters; an admin's topic is listed at once."""
    require(caller, *PEOPLE, *ADMIN)
    own_community(caller, body.community_id)
    return _call(rpc, "propose_topic", caller, body.model_dump(mode="json"))


@router.get("/topics", response_model=TopicPage)
def topic_list(caller: CallerDep, rpc: RpcDep, community_id: QueryId = None,
               proposals: bool = False, limit: Limit = DEFAULT_PAGE,
               cursor: Cursor = None) -> object:
    """议题清单: listed topics, urgent first then newest; `proposals=true`: those still
    gathering supporters."""
    require(caller, *READERS)
    return _call(rpc, "topic_list", caller, own_community(caller, community_id), proposals,
                 limit, cursor)


@router.get("/conventions", response_model=TopicPage)
def list_conventions(caller: CallerDep, rpc: RpcDep, community_id: QueryId = None,
                     limit: Limit = DEFAULT_PAGE, cursor: Cursor = None) -> object:
    """居民公约: the community's conventions in force (voted and published), with their text."""
    require(caller, *READERS)
    return _call(rpc, "list_conventions", caller, own_community(caller, community_id), limit,
                 cursor)


@router.get("/topics/{topic_id}", response_model=TopicOut)
def get_topic(topic_id: PathId, caller: CallerDep, rpc: RpcDep) -> object:
    """One topic."""
    require(caller, *READERS)
    return _call(rpc, "get_topic", caller, topic_id)


@router.post("/topics/{topic_id}/support", response_model=TopicOut)
def support_topic(topic_id: PathId, caller: CallerDep, rpc: RpcDep) -> object:
    """Support a proposal (once each): listed at its threshold."""
    require(caller, *PEOPLE)
    return _call(rpc, "support_topic", caller, topic_id)


@router.post("/topics/{topic_id}/comments", status_code=status.HTTP_201_CREATED,
             response_model=CommentOut)
def comment_topic(topic_id: PathId, body: CommentIn, caller: CallerDep,
                  rpc: RpcDep) -> object:
    """Comment on a listed topic before its meeting."""
    require(caller, *PEOPLE, *ADMIN)
    return _call(rpc, "comment_topic", caller, topic_id, body.model_dump(mode="json"))


@router.get("/topics/{topic_id}/comments", response_model=CommentPage)
def topic_comments(topic_id: PathId, caller: CallerDep, rpc: RpcDep,
                   limit: Limit = DEFAULT_PAGE, cursor: Cursor = None) -> object:
    """A topic's comments, newest first."""
    require(caller, *READERS)
    return _call(rpc, "topic_comments", caller, topic_id, limit, cursor)


@router.post("/topics/{topic_id}/pick", response_model=TopicOut)
def pick_topic(topic_id: PathId, caller: CallerDep, rpc: RpcDep) -> object:
    """An admin lists a proposal before its threshold."""
    require(caller, *ADMIN)
    return _call(rpc, "pick_topic", caller, topic_id)


# --- meetings --------------------------------------------------------------------------

@router.post("/meetings", status_code=status.HTTP_201_CREATED, response_model=MeetingOut)
def schedule_meeting(body: MeetingIn, caller: CallerDep, rpc: RpcDep) -> object:
    """Book a hall's half-hour slots for a listed topic with the "4 + N" roster (409 if
    another booking holds a slot)."""
    require(caller, *ADMIN)
    return _call(rpc, "schedule_meeting", caller, body.model_dump(mode="json"))


@router.get("/meetings", response_model=MeetingPage)
def list_meetings(caller: CallerDep, rpc: RpcDep, community_id: QueryId = None,
                  limit: Limit = DEFAULT_PAGE, cursor: Cursor = None) -> object:
    """The community's meetings, latest first."""
    require(caller, *READERS)
    return _call(rpc, "list_meetings", caller, own_community(caller, community_id), limit,
                 cursor)


@router.get("/deliberation/escalations", response_model=EscalationPage)
def list_escalations(caller: CallerDep, rpc: RpcDep, street_id: QueryId = None,
                     limit: Limit = DEFAULT_PAGE, cursor: Cursor = None) -> object:
    """督: overdue decisions escalated to the street, latest first (a street admin: their
    own street; a district admin names one)."""
    require(caller, Role.street_admin, Role.district_admin)
    if caller.role is Role.street_admin and street_id not in (None, caller.street_id):
        raise NotFound("no such street", {"street_id": "unknown"})
    return _call(rpc, "list_escalations", caller, street_id, limit, cursor)


@router.get("/meetings/{meeting_id}", response_model=MeetingOut)
def get_meeting(meeting_id: PathId, caller: CallerDep, rpc: RpcDep) -> object:
    """A meeting: roster, minutes, plan, review and (once closed) the vote's tally."""
    require(caller, *READERS)
    return _call(rpc, "get_meeting", caller, meeting_id)


@router.post("/meetings/{meeting_id}/cancel", response_model=MeetingOut)
def cancel_meeting(meeting_id: PathId, body: CancelIn, caller: CallerDep,
                   rpc: RpcDep) -> object:
    """Call a meeting off before review (its hall slots are free again)."""
    require(caller, *ADMIN)
    return _call(rpc, "cancel_meeting", caller, meeting_id, body.model_dump(mode="json"))


@router.post("/meetings/{meeting_id}/attendance", response_model=MeetingOut)
def record_attendance(meeting_id: PathId, body: AttendanceIn, caller: CallerDep,
                      rpc: RpcDep) -> object:
    """Who of the roster attended (each once)."""
    require(caller, *ADMIN)
    return _call(rpc, "record_attendance", caller, meeting_id, body.model_dump(mode="json"))


@router.post("/meetings/{meeting_id}/minutes", response_model=MeetingOut)
def record_minutes(meeting_id: PathId, body: MinutesIn, caller: CallerDep,
                   rpc: RpcDep) -> object:
    """The debate's steps and the proposed decision's plan."""
    require(caller, *ADMIN)
    return _call(rpc, "record_minutes", caller, meeting_id, body.model_dump(mode="json"))


@router.post("/meetings/{meeting_id}/review", response_model=MeetingOut)
def review_decision(meeting_id: PathId, body: ReviewIn, caller: CallerDep,
                    rpc: RpcDep) -> object:
    """审议 by the community party committee: approve or return with reasons."""
    require(caller, *ADMIN)
    return _call(rpc, "review_decision", caller, meeting_id, body.model_dump(mode="json"))


@router.post("/meetings/{meeting_id}/vote", response_model=MeetingOut)
def open_vote(meeting_id: PathId, body: VoteIn, caller: CallerDep, rpc: RpcDep) -> object:
    """Open the household vote (决议): electorate, quorum, secret or open, window."""
    require(caller, *ADMIN)
    return _call(rpc, "open_vote", caller, meeting_id, body.model_dump(mode="json"))


@router.post("/meetings/{meeting_id}/ballots", status_code=status.HTTP_201_CREATED,
             response_model=BallotOut)
def cast_ballot(meeting_id: PathId, body: BallotIn, caller: CallerDep, rpc: RpcDep) -> object:
    """One ballot per household; the receipt never shows the choice."""
    require(caller, *PEOPLE, *ADMIN)
    return _call(rpc, "cast_ballot", caller, meeting_id, body.model_dump(mode="json"))
