"""The commit frame against the writers that race it on the real store: the relay clearing
what it published, and a second writer making the same aggregate."""

from __future__ import annotations

import pymongo
import pytest
from mongoengine.errors import NotUniqueError
from nameko.standalone.rpc import ServiceRpcProxy

from services.common.aggregate import change
from services.common.outbox import OutboxRelay
from services.common.rpc import as_caller
from tests.common.echo_service import EchoService, Note, written

ADMIN = {"user_id": "u1", "role": "community_admin", "district_id": "d1", "community_id": "c1"}
# A relay that never wakes on its own: whatever it publishes, the test asked for.
IDLE = {"outbox_wake_on_write": False, "outbox_poll_seconds": 3600}


def _started(container_factory, service_config):
    container = container_factory(
        EchoService, {**service_config, "LINLI": {**service_config["LINLI"], **IDLE}})
    container.start()
    return container


def _notes(service_config, store_uri):
    return pymongo.MongoClient(store_uri)[service_config["LINLI"]["db_prefix"] + "echo"].notes


def _change_after(stale: Note, note_id: str, text: str):
    """A change whose first load is `stale` (read before another writer), later ones fresh."""
    loads = iter([stale])
    return change(lambda: next(loads, None) or Note.objects.get(id=note_id),
                  lambda note, now: written(note, now, text), as_caller(ADMIN))


def test_a_commit_that_read_events_the_relay_has_published_since_does_not_bring_them_back(
        container_factory, service_config, store_uri):
    container = _started(container_factory, service_config)
    notes = _notes(service_config, store_uri)
    with ServiceRpcProxy("echo", service_config) as echo:
        note_id = echo.write_note(ADMIN, "first")
    stale = Note.objects.get(id=note_id)  # read while "first" is still to be published
    relay = next(d for d in container.extensions if isinstance(d, OutboxRelay))
    relay._relay(Note, notes.find_one({"_id": note_id}))  # published and cleared, same version
    done = _change_after(stale, note_id, "second")
    note = notes.find_one({"_id": note_id})
    assert [e["payload"]["text"] for e in note["outbox"]] == ["second"]
    assert [e["id"] for e in note["history_pending"]] == [f"{note_id}:2"]
    assert (note["version"], done.doc.version) == (2, 2)


def test_a_second_writer_making_the_same_aggregate_applies_its_change_on_the_first(
        container_factory, service_config, store_uri):
    _started(container_factory, service_config)
    notes = _notes(service_config, store_uri)
    with ServiceRpcProxy("echo", service_config) as echo:
        note_id = echo.write_note(ADMIN, "first", "n-raced")
    done = _change_after(Note(id=note_id, text="second"), note_id, "second")
    note = notes.find_one({"_id": note_id})
    assert (note["text"], note["version"], done.doc.version) == ("second", 2, 2)
    assert [e["payload"]["text"] for e in note["outbox"]] == ["first", "second"]


def test_a_creation_whose_load_makes_a_new_document_again_keeps_its_not_unique_error(
        container_factory, service_config, store_uri):
    """A caller that creates by a fixed id and handles the duplicate itself (a username, a
    slot) still gets `NotUniqueError`, after the one retry on what is stored."""
    _started(container_factory, service_config)
    with ServiceRpcProxy("echo", service_config) as echo:
        note_id = echo.write_note(ADMIN, "first", "n-taken")
    with pytest.raises(NotUniqueError):
        change(lambda: Note(id=note_id, text="again"),
               lambda note, now: written(note, now, "again"), as_caller(ADMIN))
    note = _notes(service_config, store_uri).find_one({"_id": note_id})
    assert (note["text"], note["version"]) == ("first", 1)
