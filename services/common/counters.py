"""Counters moved exactly once by the commit that changes what they count, on the embedded
store and MongoDB 7 alike, without a multi-document transaction (docs/store.md, "Counters
exact across a crash").

An aggregate that counts declares `tally()` (its own share of each counter document, by
scope) and `tally_document` (the counters' collection). The commit frame writes the
difference `after - before` INTO the aggregate's own version-conditioned write, as an
entry of `tally_pending` with a unique id (`<aggregate id>:<new version>`). Then `fold`
moves it into the counters, once:

1. per scope, one update guarded by the entry's id: `{_id: scope, applied: {$nin: [id]}}`
   with `$inc` of the difference and `$push` of the id (a second application matches
   nothing: the id is there); all scopes in one bulk write, scope by scope only if one
   of them did not match;
2. the entry leaves the aggregate (its write is conditional on the version, else a `$pull`
   by id, like the outbox);
3. the id leaves `applied` again (`$pull`, one bulk write), so a counter document holds
   only the ids in flight, not its history.

A crash before 1 or between 1 and 2 leaves the entry pending: `repair` (the outbox
relay's poll) finds the aggregates flagged `tally_open`, claims one by bumping its version
(two repairers never fold the same entry), and folds again; step 1 is then a no-op for the
scopes already moved. A crash between 2 and 3 leaves one stale id in `applied` (harmless:
ids never recur). The repair leaves entries younger than `GRACE_SECONDS` to their writer,
which folds right after its commit: the bound is a writer stalled longer than that between
its commit and its fold (the same kind of bound as the inbox's retention).
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Mapping
from typing import Any

from pymongo import UpdateOne
from pymongo.errors import DuplicateKeyError

log = logging.getLogger(__name__)

Tally = Mapping[str, Mapping[str, int]]  # scope -> counter name -> value
GRACE_SECONDS = 60.0
REPAIR_BATCH = 50


def difference(before: Tally | None, after: Tally | None) -> dict[str, dict[str, int]]:
    """after - before per scope, zeros left out (an empty dict: nothing moves)."""
    out: dict[str, dict[str, int]] = {}
    before, after = before or {}, after or {}
    for scope in {*before, *after}:
        b, a = before.get(scope, {}), after.get(scope, {})
        moved = {k: int(a.get(k, 0)) - int(b.get(k, 0)) for k in {*a, *b}}
        moved = {k: v for k, v in moved.items() if v}
        if moved:
            out[scope] = moved
    return out


def entry(entry_id: str, scopes: dict[str, dict[str, int]], at: float | None = None) -> dict:
    return {"id": entry_id, "at": time.time() if at is None else at, "scopes": scopes}


def apply_once(coll: Any, scope: str, entry_id: str, inc: Mapping[str, int]) -> bool:
    """Add `inc` to the counters of `scope` unless entry `entry_id` already did; True if
    this call moved them."""
    guard = {"_id": scope, "applied": {"$nin": [entry_id]}}
    change = {"$inc": dict(inc), "$push": {"applied": entry_id}}
    if coll.update_one(guard, change).matched_count:
        return True
    found = coll.find_one({"_id": scope}, {"applied": 1})
    if found is not None and entry_id in (found.get("applied") or []):
        return False  # moved before a crash: the repair's second pass
    if found is None:
        with contextlib.suppress(DuplicateKeyError):  # a concurrent first insert is fine
            coll.insert_one({"_id": scope, "applied": []})
    else:  # a counter document from before `applied` existed
        coll.update_one({"_id": scope, "applied": {"$exists": False}},
                        {"$set": {"applied": []}})
    return bool(coll.update_one(guard, change).matched_count)


def fold(doc_cls: Any, doc_id: Any, version: int | None, entries: list[dict],
         others: list[dict] | None = None, by_writer: bool = True) -> None:
    """Move `entries` (on the aggregate at `version`, which this folder holds: its own
    commit, or a repair's claim) into the counters, once. `others`: the entries pending
    beside them at that version, left for whoever owns them (a writer folds only its own
    entry; the repair only those older than the grace)."""
    if not entries:
        return
    counters = doc_cls.tally_document._get_collection()
    moves = [(scope, e["id"], inc) for e in entries for scope, inc in e["scopes"].items()]
    if len(moves) == 1 or not _moved_in_bulk(counters, moves):
        for scope, entry_id, inc in moves:  # a scope moved already is a no-op here
            apply_once(counters, scope, entry_id, inc)
    source = doc_cls._get_collection()
    ids = [e["id"] for e in entries]
    others = others or []
    exact = source.update_one({"_id": doc_id, "version": version},
                              {"$set": {"tally_pending": others,
                                        "tally_open": bool(others)}}).matched_count
    if not exact:  # written again since (a commit, or a repair's claim): only these go
        source.update_one({"_id": doc_id}, {"$pull": {"tally_pending": {"id": {"$in": ids}}}})
        source.update_one({"_id": doc_id, "tally_pending": {"$size": 0}},
                          {"$set": {"tally_open": False}})
        # A repairer that claimed the aggregate after our read may be between its claim and
        # its step 1: its guard needs the ids, so only a writer within the grace trims.
        young = all(e.get("at", 0) > time.time() - GRACE_SECONDS for e in entries)
        if not (by_writer and young):
            return
    counters.bulk_write([UpdateOne({"_id": scope}, {"$pull": {"applied": entry_id}})
                         for scope, entry_id, _ in moves], ordered=False)


def _moved_in_bulk(counters: Any, moves: list[tuple[str, str, Mapping[str, int]]]) -> bool:
    """Step 1 for every scope in one command; False unless each matched (a first counter
    document, or a second pass of the repair: `apply_once` then sorts out which)."""
    done = counters.bulk_write([
        UpdateOne({"_id": scope, "applied": {"$nin": [entry_id]}},
                  {"$inc": dict(inc), "$push": {"applied": entry_id}})
        for scope, entry_id, inc in moves], ordered=False)
    return done.matched_count == len(moves)


def repair(doc_cls: Any, grace: float = GRACE_SECONDS, now: float | None = None) -> int:
    """Fold what crashed writers left pending on `doc_cls`'s aggregates; how many folded."""
    if getattr(doc_cls, "tally_document", None) is None:
        return 0
    now = time.time() if now is None else now
    source, done = doc_cls._get_collection(), 0
    for doc in source.find({"tally_open": True}, {"tally_pending": 1, "version": 1}).limit(
            REPAIR_BATCH):
        pending = doc.get("tally_pending") or []
        entries = [e for e in pending if e.get("at", 0) <= now - grace]
        if not entries:
            continue  # its writer is (probably) folding it right now
        # The claim: one version bump while the entry is still there; a concurrent
        # repairer's claim (or a folder's exact clear) then fails on the version.
        seen = doc.get("version")
        if not source.update_one({"_id": doc["_id"], "version": seen,
                                  "tally_pending.id": entries[0]["id"]},
                                 {"$inc": {"version": 1}}).matched_count:
            continue
        fold(doc_cls, doc["_id"], (seen or 0) + 1, entries,
             [e for e in pending if e not in entries], by_writer=False)
        done += len(entries)
        log.warning("counters: folded %d entries %s left pending", len(entries), doc["_id"])
    return done
