"""A community's category catalogue (Open311-style service definitions)."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from services.common.caller import ADMIN_ROLES
from services.common.contracts.intake import CategoryDef, CategoryState
from services.common.errors import InvalidInput
from services.common.paging import MAX_PAGE
from services.common.rpc import dump
from services.gateway.deps import CallerDep, PathCode, PathId, RpcDep, caller_args, require
from services.gateway.routes.issues import PageCursor, PageLimit
from services.gateway.routes.open311 import with_next_link

router = APIRouter(prefix="/communities/{community_id}/categories", tags=["categories"])


@router.get("", response_model=list[CategoryDef])
def list_categories(request: Request, response: Response, community_id: PathId,
                    caller: CallerDep, rpc: RpcDep, limit: PageLimit = MAX_PAGE,
                    cursor: PageCursor = None) -> list[dict]:
    """The community's catalogue by group and code: a keyset page of `limit` (default and
    at most 100: a usual catalogue is one page); the next page's URL in `Link`."""
    page = rpc.call("intake", "list_categories", caller_args(caller), community_id,
                    {"limit": limit, "cursor": cursor})
    with_next_link(response, request, page["next_cursor"])
    return page["items"]


@router.get("/{code}", response_model=CategoryDef)
def get_category(community_id: PathId, code: PathCode, caller: CallerDep, rpc: RpcDep) -> dict:
    """One category with its attributes, triage defaults and deadlines."""
    return rpc.call("intake", "get_category", caller_args(caller), community_id, code)


@router.put("/{code}", response_model=CategoryDef)
def save_category(community_id: PathId, code: PathCode, body: CategoryDef, caller: CallerDep,
                  rpc: RpcDep) -> dict:
    """Add or change a category (community admins)."""
    require(caller, *ADMIN_ROLES)
    if body.code != code:
        raise InvalidInput("the body's code differs from the path", {"code": "must match"})
    return rpc.call("intake", "save_category", caller_args(caller), community_id, dump(body))


@router.delete("/{code}", response_model=CategoryState)
def remove_category(community_id: PathId, code: PathCode, caller: CallerDep,
                    rpc: RpcDep) -> dict:
    """Take a category out of the catalogue (community admins); filed issues keep it."""
    require(caller, *ADMIN_ROLES)
    return rpc.call("intake", "remove_category", caller_args(caller), community_id, code)
