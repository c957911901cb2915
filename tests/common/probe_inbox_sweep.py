"""Not a test: times one inbox sweep batch on a fresh embedded store as the inbox grows.

    .venv/bin/python -m tests.common.probe_inbox_sweep 20000 100000

Prints, per size, the find of the 500 oldest (range on `processed_ts` sorted by itself,
limit), their delete by range, and for comparison 100 deletes by `_id`.
"""

from __future__ import annotations

import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import mongoengine as me

from services.common.records import inbox_document, sweep_inbox
from services.common.testing.embedded_store import EmbeddedStore


def main(sizes: list[int]) -> None:
    store = EmbeddedStore(Path(tempfile.mkdtemp())).start()
    try:
        me.connect(db="probe", host=store.uri, alias="probe", tz_aware=True)
        inbox = inbox_document("probe")
        inbox.ensure_indexes()
        coll = inbox._get_collection()
        now, next_id, have = time.time(), 0, 0
        for size in sizes:
            base = now - 3e6
            rows = [{"_id": f"h:{next_id + i}", "event_type": "x",
                     "processed_at": datetime.fromtimestamp(base + next_id + i, UTC),
                     "processed_ts": base + next_id + i} for i in range(size - have)]
            next_id += len(rows)
            for k in range(0, len(rows), 5000):
                coll.insert_many(rows[k:k + 5000])
            started = time.perf_counter()
            sweep_inbox(inbox, base - 1, 500, 10)  # nothing expired: a quiet run's cost
            idle = time.perf_counter() - started
            started = time.perf_counter()
            oldest = list(coll.find({"processed_ts": {"$lt": now}}, {"processed_ts": 1})
                          .sort("processed_ts", 1).limit(500))
            found = time.perf_counter() - started
            started = time.perf_counter()
            deleted = coll.delete_many(
                {"processed_ts": {"$lte": oldest[-1]["processed_ts"]}}).deleted_count
            by_range = time.perf_counter() - started
            started = time.perf_counter()
            for row in coll.find({}, {"_id": 1}).sort("processed_ts", 1).limit(100):
                coll.delete_one({"_id": row["_id"]})
            by_id = time.perf_counter() - started
            have = size - deleted - 100
            print(f"{size:>8} records: quiet run {idle * 1e3:6.1f} ms | find 500 oldest "
                  f"{found * 1e3:6.1f} ms | delete {deleted} by range {by_range * 1e3:6.1f} ms | "
                  f"100 deletes by _id {by_id * 1e3:6.1f} ms", flush=True)
    finally:
        store.stop()


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [20000, 100000])
