"""A session's seats: one conditional single-document update per take or release.

    take:    {_id: s, free: {$gt: 0}, holders: {$nin: [h]}}  →  $inc free -1, $push h
    release: {_id: s, holders: h}                            →  $inc free +1, $pull h

The store applies each update to the one document atomically, so twelve concurrent takes
of a session with five seats leave exactly five holders and `free` at 0; a holder is in the
list at most once (a double click takes one seat), and a release matches only while its
holder holds a seat (a second cancel frees nothing). `$nin` on a scalar array, `$push` and
`$pull` of scalars are the shapes pinned on nx-27017 (docs/store.md, the counters).
"""

from __future__ import annotations

from services.care.models import CareSession


def _coll():  # noqa: ANN202
    return CareSession._get_collection()


def take(session_id: str, holder: str) -> bool:
    """A seat for `holder` if one is free and they hold none; True if this call took it."""
    moved = _coll().update_one(
        {"_id": session_id, "free": {"$gt": 0}, "holders": {"$nin": [holder]}},
        {"$inc": {"free": -1}, "$push": {"holders": holder}})
    return bool(moved.matched_count)


def holds(session_id: str, holder: str) -> bool:
    row = _coll().find_one({"_id": session_id}, {"holders": 1})
    return bool(row) and holder in (row.get("holders") or [])


def release(session_id: str, holder: str) -> bool:
    """Free `holder`'s seat; True if this call freed it (once, whoever asks twice)."""
    moved = _coll().update_one({"_id": session_id, "holders": holder},
                               {"$inc": {"free": 1}, "$pull": {"holders": holder}})
    return bool(moved.matched_count)
