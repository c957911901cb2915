"""Identity's documents: the tenancy tree and accounts (database `<prefix>identity`)."""

from __future__ import annotations

import uuid

import mongoengine as me

from services.common.caller import Scope
from services.common.mirror import Mirror
from services.common.store import Aggregate

ALIAS = "identity"


def new_id(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


class District(me.Document):
    meta = {"db_alias": ALIAS, "collection": "districts", "indexes": [
        {"fields": ["code"], "unique": True}]}
    id = me.StringField(primary_key=True, default=lambda: new_id("d"))
    code = me.StringField(required=True)
    name = me.StringField(required=True)


class Street(Aggregate):
    """A street (街道); made with its audit event when an admin makes it."""

    meta = {"db_alias": ALIAS, "collection": "streets", "indexes": [
        {"fields": ["district_id", "name"], "unique": True}]}
    id = me.StringField(primary_key=True, default=lambda: new_id("s"))
    district_id = me.StringField(required=True)
    name = me.StringField(required=True)


class Placed:
    """A document living at one place of the tenancy tree."""

    @property
    def scope(self) -> Scope:
        return Scope(district_id=self.district_id, street_id=self.street_id,
                     community_id=self.community_id)


class Community(Placed, Aggregate):
    meta = {"db_alias": ALIAS, "collection": "communities", "indexes": [
        {"fields": ["street_id", "name"], "unique": True}, "district_id"]}
    id = me.StringField(primary_key=True, default=lambda: new_id("c"))
    district_id = me.StringField(required=True)
    street_id = me.StringField(required=True)
    name = me.StringField(required=True)

    @property
    def community_id(self) -> str:
        return self.id


class User(Placed, Aggregate):
    meta = {"db_alias": ALIAS, "collection": "users", "indexes": [
        {"fields": ["username"], "unique": True},
        {"fields": ["community_id", "role"]}, "page_key",
        {"fields": ["revoked_key"], "sparse": True}]}
    id = me.StringField(primary_key=True, default=lambda: new_id("u"))
    username = me.StringField(required=True)
    password_hash = me.StringField(required=True)
    role = me.StringField(required=True)
    display_name = me.StringField(required=True)
    phone = me.StringField()
    district_id = me.StringField(required=True)
    street_id = me.StringField()
    community_id = me.StringField()
    grid_id = me.StringField()
    department_id = me.StringField()
    merchant_id = me.StringField()
    active = me.BooleanField(default=True)
    page_key = me.StringField()  # "users|<created epoch>|<id>": the read models' backfill
    # Tokens issued before this (epoch s) are refused; `revoked_key` ("<not_before>|<id>")
    # is the gateways' keyset poll of recent revocations (set only on accounts revoked).
    tokens_not_before = me.FloatField(default=0.0)
    revoked_key = me.StringField()
    reset_hash = me.StringField()  # sha256 of the one-time reset secret (admin-issued)
    reset_expires_ts = me.FloatField()


class RefreshFamily(Aggregate):
    """One signed-in device: its current refresh token (hashed) and how many times it was
    rotated. A token of an older generation coming back is a stolen copy: the family ends."""

    meta = {"db_alias": ALIAS, "collection": "refresh_families", "indexes": ["user_id"]}
    id = me.StringField(primary_key=True, default=lambda: new_id("rf"))
    user_id = me.StringField(required=True)
    generation = me.IntField(default=0)
    secret_hash = me.StringField(required=True)
    created_ts = me.FloatField(required=True)
    expires_ts = me.FloatField(required=True)
    revoked = me.BooleanField(default=False)
    revoked_reason = me.StringField()


class AppKey(Aggregate):
    """A civic application's long-lived Open311 key, scoped to communities (hash only)."""

    meta = {"db_alias": ALIAS, "collection": "app_keys", "indexes": ["district_id"]}
    id = me.StringField(primary_key=True, default=lambda: new_id("ak"))
    name = me.StringField(required=True)
    district_id = me.StringField(required=True)
    community_ids = me.ListField(me.StringField())  # no index: nx multikey (docs/store.md)
    rate_limit_per_minute = me.IntField(default=60)
    secret_hash = me.StringField(required=True)
    issued_by = me.StringField(required=True)
    created_ts = me.FloatField(required=True)
    active = me.BooleanField(default=True)
    revoked_ts = me.FloatField()
    community_id = None  # the outbox's envelope: a key may span several communities


class RateWindow(me.Document):
    """A fixed-window counter ("<what>|<key>|<window start>"), shared by every gateway;
    MongoDB's TTL index drops it after its window."""

    meta = {"db_alias": ALIAS, "collection": "rate_windows",
            "indexes": [{"fields": ["expires_at"], "expireAfterSeconds": 0}]}
    id = me.StringField(primary_key=True)
    n = me.IntField(default=0)
    expires_at = me.DateTimeField()


DOCUMENTS = [District, Street, Community, User, RefreshFamily, AppKey, RateWindow,
             *Mirror("identity", "grid").documents]
