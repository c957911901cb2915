"""Moving the buckets: a case version's counter moves applied once each, in two round trips.

Applying is idempotent per (bucket, case version): the update is conditional on the
bucket's mark for the case being below the version, and sets it. Versions of one case
are applied in order, so a mark never skips a version that still has moves to make.
"""

from __future__ import annotations

from collections import OrderedDict, defaultdict
from typing import Any

from pymongo import UpdateOne
from pymongo.errors import BulkWriteError, DuplicateKeyError

from services.evaluation.figures import _mark, bucket_id, nest
from services.evaluation.models import Bucket, Case

AHEAD = 64


def _guard(case_id: str, version: int, latest: int, bid: str) -> dict[str, Any]:
    """The bucket's mark for the case must not be any of `version`..`latest + AHEAD`.

    Appliers go version by version, so a mark at or above `version` means these moves are
    in; `AHEAD` covers the versions other appliers may have committed and applied since
    `latest` was read (a case has a few dozen inputs in its whole life). A missing mark
    satisfies it too. `$nin` rather than `$lt` after `$or`/`$exists`: the embedded store
    ignores `_id` in an update whose filter holds an `$or` (it updates whichever document
    matches the `$or`), and matches no missing field under `$nor` (docs/evaluation.md)."""
    return {"_id": bid,
            _mark(case_id): {"$nin": list(range(version, max(version, latest) + AHEAD))}}


def _moves(case_id: str, version: int, incs: dict[str, int]) -> dict[str, Any]:
    return {"$inc": incs, "$set": {_mark(case_id): version}}


def _insert(case_id: str, version: int, bid: str, incs: dict[str, int]) -> bool:
    """A new bucket holding these moves (an upsert would not nest the $inc paths on the
    embedded store); False if the bucket exists."""
    try:
        Bucket._get_collection().insert_one(_new_bucket(case_id, version, bid, incs))
        return True
    except DuplicateKeyError:
        return False


def bump(case_id: str, version: int, latest: int, bid: str, incs: dict[str, int]) -> bool:
    """Apply one case version's moves to one bucket once; False if they were applied before:
    one conditional update (`_guard`), or the insert of a new bucket."""
    coll = Bucket._get_collection()
    cond, update = _guard(case_id, version, latest, bid), _moves(case_id, version, incs)
    if coll.update_one(cond, update).matched_count:
        return True
    if _insert(case_id, version, bid, incs):
        return True
    # it exists: made in between, or these moves are done
    return bool(coll.update_one(cond, update).matched_count)


# Buckets this process has seen exist, per database (tests run several in one process):
# their moves go in one bulk of updates; a bucket not in it is probably new, inserted.
# Only a hint: a bucket removed since (a rebuild --replace) shows as a short match count.
_EXISTING: OrderedDict[tuple[str, str], None] = OrderedDict()
EXISTING_MAX = 100_000


def _seen(db: str, bid: str) -> None:
    _EXISTING[(db, bid)] = None
    if len(_EXISTING) > EXISTING_MAX:
        _EXISTING.popitem(last=False)


def _new_bucket(case_id: str, version: int, bid: str, incs: dict[str, int]) -> dict[str, Any]:
    fresh = nest(incs)
    return {"_id": bid, "key": bid, "c": fresh.get("c", {}), "h": fresh.get("h", {}),
            "marks": {_mark(case_id)[6:]: version}}


def _insert_new(case_id: str, latest: int, first: dict[str, tuple[int, dict[str, int]]]) -> None:
    """The first moves of buckets probably new: one unordered insert of them all; a bucket
    that exists after all (made meanwhile, or by another process) gets its conditional update."""
    if not first:
        return
    docs = [_new_bucket(case_id, v, bid, incs) for bid, (v, incs) in first.items()]
    try:
        Bucket._get_collection().insert_many(docs, ordered=False)
    except BulkWriteError as exc:
        errors = exc.details.get("writeErrors", [])
        if any(e.get("code") != 11000 for e in errors):
            raise
        for e in errors:
            bid = docs[e["index"]]["_id"]
            v, incs = first[bid]
            bump(case_id, v, latest, bid, incs)


def _bump_all(case_id: str, latest: int,
              by_version: dict[int, dict[str, dict[str, int]]]) -> None:
    """Every version's moves, in version order per bucket, in two round trips: the first
    moves of the buckets not known to exist in one insert, then every other move in one
    ordered bulk of conditional updates."""
    coll = Bucket._get_collection()
    db = coll.database.name
    moves = [(v, bid, incs) for v in sorted(by_version)
             for bid, incs in sorted(by_version[v].items())]
    first: dict[str, tuple[int, dict[str, int]]] = {}
    updates = []
    for v, bid, incs in moves:
        if (db, bid) not in _EXISTING and bid not in first:
            first[bid] = (v, incs)
        else:
            updates.append((v, bid, incs))
    _insert_new(case_id, latest, first)
    for bid in first:
        _seen(db, bid)
    if not updates:
        return
    done = coll.bulk_write([UpdateOne(_guard(case_id, v, latest, bid), _moves(case_id, v, incs))
                            for v, bid, incs in updates], ordered=True)
    if done.matched_count < len(updates):  # applied before (a sweep), or a bucket gone
        for v, bid, incs in updates:
            bump(case_id, v, latest, bid, incs)


def apply_pending(case_id: str, pending: list[dict[str, Any]] | None = None,
                  version: int | None = None) -> int:
    """Apply a case's pending moves, version by version, then drop what was applied.

    `pending` and `version`: what the caller's own commit just wrote (saves a read)."""
    coll = Case._get_collection()
    if pending is None or version is None:
        doc = coll.find_one({"_id": case_id}, {"deltas_pending": 1, "version": 1})
        if doc is None:
            return 0
        pending, version = doc.get("deltas_pending") or [], int(doc["version"])
    if not pending:
        return 0
    by_version: dict[int, dict[str, dict[str, int]]] = defaultdict(lambda: defaultdict(dict))
    for row in pending:
        cell = by_version[int(row["v"])][bucket_id(row["u"], row["d"])]
        cell[row["n"]] = cell.get(row["n"], 0) + int(row["a"])
    _bump_all(case_id, version, by_version)
    top = max(by_version)
    cleared = coll.update_one({"_id": case_id, "version": version},
                              {"$set": {"deltas_pending": [], "deltas_flag": False}})
    if not cleared.matched_count:  # a commit came in between: keep its moves
        coll.update_one({"_id": case_id}, {"$pull": {"deltas_pending": {"v": {"$lte": top}}}})
        coll.update_one({"_id": case_id, "deltas_pending": {"$size": 0}},
                        {"$set": {"deltas_flag": False}})
    return len(pending)
