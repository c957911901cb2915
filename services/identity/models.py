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


class Street(me.Document):
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
        {"fields": ["community_id", "role"]}, "page_key"]}
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


DOCUMENTS = [District, Street, Community, User, *Mirror("identity", "grid").documents]
