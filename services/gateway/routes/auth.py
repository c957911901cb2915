"""Sign-in (rate-limited across every gateway, in identity), refresh, sign-out, passwords,
and the signed-in account (docs/accounts.md)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from pydantic import BaseModel

from services.common.config import Settings
from services.common.contracts.identity import (
    Credentials,
    Done,
    PasswordChangeIn,
    PasswordResetIn,
    RefreshIn,
    UserOut,
)
from services.gateway import tokens
from services.gateway.deps import CallerDep, RpcDep, SettingsDep, caller_args

router = APIRouter(prefix="/auth", tags=["auth"])


class TokenOut(BaseModel):
    access_token: str
    token_type: str = "bearer"
    expires_in: int
    refresh_token: str  # long-lived, rotated on every use: keep only the latest
    refresh_expires_ts: float
    user: UserOut


def _tokens(session: dict, settings: Settings) -> TokenOut:
    return TokenOut(access_token=tokens.issue(session["user"], settings.jwt_secret,
                                              settings.jwt_ttl_seconds),
                    expires_in=settings.jwt_ttl_seconds, refresh_token=session["refresh_token"],
                    refresh_expires_ts=session["refresh_expires_ts"],
                    user=UserOut.model_validate(session["user"]))


@router.post("/login", response_model=TokenOut)
def login(body: Credentials, request: Request, rpc: RpcDep, settings: SettingsDep) -> TokenOut:
    """Exchange a username and password for an access and a refresh token (登录)."""
    client = request.client.host if request.client else "unknown"
    session = rpc.call("identity", "sign_in", {"credentials": body.model_dump(),
                                               "client": client[:64]})
    return _tokens(session, settings)


@router.post("/refresh", response_model=TokenOut)
def refresh(body: RefreshIn, rpc: RpcDep, settings: SettingsDep) -> TokenOut:
    """A new access token for a refresh token, which is spent: the reply carries the next."""
    return _tokens(rpc.call("identity", "refresh_session", body.model_dump()), settings)


@router.post("/logout", response_model=Done)
def logout(body: RefreshIn, rpc: RpcDep) -> dict:
    """End this device's session (its refresh token and the ones it was rotated into)."""
    return rpc.call("identity", "sign_out", body.model_dump())


@router.post("/password", response_model=TokenOut)
def change_password(body: PasswordChangeIn, caller: CallerDep, rpc: RpcDep,
                    settings: SettingsDep) -> TokenOut:
    """Change your own password: every other token of yours is void; new ones come back."""
    session = rpc.call("identity", "change_password", caller_args(caller), body.model_dump())
    return _tokens(session, settings)


@router.post("/password-reset", response_model=Done)
def reset_password(body: PasswordResetIn, rpc: RpcDep) -> dict:
    """Set a new password with the one-time reset token an admin issued (then sign in)."""
    return rpc.call("identity", "reset_password", body.model_dump())


@router.get("/me", response_model=UserOut)
def me(caller: CallerDep, rpc: RpcDep) -> dict:
    """The signed-in account."""
    return rpc.call("identity", "get_user", caller_args(caller), caller.user_id)
