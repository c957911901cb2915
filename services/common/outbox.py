"""The outbox relay: publishes the events aggregates stored with their writes, and moves
the history entries they noted into each aggregate's history collection.

At-least-once: an event is removed from its document only after the broker
confirmed it, and a history entry only after it was upserted by its id, so a
crash between the two republishes the event (the consumers' inbox, `inbox.py`,
drops the copy) or rewrites the entry (a no-op).

It wakes when an aggregate of its service commits something to relay (`Store.wake`,
in this process) and otherwise polls every `outbox_poll_seconds`, the safety net for
what another process or a crash left behind.
"""

from __future__ import annotations

import logging
from typing import Any

import eventlet
from eventlet.event import Event
from nameko.amqp.publish import Publisher
from nameko.constants import PERSISTENT
from nameko.extensions import DependencyProvider
from nameko.standalone.events import get_event_exchange

from services.common import counters, metrics
from services.common.config import settings_from_nameko
from services.common.store import Aggregate, Store

log = logging.getLogger(__name__)

BATCH = 100
CONCURRENCY = 8  # documents relayed at once


class OutboxRelay(DependencyProvider):
    """Runs beside the service's `Store`; wakes on a commit with pending work, and on a poll."""

    def setup(self) -> None:
        config = self.container.config
        self.settings = settings_from_nameko(config)
        self.service = self.container.service_name
        self.exchange = get_event_exchange(self.service, config)
        self.publisher = Publisher(config["AMQP_URI"], declare=[self.exchange],
                                   delivery_mode=PERSISTENT, use_confirms=True)
        self._wake = Event()
        self._dirty: set[type[Aggregate]] = set()
        self._stopping = False
        self._thread: Any = None
        if self.settings.outbox_wake_on_write:
            for alias in self._aliases():
                Store.on_commit(alias, self._committed)

    def start(self) -> None:
        self._thread = self.container.spawn_managed_thread(self._run, identifier="outbox-relay")

    def stop(self) -> None:
        self._unregister()
        self._stopping = True
        self._poke()
        if self._thread is not None:
            self._thread.wait()

    def kill(self) -> None:
        self._unregister()
        self._stopping = True
        if self._thread is not None:
            self._thread.kill()

    def get_dependency(self, worker_ctx: Any) -> OutboxRelay:
        return self

    def _unregister(self) -> None:
        for alias in self._aliases():
            Store.off_commit(alias, self._committed)

    def _committed(self, doc_cls: type[Aggregate]) -> None:
        if doc_cls in self._aggregates():
            self._dirty.add(doc_cls)
            self._poke()

    def _poke(self) -> None:
        if not self._wake.ready():
            self._wake.send(True)

    def _stores(self) -> list[Store]:
        return [d for d in self.container.dependencies if isinstance(d, Store)]

    def _aliases(self) -> list[str]:
        return [s.alias for s in self._stores()]

    def _aggregates(self) -> list[type[Aggregate]]:
        return [doc for s in self._stores() for doc in s.documents if issubclass(doc, Aggregate)]

    def _run(self) -> None:
        kinds: list[type[Aggregate]] | None = None  # the first pass looks everywhere
        while not self._stopping:
            try:
                if kinds is None:  # the poll: counters a crashed writer left (counters.py)
                    for doc_cls in self._aggregates():
                        counters.repair(doc_cls, self.settings.counter_grace_seconds)
                if self.flush(kinds) >= BATCH:
                    continue  # a full batch: there may be more of the same
            except Exception:  # broker or store down: keep the events, try again
                log.exception("outbox relay failed; retrying")
                eventlet.sleep(1.0)
            woken = False
            with eventlet.Timeout(self.settings.outbox_poll_seconds, False):
                woken = self._wake.wait()
            self._wake = Event()
            # Woken by a commit: only the collections that committed; on the poll: all.
            kinds = self._take_dirty() if woken else None

    def _take_dirty(self) -> list[type[Aggregate]]:
        dirty, self._dirty = self._dirty, set()
        return list(dirty)

    def flush(self, kinds: list[type[Aggregate]] | None = None) -> int:
        """Relay every pending document of `kinds` (default: all) once; return how many."""
        pending = []
        for doc_cls in self._aggregates() if kinds is None else kinds:
            coll = doc_cls._get_collection()
            pending += [(doc_cls, doc) for doc in coll.find(
                {"outbox_pending": True},
                {"outbox": 1, "history_pending": 1, "version": 1}).limit(BATCH)]
        backlog = sum(len(doc.get("outbox") or []) for _, doc in pending)
        metrics.OUTBOX_BACKLOG.labels(self.service).set(backlog)
        # Documents in parallel, each one's events in order: a confirmed publish and the
        # store's round trips are waits, and one document at a time left the relay, not
        # the broker or the store, the limit of the whole event path (docs/performance.md).
        for published in eventlet.GreenPool(CONCURRENCY).starmap(self._relay, pending):
            backlog -= published
            metrics.OUTBOX_BACKLOG.labels(self.service).set(backlog)
        return len(pending)

    def _relay(self, doc_cls: type[Aggregate], doc: dict[str, Any]) -> int:
        coll = doc_cls._get_collection()
        events = doc.get("outbox") or []
        for event in events:
            self.publisher.publish(event, exchange=self.exchange, routing_key=event["type"])
            metrics.EVENTS_PUBLISHED.labels(self.service, event["type"]).inc()
        entries = doc.get("history_pending") or []
        move_history(doc_cls, entries)
        # Nobody committed since we read: clear everything in one write. Otherwise remove
        # only what was relayed; the flag stays if the commit brought more.
        seen = doc.get("version", {"$exists": False})
        cleared = coll.update_one(
            {"_id": doc["_id"], "version": seen},
            {"$set": {"outbox": [], "history_pending": [], "outbox_pending": False}})
        if not cleared.matched_count:
            if events:
                coll.update_one({"_id": doc["_id"]},
                                {"$pull": {"outbox": {"id": {"$in": [e["id"] for e in events]}}}})
            if entries:
                coll.update_one({"_id": doc["_id"]}, {"$pull": {"history_pending": {
                    "id": {"$in": [e["id"] for e in entries]}}}})
            # The commit in between may have brought nothing new: then the flag goes too.
            coll.update_one({"_id": doc["_id"], "outbox": {"$size": 0},
                             "history_pending": {"$size": 0}}, {"$set": {"outbox_pending": False}})
        return len(events)


def move_history(doc_cls: type[Aggregate], entries: list[dict[str, Any]]) -> None:
    """Upsert pending history entries into the aggregate's history collection by id
    (insert-only: moving an entry twice leaves the first copy)."""
    kind = doc_cls.history_document
    if kind is None or not entries:
        return
    coll = kind._get_collection()
    for row in entries:
        # Through the document class: the store may have kept datetimes as text.
        son = kind._from_son({**{k: v for k, v in row.items() if k != "id"}, "_id": row["id"]})
        fields = son.to_mongo().to_dict()
        coll.update_one({"_id": fields.pop("_id")}, {"$setOnInsert": fields}, upsert=True)
