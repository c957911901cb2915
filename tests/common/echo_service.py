"""A tiny producer/consumer pair standing in for real services in foundation tests."""

from __future__ import annotations

import uuid
from datetime import datetime

import mongoengine as me
from nameko.rpc import rpc
from pydantic import BaseModel

from services.common.aggregate import Decision, change, history_of
from services.common.caller import Role
from services.common.contracts import event_payload
from services.common.inbox import handles
from services.common.metrics import Instrumentation
from services.common.outbox import OutboxRelay
from services.common.rpc import as_caller
from services.common.store import Aggregate, Instant, Store


@event_payload("note.written")
class NoteWritten(BaseModel):
    note_id: str
    text: str


class NoteLine(me.Document):
    """A note's history (its own collection, fed by the relay)."""

    meta = {"db_alias": "echo", "collection": "note_lines", "indexes": ["note_id"]}
    id = me.StringField(primary_key=True)  # "<note id>:<version>"
    note_id = me.StringField(required=True)
    at = Instant(required=True)
    text = me.StringField(required=True)


class Note(Aggregate):
    meta = {"db_alias": "echo", "collection": "notes"}
    history_document = NoteLine
    id = me.StringField(primary_key=True)
    text = me.StringField(required=True)


def written(note: Note, now: datetime, text: str) -> Decision:
    """Pure: the note now says `text`; its event and history line."""
    return Decision(changes={"text": text},
                    events=[NoteWritten(note_id=note.id, text=text)],
                    history=[NoteLine(id=f"{note.id}:{note.version + 1}", note_id=note.id,
                                      at=now, text=text)])


class EchoService:
    name = "echo"
    store = Store("echo", [Note, NoteLine])
    relay = OutboxRelay()
    instrumentation = Instrumentation()

    @rpc
    def write_note(self, caller: dict, text: str, note_id: str | None = None) -> str:
        """A new note (or a new text for `note_id`), its event and its history line."""
        who = as_caller(caller)
        who.require_role(Role.community_admin)
        key = note_id or f"n-{uuid.uuid4().hex[:12]}"

        def load() -> Note:
            return Note.objects(id=key).first() or Note(id=key, text=text)

        return change(load, lambda note, now: written(note, now, text), who).doc.id

    @rpc
    def history(self, note_id: str) -> list[str]:
        note = Note.objects.get(id=note_id)
        lines = history_of(note, NoteLine.objects(note_id=note_id), key=lambda e: e.id)
        return [e.text for e in lines]


class Receipt(me.Document):
    meta = {"db_alias": "echo_sink", "collection": "receipts"}
    event_id = me.StringField(required=True)
    note_id = me.StringField(required=True)


class SinkService:
    name = "echo_sink"
    store = Store("echo_sink", [Receipt])

    @handles("echo", "note.written", when=lambda e: not e.parsed().text.startswith("(draft)"))
    def on_note_written(self, envelope) -> None:
        Receipt(event_id=envelope.id, note_id=envelope.parsed().note_id).save()

    @rpc
    def receipts(self) -> list[dict]:
        return [{"event_id": r.event_id, "note_id": r.note_id} for r in Receipt.objects]
