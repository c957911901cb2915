"""App keys for Open311 (GeoReport v2 `api_key`): issued by a community's, street's or the
district's admin for one application, scoped to communities the issuer may see, revocable,
rate-limited per key. Only the key's SHA-256 is kept; the key is shown once."""

from __future__ import annotations

import time
from datetime import datetime

from services.common import audit
from services.common.aggregate import Decision, change
from services.common.caller import ADMIN_ROLES, Caller, Role
from services.common.contracts.identity import (
    AppKeyIn,
    AppKeyIssued,
    AppKeyOut,
    AppKeyRevoked,
    AppKeyUse,
    NewAppKey,
)
from services.common.errors import Forbidden, NotFound, RateLimited, Unauthenticated
from services.identity import opaque, sessions
from services.identity.models import AppKey, Community
from services.identity.tenancy import visible_community

KEYS_PER_DISTRICT = 500  # a district's applications are tens: the listing reads them all


def key_out(key: AppKey) -> AppKeyOut:
    return AppKeyOut(id=key.id, name=key.name, district_id=key.district_id,
                     community_ids=list(key.community_ids), active=bool(key.active),
                     rate_limit_per_minute=key.rate_limit_per_minute, issued_by=key.issued_by,
                     created_ts=key.created_ts, revoked_ts=key.revoked_ts)


def _trail(key: AppKey) -> dict:
    return audit.fields_of(key, ("name", "community_ids", "rate_limit_per_minute", "active"))


def _home(key: AppKey) -> str | None:
    """A key of one community is that community's record; of several, the district's."""
    return key.community_ids[0] if len(key.community_ids) == 1 else None


def _communities(caller: Caller, ids: list[str]) -> list[Community]:
    """Each community, seen by the caller (404 naming the first that is not: no leak)."""
    found = []
    for community_id in dict.fromkeys(ids):
        community = Community.objects(id=community_id).first()
        if community is None or not caller.sees(community.scope):
            raise NotFound("no such community", {"community_ids": f"unknown: {community_id}"})
        found.append(community)
    if len({c.district_id for c in found}) > 1:
        raise Forbidden("a key stays within one district", {"community_ids": "several districts"})
    return found


def issue(caller: Caller, data: AppKeyIn) -> NewAppKey:
    caller.require_role(*ADMIN_ROLES)
    communities = _communities(caller, data.community_ids)
    secret, hashed = opaque.new_secret()
    key = AppKey(name=data.name, district_id=communities[0].district_id,
                 community_ids=[c.id for c in communities], secret_hash=hashed,
                 rate_limit_per_minute=data.rate_limit_per_minute, issued_by=caller.user_id,
                 created_ts=time.time())
    key = change(lambda: key, lambda k, _at: audit.attach(Decision(events=[AppKeyIssued(
        key_id=k.id, name=k.name, district_id=k.district_id, community_ids=k.community_ids,
        issued_by=k.issued_by)]), caller, k, "app_key.issue", "app_key", before={},
        after=_trail(k), community_id=_home(k)), caller).doc
    return NewAppKey(**key_out(key).model_dump(), api_key=opaque.join(key.id, secret))


def community_keys(caller: Caller, community_id: str) -> list[AppKeyOut]:
    """The keys that file into a community, for its admins."""
    caller.require_role(*ADMIN_ROLES)
    community = visible_community(caller, community_id)
    keys = AppKey.objects(district_id=community.district_id).limit(KEYS_PER_DISTRICT)
    return sorted((key_out(k) for k in keys if community.id in k.community_ids),
                  key=lambda k: -k.created_ts)


def revoke(caller: Caller, key_id: str) -> AppKeyOut:
    """End a key (its admins: whoever sees every community it files into)."""
    caller.require_role(*ADMIN_ROLES)

    def decide(key: AppKey, at: datetime) -> Decision | None:
        _communities(caller, list(key.community_ids))
        if not key.active:
            return None
        return audit.attach(Decision(
            changes={"active": False, "revoked_ts": at.timestamp()},
            events=[AppKeyRevoked(key_id=key.id, district_id=key.district_id,
                                  community_ids=list(key.community_ids))]),
            caller, key, "app_key.revoke", "app_key", community_id=_home(key))

    def load() -> AppKey:
        key = AppKey.objects(id=key_id).first()
        if key is None or key.district_id != caller.district_id and caller.role is not Role.system:
            raise NotFound("no such app key", {"key_id": "unknown"})
        return key

    return key_out(change(load, decide, caller).doc)


def admit(use: AppKeyUse) -> Caller:
    """The caller an Open311 POST files as: the key's application in that community."""
    parts = opaque.split(use.api_key)
    key = AppKey.objects(id=parts[0]).first() if parts else None
    if key is None or not opaque.matches(key.secret_hash, parts[1]):
        raise Unauthenticated("invalid api_key", {"api_key": "invalid"})
    if not key.active:
        raise Unauthenticated("this api_key was revoked", {"api_key": "revoked"})
    if use.community_id not in key.community_ids:
        raise Forbidden("this api_key does not file into this community",
                        {"jurisdiction_id": "not in the key's communities"})
    community = Community.objects(id=use.community_id).first()
    if community is None:
        raise NotFound("no such community", {"jurisdiction_id": "unknown"})
    if not sessions.hit("app_key", key.id, key.rate_limit_per_minute):
        raise RateLimited("this api_key is over its rate limit; wait a minute",
                          {"api_key": f"at most {key.rate_limit_per_minute} a minute"})
    return Caller(user_id=key.id, role=Role.app, district_id=community.district_id,
                  street_id=community.street_id, community_id=community.id)
