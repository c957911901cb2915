"""A tiny producer/consumer pair standing in for real services in foundation tests."""

from __future__ import annotations

import mongoengine as me
from nameko.rpc import rpc
from pydantic import BaseModel

from services.common.caller import Role
from services.common.contracts import event_payload, new_event
from services.common.inbox import handles
from services.common.metrics import Instrumentation
from services.common.outbox import OutboxRelay
from services.common.rpc import as_caller
from services.common.store import Aggregate, Store


@event_payload("note.written")
class NoteWritten(BaseModel):
    note_id: str
    text: str


class Note(Aggregate):
    meta = {"db_alias": "echo", "collection": "notes"}
    text = me.StringField(required=True)


class Receipt(me.Document):
    meta = {"db_alias": "echo_sink", "collection": "receipts"}
    event_id = me.StringField(required=True)
    note_id = me.StringField(required=True)


class EchoService:
    name = "echo"
    store = Store("echo", [Note])
    relay = OutboxRelay()
    instrumentation = Instrumentation()

    @rpc
    def write_note(self, caller: dict, text: str) -> str:
        who = as_caller(caller)
        who.require_role(Role.community_admin)
        note = Note(text=text)
        note.save()  # allocate the id the event carries
        note.record(new_event(NoteWritten(note_id=str(note.id), text=text), who, None))
        note.commit()
        return str(note.id)


class SinkService:
    name = "echo_sink"
    store = Store("echo_sink", [Receipt])

    @handles("echo", "note.written")
    def on_note_written(self, envelope) -> None:
        Receipt(event_id=envelope.id, note_id=envelope.parsed().note_id).save()

    @rpc
    def receipts(self) -> list[dict]:
        return [{"event_id": r.event_id, "note_id": r.note_id} for r in Receipt.objects]
