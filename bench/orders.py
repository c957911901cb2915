"""When each issue's work order came to exist in dispatch, read after the load (no polling
load on the store during it).

Dispatch makes the order of issue X with the id `o-X` and stamps `created_at` with its own
clock (the same host as the clients) when it builds it; the commit follows within
milliseconds. So "until the order exists" = created_at - the moment the request was due.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pymongo

from bench.load import Sample


def _epoch(value: object) -> float | None:
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=UTC)).timestamp()
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
        return (parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)).timestamp()
    return None


def order_times(dispatch_uri: str, samples: list[Sample], wait_seconds: float = 120.0,
                database: str = "linli_dispatch") -> dict[str, float]:
    """issue id → epoch seconds its order was created, waiting (bounded) for the stragglers."""
    client = pymongo.MongoClient(dispatch_uri, serverSelectionTimeoutMS=5000, tz_aware=True)
    orders = client[database]["orders"]
    pending = {s.issue_id for s in samples if s.issue_id}
    found: dict[str, float] = {}
    deadline = time.monotonic() + wait_seconds
    try:
        while pending and time.monotonic() < deadline:
            for issue_id in list(pending):  # _id equality: the store's fastest shape
                doc = orders.find_one({"_id": f"o-{issue_id}"}, {"created_at": 1})
                if doc is not None:
                    pending.discard(issue_id)
                    at = _epoch(doc.get("created_at"))
                    found[issue_id] = at if at is not None else time.time()
            if pending:
                time.sleep(0.5)
    finally:
        client.close()
    return found
