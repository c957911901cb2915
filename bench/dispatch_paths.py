"""Dispatch's order paths against a growing store: flat or not (loopback, bounded, ~2 min).

    .venv/bin/python bench/dispatch_paths.py --sizes 2000 20000

Starts its own nx-27017, writes N orders straight to it (as the commit frame stores
them: page keys, due times), and times, per size, the median of a few runs of: the
deadline scheduler's due query, a first and a later page of the community board, a
department's filtered page, one order's read, the figures (tally) and the gauges'
read, a claim-counter repair batch; and, for comparison, what the old code did (a
`count()` per level and state, a scan of a community's orders for its stats).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import mongoengine as me

from services.common.caller import Caller
from services.common.contracts.dispatch import OrderFilter, OrderIn
from services.common.paging import PageQuery
from services.common.testing.embedded_store import EmbeddedStore
from services.dispatch import commit, metrics, orders, upkeep
from services.dispatch.domain.keys import tally_delta
from services.dispatch.domain.make import Placement, make
from services.dispatch.models import DOCUMENTS, ClaimCounter, Order, OrderTally

COMMUNITIES = 10
NOW = datetime.now(UTC)


def seed(n: int, start: int) -> None:
    """Orders start..n-1 over COMMUNITIES communities, a tenth of them police's."""
    admin = Caller(user_id="u-admin", role="community_admin", district_id="d", street_id="s")
    rows, tallies = [], {}
    for i in range(start, n):
        community = f"c{i % COMMUNITIES}"
        where = Placement(district_id="d", street_id="s", community_id=community,
                          root_grid_id="root", grid_id="root", chain=("root",),
                          department_id="police" if i % 10 == 0 else None)
        at = NOW - timedelta(seconds=n - i)
        out = make(admin, at, f"o-{i:07d}", OrderIn(category="road", summary="坑",
                                                  response_hours=24 * 365), where)
        doc = Order(**commit.stored(out.order), **commit.derived(out.order), version=1)
        rows.append(doc.to_mongo().to_dict())
        for key, value in tally_delta(None, out.order).items():
            tallies.setdefault(f"c:{community}", {}).setdefault(key, 0)
            tallies[f"c:{community}"][key] += value
        if len(rows) == 1000:
            Order._get_collection().insert_many(rows)
            rows = []
    if rows:
        Order._get_collection().insert_many(rows)
    for scope, delta in tallies.items():
        OrderTally.add(scope, delta)
        OrderTally.add("*", delta)
    ClaimCounter._get_collection().insert_many(
        [{"_id": f"u-{start + i}", "key": f"u-{start + i}", "open_claims": 1} for i in range(200)])


def timed(fn: Callable[[], object], runs: int = 5) -> float:
    samples = []
    for _ in range(runs):
        began = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - began) * 1000)
    return statistics.median(samples)


def measure() -> dict[str, float]:
    admin = Caller(user_id="u-admin", role="community_admin", district_id="d", street_id="s",
                   community_id="c1")
    police = Caller(user_id="u-p", role="department", district_id="d", street_id="s",
                    community_id="c0", department_id="police")
    first = orders.page(admin, OrderFilter(), PageQuery(limit=20))
    coll = Order._get_collection()
    return {
        "due query (200)": timed(lambda: list(coll.find(
            {"next_due_ts": {"$lte": NOW.timestamp()}}).sort("next_due_ts", 1).limit(200))),
        "board page 1 (20)": timed(lambda: orders.page(admin, OrderFilter(), PageQuery())),
        "board page 2 (20)": timed(lambda: orders.page(
            admin, OrderFilter(), PageQuery(cursor=first.next_cursor))),
        "department page (20)": timed(lambda: orders.page(police, OrderFilter(), PageQuery())),
        "one order + history": timed(lambda: orders.view(orders.load(admin, "o-0000001"))),
        "order_stats (tally)": timed(lambda: OrderTally.figures("c:c1")),
        "gauges (tally)": timed(metrics.refresh),
        "claim repair batch (100)": timed(lambda: upkeep.reconcile_claim_counters(), runs=3),
        "old gauges: 16 count()": timed(lambda: [coll.count_documents(
            {"level": lv, "state": st}) for lv in ("grid", "community", "street", "district")
            for st in ("open", "claimed", "in_progress", "resolved")], runs=1),
        "old stats: scan a community": timed(lambda: list(coll.find({"community_id": "c1"})),
                                             runs=1),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[2000, 20000])
    sizes = parser.parse_args().sizes
    with tempfile.TemporaryDirectory() as root:
        store = EmbeddedStore(Path(root)).start()
        try:
            me.connect(db="bench_dispatch", host=store.uri, alias="dispatch", tz_aware=True,
                       uuidRepresentation="standard")
            for doc in DOCUMENTS:
                doc.ensure_indexes()
            results, seeded = {}, 0
            for size in sizes:
                seed(size, seeded)
                seeded = size
                results[size] = measure()
            print(f"{'ms (median)':32}" + "".join(f"{s:>10}" for s in sizes))
            for name in results[sizes[0]]:
                print(f"{name:32}" + "".join(f"{results[s][name]:10.1f}" for s in sizes))
        finally:
            me.disconnect("dispatch")
            store.stop()


if __name__ == "__main__":
    main()
