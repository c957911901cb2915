"""Accounts: admins create users within their scope."""

from __future__ import annotations

from fastapi import APIRouter, status

from services.common.caller import ADMIN_ROLES
from services.common.contracts.identity import UserIn, UserOut
from services.gateway.deps import CallerDep, PathId, RequiredQueryId, RpcDep, caller_args, require

router = APIRouter(prefix="/users", tags=["users"])


@router.post("", response_model=UserOut, status_code=status.HTTP_201_CREATED)
def create_user(body: UserIn, caller: CallerDep, rpc: RpcDep) -> dict:
    """Create an account (community, street or district admin, within their scope)."""
    require(caller, *ADMIN_ROLES)
    return rpc.call("identity", "create_user", caller_args(caller), body.model_dump(mode="json"))


@router.get("", response_model=list[UserOut])
def list_users(community_id: RequiredQueryId, caller: CallerDep, rpc: RpcDep,
               role: str | None = None) -> list[dict]:
    """Accounts of a community (staff)."""
    require(caller, *ADMIN_ROLES)
    return rpc.call("identity", "list_users", caller_args(caller), community_id, role)


@router.get("/{user_id}", response_model=UserOut)
def get_user(user_id: PathId, caller: CallerDep, rpc: RpcDep) -> dict:
    """One account in the caller's scope."""
    return rpc.call("identity", "get_user", caller_args(caller), user_id)
