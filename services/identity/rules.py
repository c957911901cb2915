"""Account lifecycle rules, pure: who may deactivate, reset or revoke an account; what
each change writes and announces; the rotation of a refresh family; fixed windows."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from services.common.aggregate import Decision
from services.common.caller import Caller, Role
from services.common.contracts.identity import UserDeactivated, UserReactivated, UserRevoked
from services.common.errors import Conflict, Unauthenticated
from services.identity import domain

if TYPE_CHECKING:
    from services.identity.models import RefreshFamily, User

RESET_SECONDS = 24 * 3600  # an admin's reset ticket is good for a day
REFRESH_SECONDS = 30 * 24 * 3600  # a phone stays signed in a month without use


def check_may_manage(caller: Caller, user: User) -> None:
    """The admins who may create an account of this role there may also deactivate, reset
    and revoke it; nobody locks themselves out (403 otherwise, 404 is the caller's read)."""
    if caller.user_id == user.id:
        raise Conflict("you may not do this to your own account", {"user_id": "your own"})
    domain.check_may_create_user(caller, Role(user.role), user.district_id, user.street_id,
                                 user.community_id)


def revoked_key(not_before: float, user_id: str) -> str:
    """The gateways' keyset over revocations: sorts by time as text (fixed width)."""
    return f"{not_before:017.6f}|{user_id}"


def revoke(user: User, now: float, reason: str, **changes: object) -> Decision:
    """Every token issued before `now` is void (with `changes`, e.g. a new password)."""
    return Decision(changes={"tokens_not_before": now, "revoked_key": revoked_key(now, user.id),
                             **changes},
                    events=[UserRevoked(user_id=user.id, community_id=user.community_id,
                                        not_before=now, reason=reason)])


def deactivate(user: User, now: float) -> Decision | None:
    if not user.active:
        return None  # already: nothing to write, nothing to announce
    return Decision(changes={"active": False, "tokens_not_before": now,
                             "revoked_key": revoked_key(now, user.id)},
                    events=[UserDeactivated(user_id=user.id, community_id=user.community_id,
                                            not_before=now)])


def reactivate(user: User) -> Decision | None:
    if user.active:
        return None
    # tokens_not_before stays: what was issued before the deactivation stays void.
    return Decision(changes={"active": True},
                    events=[UserReactivated(user_id=user.id, community_id=user.community_id)])


def rotate(family: RefreshFamily, user: User | None, generation: int, secret_ok: bool,
           now: float, new_hash: str) -> Decision:
    """A refresh: the current generation's token moves the family on; an older one (a copy
    that was already rotated) ends the family, raising after the write (see `sessions`)."""
    if family.revoked:
        raise Unauthenticated("this session has ended; sign in again",
                              {"refresh_token": "revoked"})
    if family.expires_ts <= now:
        raise Unauthenticated("this session has expired; sign in again",
                              {"refresh_token": "expired"})
    if not secret_ok or generation > family.generation:
        raise Unauthenticated("invalid refresh token", {"refresh_token": "invalid"})
    if generation < family.generation:
        return Decision(changes={"revoked": True, "revoked_reason": "reused"})
    if user is None or not user.active or family.created_ts < user.tokens_not_before:
        return Decision(changes={"revoked": True, "revoked_reason": "account revoked"})
    return Decision(changes={"generation": family.generation + 1, "secret_hash": new_hash,
                             "expires_ts": now + REFRESH_SECONDS})


def window(now: float, seconds: int = 60) -> int:
    """The start of the fixed window holding `now`."""
    return int(math.floor(now / seconds) * seconds)
