"""History entries ride in the aggregate's commit and the relay moves them, on the real store.

A crash between the state change and its timeline entry cannot lose the entry: the
entry is in the same single-document write as the change.
"""

from __future__ import annotations

import pymongo
from nameko.standalone.rpc import ServiceRpcProxy

from deploy.waits import wait_until
from services.common.outbox import OutboxRelay, move_history
from tests.common.echo_service import EchoService, Note

ADMIN = {"user_id": "u1", "role": "community_admin", "district_id": "d1", "community_id": "c1"}
# A relay that never wakes on its own: whatever it publishes, the test asked for.
IDLE = {"outbox_wake_on_write": False, "outbox_poll_seconds": 3600}


def _db(service_config, store_uri):
    return pymongo.MongoClient(store_uri)[service_config["LINLI"]["db_prefix"] + "echo"]


def _config(service_config, **linli):
    return {**service_config, "LINLI": {**service_config["LINLI"], **linli}}


def _relay(container) -> OutboxRelay:
    return next(d for d in container.extensions if isinstance(d, OutboxRelay))


def test_the_relay_moves_each_history_line_into_its_collection(container_factory,
                                                               service_config, store_uri):
    container_factory(EchoService, service_config).start()
    db = _db(service_config, store_uri)
    with ServiceRpcProxy("echo", service_config) as echo:
        note_id = echo.write_note(ADMIN, "lift broken")
        echo.write_note(ADMIN, "lift repaired", note_id)
        assert wait_until(lambda: db.note_lines.count_documents({"note_id": note_id}) == 2,
                          timeout=10, every=0.1)
        assert wait_until(lambda: not db.notes.find_one({"_id": note_id})["outbox_pending"],
                          timeout=5, every=0.1)
        assert echo.history(note_id) == ["lift broken", "lift repaired"]
    note = db.notes.find_one({"_id": note_id})
    assert (note["outbox"], note["history_pending"], note["version"]) == ([], [], 2)
    assert sorted(d["_id"] for d in db.note_lines.find()) == [f"{note_id}:1", f"{note_id}:2"]


def test_a_line_left_pending_by_a_crash_is_read_and_then_moved_after_restart(
        container_factory, service_config, store_uri):
    crashing = container_factory(EchoService, _config(service_config, **IDLE))
    crashing.start()
    db = _db(service_config, store_uri)
    with ServiceRpcProxy("echo", service_config) as echo:
        note_id = echo.write_note(ADMIN, "bench broken")
        assert db.note_lines.count_documents({}) == 0  # not moved yet
        assert echo.history(note_id) == ["bench broken"]  # yet the history has it
    crashing.kill()
    container_factory(EchoService, service_config).start()
    assert wait_until(lambda: db.note_lines.count_documents({"note_id": note_id}) == 1,
                      timeout=10, every=0.1)
    assert db.note_lines.find_one({"_id": f"{note_id}:1"})["text"] == "bench broken"


def test_a_commit_racing_the_relay_keeps_its_new_line_pending(container_factory,
                                                              service_config, store_uri):
    container = container_factory(EchoService, _config(service_config, **IDLE))
    container.start()
    db = _db(service_config, store_uri)
    with ServiceRpcProxy("echo", service_config) as echo:
        note_id = echo.write_note(ADMIN, "first")
        seen = db.notes.find_one({"_id": note_id})  # what the relay read ...
        echo.write_note(ADMIN, "second", note_id)  # ... before this commit landed
    _relay(container)._relay(Note, seen)
    note = db.notes.find_one({"_id": note_id})
    assert [e["id"] for e in note["history_pending"]] == [f"{note_id}:2"]
    assert [e["payload"]["text"] for e in note["outbox"]] == ["second"]
    assert bool(note["outbox_pending"]) is True
    assert [d["_id"] for d in db.note_lines.find()] == [f"{note_id}:1"]


def test_moving_a_line_twice_keeps_the_first_copy(container_factory, service_config,
                                                  store_uri):
    container_factory(EchoService, _config(service_config, **IDLE)).start()
    row = {"id": "n9:1", "note_id": "n9", "at": "2026-03-01 08:30:00", "text": "once"}
    move_history(Note, [row])
    move_history(Note, [{**row, "text": "twice"}])
    lines = list(_db(service_config, store_uri).note_lines.find())
    assert [(d["_id"], d["text"]) for d in lines] == [("n9:1", "once")]


def test_a_racing_commit_that_brought_nothing_new_leaves_no_flag_behind(
        container_factory, service_config, store_uri):
    container = container_factory(EchoService, _config(service_config, **IDLE))
    container.start()
    db = _db(service_config, store_uri)
    with ServiceRpcProxy("echo", service_config) as echo:
        note_id = echo.write_note(ADMIN, "first")
    seen = db.notes.find_one({"_id": note_id})
    db.notes.update_one({"_id": note_id}, {"$inc": {"version": 1}})  # a change, no events
    _relay(container)._relay(Note, seen)
    note = db.notes.find_one({"_id": note_id})
    assert (note["outbox"], note["history_pending"], bool(note["outbox_pending"])) == (
        [], [], False)


def test_a_document_written_before_versions_is_cleared_too(container_factory,
                                                           service_config, store_uri):
    container = container_factory(EchoService, _config(service_config, **IDLE))
    container.start()
    db = _db(service_config, store_uri)
    row = {"id": "old:1", "note_id": "old", "at": "2026-03-01 08:30:00", "text": "legacy"}
    db.notes.insert_one({"_id": "old", "text": "legacy", "outbox": [],
                         "history_pending": [row], "outbox_pending": True})
    _relay(container).flush([Note])
    note = db.notes.find_one({"_id": "old"})
    assert (note["history_pending"], bool(note["outbox_pending"])) == ([], False)
    assert db.note_lines.find_one({"_id": "old:1"})["text"] == "legacy"
