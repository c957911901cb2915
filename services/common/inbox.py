"""Consuming events: validate the envelope, skip what was applied, record what is.

A handler's own writes must also be idempotent by event id (a conditional state
transition or a unique key on the source event): if the process dies between
the write and the inbox record, the redelivery finds the write already done.
"""

from __future__ import annotations

import contextlib
import functools
import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from mongoengine.errors import NotUniqueError
from nameko.events import SERVICE_POOL, event_handler
from pydantic import ValidationError

from services.common import metrics
from services.common.contracts.envelope import Envelope
from services.common.store import Store

log = logging.getLogger(__name__)


def handles(source: str, event_type: str) -> Callable:
    """Declare `method(self, envelope)` as the handler of `source`'s `event_type` events.

    The service must declare a `Store` dependency named `store`. Malformed
    envelopes are logged and counted, not retried; other failures are requeued.
    """

    def decorate(fn: Callable[[Any, Envelope], None]) -> Callable:
        handler_id = fn.__name__

        @event_handler(source, event_type, handler_type=SERVICE_POOL,
                       reliable_delivery=True, requeue_on_error=True)
        @functools.wraps(fn)
        def entrypoint(self: Any, body: dict[str, Any]) -> None:
            service = self.name
            try:
                envelope = Envelope.model_validate(body)
            except ValidationError as exc:
                log.error("dropping malformed %s event: %s", event_type, exc)
                metrics.EVENTS_CONSUMED.labels(service, event_type, "malformed").inc()
                return
            store: Store = self.store
            if store.inbox.objects(id=f"{handler_id}:{envelope.id}").first() is not None:
                metrics.EVENTS_CONSUMED.labels(service, event_type, "duplicate").inc()
                return
            fn(self, envelope)
            with contextlib.suppress(NotUniqueError):  # a concurrent redelivery finished first
                store.inbox(id=f"{handler_id}:{envelope.id}", event_type=envelope.type,
                            processed_at=datetime.now(UTC)).save(force_insert=True)
            metrics.EVENTS_CONSUMED.labels(service, event_type, "applied").inc()

        return entrypoint

    return decorate
