"""MongoDB access for a service: one database per service, opened at container start.

`Aggregate` is the base of every document that changes state and implies events.
Its pending events ride in the same document (`outbox`) so the state change and
the events it implies are one single-document write: atomic on MongoDB 7 and on
the embedded store alike, with no multi-document transaction. `OutboxRelay`
publishes them and removes them; history entries `note`d with a change ride the
same way until the relay moves them into the aggregate's history collection. Every
update is conditional on `version` (optimistic concurrency), so two writers never
interleave silently. Change aggregates through `services.common.aggregate.change`.
"""

from __future__ import annotations

import collections
import contextlib
from collections.abc import Callable, Iterable, Iterator
from typing import Any, ClassVar, TypeVar

import mongoengine as me
from mongoengine.errors import SaveConditionError
from nameko.extensions import DependencyProvider

from services.common.config import Settings, settings_from_nameko
from services.common.contracts.envelope import Envelope
from services.common.errors import Conflict
from services.common.instant import Instant, as_utc  # re-exported: services import them here
from services.common.metrics import StoreCommands
from services.common.records import (
    dead_letter_document,
    expire_inbox,
    inbox_document,
    sweep_forever,
)

__all__ = ["Aggregate", "Instant", "StaleWrite", "Store", "as_utc", "retry_on_stale"]

T = TypeVar("T")


class Aggregate(me.Document):
    """A document whose changes imply events and history entries, written with them.

    `history_document` is the document class of the aggregate's own history collection
    (a timeline): entries `note`d here ride in the document (`history_pending`) and the
    relay moves them into that collection, keyed by their id. Change an aggregate
    through `services.common.aggregate.change`, which calls `record`, `note` and `commit`.
    """

    meta = {"abstract": True}
    history_document: ClassVar[type[me.Document] | None] = None
    # The counters' collection of an aggregate that counts (`tally`): services/common/counters.
    tally_document: ClassVar[type[me.Document] | None] = None

    version = me.IntField(default=0)
    outbox = me.ListField(me.DictField())
    history_pending = me.ListField(me.DictField())
    # The relay has work here (events or history entries): the flag it queries by value.
    outbox_pending = me.BooleanField(default=False)
    # Counter differences written with the change, until folded into `tally_document`.
    tally_pending = me.ListField(me.DictField())
    tally_open = me.BooleanField(default=False)  # the repair's flag, queried by value
    _pending_as_read: bool | None = None  # outbox_pending as loaded, once this change flags it

    def tally(self) -> dict[str, dict[str, int]] | None:
        """This aggregate's share of each counter, by counter document (scope); None: it
        counts nothing. The commit frame writes `after - before` with the change."""
        return None

    def record(self, *events: Envelope) -> None:
        """Queue events to be written with this document's next commit."""
        # Reassign (not append) so mongoengine writes the whole list with $set:
        # the embedded store mangles $push of sub-documents.
        self.outbox = list(self.outbox) + [e.to_message() for e in events]
        self._flag_pending()

    def note(self, *entries: me.Document) -> None:
        """Queue history entries (unsaved `history_document`s, ids set) for the next commit."""
        kind = type(self).history_document
        if kind is None:
            raise TypeError(f"{type(self).__name__} declares no history_document")
        rows = []
        for entry in entries:
            if not isinstance(entry, kind) or entry.pk is None:
                raise TypeError(f"a history entry is a {kind.__name__} with its id set")
            row = entry.to_mongo().to_dict()
            row["id"] = row.pop("_id")
            rows.append(row)
        self.history_pending = list(self.history_pending) + rows
        self._flag_pending()

    def _flag_pending(self) -> None:
        if self._pending_as_read is None:
            self._pending_as_read = bool(self.outbox_pending)
        self.outbox_pending = True
        # Write the flag even if it read True: the relay may have cleared it since we
        # read, and mongoengine only $sets fields whose value changed in memory.
        self._mark_as_changed("outbox_pending")

    def commit(self, also: dict[str, Any] | None = None) -> None:
        """Insert, or update only if nobody else wrote since we read (and the fields of
        `also` still hold those values: for fields moved by raw guarded updates beside the
        version, such as a stock); then wake the relay."""
        if self._created:
            self.version = 1
            self.save(force_insert=True)
        else:
            seen = self.version
            self.version = seen + 1
            condition: dict[str, Any] = {**(also or {}), "version": seen}
            if self._pending_as_read:
                # The relay clears what it published without a new version: had it
                # cleared since we read, our $set of the whole outbox would bring those
                # events back and publish them twice. Then this write is stale.
                condition["outbox_pending"] = True
            try:
                self.save(save_condition=condition)
            except SaveConditionError as exc:
                self.version = seen
                raise StaleWrite(
                    f"{type(self).__name__} was changed by someone else; retry") from exc
        self._pending_as_read = None
        if self.outbox or self.history_pending:
            Store.wake(type(self))


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


