"""Account lifecycle: deactivate and reactivate, revoke every token, reset or change a
password; and the recent revocations the gateways poll (docs/accounts.md).

Every change goes through the commit frame: the account's new state and its event
(`user.deactivated`, `user.reactivated`, `user.revoked`) in one write.
"""

from __future__ import annotations

import time
from datetime import datetime

from services.common import audit
from services.common.aggregate import Decision, change
from services.common.caller import Caller
from services.common.contracts.identity import (
    PasswordChangeIn,
    PasswordResetIn,
    ResetTicket,
    Revocation,
    RevocationPage,
    Session,
)
from services.common.errors import InvalidInput, Unauthenticated
from services.identity import accounts, domain, opaque, rules, sessions
from services.identity.models import User

REVOCATIONS_PAGE = 500


def _managed(caller: Caller, user_id: str, decide, action: str) -> User:  # noqa: ANN001
    def checked(user: User, at: datetime) -> Decision | None:
        rules.check_may_manage(caller, user)
        return audit.attach(decide(user, at.timestamp()), caller, user, action, "user")

    return change(lambda: accounts.visible_user(caller, user_id), checked, caller).doc


def deactivate(caller: Caller, user_id: str) -> User:
    return _managed(caller, user_id, rules.deactivate, "user.deactivate")


def reactivate(caller: Caller, user_id: str) -> User:
    return _managed(caller, user_id, lambda u, _now: rules.reactivate(u), "user.reactivate")


def revoke_tokens(caller: Caller, user_id: str) -> User:
    return _managed(caller, user_id, lambda u, now: rules.revoke(u, now, "revoked"),
                    "user.revoke_tokens")


def issue_reset(caller: Caller, user_id: str) -> ResetTicket:
    """A one-time reset token for the account (its admin hands it over); the last one only."""
    secret, hashed = opaque.new_secret()
    expires = time.time() + rules.RESET_SECONDS
    user = _managed(caller, user_id, lambda u, _now: Decision(
        changes={"reset_hash": hashed, "reset_expires_ts": expires}), "user.issue_reset")
    return ResetTicket(user_id=user.id, reset_token=opaque.join(user.id, secret),
                       expires_ts=expires)


def reset_password(data: PasswordResetIn) -> None:
    """Spend a reset token: the new password, every older token void (one write)."""
    refused = Unauthenticated("invalid or expired reset token", {"reset_token": "invalid"})
    parts = opaque.split(data.reset_token)
    if parts is None or User.objects(id=parts[0]).first() is None:
        raise refused
    user_id, secret = parts
    new_hash = domain.hash_password(data.new_password)

    def spend(user: User, at: datetime) -> Decision:
        now = at.timestamp()
        if (not user.active or not opaque.matches(user.reset_hash, secret)
                or (user.reset_expires_ts or 0) <= now):
            raise refused
        return rules.revoke(user, now, "password_reset", password_hash=new_hash,
                            reset_hash=None, reset_expires_ts=None)

    change(lambda: User.objects.get(id=user_id), spend, Caller.system())


def change_password(caller: Caller, data: PasswordChangeIn) -> Session:
    """The signed-in account's own new password: its other tokens are void, this device
    gets a new session."""
    user = accounts.visible_user(caller, caller.user_id)
    if not user.active or not domain.password_matches(user.password_hash, data.current_password):
        raise InvalidInput("the current password does not match",
                           {"current_password": "does not match"})
    new_hash = domain.hash_password(data.new_password)
    done = change(lambda: User.objects.get(id=user.id),
                  lambda u, at: rules.revoke(u, at.timestamp(), "password_changed",
                                             password_hash=new_hash), caller)
    return sessions.open_session(done.doc, now=done.doc.tokens_not_before)


def revocations(cursor: str | None) -> RevocationPage:
    """Accounts revoked after `cursor` (a `revoked_key`), oldest first, a page at a time:
    a keyset range on one indexed key (docs/store.md)."""
    query = User.objects(revoked_key__gt=cursor or "")
    docs = list(query.order_by("revoked_key").only("id", "tokens_not_before", "revoked_key")
                .limit(REVOCATIONS_PAGE))
    return RevocationPage(
        items=[Revocation(user_id=u.id, not_before=u.tokens_not_before) for u in docs],
        next_cursor=docs[-1].revoked_key if docs else cursor)
