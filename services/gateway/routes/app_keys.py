"""App keys for Open311 clients: issue (shown once), list a community's, revoke."""

from __future__ import annotations

from fastapi import APIRouter, status

from services.common.caller import ADMIN_ROLES
from services.common.contracts.identity import AppKeyIn, AppKeyOut, NewAppKey
from services.gateway.deps import CallerDep, PathId, RequiredQueryId, RpcDep, caller_args, require

router = APIRouter(prefix="/app-keys", tags=["app keys"])


@router.post("", response_model=NewAppKey, status_code=status.HTTP_201_CREATED)
def issue_app_key(body: AppKeyIn, caller: CallerDep, rpc: RpcDep) -> dict:
    """Issue an application's Open311 `api_key` for communities you administer (the key is
    in this reply only: identity keeps its hash)."""
    require(caller, *ADMIN_ROLES)
    return rpc.call("identity", "issue_app_key", caller_args(caller), body.model_dump())


@router.get("", response_model=list[AppKeyOut])
def list_app_keys(community_id: RequiredQueryId, caller: CallerDep, rpc: RpcDep) -> list[dict]:
    """The keys that file into a community (its admins; never the keys themselves)."""
    require(caller, *ADMIN_ROLES)
    return rpc.call("identity", "list_app_keys", caller_args(caller), community_id)


@router.post("/{key_id}/revoke", response_model=AppKeyOut)
def revoke_app_key(key_id: PathId, caller: CallerDep, rpc: RpcDep) -> dict:
    """Revoke a key: its next POST is refused."""
    require(caller, *ADMIN_ROLES)
    return rpc.call("identity", "revoke_app_key", caller_args(caller), key_id)
