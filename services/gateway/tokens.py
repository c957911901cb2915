"""Signed, expiring access tokens (JWT, HS256) carrying the caller's role and scope."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import jwt
from pydantic import ConfigDict, StrictInt, ValidationError, create_model

from services.common.caller import PLACEMENT_FIELDS, Caller, Role
from services.common.contracts.types import Id
from services.common.errors import Unauthenticated

if TYPE_CHECKING:
    from services.gateway.revocations import Revocations

_SCOPE_CLAIMS = PLACEMENT_FIELDS


# Exactly the claims `issue` writes, scope ids included: a token of any other shape is not ours.
Claims = create_model(
    "Claims", __config__=ConfigDict(extra="forbid"),
    sub=(Id, ...), role=(Role, ...), iat=(StrictInt, ...), exp=(StrictInt, ...),
    jti=(str | None, None), ts=(float | None, None),
    **{k: (Id | None, None) for k in _SCOPE_CLAIMS})


def issue(user: dict[str, Any], secret: str, ttl_seconds: int) -> str:
    # `ts`: the issue time to the microsecond (`iat` is whole seconds), compared with an
    # account's revocation time: a token signed just after a revocation still holds.
    ts = time.time()
    now = datetime.fromtimestamp(ts, UTC)
    claims = {"sub": user["id"], "role": user["role"], "iat": now,
              "exp": now + timedelta(seconds=ttl_seconds), "jti": uuid.uuid4().hex, "ts": ts}
    claims |= {k: user.get(k) for k in _SCOPE_CLAIMS if user.get(k)}
    return jwt.encode(claims, secret, algorithm="HS256")


def verify(token: str, secret: str, request_id: str | None,
           idempotency_key: str | None, revocations: Revocations | None = None) -> Caller:
    """The caller a token stands for; refused if expired, forged or revoked (the map)."""
    try:
        raw = jwt.decode(token, secret, algorithms=["HS256"],
                         options={"require": ["exp", "iat", "sub", "role"]})
    except jwt.ExpiredSignatureError as exc:
        raise Unauthenticated("token expired", {"authorization": "expired"}) from exc
    except jwt.InvalidTokenError as exc:
        raise Unauthenticated("invalid token", {"authorization": "invalid"}) from exc
    try:
        claims = Claims.model_validate(raw)
        if claims.role in (Role.system, Role.app):  # type: ignore[attr-defined]
            raise ValueError("no account signs in as the system or an app")
        caller = Caller(user_id=claims.sub, role=claims.role,  # type: ignore[attr-defined]
                        request_id=request_id, idempotency_key=idempotency_key,
                        **{k: getattr(claims, k) for k in _SCOPE_CLAIMS})
    except (ValidationError, ValueError) as exc:
        raise Unauthenticated("invalid token", {"authorization": "invalid"}) from exc
    issued = claims.ts if claims.ts is not None else float(claims.iat)  # type: ignore[attr-defined]
    if revocations is not None and revocations.refuses(caller.user_id, issued):
        raise Unauthenticated("this token was revoked; sign in again",
                              {"authorization": "revoked"})
    return caller
