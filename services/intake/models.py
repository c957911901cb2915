"""Intake's documents (database `<prefix>intake`): issues, their timeline, catalogues."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import mongoengine as me

from services.common.mirror import Mirror
from services.common.store import Aggregate, Instant

ALIAS = "intake"


def new_id(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


def utcnow() -> datetime:
    return datetime.now(UTC)


class CommunityRef(me.Document):
    """What intake knows of a tenant (from identity's community.created, or fetched once)."""

    meta = {"db_alias": ALIAS, "collection": "communities"}
    id = me.StringField(primary_key=True)
    name = me.StringField()
    street_id = me.StringField(required=True)
    district_id = me.StringField(required=True)


class Category(Aggregate):
    """One entry of a community's catalogue; `definition` is a CategoryDef as JSON.

    An aggregate: each change carries its `category.changed` (or `category.removed`) event
    in the same write, for dispatch's read model of the catalogue. A removed entry stays
    as a tombstone at its last version."""

    meta = {"db_alias": ALIAS, "collection": "categories",
            "indexes": [{"fields": ["community_id", "code"], "unique": True}, "page_key",
                        "catalogue_key"]}
    id = me.StringField(primary_key=True)  # "<community_id>:<code>"
    community_id = me.StringField(required=True)
    code = me.StringField(required=True)
    group = me.StringField()
    definition = me.DictField(required=True)
    removed = me.BooleanField(default=False)
    page_key = me.StringField()  # "categories|<created epoch>|<id>": the read models' backfill
    # "<community_id>|<group>|<code>": the community's catalogue, a keyset page in that order
    catalogue_key = me.StringField()


COUNTS_ALL = "*"  # IssueCounts of the whole deployment
LISTING_KEYS = ("community_key", "state_key", "reporter_key", "street_key", "district_key")


class Issue(Aggregate):
    """诉求. Location is flat (lat/lng) so the duplicate search can range-query it."""

    # One single-field key per access pattern (the store uses no compound index, and
    # ranges only on the field it sorts by): docs/store.md.
    meta = {"db_alias": ALIAS, "collection": "issues", "indexes": [
        "dup_key", *LISTING_KEYS, {"fields": ["idempotency"], "unique": True, "sparse": True}]}
    id = me.StringField(primary_key=True, default=lambda: new_id("i"))
    community_id = me.StringField(required=True)
    street_id = me.StringField(required=True)
    district_id = me.StringField(required=True)
    grid_id = me.StringField()
    category = me.StringField(required=True)
    description = me.StringField(required=True)
    lat = me.FloatField()
    lng = me.FloatField()
    address = me.StringField()
    channel = me.StringField(required=True)
    attributes = me.DictField()
    state = me.StringField(required=True)
    triage = me.DictField(required=True)  # a contracts.intake.Triage
    reporter_id = me.StringField()
    submitted_by = me.StringField(required=True)
    anonymous = me.BooleanField(default=False)
    contact = me.DictField()
    supporters = me.IntField(default=1)
    duplicate_of = me.StringField()
    duplicates = me.ListField(me.StringField())
    duplicate_reporters = me.ListField(me.StringField())  # told of each step, as the reporter
    reject_reason = me.StringField()
    rating = me.IntField()
    photos = me.ListField(me.StringField())
    media_url = me.StringField()  # an Open311 client's link (a photo if it could be fetched)
    idempotency = me.StringField()  # "<user>:<Idempotency-Key>": a replay finds the first issue
    created_at = Instant(required=True, default=utcnow)
    updated_at = Instant(required=True, default=utcnow)
    created_ts = me.FloatField()  # created_at as epoch seconds: what time ranges compare
    dup_scope = me.StringField()  # the geocell listing it belongs to (cells.scope)
    dup_key = me.StringField()  # "<dup_scope>|<created_ts>|<id>" while open, else unset
    # The listings (keys.refresh): "<scope>|<created_ts>|<id>", newest first.
    community_key = me.StringField()
    state_key = me.StringField()  # scope "<community>:<state>"
    reporter_key = me.StringField()  # unset for issues entered on someone's behalf
    street_key = me.StringField()
    district_key = me.StringField()

    def tally(self) -> dict[str, dict[str, int]]:
        """An issue counts once, under its state, in the deployment's IssueCounts."""
        return {COUNTS_ALL: {self.state: 1}}


class TimelineEntry(me.Document):
    """One step of an issue's history (append-only: one document per entry)."""

    meta = {"db_alias": ALIAS, "collection": "timeline", "indexes": ["page_key"]}
    id = me.StringField(primary_key=True)  # "<issue_id>:<version>": rewriting it is a no-op
    issue_id = me.StringField(required=True)
    at = Instant(required=True)
    seq = me.IntField(default=0)  # the issue's version: orders entries written in one millisecond
    actor_id = me.StringField()
    actor_role = me.StringField(required=True)
    state = me.StringField(required=True)
    note = me.StringField(default="")
    page_key = me.StringField()  # "<issue_id>|<at epoch>|<seq>.<id>": pages oldest first


Issue.history_document = TimelineEntry  # the commit frame writes entries with their change


class GridView(me.Document):
    """Intake's copy of one of dispatch's grids (from `grid.changed`), to place issues
    without asking dispatch. A removed grid stays as a tombstone at its last version."""

    meta = {"db_alias": ALIAS, "collection": "grids", "indexes": ["community_id"]}
    id = me.StringField(primary_key=True)
    community_id = me.StringField(required=True)
    depth = me.IntField(required=True)
    is_root = me.BooleanField(default=False)
    polygon = me.ListField(me.ListField(me.FloatField()))
    addresses = me.ListField(me.StringField())
    removed = me.BooleanField(default=False)
    version = me.IntField(required=True)


class GridSet(me.Document):
    """Per community: bumped with every applied grid change, so each process knows by one
    read whether its cached copy of the community's grids is still current."""

    meta = {"db_alias": ALIAS, "collection": "grid_sets"}
    id = me.StringField(primary_key=True)  # community id
    revision = me.IntField(default=0)


class Mark(me.Document):
    """One-off jobs done (e.g. "grid_backfill"): checked by `_id`, written once."""

    meta = {"db_alias": ALIAS, "collection": "marks"}
    id = me.StringField(primary_key=True)
    at = Instant(required=True, default=utcnow)


class IssueCounts(me.DynamicDocument):
    """Issues by state, one field per state (top-level: the store's upsert keeps a dotted
    path as a literal key), never counted: each issue's commit carries its move and
    services/common/counters folds it in once (`applied`: the entry ids in flight)."""

    meta = {"db_alias": ALIAS, "collection": "issue_counts"}
    id = me.StringField(primary_key=True)  # "*": the whole deployment


Issue.tally_document = IssueCounts


DOCUMENTS = [CommunityRef, Category, Issue, TimelineEntry, GridView, GridSet, Mark, IssueCounts,
             *Mirror("intake", "account").documents]
