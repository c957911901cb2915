"""Processed-event records expire: a TTL index for MongoDB, a bounded sweep for the store."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime

import mongoengine as me
import pymongo
import pytest
from nameko.standalone.events import event_dispatcher
from nameko.testing.services import entrypoint_waiter

from deploy.waits import wait_until
from services.common.records import expire_inbox, inbox_document, sweep_inbox
from tests.common.echo_service import SinkService

ALIAS = "retention_probe"


@pytest.fixture
def inbox(store_uri: str) -> Iterator[type[me.Document]]:
    name = f"ret_{uuid.uuid4().hex[:10]}"
    me.connect(db=name, host=store_uri, alias=ALIAS, uuidRepresentation="standard",
               tz_aware=True)
    doc = inbox_document(ALIAS)
    doc.ensure_indexes()
    yield doc
    me.get_connection(ALIAS).drop_database(name)
    me.disconnect(ALIAS)


def _fill(inbox: type[me.Document], stamps: list[float]) -> None:
    inbox._get_collection().insert_many([
        {"_id": f"h:{i}", "event_type": "note.written",
         "processed_at": datetime.fromtimestamp(ts, UTC), "processed_ts": ts}
        for i, ts in enumerate(stamps)])


def test_the_sweep_deletes_the_oldest_past_retention_a_bounded_batch_at_a_time(inbox):
    now = time.time()
    _fill(inbox, [now - 100 + i for i in range(10)] + [now + i for i in range(3)])
    assert sweep_inbox(inbox, now - 50, batch=3, batches=2) == 6
    left = sorted(d["processed_ts"] for d in inbox._get_collection().find())
    assert left == [now - 94 + i for i in range(4)] + [now + i for i in range(3)]
    assert sweep_inbox(inbox, now - 50, batch=3, batches=5) == 4
    assert sweep_inbox(inbox, now - 50, batch=3, batches=5) == 0
    assert inbox._get_collection().count_documents({}) == 3  # the recent ones stay


def test_the_inbox_declares_a_ttl_index_on_processed_at(inbox):
    coll = inbox._get_collection()
    expire_inbox(coll, 86400)
    ttl = [i for i in coll.index_information().values()
           if i["key"] == [("processed_at", 1)]]
    assert ttl and ttl[0].get("expireAfterSeconds") == 86400


def test_a_service_forgets_applied_events_past_its_retention(container_factory,
                                                             service_config, store_uri):
    config = {**service_config, "LINLI": {**service_config["LINLI"],
                                          "inbox_retention_days": 1.0 / 86400,  # one second
                                          "inbox_sweep_seconds": 0.2}}
    sink = container_factory(SinkService, config)
    sink.start()
    body = {"id": "e-old", "type": "note.written", "version": 1,
            "occurred_at": "2026-03-01T08:30:00Z",
            "actor": {"user_id": "u1", "role": "community_admin"},
            "payload": {"note_id": "n1", "text": "lift broken"}}
    with entrypoint_waiter(sink, "on_note_written", timeout=10):
        event_dispatcher(service_config)("echo", "note.written", body)
    db = pymongo.MongoClient(store_uri)[service_config["LINLI"]["db_prefix"] + "echo_sink"]
    record = db.processed_events.find_one({"_id": "on_note_written:e-old"})
    assert record is not None and isinstance(record["processed_ts"], float)
    assert wait_until(lambda: db.processed_events.count_documents({}) == 0, timeout=10,
                      every=0.1)
