"""The audit service's documents (database `<prefix>audit`): the entries, append-only.

An entry is written once, by its event's id, and never changed or removed: the document
class refuses a second save, an update and a delete (and its querysets refuse bulk
updates and deletes), and no RPC edits one. Each listing is a keyset on one composite
key of its own (docs/store.md): the district's, a street's, a community's, an actor's,
an action's and a record type's, `<scope>|<ts>|<id>`, each indexed on its own.
"""

from __future__ import annotations

from typing import Any, NoReturn

import mongoengine as me
from mongoengine.queryset import QuerySet

ALIAS = "audit"
KEYS = ("all_key", "district_key", "street_key", "community_key", "actor_key", "action_key",
        "record_key")


class AppendOnly(Exception):
    """An audit entry may not be changed or removed."""


def _refuse(*_args: Any, **_kwargs: Any) -> NoReturn:
    raise AppendOnly("audit entries are append-only")


class AppendOnlyQuerySet(QuerySet):
    update = update_one = modify = delete = upsert_one = _refuse  # type: ignore[assignment]


class AuditEntry(me.Document):
    meta = {"db_alias": ALIAS, "collection": "entries", "indexes": list(KEYS),
            "queryset_class": AppendOnlyQuerySet}
    id = me.StringField(primary_key=True)  # the audit.recorded event's id
    service = me.StringField(required=True)
    actor_id = me.StringField(required=True)
    actor_role = me.StringField(required=True)
    district_id = me.StringField(required=True)
    street_id = me.StringField()
    community_id = me.StringField()
    action = me.StringField(required=True)
    record_type = me.StringField(required=True)
    record_id = me.StringField(required=True)
    before = me.DictField()
    after = me.DictField()
    ts = me.FloatField(required=True)  # when the act was committed (the actor's clock)
    request_id = me.StringField()
    received_ts = me.FloatField(required=True)
    all_key = me.StringField(required=True)
    district_key = me.StringField(required=True)
    street_key = me.StringField()
    community_key = me.StringField()
    actor_key = me.StringField(required=True)
    action_key = me.StringField(required=True)
    record_key = me.StringField(required=True)

    def save(self, *args: Any, **kwargs: Any) -> AuditEntry:
        if not self._created or not kwargs.get("force_insert"):
            _refuse()
        return super().save(*args, **kwargs)

    update = modify = delete = _refuse  # type: ignore[assignment]


DOCUMENTS = [AuditEntry]
