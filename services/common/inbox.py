"""Consuming events: validate the envelope, skip what was applied, record what is, and
keep what cannot be parsed.

A handler's own writes must also be idempotent by event id (a conditional state
transition or a unique key on the source event): if the process dies between
the write and the inbox record, the redelivery finds the write already done.

An event that cannot be parsed (not an envelope, a type@version no contract declares,
a payload that breaks its contract) is stored in the service's `dead_letters`
collection with the reason and counted in `linli_events_dead_lettered_total`, then
acknowledged: a redelivery would fail the same way, and nothing is lost.
"""

from __future__ import annotations

import contextlib
import functools
import json
import logging
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from nameko.events import SERVICE_POOL, event_handler
from pydantic import ValidationError
from pymongo.errors import DuplicateKeyError

from services.common import metrics
from services.common.contracts.envelope import Envelope, EnvelopeFields, payload_model
from services.common.store import Store

log = logging.getLogger(__name__)


def handles(source: str, event_type: str,
            when: Callable[[Envelope], bool] | None = None,
            idempotent: bool = False) -> Callable:
    """Declare `method(self, envelope)` as the handler of `source`'s `event_type` events.

    The service must declare a `Store` dependency named `store`. Unparseable events
    are dead-lettered, not retried; failures of the handler itself are requeued.

    `when`: a pure test of the envelope; an event it refuses is acknowledged as `ignored`
    without touching the inbox (a handler that would do nothing needs no record of having
    done it, and the inbox's read and write are two store commands per delivery).

    `idempotent=True`: the handler's own write already dedupes by the event (a unique key
    it looks up first, or a transition through `change` that remembers the event's id), as
    every handler's must; for one that is proved so on redeliveries, the inbox is skipped
    altogether (its two commands per delivery were a third of some handlers' cost).
    """

    def decorate(fn: Callable[[Any, Envelope], None]) -> Callable:
        handler_id = fn.__name__

        @event_handler(source, event_type, handler_type=SERVICE_POOL,
                       reliable_delivery=True, requeue_on_error=True)
        @functools.wraps(fn)
        def entrypoint(self: Any, body: Any) -> None:
            service, store = self.name, self.store
            try:
                envelope = Envelope.model_validate(body)
            except ValidationError as exc:
                dead_letter(store, service, handler_id, event_type, body, exc)
                return
            if when is not None and not when(envelope):
                metrics.EVENTS_CONSUMED.labels(service, event_type, "ignored").inc()
                return
            if idempotent:
                fn(self, envelope)
                metrics.EVENTS_CONSUMED.labels(service, event_type, "applied").inc()
                return
            key = f"{handler_id}:{envelope.id}"
            inbox = store.inbox._get_collection()  # raw: two ops on every delivery
            if inbox.find_one({"_id": key}, {"_id": 1}) is not None:
                metrics.EVENTS_CONSUMED.labels(service, event_type, "duplicate").inc()
                return
            fn(self, envelope)
            now = datetime.now(UTC)
            with contextlib.suppress(DuplicateKeyError):  # a concurrent redelivery finished first
                inbox.insert_one({"_id": key, "event_type": envelope.type, "processed_at": now,
                                  "processed_ts": now.timestamp()})
            metrics.EVENTS_CONSUMED.labels(service, event_type, "applied").inc()

        return entrypoint

    return decorate


def why_unparseable(body: Any) -> str:
    """bad_envelope, unknown_type or bad_payload: which part of the message is at fault."""
    try:
        fields = EnvelopeFields.model_validate(body)
    except ValidationError:
        return "bad_envelope"
    return "unknown_type" if payload_model(fields.type, fields.version) is None else "bad_payload"


def dead_letter(store: Store, service: str, handler: str, event_type: str, body: Any,
                exc: ValidationError) -> None:
    """Keep the message as received, with why; counted by service, subscribed type and reason."""
    reason = why_unparseable(body)
    event_id = body.get("id") if isinstance(body, dict) else None
    key = f"{handler}:{event_id}" if isinstance(event_id, str) else f"{handler}:{uuid.uuid4().hex}"
    store.dead_letters._get_collection().update_one({"_id": key}, {"$setOnInsert": {
        "handler": handler, "event_type": event_type, "reason": reason,
        "detail": str(exc)[:2000], "body": json.dumps(body, default=str, ensure_ascii=False),
        "received_ts": time.time()}}, upsert=True)
    log.warning("dead-lettered a %s event for %s (%s): %s", event_type, handler, reason,
                exc.errors()[0].get("msg") if exc.errors() else exc)
    metrics.EVENTS_DEAD_LETTERED.labels(service, event_type, reason).inc()
    metrics.EVENTS_CONSUMED.labels(service, event_type, "malformed").inc()
