"""Accounts: admins create users within their scope."""

from __future__ import annotations

from fastapi import APIRouter, status

from services.common.caller import ADMIN_ROLES
from services.common.contracts.identity import ResetTicket, UserIn, UserOut
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


def _manage(rpc: RpcDep, caller: CallerDep, method: str, user_id: str) -> dict:
    require(caller, *ADMIN_ROLES)  # identity checks role and scope again
    return rpc.call("identity", method, caller_args(caller), user_id)


@router.post("/{user_id}/deactivate", response_model=UserOut)
def deactivate_user(user_id: PathId, caller: CallerDep, rpc: RpcDep) -> dict:
    """Deactivate an account (its admins): no sign-in, its tokens refused within a minute."""
    return _manage(rpc, caller, "deactivate_user", user_id)


@router.post("/{user_id}/reactivate", response_model=UserOut)
def reactivate_user(user_id: PathId, caller: CallerDep, rpc: RpcDep) -> dict:
    """Let a deactivated account sign in again (tokens from before stay void)."""
    return _manage(rpc, caller, "reactivate_user", user_id)


@router.post("/{user_id}/revoke-tokens", response_model=UserOut)
def revoke_tokens(user_id: PathId, caller: CallerDep, rpc: RpcDep) -> dict:
    """Void every token of the account (a lost phone): refused within a minute everywhere."""
    return _manage(rpc, caller, "revoke_tokens", user_id)


@router.post("/{user_id}/password-reset", response_model=ResetTicket,
             status_code=status.HTTP_201_CREATED)
def issue_password_reset(user_id: PathId, caller: CallerDep, rpc: RpcDep) -> dict:
    """A one-time reset token (shown once, a day) for the admin to hand to the user."""
    return _manage(rpc, caller, "issue_password_reset", user_id)
