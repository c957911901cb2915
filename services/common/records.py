"""A service's delivery records: the inbox (events its handlers applied) and the dead
letters (events that could not be parsed), one collection each in its own database.

Inbox records expire after `inbox_retention_days`: MongoDB drops them by the TTL index
on `processed_at`; the embedded store never expires anything, so `sweep_inbox` deletes
the oldest by the indexed float `processed_ts`, a bounded batch at a time.

Measured on this 2-core machine under load (`python -m tests.common.probe_inbox_sweep`):
at 20k and at 100k records, a run with nothing to expire costs 5-40 ms; finding the 500
oldest costs 30-160 ms and deleting them by range 5-30 ms. Deleting them one by one by
`_id` costs 4-19 ms each. With the defaults (500 × 10 batches every 10 minutes) the sweep
costs under 2 s of store time per run while it catches up, and one quiet query otherwise.
"""

from __future__ import annotations

import functools
import logging
import time

import eventlet
import mongoengine as me
from pymongo.collection import Collection
from pymongo.errors import OperationFailure

from services.common.config import Settings

log = logging.getLogger(__name__)


@functools.cache
def inbox_document(alias: str) -> type[me.Document]:
    """The service's inbox: ids of events its handlers applied (a redelivery is a no-op)."""
    return type(f"{alias.title()}ProcessedEvent", (me.Document,), {
        "meta": {"db_alias": alias, "collection": "processed_events",
                 "indexes": ["processed_ts"]},
        "id": me.StringField(primary_key=True),  # "<handler>:<event id>"
        "event_type": me.StringField(required=True),
        "processed_at": me.DateTimeField(required=True),  # the TTL index's field (MongoDB)
        "processed_ts": me.FloatField(),  # epoch seconds: what the sweep ranges over
    })


@functools.cache
def dead_letter_document(alias: str) -> type[me.Document]:
    """Events a handler of the service could not parse, kept as received for a person to read."""
    return type(f"{alias.title()}DeadLetter", (me.Document,), {
        "meta": {"db_alias": alias, "collection": "dead_letters", "indexes": ["received_ts"]},
        "id": me.StringField(primary_key=True),  # "<handler>:<event id>" (or a fresh id)
        "handler": me.StringField(required=True),
        "event_type": me.StringField(required=True),  # the type the handler subscribed to
        "reason": me.StringField(required=True),  # bad_envelope | unknown_type | bad_payload
        "detail": me.StringField(),
        "body": me.StringField(required=True),  # the message as JSON text, whatever it was
        "received_ts": me.FloatField(required=True),
    })


def expire_inbox(coll: Collection, seconds: int) -> None:
    """The TTL index on `processed_at` (MongoDB expires by it), adjusted if retention changed."""
    try:
        coll.create_index("processed_at", expireAfterSeconds=seconds)
    except OperationFailure:  # an index with another expiry exists
        try:
            coll.database.command("collMod", coll.name, index={
                "keyPattern": {"processed_at": 1}, "expireAfterSeconds": seconds})
        except OperationFailure as exc:
            log.warning("inbox TTL left as it was: %s", exc)


def sweep_inbox(inbox: type[me.Document], before_ts: float, batch: int, batches: int) -> int:
    """Delete inbox records processed before `before_ts`, oldest first, at most about
    `batch` × `batches` of them; return how many.

    Each batch is a range on the one indexed float sorted by itself with a limit, then a
    delete by the same range (the fast shapes, docs/store.md): its cost does not grow
    with the size of the inbox.
    """
    coll = inbox._get_collection()
    deleted = 0
    for _ in range(batches):
        oldest = list(coll.find({"processed_ts": {"$lt": before_ts}}, {"processed_ts": 1})
                      .sort("processed_ts", 1).limit(batch))
        if not oldest:
            break
        deleted += coll.delete_many(
            {"processed_ts": {"$lte": oldest[-1]["processed_ts"]}}).deleted_count
        if len(oldest) < batch:
            break
    return deleted


def sweep_forever(inbox: type[me.Document], settings: Settings) -> None:
    """The Store's slow timer: one bounded sweep every `inbox_sweep_seconds`."""
    retention = settings.inbox_retention_days * 86400
    while True:
        try:
            swept = sweep_inbox(inbox, time.time() - retention, settings.inbox_sweep_batch,
                                settings.inbox_sweep_batches)
            if swept:
                log.info("inbox sweep: %d records past retention deleted", swept)
        except Exception:  # the store is down: the next run catches up
            log.exception("inbox sweep failed")
        eventlet.sleep(settings.inbox_sweep_seconds)
