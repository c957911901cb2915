"""Issues (接诉即办): file from any channel, follow, triage, merge, move along, photos."""

from __future__ import annotations

import base64
from typing import Annotated

from fastapi import APIRouter, File, Query, Response, UploadFile, status

from services.common.caller import ADMIN_ROLES, Role
from services.common.contracts.intake import (
    REOPEN_BY_RATING,
    DuplicateSuggestion,
    IssueIn,
    IssueOut,
    MergeIn,
    NoteIn,
    RejectIn,
    ReopenIn,
    ReporterIdentity,
    RevealIn,
    TimelineEntryOut,
    TriageIn,
)
from services.common.errors import Forbidden
from services.common.paging import DEFAULT_PAGE, MAX_PAGE, Page
from services.common.rpc import dump
from services.gateway import media
from services.gateway.deps import (
    CallerDep,
    PathId,
    QueryCode,
    QueryId,
    RpcDep,
    SettingsDep,
    caller_args,
    require,
)

router = APIRouter(prefix="/issues", tags=["issues"])
PageLimit = Annotated[int, Query(ge=1, le=MAX_PAGE)]
PageCursor = Annotated[str | None, Query(max_length=512)]



@router.post("", response_model=IssueOut, status_code=status.HTTP_201_CREATED)
def submit_issue(body: IssueIn, caller: CallerDep, rpc: RpcDep) -> dict:
    """File an issue (app, hotline, grid patrol, visit, online hall, door-knocking)."""
    return rpc.call("intake", "submit_issue", caller_args(caller), dump(body))


@router.get("", response_model=Page[IssueOut])
def list_issues(caller: CallerDep, rpc: RpcDep, community_id: QueryId = None,
                state: str | None = None, category: QueryCode = None,
                limit: PageLimit = DEFAULT_PAGE, cursor: PageCursor = None) -> dict:
    """A page of issues (staff: a community's or one state's; street and district admins:
    theirs; anyone else: the issues they reported), newest first; `next_cursor` pages on."""
    return rpc.call("intake", "list_issues", caller_args(caller), community_id, state, category,
                    limit, cursor)


@router.get("/{issue_id}", response_model=IssueOut)
def get_issue(issue_id: PathId, caller: CallerDep, rpc: RpcDep) -> dict:
    """One issue (its reporter and the community's staff)."""
    return rpc.call("intake", "get_issue", caller_args(caller), issue_id)


@router.get("/{issue_id}/timeline", response_model=Page[TimelineEntryOut])
def get_timeline(issue_id: PathId, caller: CallerDep, rpc: RpcDep,
                 limit: PageLimit = DEFAULT_PAGE, cursor: PageCursor = None) -> dict:
    """A page of the issue's steps, oldest first: who, when, note."""
    return rpc.call("intake", "get_timeline", caller_args(caller), issue_id, limit, cursor)


@router.get("/{issue_id}/duplicates", response_model=Page[DuplicateSuggestion])
def duplicate_candidates(issue_id: PathId, caller: CallerDep, rpc: RpcDep) -> dict:
    """Open issues of the same category nearby, at most 10 (community admins)."""
    require(caller, *ADMIN_ROLES)
    return rpc.call("intake", "duplicate_candidates", caller_args(caller), issue_id)


@router.post("/{issue_id}/triage", response_model=IssueOut)
def triage_issue(issue_id: PathId, body: TriageIn, caller: CallerDep, rpc: RpcDep) -> dict:
    """Confirm the category's triage, or override it with a reason (community admins)."""
    require(caller, *ADMIN_ROLES)
    return rpc.call("intake", "triage_issue", caller_args(caller), issue_id, dump(body))


@router.post("/{issue_id}/reject", response_model=IssueOut)
def reject_issue(issue_id: PathId, body: RejectIn, caller: CallerDep, rpc: RpcDep) -> dict:
    """Reject (not responsible / invalid: admins) or withdraw (the reporter)."""
    return rpc.call("intake", "reject_issue", caller_args(caller), issue_id, dump(body))


@router.post("/{issue_id}/resolve", response_model=IssueOut)
def resolve_issue(issue_id: PathId, body: NoteIn, caller: CallerDep, rpc: RpcDep) -> dict:
    """Mark resolved by the community (e.g. guidance given for a private matter)."""
    require(caller, *ADMIN_ROLES)
    return rpc.call("intake", "resolve_issue", caller_args(caller), issue_id, dump(body))


@router.post("/{issue_id}/close", response_model=IssueOut)
def close_issue(issue_id: PathId, body: NoteIn, caller: CallerDep, rpc: RpcDep) -> dict:
    """Close a resolved or rated issue (community admins)."""
    require(caller, *ADMIN_ROLES)
    return rpc.call("intake", "close_issue", caller_args(caller), issue_id, dump(body))


@router.post("/{issue_id}/reopen", response_model=IssueOut)
def reopen_issue(issue_id: PathId, body: ReopenIn, caller: CallerDep, rpc: RpcDep) -> dict:
    """The community's admins send a resolved issue back to work (supervision). A resident
    who is not satisfied rates it (`POST /issues/{id}/rate`): the first unsatisfied rating
    reopens it, counted as a rating."""
    if caller.role not in ADMIN_ROLES:
        raise Forbidden(REOPEN_BY_RATING.format(issue_id=issue_id),
                        {"role": f"rate it instead: POST /issues/{issue_id}/rate"})
    return rpc.call("intake", "reopen_issue", caller_args(caller), issue_id, dump(body))


@router.post("/{issue_id}/merge", response_model=IssueOut)
def merge_issue(issue_id: PathId, body: MergeIn, caller: CallerDep, rpc: RpcDep) -> dict:
    """Merge this issue into `original_id` as a duplicate (群体诉, community admins)."""
    require(caller, *ADMIN_ROLES)
    return rpc.call("intake", "merge_issue", caller_args(caller), issue_id, dump(body))


@router.post("/{issue_id}/reveal-reporter", response_model=ReporterIdentity)
def reveal_reporter(issue_id: str, body: RevealIn, caller: CallerDep, rpc: RpcDep) -> dict:
    """Who filed an (anonymous) issue, for abuse handling (district admins; audited)."""
    require(caller, Role.district_admin)
    return rpc.call("intake", "reveal_reporter", caller_args(caller), issue_id, dump(body))


@router.post("/{issue_id}/photos", response_model=IssueOut, status_code=status.HTTP_201_CREATED)
def add_photo(issue_id: PathId, file: Annotated[UploadFile, File()], caller: CallerDep,
              rpc: RpcDep, settings: SettingsDep) -> dict:
    """Attach a photo (JPEG, PNG or WebP; at most LINLI_MAX_PHOTO_BYTES)."""
    data = media.uploaded_photo(file, settings.max_photo_bytes)
    return rpc.call("intake", "add_photo", caller_args(caller), issue_id,
                    base64.b64encode(data).decode())


@router.get("/{issue_id}/photos/{photo_id}", response_class=Response)
def get_photo(issue_id: PathId, photo_id: PathId, caller: CallerDep, rpc: RpcDep) -> Response:
    """The original photo (the reporter and the community's staff)."""
    photo = rpc.call("intake", "get_photo", caller_args(caller), issue_id, photo_id)
    return Response(base64.b64decode(photo["data"]), media_type=photo["content_type"],
                    headers={"Cache-Control": "private, no-store"})
