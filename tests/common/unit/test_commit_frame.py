"""The commit frame's pure parts: a decision lands on the document in memory, and a
history read unions what the relay moved with what is still pending."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from services.common.aggregate import Decision, apply, history_of, pending_history
from services.common.caller import Caller, Role
from tests.common.echo_service import Note, NoteLine, NoteWritten, written

AT = datetime(2026, 3, 1, 8, 30, tzinfo=UTC)
ADMIN = Caller(user_id="u1", role=Role.community_admin, district_id="d1", community_id="c1",
               request_id="req-1")


def test_a_decision_sets_fields_records_events_and_notes_history():
    note = apply(Note(id="n1", text="old"), written(Note(id="n1", text="old"), AT, "new"), ADMIN)
    assert note.text == "new"
    assert [(e["type"], e["payload"], e["correlation_id"]) for e in note.outbox] == [
        ("note.written", {"note_id": "n1", "text": "new"}, "req-1")]
    assert note.history_pending == [{"id": "n1:1", "note_id": "n1", "at": AT, "text": "new"}]
    assert note.outbox_pending is True


def test_the_domain_decides_without_touching_the_document():
    note = Note(id="n1", text="old")
    decision = written(note, AT, "new")
    assert note.text == "old" and note.outbox == [] and note.history_pending == []
    assert decision.changes == {"text": "new"}
    assert decision.events == [NoteWritten(note_id="n1", text="new")]


def test_an_empty_decision_changes_nothing():
    note = apply(Note(id="n1", text="old"), Decision(), ADMIN)
    assert (note.text, note.outbox, note.history_pending, note.outbox_pending) == (
        "old", [], [], False)


def test_a_change_to_a_field_the_document_lacks_is_refused():
    with pytest.raises(AttributeError, match="no field 'txt'"):
        apply(Note(id="n1", text="old"), Decision(changes={"txt": "x"}), ADMIN)


def test_a_history_entry_needs_its_id_and_the_aggregates_history_class():
    with pytest.raises(TypeError, match="with its id set"):
        Note(id="n1", text="t").note(NoteLine(note_id="n1", at=AT, text="t"))
    with pytest.raises(TypeError, match="with its id set"):
        Note(id="n1", text="t").note(Note(id="n2", text="t"))


def test_pending_entries_read_back_as_history_documents_even_with_times_as_text():
    note = Note(id="n1", text="t", history_pending=[
        {"id": "n1:2", "note_id": "n1", "at": "2026-03-01 08:30:00", "text": "t"}])
    [entry] = pending_history(note)
    assert (entry.id, entry.at, entry.text) == ("n1:2", AT, "t")


def test_a_history_read_holds_moved_and_pending_entries_once_each_in_order():
    moved = [NoteLine(id="n1:1", note_id="n1", at=AT, text="a"),
             NoteLine(id="n1:2", note_id="n1", at=AT, text="b")]
    note = Note(id="n1", text="c", history_pending=[
        {"id": "n1:2", "note_id": "n1", "at": AT, "text": "b"},  # moved, not yet pulled
        {"id": "n1:3", "note_id": "n1", "at": AT, "text": "c"}])
    lines = history_of(note, moved, key=lambda e: e.id)
    assert [(e.id, e.text) for e in lines] == [("n1:1", "a"), ("n1:2", "b"), ("n1:3", "c")]
