"""The buckets: counters per unit per local day, read by range (`moves.py` writes them).

Reading a unit's range of days is one range on `key` (`<unit>|<day>`), sorted by it,
limited to the days of the range: never a scan of history.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from services.common.contracts.evaluation import MAX_RANGE_DAYS, Period, Rates
from services.evaluation import domain
from services.evaluation.models import Bucket, RebuiltBucket


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
                     .sort("key", 1).limit(page).batch_size(page))
        rows += batch
        if len(batch) < page:
            return rows
        after = batch[-1]["key"]


__all__ = ["Bucket", "RebuiltBucket", "canonical", "figures"]
