"""An event a consumer cannot parse is kept in its dead letters and counted, not dropped."""

from __future__ import annotations

import json

import pymongo
import pytest
from nameko.standalone.events import event_dispatcher
from nameko.testing.services import entrypoint_waiter

from services.common.metrics import EVENTS_DEAD_LETTERED
from tests.common.echo_service import SinkService

ACTOR = {"user_id": "u1", "role": "community_admin"}


def _envelope(event_id: str, **fields) -> dict:
    return {"id": event_id, "type": "note.written", "version": 1,
            "occurred_at": "2026-03-01T08:30:00Z", "actor": ACTOR,
            "payload": {"note_id": "n1", "text": "lift broken"}, **fields}


CASES = [
    # a producer ahead of its consumer: a version no contract of the consumer declares
    ("unknown_type", _envelope("e-unknown", version=2)),
    ("unknown_type", _envelope("e-stranger", type="note.erased")),
    ("bad_payload", _envelope("e-payload", payload={"note_id": 5})),
    ("bad_envelope", {"id": "e-envelope", "hello": "not an envelope"}),
]


@pytest.mark.parametrize(("reason", "body"), CASES, ids=[b["id"] for _, b in CASES])
def test_an_unparseable_event_is_dead_lettered_with_its_reason_and_counted(
        container_factory, service_config, store_uri, reason, body):
    sink = container_factory(SinkService, service_config)
    sink.start()
    counter = EVENTS_DEAD_LETTERED.labels("echo_sink", "note.written", reason)
    before = counter._value.get()
    with entrypoint_waiter(sink, "on_note_written", timeout=10):
        event_dispatcher(service_config)("echo", "note.written", body)
    db = pymongo.MongoClient(store_uri)[service_config["LINLI"]["db_prefix"] + "echo_sink"]
    letter = db.dead_letters.find_one({"_id": f"on_note_written:{body['id']}"})
    assert letter is not None
    assert (letter["handler"], letter["event_type"], letter["reason"]) == (
        "on_note_written", "note.written", reason)
    assert json.loads(letter["body"]) == body
    assert isinstance(letter["received_ts"], float)
    assert counter._value.get() == before + 1
    assert db.receipts.count_documents({}) == 0  # and the handler never ran on it


def test_a_well_formed_event_is_applied_and_not_dead_lettered(container_factory,
                                                              service_config, store_uri):
    sink = container_factory(SinkService, service_config)
    sink.start()
    with entrypoint_waiter(sink, "on_note_written", timeout=10):
        event_dispatcher(service_config)("echo", "note.written", _envelope("e-good"))
    db = pymongo.MongoClient(store_uri)[service_config["LINLI"]["db_prefix"] + "echo_sink"]
    assert db.dead_letters.count_documents({}) == 0
    assert [r["event_id"] for r in db.receipts.find()] == ["e-good"]


def test_dispatch_keeps_an_issue_triaged_it_cannot_parse_and_makes_no_order(
        container_factory, service_config, store_uri):
    """The must-show on a real service: dispatch receives intake's event of a version it
    does not know, and one whose payload breaks the contract."""
    from services.dispatch.service import DispatchService

    dispatch = container_factory(DispatchService, service_config)
    dispatch.start()
    bodies = {
        "unknown_type": {**_envelope("e-v9", version=9, type="issue.triaged"),
                         "payload": {"issue_id": "i-1"}},
        "bad_payload": {**_envelope("e-broken", type="issue.triaged"),
                        "payload": {"issue_id": "i-2", "urgency": "whenever"}},
    }
    counters = {reason: EVENTS_DEAD_LETTERED.labels("dispatch", "issue.triaged", reason)
                for reason in bodies}
    before = {reason: c._value.get() for reason, c in counters.items()}
    for body in bodies.values():
        with entrypoint_waiter(dispatch, "on_issue_triaged", timeout=10):
            event_dispatcher(service_config)("intake", "issue.triaged", body)
    db = pymongo.MongoClient(store_uri)[service_config["LINLI"]["db_prefix"] + "dispatch"]
    letters = {d["_id"]: d["reason"] for d in db.dead_letters.find()}
    assert letters == {"on_issue_triaged:e-v9": "unknown_type",
                       "on_issue_triaged:e-broken": "bad_payload"}
    assert {r: c._value.get() - before[r] for r, c in counters.items()} == {
        "unknown_type": 1, "bad_payload": 1}
    assert db.orders.count_documents({}) == 0
