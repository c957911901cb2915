"""Typed request dependencies shared by every router."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Path, Query, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from services.common.caller import Caller, Role
from services.common.config import Settings
from services.common.contracts.types import CODE_PATTERN, ID_PATTERN
from services.common.errors import Unauthenticated
from services.gateway import tokens
from services.gateway.rpc import RpcPool

_bearer = HTTPBearer(auto_error=False)


def get_settings(request: Request) -> Settings:
    return request.app.state.settings


def get_rpc(request: Request) -> RpcPool:
    return request.app.state.rpc


def current_caller(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    settings: Annotated[Settings, Depends(get_settings)],
) -> Caller:
    if credentials is None:
        raise Unauthenticated("sign in first", {"authorization": "missing bearer token"})
    return tokens.verify(credentials.credentials, settings.jwt_secret,
                         request.state.request_id, request.headers.get("idempotency-key"),
                         request.app.state.revocations)


SettingsDep = Annotated[Settings, Depends(get_settings)]
# Ids and codes in paths and queries: the contracts' charset, so junk is a 422 naming the
# parameter before any service is asked.
PathId = Annotated[str, Path(pattern=ID_PATTERN)]
PathCode = Annotated[str, Path(pattern=CODE_PATTERN)]
QueryId = Annotated[str | None, Query(pattern=ID_PATTERN)]
RequiredQueryId = Annotated[str, Query(pattern=ID_PATTERN)]
QueryCode = Annotated[str | None, Query(pattern=CODE_PATTERN)]
RpcDep = Annotated[RpcPool, Depends(get_rpc)]
CallerDep = Annotated[Caller, Depends(current_caller)]


def caller_args(caller: Caller) -> dict:
    """The caller context as it travels over RPC."""
    return caller.model_dump(mode="json")


def require(caller: Caller, *roles: Role) -> Caller:
    """Gateway-side role check (the service checks again)."""
    caller.require_role(*roles)
    return caller
