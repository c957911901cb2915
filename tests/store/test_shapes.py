"""Which query shapes stay flat as a collection grows, and which grow with it (docs/store.md,
"Fast and slow shapes").

Each shape runs against two collections of the same shape and indexes, 1,000 and 10,000
documents, interleaved, and the test compares the fastest run on each (the minimum is what
survives a loaded machine: a busy neighbour only adds time). A flat shape costs about the same
at ten times the data; a slow shape costs several times more. Slow shapes are nx-27017's: on
MongoDB they are skipped (MongoDB serves them from the index). bench/store_shapes.py times the
same shapes at 10k and 100k.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from pymongo import MongoClient
from pymongo.collection import Collection

from tests.store.conftest import new_db_name

SMALL, LARGE = 1_000, 10_000
FLAT = 2.5  # a flat shape: at 10x the data, under 2.5x the time
GROWS = 3.0  # a slow shape: at 10x the data, over 3x the time (6-11x measured)
BASE = 1_700_000_000.0
STATES = ("received", "triaged", "dispatched", "closed")
Query = Callable[[Collection, int], Any]


def _doc(i: int) -> dict[str, Any]:
    community, ts = f"c{i % 10}", BASE + i * 10
    return {"_id": f"i{i:07d}", "community_id": community, "state": STATES[i % 4],
            "cell": f"{community}:{i % 200}", "created_ts": ts,
            "created_at": datetime.fromtimestamp(ts, UTC),
            "page_key": f"{community}|{ts:017.6f}|i{i:07d}", "text": "x" * 200,
            "grid": f"g{i // 5}", "kind": STATES[i % 4]}  # five per grid at any size


@pytest.fixture(scope="module")
def sized(client: MongoClient[Any]) -> Iterator[dict[int, Collection]]:
    name = new_db_name()
    cols = {}
    for n in (SMALL, LARGE):
        col = client[name][f"issues_{n}"]
        for field in ("community_id", "cell", "created_ts", "created_at", "page_key"):
            col.create_index(field)
        col.create_index([("grid", 1), ("kind", 1)])  # neither field has an index of its own
        for start in range(0, n, 2500):
            col.insert_many([_doc(i) for i in range(start, min(n, start + 2500))])
        cols[n] = col
    yield cols
    client.drop_database(name)


def growth(sized: dict[int, Collection], query: Query, until: Callable[[float], bool],
           rounds: int = 5, budget: float = 20.0) -> float:
    """Fastest time at LARGE / fastest time at SMALL, the two run alternately.

    Sampling goes on past `rounds` (for up to `budget` seconds) while the ratio does not yet
    satisfy `until`: a loaded CI machine can slow the small collection's samples enough to
    hide a 10x growth (a run gave 2.9998x after 40 rounds), and more samples let each
    minimum reach its true floor (a shape's real ratio is what the minima converge to, so
    extra rounds cannot make it pass falsely)."""
    best = {SMALL: float("inf"), LARGE: float("inf")}
    for n, col in sized.items():
        query(col, n)  # warm
    done, deadline = 0, time.monotonic() + budget
    while done < rounds or (time.monotonic() < deadline
                            and not until(best[LARGE] / best[SMALL])):
        for n, col in sized.items():
            began = time.perf_counter()
            query(col, n)
            best[n] = min(best[n], time.perf_counter() - began)
        done += 1
    return best[LARGE] / best[SMALL]


def _last_60_ts(n: int) -> float:
    return BASE + (n - 60) * 10


FLAT_SHAPES: dict[str, Query] = {
    "_id equality": lambda col, n: col.find_one({"_id": f"i{n // 2:07d}"}),
    "single-field indexed equality with a limit":
        lambda col, n: list(col.find({"cell": "c3:13"}).limit(20)),
    "float range on an indexed epoch field": lambda col, n: list(
        col.find({"created_ts": {"$gte": _last_60_ts(n)}})),
    "keyset page: range on one composite key, sorted on it, limited": lambda col, n: list(
        col.find({"page_key": {"$lt": f"c3|{BASE + n * 5:017.6f}", "$gte": "c3|"}})
        .sort("page_key", -1).limit(20)),
    "counter: $inc upsert by _id": lambda col, n: col.database[f"counters_{n}"].update_one(
        {"_id": "c3:open"}, {"$inc": {"n": 1}}, upsert=True),
    "conditional update by _id": lambda col, n: col.update_one(
        {"_id": f"i{n // 2:07d}", "state": STATES[(n // 2) % 4]}, {"$set": {"text": "y"}}),
}

SLOW_ON_NX: dict[str, Query] = {
    "$in on an indexed field scans": lambda col, n: list(
        col.find({"cell": {"$in": [f"c3:{k}" for k in (3, 13, 23, 33)]}})),
    "a datetime range is filtered in Python": lambda col, n: list(
        col.find({"created_at": {"$gte": datetime.fromtimestamp(_last_60_ts(n), UTC)}})),
    "sort on a field other than the one range-filtered": lambda col, n: list(
        col.find({"community_id": "c3", "_id": {"$lt": f"i{n // 2:07d}"}})
        .sort("_id", -1).limit(20)),
    "a compound index alone is not used": lambda col, n: list(
        col.find({"grid": f"g{n // 10}", "kind": "triaged"})),
    "count_documents scans its matches": lambda col, n: col.count_documents(
        {"community_id": "c3"}),
}


@pytest.mark.parametrize("shape", list(FLAT_SHAPES))
def test_shape_is_flat_as_data_grows(sized, shape):
    ratio = growth(sized, FLAT_SHAPES[shape], lambda r: r < FLAT,
                   rounds=15)  # sub-millisecond: more samples
    assert ratio < FLAT, f"{shape}: {ratio:.1f}x slower at {LARGE} than at {SMALL} documents"


@pytest.mark.parametrize("shape", list(SLOW_ON_NX))
def test_shape_grows_with_the_data_on_nx(sized, nx, shape):
    if not nx:
        pytest.skip("MongoDB serves this shape from its index")
    ratio = growth(sized, SLOW_ON_NX[shape], lambda r: r > GROWS)
    assert ratio > GROWS, (f"{shape}: only {ratio:.1f}x at {LARGE} vs {SMALL} documents; "
                           "if nx now does it fast, move the rule in docs/store.md")


def test_estimated_count_is_flat_where_count_documents_is_not(sized, nx):
    flat = growth(sized, lambda col, n: col.estimated_document_count(), lambda r: r < FLAT,
                  rounds=15)
    assert flat < FLAT
    assert [col.estimated_document_count() for col in sized.values()] == [SMALL, LARGE]
