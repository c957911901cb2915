"""Sign-in (rate-limited) and the signed-in account."""

from __future__ import annotations

from fastapi import APIRouter, Request
from pydantic import BaseModel

from services.common.contracts.identity import Credentials, UserOut
from services.common.errors import RateLimited, Unauthenticated
from services.gateway import tokens
from services.gateway.deps import CallerDep, RpcDep, SettingsDep, caller_args

router = APIRouter(prefix="/auth", tags=["auth"])


class TokenOut(BaseModel):
    access_token: str
    token_type: str = "bearer"
    expires_in: int
    user: UserOut


@router.post("/login", response_model=TokenOut)
def login(body: Credentials, request: Request, rpc: RpcDep, settings: SettingsDep) -> TokenOut:
    """Exchange a username and password for an access token (登录)."""
    limiter = request.app.state.login_limiter
    client = request.client.host if request.client else "unknown"
    if not limiter.hit(client, body.username):
        raise RateLimited("too many sign-in attempts; wait a minute",
                          {"username": "rate limited"})
    user = rpc.call("identity", "authenticate", body.model_dump())
    if not user:
        raise Unauthenticated("wrong username or password", {"password": "does not match"})
    token = tokens.issue(user, settings.jwt_secret, settings.jwt_ttl_seconds)
    return TokenOut(access_token=token, expires_in=settings.jwt_ttl_seconds,
                    user=UserOut.model_validate(user))


@router.get("/me", response_model=UserOut)
def me(caller: CallerDep, rpc: RpcDep) -> dict:
    """The signed-in account."""
    return rpc.call("identity", "get_user", caller_args(caller), caller.user_id)
