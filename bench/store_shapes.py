"""Each query shape the services use, timed on the store at growing sizes (nx-27017 by default).

    .venv/bin/python bench/store_shapes.py --sizes 10000,100000
    .venv/bin/python bench/store_shapes.py --uri mongodb://127.0.0.1:27017   # a running store

Without --uri it starts a throwaway embedded store of its own. One collection grows
to each size in turn (insert_many in batches); at each size every shape is run for
at most --budget seconds (at least 3 times) and its mean is recorded. Results go to
bench/results/store_shapes-*.json; the rules they imply are in docs/store.md.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pymongo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench import report  # noqa: E402
from services.common.testing.embedded_store import EmbeddedStore  # noqa: E402

COMMUNITIES = 10
STATES = ("received", "triaged", "dispatched", "closed")
BASE = 1_700_000_000.0


def doc(i: int) -> dict[str, Any]:
    """One issue-like document; created_ts grows with i, one every 10 s."""
    community = f"c{i % COMMUNITIES}"
    ts = BASE + i * 10
    return {"_id": f"i{i:09d}", "community_id": community, "state": random.choice(STATES),
            "category": random.choice("abc"), "cell": f"{community}:{random.randint(0, 200)}",
            "created_ts": ts, "created_at": datetime.fromtimestamp(ts, UTC),
            "page_key": f"{community}|{ts:017.6f}|i{i:09d}", "outbox_pending": i % 500 == 0,
            "grid": f"g{i % 2000}", "kind": random.choice(STATES),
            "lat": random.random(), "description": "x" * 300}


def grow(col: pymongo.collection.Collection, have: int, want: int, batch: int = 2000) -> float:
    began = time.perf_counter()
    for start in range(have, want, batch):
        col.insert_many([doc(i) for i in range(start, min(want, start + batch))], ordered=False)
    return time.perf_counter() - began


def shapes(db: pymongo.database.Database, n: int) -> dict[str, Callable[[], Any]]:
    """name → a call doing one query of that shape against `n` stored documents."""
    col, mid = db.issues, n // 2
    ts_mid = BASE + mid * 10
    cells = [f"c3:{k}" for k in range(17, 26)]
    return {
        "_id eq": lambda: col.find_one({"_id": f"i{mid:09d}"}),
        "indexed eq, limit 20": lambda: list(col.find({"community_id": "c3"}).limit(20)),
        "compound (community, state) eq, limit 20":
            lambda: list(col.find({"community_id": "c3", "state": "closed"}).limit(20)),
        "compound-only index (grid, kind) eq": lambda: list(
            col.find({"grid": "g17", "kind": "closed"})),
        "$in 9 values on an indexed field": lambda: list(col.find({"cell": {"$in": cells}})),
        "float range (created_ts >=), last 60":
            lambda: list(col.find({"created_ts": {"$gte": BASE + (n - 60) * 10}})),
        "datetime range (created_at >=), last 60": lambda: list(col.find(
            {"created_at": {"$gte": datetime.fromtimestamp(BASE + (n - 60) * 10, UTC)}})),
        "keyset: page_key range, sort page_key, limit 20": lambda: list(col.find(
            {"page_key": {"$lt": f"c3|{ts_mid:017.6f}", "$gte": "c3|"}})
            .sort("page_key", -1).limit(20)),
        "eq community, sort created_ts, limit 20": lambda: list(
            col.find({"community_id": "c3"}).sort("created_ts", -1).limit(20)),
        "eq community + _id $lt, sort _id, limit 20": lambda: list(
            col.find({"community_id": "c3", "_id": {"$lt": f"i{mid:09d}"}})
            .sort("_id", -1).limit(20)),
        "flag eq (outbox_pending true), limit 100":
            lambda: list(col.find({"outbox_pending": True}, {"_id": 1}).limit(100)),
        "count_documents(community)": lambda: col.count_documents({"community_id": "c3"}),
        "estimated_document_count": col.estimated_document_count,
        "insert one": lambda: col.insert_one(doc(random.randint(10**8, 10**9 - 1)) | {
            "_id": f"x{random.random()}"}),
        "conditional update (_id + state)": lambda: col.update_one(
            {"_id": f"i{mid:09d}", "state": {"$in": list(STATES)}}, {"$set": {"lat": 0.5}}),
        "$inc upsert counter": lambda: db.counters.update_one(
            {"_id": "c3:open"}, {"$inc": {"n": 1}}, upsert=True),
    }


def timed(call: Callable[[], Any], budget: float) -> tuple[float, int]:
    """Mean seconds per call and the number of calls, within `budget` (at least 3 calls)."""
    call()
    runs, began = 0, time.perf_counter()
    while runs < 3 or (time.perf_counter() - began < budget and runs < 200):
        call()
        runs += 1
    return (time.perf_counter() - began) / runs, runs


def run(uri: str, sizes: list[int], budget: float) -> dict[str, Any]:
    client = pymongo.MongoClient(uri, serverSelectionTimeoutMS=5000, tz_aware=True)
    db = client[f"bench_shapes_{int(time.time())}"]
    for field in ("community_id", "state", "cell", "created_ts", "created_at", "page_key",
                  "outbox_pending"):
        db.issues.create_index(field)
    db.issues.create_index([("community_id", 1), ("state", 1)])
    db.issues.create_index([("grid", 1), ("kind", 1)])  # grid and kind have no index of their own
    results: dict[str, Any] = {"uri": uri, "sizes": {}}
    have = 0
    try:
        for n in sizes:
            load_s = grow(db.issues, have, n)
            have = n
            row: dict[str, Any] = {"insert_many_s": round(load_s, 2), "machine": report.machine(),
                                   "shapes": {}}
            for name, call in shapes(db, n).items():
                mean, runs = timed(call, budget)
                row["shapes"][name] = {"ms": round(mean * 1000, 3), "runs": runs}
                print(f"{n:>9} {name:<48} {mean * 1000:9.2f} ms  ({runs} runs)", flush=True)
            results["sizes"][str(n)] = row
    finally:
        client.drop_database(db.name)
        client.close()
    return results


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--uri", help="a running store (default: start a throwaway nx-27017)")
    p.add_argument("--sizes", default="10000,100000")
    p.add_argument("--budget", type=float, default=1.0, help="seconds per shape and size")
    args = p.parse_args()
    sizes = sorted(int(s) for s in args.sizes.split(","))
    with tempfile.TemporaryDirectory(prefix="linli-shapes-") as tmp:
        store = None if args.uri else EmbeddedStore(Path(tmp)).start()
        try:
            results = run(args.uri or store.uri, sizes, args.budget)
        finally:
            if store:
                store.stop()
    print(f"wrote {report.write('store_shapes', results)}")


if __name__ == "__main__":
    main()
