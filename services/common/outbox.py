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
from pymongo import UpdateOne
from pymongo.errors import BulkWriteError

from services.common import counters, metrics
from services.common.config import settings_from_nameko
from services.common.store import Aggregate, Store

log = logging.getLogger(__name__)

BATCH = 100
CONCURRENCY = 8  # documents relayed at once
DUPLICATE_KEY = 11000


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
        published: dict[type[Aggregate], list[dict[str, Any]]] = {}
        failed = 0
        for doc_cls, doc, count in eventlet.GreenPool(CONCURRENCY).starmap(
                self._publish_safely, pending):
            if count is None:
                failed += 1
                continue
            published.setdefault(doc_cls, []).append(doc)
            backlog -= count
            metrics.OUTBOX_BACKLOG.labels(self.service).set(backlog)
        # Then the batch's store writes, a few commands for all of it instead of two or more
        # per document (each command is parsed in Python on the embedded store).
        for doc_cls, docs in published.items():
            settle(doc_cls, docs)
        if failed:
            raise RuntimeError(f"{failed} of {len(pending)} documents not published")
        return len(pending)

    def _publish(self, doc: dict[str, Any]) -> int:
        events = doc.get("outbox") or []
        for event in events:
            self.publisher.publish(event, exchange=self.exchange, routing_key=event["type"])
            metrics.EVENTS_PUBLISHED.labels(self.service, event["type"]).inc()
        return len(events)

    def _publish_safely(self, doc_cls: type[Aggregate], doc: dict[str, Any]
                        ) -> tuple[type[Aggregate], dict[str, Any], int | None]:
        """A document's events, or None if one failed: the others of the batch still settle
        (this one is published again on the next pass; the consumers' inbox drops copies)."""
        try:
            return doc_cls, doc, self._publish(doc)
        except Exception:
            log.exception("outbox relay: publishing %s %s failed", doc_cls.__name__, doc["_id"])
            return doc_cls, doc, None

    def _relay(self, doc_cls: type[Aggregate], doc: dict[str, Any]) -> int:
        """One document as the relay read it: its events out, then its writes."""
        count = self._publish(doc)
        settle(doc_cls, [doc])
        return count


def settle(doc_cls: type[Aggregate], docs: list[dict[str, Any]]) -> None:
    """After their events were confirmed: move the documents' history entries, then clear
    what was relayed. One bulk write each; the per-document path only after a race."""
    move_history(doc_cls, [e for doc in docs for e in doc.get("history_pending") or []])
    coll = doc_cls._get_collection()
    # Nobody committed since we read: clear everything in one write per document.
    clears = [UpdateOne({"_id": doc["_id"], "version": doc.get("version", {"$exists": False})},
                        {"$set": {"outbox": [], "history_pending": [], "outbox_pending": False}})
              for doc in docs]
    if coll.bulk_write(clears, ordered=False).matched_count == len(docs):
        return
    # Some document was committed again in between (which one, a bulk result does not
    # say): remove only what was relayed, from each, in bulk again; a no-op where the
    # clear went through, so a race costs two commands, not three per document.
    pulls = []
    for doc in docs:
        if events := [e["id"] for e in doc.get("outbox") or []]:
            pulls.append(UpdateOne({"_id": doc["_id"]},
                                   {"$pull": {"outbox": {"id": {"$in": events}}}}))
        if entries := [e["id"] for e in doc.get("history_pending") or []]:
            pulls.append(UpdateOne({"_id": doc["_id"]},
                                   {"$pull": {"history_pending": {"id": {"$in": entries}}}}))
    if pulls:
        coll.bulk_write(pulls, ordered=False)
    # The commit in between may have brought nothing new: then the flag goes too.
    coll.bulk_write([UpdateOne({"_id": doc["_id"], "outbox": {"$size": 0},
                                "history_pending": {"$size": 0}},
                               {"$set": {"outbox_pending": False}}) for doc in docs],
                    ordered=False)


def move_history(doc_cls: type[Aggregate], entries: list[dict[str, Any]]) -> None:
    """Upsert pending history entries into the aggregate's history collection by id
    (insert-only: moving an entry twice leaves the first copy), in one bulk write."""
    kind = doc_cls.history_document
    if kind is None or not entries:
        return
    moves = []
    for row in entries:
        # Through the document class: the store may have kept datetimes as text.
        son = kind._from_son({**{k: v for k, v in row.items() if k != "id"}, "_id": row["id"]})
        fields = son.to_mongo().to_dict()
        moves.append(UpdateOne({"_id": fields.pop("_id")}, {"$setOnInsert": fields},
                               upsert=True))
    try:
        kind._get_collection().bulk_write(moves, ordered=False)
    except BulkWriteError as exc:  # two relays upserting one entry: it is there, fine
        if any(e.get("code") != DUPLICATE_KEY for e in exc.details.get("writeErrors", [])):
            raise
