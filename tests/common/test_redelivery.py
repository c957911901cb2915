"""A republished event is applied once (the relay died after publishing, before clearing).

The SIGKILL-between-write-and-publish proof runs on intake: tests/intake/test_crash_recovery.py.
"""

from __future__ import annotations

import pymongo
import pytest
from nameko.standalone.rpc import ServiceRpcProxy

from deploy.waits import wait_until
from services.common.metrics import EVENTS_CONSUMED
from tests.common.echo_service import SinkService

ADMIN = {"user_id": "u1", "role": "community_admin", "district_id": "d1", "community_id": "c1"}


@pytest.fixture
def sink(container_factory, service_config):
    container = container_factory(SinkService, service_config)
    container.start()
    return container


def _receipts(config) -> list[dict]:
    with ServiceRpcProxy("echo_sink", config) as proxy:
        return proxy.receipts()


def test_an_event_published_twice_is_applied_once(sink, container_factory, service_config,
                                                  store_uri):
    """A crash after the publish but before the outbox is cleared republishes the event."""
    from tests.common.echo_service import EchoService

    echo_container = container_factory(EchoService, service_config)
    echo_container.start()
    with ServiceRpcProxy("echo", service_config) as echo:
        note_id = echo.write_note(ADMIN, "bench broken")
    def receipts_of_note() -> list[dict]:
        return [r for r in _receipts(service_config) if r["note_id"] == note_id]

    assert wait_until(lambda: bool(receipts_of_note()), timeout=10, every=0.1)
    first = receipts_of_note()

    notes = pymongo.MongoClient(store_uri)[service_config["LINLI"]["db_prefix"] + "echo"]["notes"]
    event = {"id": first[0]["event_id"], "type": "note.written"}
    published = next(iter(notes.find({"text": "bench broken"})))
    # Put the already-published event back, as if the relay died before removing it.
    replay = {**event, "version": 1, "occurred_at": "2026-01-01T00:00:00Z",
              "community_id": None, "correlation_id": None,
              "actor": {"user_id": "u1", "role": "community_admin"},
              "payload": {"note_id": note_id, "text": "bench broken"}}
    duplicates = EVENTS_CONSUMED.labels("echo_sink", "note.written", "duplicate")
    before = duplicates._value.get()
    notes.update_one({"_id": published["_id"]},
                     {"$set": {"outbox": [replay], "outbox_pending": True}})
    assert wait_until(lambda: duplicates._value.get() == before + 1, timeout=10, every=0.1)
    assert notes.find_one({"_id": published["_id"]})["outbox"] == []
    assert len([r for r in _receipts(service_config) if r["note_id"] == note_id]) == 1
