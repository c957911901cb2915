"""The request-path and timer queries of intake and dispatch, timed on a stack's store as it
grows (bench/e2e.py runs this at every growth step, after the seed, before the load).

Each is the shape its service sends (the filter, sort and limit of the code named beside
it), run against the community the run files into, `REPEAT` times interleaved; the p50 and
p95 in ms per query. Read only.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pymongo

from bench.report import summary_ms
from services.common.paging import SEP

REPEAT = 40
AFTER = chr(ord(SEP) + 1)


def _page(col: Any, field: str, scope: str, n: int = 20) -> list:
    """services/common/paging.fetch: one range on the page key, sorted on it, a limit."""
    return list(col.find({field: {"$gte": scope + SEP, "$lt": scope + AFTER}})
                .sort(field, -1).limit(n + 1))


def queries(intake_uri: str, dispatch_uri: str, community_id: str
            ) -> dict[str, Callable[[], Any]]:
    intake = pymongo.MongoClient(intake_uri, tz_aware=True)["linli_intake"]
    dispatch = pymongo.MongoClient(dispatch_uri, tz_aware=True)["linli_dispatch"]
    some = intake.issues.find_one({"community_key": {"$gte": community_id + SEP,
                                                     "$lt": community_id + AFTER}})
    issue_id = some["_id"] if some else "i-none"
    scope = some.get("dup_scope") if some else None
    now = time.time()
    return {
        # intake.repository.issue / dispatch's order by `o-<issue id>`
        "issue by _id": lambda: intake.issues.find_one({"_id": issue_id}),
        "order by _id": lambda: dispatch.orders.find_one({"_id": f"o-{issue_id}"}),
        # intake.listing: a community's issues, a state's, a timeline page
        "issues page (community_key)": lambda: _page(intake.issues, "community_key",
                                                     community_id),
        "issues page (state_key)": lambda: _page(intake.issues, "state_key",
                                                 f"{community_id}:closed"),
        "timeline page": lambda: list(intake.timeline.find(
            {"page_key": {"$gte": issue_id + SEP, "$lt": issue_id + AFTER}})
            .sort("page_key", 1).limit(21)),
        # intake.repository.duplicate_suggestions: one geocell's open issues, newest first
        "duplicate cell (dup_key)": lambda: list(intake.issues.find(
            {"dup_key": {"$gte": f"{scope}{SEP}{now - 7 * 86400:017.6f}",
                         "$lt": f"{scope}{AFTER}"}}).sort("dup_key", -1).limit(20)),
        # dispatch: the community's board, the scheduler's due poll
        "orders page (board_key)": lambda: _page(dispatch.orders, "board_key",
                                                 f"c:{community_id}"),
        "scheduler due (next_due_ts)": lambda: list(dispatch.orders.find(
            {"next_due_ts": {"$lte": time.time()}}).sort("next_due_ts", 1).limit(100)),
        # services/common/outbox: each relay's poll
        "outbox poll (issues)": lambda: list(intake.issues.find(
            {"outbox_pending": True}).limit(100)),
        "outbox poll (orders)": lambda: list(dispatch.orders.find(
            {"outbox_pending": True}).limit(100)),
    }


def probe(intake_uri: str, dispatch_uri: str, community_id: str,
          repeat: int = REPEAT) -> dict[str, dict]:
    calls = queries(intake_uri, dispatch_uri, community_id)
    times: dict[str, list[float]] = {name: [] for name in calls}
    for _ in range(repeat):
        for name, call in calls.items():
            began = time.perf_counter()
            call()
            times[name].append(time.perf_counter() - began)
    return {name: {k: v for k, v in summary_ms(t).items() if k in ("p50_ms", "p95_ms")}
            for name, t in times.items()}
