"""Sign-in behind the shared login limit, and refresh families (rotated on every use).

The login limit counts in identity, not in a gateway process, so every gateway shares it:
one `$inc` upsert of a fixed-window counter per attempt (`rate_windows`), keyed by the
client and the username.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime

from pymongo import ReturnDocument

from services.common.aggregate import Decision, change
from services.common.caller import Caller
from services.common.contracts.identity import Credentials, Session
from services.common.errors import NotFound, RateLimited, Unauthenticated
from services.identity import accounts, opaque, rules
from services.identity.models import RateWindow, RefreshFamily, User

SYSTEM = Caller.system()


def hit(what: str, key: str, limit: int, now: float | None = None, seconds: int = 60) -> bool:
    """Count one attempt in the current fixed window; False once past `limit`."""
    now = time.time() if now is None else now
    start = rules.window(now, seconds)
    row = RateWindow._get_collection().find_one_and_update(
        {"_id": f"{what}|{key}|{start}"},
        {"$inc": {"n": 1}, "$set": {"expires_at": datetime.fromtimestamp(start + 2 * seconds,
                                                                         UTC)}},
        upsert=True, return_document=ReturnDocument.AFTER, projection={"n": 1})
    return int(row["n"]) <= limit


def sign_in(credentials: Credentials, client: str, per_minute: int) -> Session:
    if not hit("login", f"{client}|{credentials.username.lower()}", per_minute):
        raise RateLimited("too many sign-in attempts; wait a minute", {"username": "rate limited"})
    user = accounts.authenticate(credentials)
    if user is None:
        raise Unauthenticated("wrong username or password", {"password": "does not match"})
    return open_session(user)


def open_session(user: User, now: float | None = None) -> Session:
    """A new refresh family for this account (a device signing in)."""
    now = time.time() if now is None else now
    secret, hashed = opaque.new_secret()
    family = RefreshFamily(user_id=user.id, secret_hash=hashed, created_ts=now,
                           expires_ts=now + rules.REFRESH_SECONDS)
    family.commit()
    return _session(user, family, secret)


def _session(user: User, family: RefreshFamily, secret: str) -> Session:
    return Session(user=accounts.user_out(user), refresh_expires_ts=family.expires_ts,
                   refresh_token=opaque.join(f"{family.id}.{family.generation}", secret))


def _parse(token: str) -> tuple[str, int, str]:
    parts = opaque.split(token)
    family_id, _, generation = (parts[0] if parts else "").rpartition(".")
    if not parts or not family_id or not generation.isdigit():
        raise Unauthenticated("invalid refresh token", {"refresh_token": "invalid"})
    return family_id, int(generation), parts[1]


def refresh(token: str) -> Session:
    """Rotate: the presented token is spent, a new one (same family) comes back."""
    family_id, generation, secret = _parse(token)
    if RefreshFamily.objects(id=family_id).first() is None:
        raise Unauthenticated("invalid refresh token", {"refresh_token": "invalid"})
    new_secret, new_hash = opaque.new_secret()
    seen: dict[str, User | None] = {}

    def decide(family: RefreshFamily, _at: datetime) -> Decision:
        seen["user"] = User.objects(id=family.user_id).first()
        # An older generation's secret is no longer kept: the family id (only ever inside
        # the token) with a spent generation is the reuse that ends the family.
        return rules.rotate(family, seen["user"], generation,
                            opaque.matches(family.secret_hash, secret)
                            or generation < family.generation, time.time(), new_hash)

    done = change(lambda: RefreshFamily.objects.get(id=family_id), decide, SYSTEM)
    family = done.doc
    if family.revoked:  # the decision ended the family: a reused token or a revoked account
        raise Unauthenticated("this session has ended; sign in again",
                              {"refresh_token": "revoked"})
    user = seen["user"]
    assert user is not None
    return _session(user, family, new_secret)


def sign_out(token: str) -> None:
    """End the family of this refresh token (a phone signing out)."""
    family_id, _generation, secret = _parse(token)
    family = RefreshFamily.objects(id=family_id).first()
    if family is None or not opaque.matches(family.secret_hash, secret):
        raise NotFound("no such session", {"refresh_token": "unknown"})
    change(lambda: RefreshFamily.objects.get(id=family_id),
           lambda f, _at: None if f.revoked else Decision(
               changes={"revoked": True, "revoked_reason": "signed out"}), SYSTEM)
