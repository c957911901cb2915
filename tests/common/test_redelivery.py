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


def test_an_event_the_handler_ignores_leaves_no_inbox_record(sink, container_factory,
                                                             service_config, store_uri):
    """`handles(..., when=...)`: a refused event costs no store command and does nothing."""
    from tests.common.echo_service import EchoService

    container_factory(EchoService, service_config).start()
    ignored = EVENTS_CONSUMED.labels("echo_sink", "note.written", "ignored")
    before = ignored._value.get()
    with ServiceRpcProxy("echo", service_config) as echo:
        draft_id = echo.write_note(ADMIN, "(draft) bench")
        note_id = echo.write_note(ADMIN, "bench broken")
    assert wait_until(lambda: any(r["note_id"] == note_id for r in _receipts(service_config)),
                      timeout=10, every=0.1)
    assert wait_until(lambda: ignored._value.get() == before + 1, timeout=10, every=0.1)
    assert [r for r in _receipts(service_config) if r["note_id"] == draft_id] == []
    inbox = pymongo.MongoClient(store_uri)[
        service_config["LINLI"]["db_prefix"] + "echo_sink"]["processed_events"]
    assert [d["_id"].split(":")[0] for d in inbox.find()] == ["on_note_written"]
