"""One commit frame for every change of an aggregate: load, decide, commit, retry.

    from services.common.aggregate import Decision, change

    def claim(order: Order, now: datetime, by: str) -> Decision:   # pure: reads, never writes
        if order.state != "open":
            raise Conflict("not open", {"state": order.state})     # refuse by raising
        return Decision(
            changes={"state": "claimed", "claimed_by": by},         # the new state, as values
            events=[OrderClaimed(order_id=order.id, ...)],          # payload models (or Envelopes)
            history=[OrderLine(id=f"{order.id}:{order.version + 1}", ...)])  # timeline entries

    done = change(lambda: load(caller, order_id), lambda o, now: claim(o, now, uid), caller)
    done.doc, done.decision

`change` loads the document, asks `decide(doc, now)` what happens, sets `changes` on the
document, records the events in its outbox and notes the history entries in it
(`Aggregate.note`), runs `derive(doc)` for derived fields (next deadline, page keys), and
commits: ONE single-document write conditional on the version read. If another writer
committed first, all of it runs again on a fresh load. `decide` returning None means
nothing to do (a redelivered event, a step already taken): nothing is written.

History entries are documents of the aggregate's `history_document` class with their
ids set (make the id deterministic, e.g. "<aggregate id>:<new version>", so a retried
decision writes the same entry). They ride in the document until the `OutboxRelay`
upserts them into their collection, so a crash between the state change and its
timeline entry loses nothing; read a history with `history_of`, which adds the entries
still pending in the document.

A new aggregate is a document made by `load` and not yet saved: `commit` inserts it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar

import mongoengine as me
from mongoengine.errors import NotUniqueError
from pydantic import BaseModel

from services.common import counters
from services.common.caller import Caller
from services.common.contracts.envelope import Envelope, new_event
from services.common.store import Aggregate, StaleWrite, retry_on_stale

A = TypeVar("A", bound=Aggregate)
H = TypeVar("H", bound=me.Document)


@dataclass(frozen=True)
class Decision:
    """What a change does, as values: new field values, events, history entries."""

    changes: Mapping[str, Any] = field(default_factory=dict)
    events: Sequence[BaseModel | Envelope] = ()
    history: Sequence[me.Document] = ()


@dataclass(frozen=True)
class Committed(Generic[A]):
    doc: A
    decision: Decision | None  # None: decide found nothing to do and nothing was written


Decide = Callable[[A, datetime], Decision | None]


def utcnow() -> datetime:
    return datetime.now(UTC)


def apply(doc: A, decision: Decision, caller: Caller) -> A:
    """Put `decision` on the document in memory (no I/O): fields, outbox, pending history."""
    for name, value in decision.changes.items():
        if name not in doc._fields:
            raise AttributeError(f"{type(doc).__name__} has no field {name!r}")
        setattr(doc, name, value)
    community_id = getattr(doc, "community_id", None)
    envelopes = [e if isinstance(e, Envelope) else new_event(e, caller, community_id)
                 for e in decision.events]
    if envelopes:
        doc.record(*envelopes)
    if decision.history:
        doc.note(*decision.history)
    return doc


def change(load: Callable[[], A], decide: Decide[A], caller: Caller, *,
           derive: Callable[[A], None] | None = None,
           hold: Callable[[A], dict[str, Any]] | None = None,
           clock: Callable[[], datetime] = utcnow, attempts: int = 5) -> Committed[A]:
    """Load, decide, apply and commit in one version-conditioned write; again if stale.
    `hold`: fields, as loaded, that must still hold at the write (fields moved by raw
    guarded updates beside the version, such as a stock)."""

    raced: list[bool] = []

    def attempt() -> Committed[A]:
        doc = load()
        created = bool(doc._created)
        held = hold(doc) if hold is not None else None
        before = None if created else doc.tally()
        decision = decide(doc, clock())
        if decision is None:
            return Committed(doc, None)
        apply(doc, decision, caller)
        if derive is not None:
            derive(doc)
        entries = count(doc, before)
        try:
            doc.commit(also=held)
        except NotUniqueError as exc:
            # Two writers made the same aggregate (two events of one new case at once):
            # once, decide again on what `load` finds now, the winner's document. A load
            # that makes a new one again, or another unique key (a username, an
            # idempotency key), is the caller's NotUniqueError, as it always was.
            if raced or not created or type(doc).objects(pk=doc.pk).only("pk").first() is None:
                raise
            raced.append(True)
            raise StaleWrite(f"{type(doc).__name__} was created by someone else") from exc
        fold_counts(doc, entries)
        return Committed(doc, decision)

    return retry_on_stale(attempt, attempts)


def count(doc: A, before: counters.Tally | None) -> list[dict]:
    """Put the counters' difference `doc.tally() - before` into the coming commit (same
    write); the entries to fold after it. Nothing when the aggregate counts nothing."""
    if type(doc).tally_document is None:
        return []
    moved = counters.difference(before, doc.tally())
    if not moved:
        return []
    made = counters.entry(f"{doc.pk}:{(0 if doc._created else doc.version) + 1}", moved)
    doc.tally_pending = [*(doc.tally_pending or []), made]
    doc.tally_open = True
    doc._mark_as_changed("tally_open")
    return [made]


def fold_counts(doc: A, entries: list[dict]) -> None:
    """After the commit: the difference into the counters (a crash here: the repair)."""
    if entries:
        ids = {e["id"] for e in entries}
        others = [e for e in doc.tally_pending or [] if e["id"] not in ids]
        counters.fold(type(doc), doc.pk, doc.version, entries, others)


def pending_history(doc: Aggregate) -> list[me.Document]:
    """The history entries `doc` carries that the relay has not moved yet."""
    kind = type(doc).history_document
    if kind is None:
        return []
    return [kind._from_son({**{k: v for k, v in row.items() if k != "id"}, "_id": row["id"]})
            for row in doc.history_pending]


def history_of(doc: Aggregate, stored: Iterable[H],
               key: Callable[[H], Any] | None = None) -> list[H]:
    """`stored` (the caller's query of the history collection) and the entries still pending
    in `doc`, each id once, sorted by `key` if given (stored first, then pending, otherwise)."""
    entries: dict[Any, H] = {e.pk: e for e in stored}
    for entry in pending_history(doc):
        entries.setdefault(entry.pk, entry)  # type: ignore[arg-type]
    merged = list(entries.values())
    return sorted(merged, key=key) if key is not None else merged
