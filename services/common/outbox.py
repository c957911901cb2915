"""The outbox relay: publishes the events aggregates stored with their writes.

At-least-once: an event is removed from its document only after the broker
confirmed it, so a crash between the two republishes it and the consumers'
inbox (see `inbox.py`) drops the copy.
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

from services.common import metrics
from services.common.config import settings_from_nameko
from services.common.store import Aggregate, Store

log = logging.getLogger(__name__)

BATCH = 100


class OutboxRelay(DependencyProvider):
    """Runs beside the service's `Store`; wakes after every worker and on a poll."""

    def setup(self) -> None:
        config = self.container.config
        self.settings = settings_from_nameko(config)
        self.service = self.container.service_name
        self.exchange = get_event_exchange(self.service, config)
        self.publisher = Publisher(config["AMQP_URI"], declare=[self.exchange],
                                   delivery_mode=PERSISTENT, use_confirms=True)
        self._wake = Event()
        self._stopping = False
        self._thread: Any = None

    def start(self) -> None:
        self._thread = self.container.spawn_managed_thread(self._run, identifier="outbox-relay")

    def stop(self) -> None:
        self._stopping = True
        self._poke()
        if self._thread is not None:
            self._thread.wait()

    def kill(self) -> None:
        self._stopping = True
        if self._thread is not None:
            self._thread.kill()

    def worker_result(self, worker_ctx: Any, result: Any = None, exc_info: Any = None) -> None:
        if self.settings.outbox_wake_on_write:
            self._poke()

    def get_dependency(self, worker_ctx: Any) -> OutboxRelay:
        return self

    def _poke(self) -> None:
        if not self._wake.ready():
            self._wake.send(True)

    def _aggregates(self) -> list[type[Aggregate]]:
        stores = [d for d in self.container.dependencies if isinstance(d, Store)]
        return [doc for s in stores for doc in s.documents if issubclass(doc, Aggregate)]

    def _run(self) -> None:
        while not self._stopping:
            try:
                self.flush()
            except Exception:  # broker or store down: keep the events, try again
                log.exception("outbox relay failed; retrying")
                eventlet.sleep(1.0)
            with eventlet.Timeout(self.settings.outbox_poll_seconds, False):
                self._wake.wait()
            self._wake = Event()

    def flush(self) -> int:
        """Publish every pending event once; return how many were published."""
        pending = []
        for doc_cls in self._aggregates():
            coll = doc_cls._get_collection()
            pending += [(coll, doc) for doc in
                        coll.find({"outbox_pending": True}, {"outbox": 1}).limit(BATCH)]
        backlog = sum(len(doc.get("outbox") or []) for _, doc in pending)
        metrics.OUTBOX_BACKLOG.labels(self.service).set(backlog)
        published = 0
        for coll, doc in pending:
            events = doc.get("outbox") or []
            for event in events:
                self.publisher.publish(event, exchange=self.exchange, routing_key=event["type"])
                metrics.EVENTS_PUBLISHED.labels(self.service, event["type"]).inc()
            ids = [e["id"] for e in events]
            coll.update_one({"_id": doc["_id"]}, {"$pull": {"outbox": {"id": {"$in": ids}}}})
            coll.update_one({"_id": doc["_id"], "outbox": {"$size": 0}},
                            {"$set": {"outbox_pending": False}})
            published += len(events)
            metrics.OUTBOX_BACKLOG.labels(self.service).set(backlog - published)
        return published
