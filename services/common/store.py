"""MongoDB access for a service: one database per service, opened at container start.

`Aggregate` is the base of every document that changes state and implies events.
Its pending events ride in the same document (`outbox`) so the state change and
the events it implies are one single-document write: atomic on MongoDB 7 and on
the embedded store alike, with no multi-document transaction. `OutboxRelay`
publishes them and removes them. Every update is conditional on `version`
(optimistic concurrency), so two writers never interleave silently.
"""

from __future__ import annotations

import collections
import functools
import logging
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any, ClassVar, TypeVar

import mongoengine as me
from mongoengine.errors import SaveConditionError
from nameko.extensions import DependencyProvider

from services.common.config import Settings, settings_from_nameko
from services.common.contracts.envelope import Envelope
from services.common.errors import Conflict

log = logging.getLogger(__name__)

T = TypeVar("T")


def as_utc(value: datetime | str | None) -> datetime | None:
    """A UTC datetime from what the store returns: nx-27017 keeps a datetime written by
    `$set` (any update) as naive text, and sub-document datetimes may come back naive."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value is not None and value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value


class Instant(me.DateTimeField):
    """A UTC datetime that reads back as one wherever the store kept it as text.

    Range queries cannot rely on it (docs/store.md): what is queried by time is
    also stored as epoch seconds.
    """

    def to_python(self, value: Any) -> Any:
        return as_utc(value) if isinstance(value, str | datetime) else value


class Aggregate(me.Document):
    meta = {"abstract": True}

    version = me.IntField(default=0)
    outbox = me.ListField(me.DictField())
    outbox_pending = me.BooleanField(default=False)

    def record(self, *events: Envelope) -> None:
        """Queue events to be written with this document's next commit."""
        # Reassign (not append) so mongoengine writes the whole list with $set:
        # the embedded store mangles $push of sub-documents.
        self.outbox = list(self.outbox) + [e.to_message() for e in events]
        self.outbox_pending = True
        # Write the flag even if it read True: the relay may have cleared it since we
        # read, and mongoengine only $sets fields whose value changed in memory.
        self._mark_as_changed("outbox_pending")

    def commit(self) -> None:
        """Insert, or update only if nobody else wrote since we read."""
        if self._created:
            self.version = 1
            self.save(force_insert=True)
            return
        seen = self.version
        self.version = seen + 1
        try:
            self.save(save_condition={"version": seen})
        except SaveConditionError as exc:
            self.version = seen
            raise StaleWrite(f"{type(self).__name__} was changed by someone else; retry") from exc


class StaleWrite(Conflict):
    # No constructor of its own: nameko rebuilds a remote error from its args.
    code = "concurrent_update"


def retry_on_stale(fn: Callable[[], T], attempts: int = 5) -> T:
    """Re-run a read-modify-commit function when another writer won the race."""
    for attempt in range(attempts):
        try:
            return fn()
        except StaleWrite:
            if attempt == attempts - 1:
                raise
    raise AssertionError("unreachable")


@functools.cache
def inbox_document(alias: str) -> type[me.Document]:
    """The service's inbox: ids of events its handlers applied (a redelivery is a no-op)."""
    return type(f"{alias.title()}ProcessedEvent", (me.Document,), {
        "meta": {"db_alias": alias, "collection": "processed_events"},
        "id": me.StringField(primary_key=True),  # "<handler>:<event id>"
        "event_type": me.StringField(required=True),
        "processed_at": me.DateTimeField(required=True),
    })


class Store(DependencyProvider):
    """Connects mongoengine alias `<service>` to the service's own database.

    `documents` are the service's document classes; their indexes are created at start.
    """

    def __init__(self, service: str, documents: Iterable[type[me.Document]]) -> None:
        self.alias = service
        self.inbox = inbox_document(service)
        self.documents = [*documents, self.inbox]
        self.settings: Settings | None = None
        self._holds_connection = False

    # Containers per alias in this process: replicas of one service started in one
    # process (tests) share the connection, and the last one out closes it.
    _users: ClassVar[collections.Counter[str]] = collections.Counter()

    def setup(self) -> None:
        self.settings = settings_from_nameko(self.container.config)
        if not Store._users[self.alias]:
            connect(self.alias, self.settings)
        Store._users[self.alias] += 1
        self._holds_connection = True
        for doc in self.documents:
            doc.ensure_indexes()

    def stop(self) -> None:
        if not self._holds_connection:
            return
        self._holds_connection = False
        Store._users[self.alias] -= 1
        if Store._users[self.alias] <= 0:
            del Store._users[self.alias]
            me.disconnect(self.alias)

    def kill(self) -> None:
        self.stop()

    def get_dependency(self, worker_ctx: Any) -> Store:
        return self


def connect(alias: str, settings: Settings) -> None:
    me.disconnect(alias)
    me.connect(db=settings.db_name(alias), host=settings.mongo_uri, alias=alias,
               serverSelectionTimeoutMS=5000, uuidRepresentation="standard", tz_aware=True)