class Store(DependencyProvider):
    """Connects mongoengine alias `<service>` to the service's own database.

    `documents` are the service's document classes; their indexes are created at start.
    It also keeps the service's inbox and dead letters (`records.py`) and sweeps inbox
    records past their retention on a slow timer.
    """

    def __init__(self, service: str, documents: Iterable[type[me.Document]]) -> None:
        self.alias = service
        self.inbox = inbox_document(service)
        self.dead_letters = dead_letter_document(service)
        self.documents = [*documents, self.inbox, self.dead_letters]
        self.settings: Settings | None = None
        self._holds_connection = False
        self._sweeper: Any = None

    # Containers per alias in this process: replicas of one service started in one
    # process (tests) share the connection, and the last one out closes it.
    _users: ClassVar[collections.Counter[str]] = collections.Counter()
    # Who to wake when an aggregate of a database commits something to relay: the relays
    # of this process register per database alias (a relay on another process polls).
    _wakers: ClassVar[dict[str, list[Callable[[type[Aggregate]], None]]]] = {}

    @classmethod
    def on_commit(cls, alias: str, waker: Callable[[type[Aggregate]], None]) -> None:
        cls._wakers.setdefault(alias, []).append(waker)

    @classmethod
    def off_commit(cls, alias: str, waker: Callable[[type[Aggregate]], None]) -> None:
        wakers = cls._wakers.get(alias, [])
        if waker in wakers:
            wakers.remove(waker)

    @classmethod
    def wake(cls, doc_cls: type[Aggregate]) -> None:
        for waker in list(cls._wakers.get(doc_cls._meta.get("db_alias", ""), ())):
            waker(doc_cls)

    def setup(self) -> None:
        self.settings = settings_from_nameko(self.container.config)
        if not Store._users[self.alias]:
            connect(self.alias, self.settings)
            forget_collections(self.documents)
        Store._users[self.alias] += 1
        self._holds_connection = True
        for doc in self.documents:
            doc.ensure_indexes()
            if issubclass(doc, Aggregate):  # the relay's poll: an equality, not a scan
                doc._get_collection().create_index("outbox_pending")
                if doc.tally_document is not None:
                    doc._get_collection().create_index("tally_open")
        expire_inbox(self.inbox._get_collection(), self.retention_seconds())

    def retention_seconds(self) -> int:
        assert self.settings is not None
        return int(self.settings.inbox_retention_days * 86400)

    def start(self) -> None:
        assert self.settings is not None
        self._sweeper = self.container.spawn_managed_thread(
            lambda: sweep_forever(self.inbox, self.settings), identifier="inbox-sweep")

    def stop(self) -> None:
        if self._sweeper is not None:
            self._sweeper.kill()
            self._sweeper = None
        if not self._holds_connection:
            return
        self._holds_connection = False
        Store._users[self.alias] -= 1
        if Store._users[self.alias] <= 0:
            del Store._users[self.alias]
            me.disconnect(self.alias)
            forget_collections(self.documents)

    def kill(self) -> None:
        self.stop()

    def get_dependency(self, worker_ctx: Any) -> Store:
        return self


def forget_collections(documents: Iterable[type[me.Document]]) -> None:
    """Drop each document class's cached collection (and with it the client it holds).

    `me.disconnect` does this only for the classes in mongoengine's registry, which is keyed
    by class name: a class shadowed by another service's class of the same name (two
    `GridView`s, two `Mark`s in one test process) kept a closed client, and every later use
    failed with "Cannot use MongoClient after close"."""
    for doc in documents:
        doc._collection = None


def connect(alias: str, settings: Settings) -> None:
    me.disconnect(alias)
    me.connect(db=settings.db_name(alias), host=settings.mongo_uri, alias=alias,
               serverSelectionTimeoutMS=5000, uuidRepresentation="standard", tz_aware=True,
               event_listeners=[StoreCommands(alias)])


@contextlib.contextmanager
def borrowed(alias: str, db: str, uri: str) -> Iterator[None]:
    """A service's alias pointed at `uri` for a tool's or a test's few queries, then let go.

    Only while no `Store` of this process holds the alias: mongoengine caches each
    document's collection per alias, so the alias must be gone (and the cache with it)
    before a service's Store connects it again."""
    if Store._users.get(alias):
        raise RuntimeError(f"alias {alias!r} is held by a running service's Store")
    me.disconnect(alias)
    me.connect(db=db, host=uri, alias=alias, tz_aware=True, uuidRepresentation="standard")
    try:
        yield
    finally:
        me.disconnect(alias)
