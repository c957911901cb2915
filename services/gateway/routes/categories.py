"""A community's category catalogue (Open311-style service definitions)."""

from __future__ import annotations

from fastapi import APIRouter

from services.common.caller import ADMIN_ROLES
from services.common.contracts.intake import CategoryDef, CategoryState
from services.common.errors import InvalidInput
from services.common.rpc import dump
from services.gateway.deps import CallerDep, PathCode, PathId, RpcDep, caller_args, require

router = APIRouter(prefix="/communities/{community_id}/categories", tags=["categories"])


@router.get("", response_model=list[CategoryDef])
def list_categories(community_id: PathId, caller: CallerDep, rpc: RpcDep) -> list[dict]:
    """The community's catalogue."""
    return rpc.call("intake", "list_categories", caller_args(caller), community_id)


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
