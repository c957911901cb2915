"""How fast one outbox relay drains N documents (3 events and 2 history entries each) at a
given concurrency, on a fresh embedded store and the local broker's default vhost.

    .venv/bin/python bench/relay_throughput.py 8 500     # concurrency, documents
"""
# ruff: noqa: E402
import eventlet

eventlet.monkey_patch()

import sys
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import mongoengine as me
from nameko.containers import ServiceContainer

from services.common import outbox
from services.common.caller import Caller
from services.common.config import Settings
from services.common.contracts import new_event
from services.common.testing.embedded_store import EmbeddedStore
from tests.common.echo_service import EchoService, Note, NoteLine, NoteWritten

AMQP = "amqp://guest:guest@127.0.0.1:5672/"


def pending_notes(n: int) -> None:
    now = datetime.now(UTC)
    for i in range(n):
        note = Note(id=f"n{i}", text="t")
        note.record(*[new_event(NoteWritten(note_id=note.id, text="t"), Caller.system(), "c")
                      for _ in range(3)])
        note.note(*[NoteLine(id=f"n{i}:{k}", note_id=note.id, at=now, text="t") for k in (1, 2)])
        note.commit()


def main(concurrency: int, n: int) -> None:
    outbox.CONCURRENCY = concurrency
    store = EmbeddedStore(Path(f"/tmp/linli-relay-bench/{uuid.uuid4().hex[:6]}")).start()
    linli = {"mongo_uri": store.uri, "db_prefix": f"rb{uuid.uuid4().hex[:6]}_"}
    settings = Settings(amqp_uri=AMQP, **linli)
    me.connect(db=settings.db_name("echo"), host=store.uri, alias="echo", tz_aware=True,
               uuidRepresentation="standard")
    pending_notes(n)
    me.disconnect("echo")
    container = ServiceContainer(EchoService, {"AMQP_URI": AMQP, "LINLI": linli})
    began = time.time()
    container.start()
    notes = Note._get_collection()
    while notes.count_documents({"outbox_pending": True}) and time.time() - began < 300:
        eventlet.sleep(0.2)
    took = time.time() - began
    print(f"concurrency {concurrency}: {n} documents ({3 * n} events, {2 * n} history "
          f"entries) relayed in {took:.1f} s, {n / took:.0f} documents/s")
    container.stop()
    store.stop()


if __name__ == "__main__":
    main(int(sys.argv[1]), int(sys.argv[2]))
