"""The buckets: counters per unit per local day, moved by the cases' deltas, read by range.

Applying is idempotent per (bucket, case version): the update is conditional on the
bucket's mark for the case being below the version, and sets it. Versions of one case
are applied in order, so a mark never skips a version that still has moves to make.
Reading a unit's range of days is one range on `key` (`<unit>|<day>`), sorted by it,
limited to the days of the range: never a scan of history.
"""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import date
from typing import Any

from pymongo import UpdateOne
from pymongo.errors import DuplicateKeyError

from services.common.contracts.evaluation import MAX_RANGE_DAYS, Period, Rates
from services.evaluation import domain
from services.evaluation.models import Bucket, Case, RebuiltBucket

AHEAD = 64


def bucket_id(unit: str, day: str) -> str:
    return f"{unit}|{day}"


def _mark(case_id: str) -> str:
    return "marks." + case_id.replace(".", "%2E").replace("$", "%24")


def nest(flat: dict[str, int]) -> dict[str, Any]:
    """{"c.cat.x": 1, "h.respond.3": 2} → {"c": {"cat": {"x": 1}}, "h": {"respond": {"3": 2}}}."""
    out: dict[str, Any] = {}
    for name, amount in flat.items():
        *path, leaf = name.split(".")
        cell = out
        for part in path:
            cell = cell.setdefault(part, {})
        cell[leaf] = cell.get(leaf, 0) + amount
    return out


def flatten(doc: dict[str, Any], prefix: str = "") -> dict[str, int]:
    out: dict[str, int] = {}
    for key, value in doc.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            out |= flatten(value, name + ".")
        else:
            out[name] = int(value)
    return out


def bump(case_id: str, version: int, latest: int, bid: str, incs: dict[str, int]) -> bool:
    """Apply one case version's moves to one bucket once; False if they were applied before.

    One conditional update: the bucket's mark for the case (the last version applied here)
    must not be any of `version`..`latest + AHEAD`, which a missing mark satisfies too.
    Appliers go version by version, so a mark at or above `version` means these moves are
    in; `AHEAD` covers the versions other appliers may have committed and applied since
    `latest` was read (a case has a few dozen inputs in its whole life). `$nin` rather than
    `$lt` after `$or`/`$exists`: the embedded store ignores `_id` in an update whose filter
    holds an `$or` (it updates whichever document matches the `$or`), and matches no missing
    field under `$nor` (docs/evaluation.md).
    """
    coll = Bucket._get_collection()
    mark = _mark(case_id)
    cond = _guard(case_id, version, latest, bid)
    update = {"$inc": incs, "$set": {mark: version}}
    if coll.update_one(cond, update).matched_count:
        return True
    fresh = nest(incs)
    try:  # no bucket yet (an upsert would not nest the $inc paths on the embedded store)
        coll.insert_one({"_id": bid, "key": bid, "c": fresh.get("c", {}),
                         "h": fresh.get("h", {}), "marks": {mark[6:]: version}})
        return True
    except DuplicateKeyError:  # it exists: made in between, or these moves are done
        return bool(coll.update_one(cond, update).matched_count)


def _guard(case_id: str, version: int, latest: int, bid: str) -> dict[str, Any]:
    return {"_id": bid, _mark(case_id): {"$nin": list(range(version, max(version, latest)
                                                                 + AHEAD))}}


def _bumped_in_bulk(case_id: str, version: int, latest: int,
                    cells: list[tuple[str, dict[str, int]]]) -> bool:
    """One version's moves to all its buckets in one command (an input moves the buckets
    of its grid, community, street, district...); False unless every bucket matched: a
    new bucket, or moves applied before, then go bucket by bucket through `bump`."""
    if len(cells) < 2:
        return False
    done = Bucket._get_collection().bulk_write([
        UpdateOne(_guard(case_id, version, latest, bid),
                  {"$inc": incs, "$set": {_mark(case_id): version}})
        for bid, incs in cells], ordered=False)
    return done.matched_count == len(cells)


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
    for v in sorted(by_version):
        cells = sorted(by_version[v].items())
        if not _bumped_in_bulk(case_id, v, version, cells):
            for bid, incs in cells:  # a bucket the bulk moved is a no-op here
                bump(case_id, v, version, bid, incs)
    top = max(by_version)
    cleared = coll.update_one({"_id": case_id, "version": version},
                              {"$set": {"deltas_pending": [], "deltas_flag": False}})
    if not cleared.matched_count:  # a commit came in between: keep its moves
        coll.update_one({"_id": case_id}, {"$pull": {"deltas_pending": {"v": {"$lte": top}}}})
        coll.update_one({"_id": case_id, "deltas_pending": {"$size": 0}},
                        {"$set": {"deltas_flag": False}})
    return len(pending)


def _range(kind: type, unit: str, start: date, end: date) -> list[dict[str, Any]]:
    return list(kind._get_collection().find(
        {"key": {"$gte": bucket_id(unit, start.isoformat()),
                 "$lte": bucket_id(unit, end.isoformat())}},
        {"key": 1, "c": 1, "h": 1}).sort("key", 1).limit(MAX_RANGE_DAYS + 1))


def day_buckets(unit: str, start: date, end: date) -> dict[str, dict[str, Any]]:
    """{day: bucket} for the unit's days in [start, end] that have any figure."""
    return {row["key"].rsplit("|", 1)[1]: row for row in _range(Bucket, unit, start, end)}


def rates_of(buckets: list[dict[str, Any]]) -> Rates:
    counters: dict[str, int] = {}
    hists: dict[str, dict[str, int]] = {}
    for row in buckets:
        domain.add_bucket(counters, hists, row.get("c") or {}, row.get("h") or {})
    return domain.rates(counters, hists)


def figures(unit: str, start: date, end: date) -> Rates:
    return rates_of(list(day_buckets(unit, start, end).values()))


def series(unit: str, start: date, end: date, period: Period) -> list[tuple[date, date, Rates]]:
    found = day_buckets(unit, start, end)
    out = []
    for first, last in domain.periods(start, end, period.value):
        rows = [found[d.isoformat()] for d in domain.days(first, last) if d.isoformat() in found]
        out.append((first, last, rates_of(rows)))
    return out


def categories(unit: str, start: date, end: date) -> dict[str, int]:
    """Issues received per category over the range (the early warning's input)."""
    totals: dict[str, int] = {}
    for row in day_buckets(unit, start, end).values():
        for code, n in ((row.get("c") or {}).get("cat") or {}).items():
            totals[code] = totals.get(code, 0) + int(n)
    return totals


def canonical(rows: list[dict[str, Any]]) -> str:
    """Buckets as one canonical text (sorted keys, marks left out): what rebuild compares."""
    return json.dumps({row["_id"]: flatten({"c": row.get("c") or {}, "h": row.get("h") or {}})
                       for row in rows}, sort_keys=True, separators=(",", ":"))


def all_rows(kind: type = Bucket, page: int = 500) -> list[dict[str, Any]]:
    """Every bucket, by keyset pages on `key` (the rebuild's comparison: not a request path)."""
    rows: list[dict[str, Any]] = []
    after = ""
    coll = kind._get_collection()
    while True:
        batch = list(coll.find({"key": {"$gt": after}}, {"key": 1, "c": 1, "h": 1})
                     .sort("key", 1).limit(page))
        rows += batch
        if len(batch) < page:
            return rows
        after = batch[-1]["key"]


__all__ = ["Bucket", "RebuiltBucket", "apply_pending", "bump", "canonical", "figures"]
